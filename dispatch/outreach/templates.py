"""Message templates in Indonesian and English, one per kind of message; str.format fields.

Every template of a kind uses the same fields in both languages, so a context that renders
one language renders the other (tests/dispatch/test_outreach_templates.py checks it).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

from dispatch.customer.models import Language
from dispatch.outreach.models import MessageKind

K = MessageKind
SIGNATURE = "\n\n- Purna"


@dataclass(frozen=True, slots=True)
class Template:
    subject: str
    body: str

    def fields(self) -> set[str]:
        """The names the template needs from its context."""
        parsed = [*Formatter().parse(self.subject), *Formatter().parse(self.body)]
        return {name for _, name, _, _ in parsed if name}


INDONESIAN: dict[MessageKind, Template] = {
    K.BOOKING_CONFIRMED: Template(
        "Jadwal {what} Anda: {date}",
        "Halo {name}, {what} untuk {product} terjadwal pada {date}, pukul {window}, "
        "di {address}. Kami akan mengabari saat teknisi berangkat.",
    ),
    K.BOOKING_RESCHEDULED: Template(
        "Jadwal {what} Anda diubah: {date}",
        "Halo {name}, jadwal {what} untuk {product} sekarang {date}, pukul {window}, di {address}.",
    ),
    K.BOOKING_CANCELLED: Template(
        "Jadwal {what} Anda dibatalkan",
        "Halo {name}, {what} untuk {product} pada {date}, pukul {window}, telah dibatalkan. "
        "Hak layanan gratis Anda tetap berlaku. Silakan pesan jadwal baru kapan saja.",
    ),
    K.VISIT_REMINDER: Template(
        "Pengingat: {what} besok, {date}",
        "Halo {name}, teknisi kami akan datang besok, {date}, pukul {window}, di {address} "
        "untuk {what} {product}. Mohon pastikan ada orang di lokasi.",
    ),
    K.ON_THE_WAY: Template(
        "Teknisi {technician} sedang menuju lokasi Anda",
        "Halo {name}, teknisi kami {technician} sedang dalam perjalanan untuk {what} "
        "{product} dan diperkirakan tiba sekitar pukul {eta}.",
    ),
    K.SURVEY: Template(
        "Bagaimana kunjungan {technician}?",
        "Halo {name}, terima kasih telah menggunakan layanan kami untuk {what} {product}. "
        "Mohon beri penilaian Anda (1 menit): {link}",
    ),
    K.FOLLOW_UP: Template(
        "Kunjungan lanjutan untuk {what} Anda",
        "Halo {name}, {what} {product} belum dapat diselesaikan karena {reason}. "
        "Kami akan membuat kunjungan lanjutan; silakan pilih jadwal baru atau balas pesan ini.",
    ),
    K.PART_ARRIVED: Template(
        "Suku cadang untuk {what} Anda sudah tersedia",
        "Halo {name}, suku cadang asli {part} untuk {what} {product} sudah tersedia. "
        "Silakan pilih jadwal kunjungan lanjutan atau balas pesan ini.",
    ),
    K.DISPATCHER_ALERT: Template(
        "Kunjungan {visit_id} gagal ({region})",
        "Kunjungan {visit_id} ({what} {product}) oleh {technician} di {address} gagal: "
        "{reason}. Pelanggan: {customer}. Kunjungan lanjutan {follow_up_id} menunggu jadwal.",
    ),
    K.SERVICE_DUE: Template(
        "Saatnya {what} gratis untuk {product}",
        "Halo {name}, {product} Anda jatuh tempo {what} gratis pada {due_date}. "
        "Jadwal terbaik yang tersedia:\n{slots}",
    ),
    K.ENTITLEMENT_EXPIRING: Template(
        "{entitlement} Anda berakhir {valid_until}",
        "Halo {name}, Anda masih memiliki {remaining}x {entitlement} untuk {product} yang "
        "berlaku sampai {valid_until}. Jadwal terbaik yang tersedia:\n{slots}",
    ),
    K.WARRANTY_ENDING: Template(
        "Garansi {product} berakhir {valid_until}",
        "Halo {name}, garansi {product} Anda berlaku sampai {valid_until}. Bila ada keluhan, "
        "pemeriksaan sebelum tanggal itu tidak dipungut biaya. Jadwal terbaik yang tersedia:\n"
        "{slots}",
    ),
    K.TRAINING_OFFERED: Template(
        "Pelatihan awal {product} Anda",
        "Halo {name}, {product} Anda sudah terpasang. Teknisi kami dapat memberikan pelatihan "
        "awal cara pemakaiannya ({minutes} menit, tanpa biaya). Pilih jadwalnya di aplikasi "
        "atau balas pesan ini.",
    ),
    K.BAY_BOOKED: Template(
        "{what} di {workshop}: {date}",
        "Halo {name}, {what} untuk {product} terjadwal pada {date}, pukul {window}, di "
        "{workshop}, {address} (telepon {phone}). Mohon datang tepat waktu; satu bay "
        "disiapkan untuk Anda.",
    ),
    K.BAY_MOVED: Template(
        "Jadwal {what} di {workshop} diubah: {date}",
        "Halo {name}, {what} untuk {product} sekarang pada {date}, pukul {window}, di "
        "{workshop}, {address} (telepon {phone}).",
    ),
    K.BAY_CANCELLED: Template(
        "{what} di {workshop} dibatalkan",
        "Halo {name}, {what} untuk {product} pada {date}, pukul {window}, di {workshop} sudah "
        "dibatalkan. Pilih jadwal lain di aplikasi bila masih diperlukan.",
    ),
    K.BAY_REMINDER: Template(
        "Pengingat: {what} besok di {workshop}",
        "Halo {name}, besok {date}, pukul {window}, {product} Anda dijadwalkan untuk {what} di "
        "{workshop}, {address} (telepon {phone}).",
    ),
    K.VOUCHER_ISSUED: Template(
        "Voucher {discount} untuk Anda",
        "Halo {name}, terima kasih telah setia bersama kami. Ini voucher {offer} Anda: kode "
        "{code}, potongan {discount}{minimum}, berlaku sampai {valid_until}. Sebutkan kode ini "
        "saat membayar servis atau suku cadang.",
    ),
    K.COMPLAINT_RECEIVED: Template(
        "Keluhan Anda kami terima (no. {complaint_id})",
        "Halo {name}, keluhan Anda tentang {product} ({category}) sudah kami terima dengan "
        "nomor {complaint_id}. Kami akan menanggapi paling lambat {respond_by} dan "
        "menyelesaikannya paling lambat {resolve_by}.",
    ),
    K.COMPLAINT_RESOLVED: Template(
        "Keluhan no. {complaint_id} telah diselesaikan",
        "Halo {name}, keluhan Anda tentang {product} ({category}) telah kami selesaikan: "
        "{note}. Bila masalahnya belum teratasi, balas pesan ini dan keluhan akan dibuka kembali.",
    ),
    K.COMPLAINT_SLA_BREACH: Template(
        "Keluhan {complaint_id} melewati batas {deadline} ({region})",
        "Keluhan {complaint_id} ({category}, {product}) dari {customer} belum mendapat {deadline} "
        "sejak batas waktu {due}. Status: {status}. Penanggung jawab: {owner}.",
    ),
    K.WARRANTY_OUTCOME: Template(
        "Keputusan garansi {product}: {decision}",
        "Halo {name}, untuk {product} Anda kami memutuskan {decision} di bawah garansi "
        "(keputusan no. {outcome_id}). Alasannya: {reason}. {next_step}",
    ),
}

ENGLISH: dict[MessageKind, Template] = {
    K.BOOKING_CONFIRMED: Template(
        "Your {what} is booked: {date}",
        "Hello {name}, the {what} of your {product} is booked for {date}, {window}, "
        "at {address}. We will let you know when the technician sets off.",
    ),
    K.BOOKING_RESCHEDULED: Template(
        "Your {what} has moved: {date}",
        "Hello {name}, the {what} of your {product} is now on {date}, {window}, at {address}.",
    ),
    K.BOOKING_CANCELLED: Template(
        "Your {what} is cancelled",
        "Hello {name}, the {what} of your {product} on {date}, {window}, is cancelled. "
        "Your free service entitlement still stands. Book a new time whenever you like.",
    ),
    K.VISIT_REMINDER: Template(
        "Reminder: {what} tomorrow, {date}",
        "Hello {name}, our technician comes tomorrow, {date}, {window}, to {address} for the "
        "{what} of your {product}. Please make sure someone is there.",
    ),
    K.ON_THE_WAY: Template(
        "On the way to you: {technician}",
        "Hello {name}, {technician} from our service team set off for the {what} of your "
        "{product} and should arrive around {eta}.",
    ),
    K.SURVEY: Template(
        "How was the visit by {technician}?",
        "Hello {name}, thank you for choosing us for the {what} of your {product}. "
        "Please rate the visit (one minute): {link}",
    ),
    K.FOLLOW_UP: Template(
        "A follow-up visit for your {what}",
        "Hello {name}, the {what} of your {product} could not be finished because {reason}. "
        "We will arrange a follow-up visit; choose a new time or reply to this message.",
    ),
    K.PART_ARRIVED: Template(
        "The part for your {what} has arrived",
        "Hello {name}, the genuine part {part} for the {what} of your {product} is in stock. "
        "Choose a time for the follow-up visit or reply to this message.",
    ),
    K.DISPATCHER_ALERT: Template(
        "Visit {visit_id} failed ({region})",
        "Visit {visit_id} ({what}, {product}) by {technician} at {address} failed: {reason}. "
        "Customer: {customer}. Follow-up visit {follow_up_id} waits to be booked.",
    ),
    K.SERVICE_DUE: Template(
        "Time for the free {what} of your {product}",
        "Hello {name}, your {product} is due for its free {what} on {due_date}. "
        "The best times we can offer:\n{slots}",
    ),
    K.ENTITLEMENT_EXPIRING: Template(
        "Your {entitlement} ends on {valid_until}",
        "Hello {name}, you still have {remaining} {entitlement} for your {product}, valid "
        "until {valid_until}. The best times we can offer:\n{slots}",
    ),
    K.WARRANTY_ENDING: Template(
        "The warranty of your {product} ends on {valid_until}",
        "Hello {name}, the warranty of your {product} runs until {valid_until}. If anything "
        "is wrong, an inspection before then is free. The best times we can offer:\n{slots}",
    ),
    K.TRAINING_OFFERED: Template(
        "Hand-over training for your {product}",
        "Hello {name}, your {product} is installed. Our technician can show you how to use it "
        "in a hand-over training ({minutes} minutes, free of charge). Choose a time in the app "
        "or reply to this message.",
    ),
    K.BAY_BOOKED: Template(
        "Your {what} at {workshop}: {date}",
        "Hello {name}, the {what} of your {product} is booked for {date}, {window}, at "
        "{workshop}, {address} (phone {phone}). Please come on time; a bay is kept for you.",
    ),
    K.BAY_MOVED: Template(
        "Your {what} at {workshop} has moved: {date}",
        "Hello {name}, the {what} of your {product} is now on {date}, {window}, at {workshop}, "
        "{address} (phone {phone}).",
    ),
    K.BAY_CANCELLED: Template(
        "Your {what} at {workshop} is cancelled",
        "Hello {name}, the {what} of your {product} on {date}, {window}, at {workshop} is "
        "cancelled. Book another time in the app whenever you need one.",
    ),
    K.BAY_REMINDER: Template(
        "Reminder: your {what} at {workshop} tomorrow",
        "Hello {name}, tomorrow, {date}, {window}, your {product} is booked for its {what} at "
        "{workshop}, {address} (phone {phone}).",
    ),
    K.VOUCHER_ISSUED: Template(
        "A {discount} voucher for you",
        "Hello {name}, thank you for staying with us. Here is your {offer} voucher: code "
        "{code}, {discount} off{minimum}, valid until {valid_until}. Give the code when you pay "
        "for a service or a part.",
    ),
    K.COMPLAINT_RECEIVED: Template(
        "We have your complaint (no. {complaint_id})",
        "Hello {name}, we have received your complaint about your {product} ({category}) as "
        "number {complaint_id}. We will answer by {respond_by} and resolve it by {resolve_by}.",
    ),
    K.COMPLAINT_RESOLVED: Template(
        "Complaint no. {complaint_id} is resolved",
        "Hello {name}, your complaint about your {product} ({category}) is resolved: {note}. "
        "If the problem is still there, reply to this message and we will reopen it.",
    ),
    K.COMPLAINT_SLA_BREACH: Template(
        "Complaint {complaint_id} is past its {deadline} deadline ({region})",
        "Complaint {complaint_id} ({category}, {product}) from {customer} has had no {deadline} "
        "since its deadline {due}. Status: {status}. Owner: {owner}.",
    ),
    K.WARRANTY_OUTCOME: Template(
        "Warranty decision for your {product}: {decision}",
        "Hello {name}, for your {product} we have decided on {decision} under the warranty "
        "(decision no. {outcome_id}). The reason: {reason}. {next_step}",
    ),
}

TEMPLATES: dict[Language, dict[MessageKind, Template]] = {
    Language.ID: INDONESIAN,
    Language.EN: ENGLISH,
}


def render(kind: MessageKind, language: Language, context: Mapping[str, object]) -> Template:
    """The subject and body of a message of this kind, in this language, filled from context.

    Raises:
        ValueError: when the context lacks a field the template needs.
    """
    template = TEMPLATES[language][kind]
    missing = template.fields() - set(context)
    if missing:
        raise ValueError(f"{kind} ({language}) needs {', '.join(sorted(missing))}.")
    body = template.body.format_map(context) + SIGNATURE
    return Template(subject=template.subject.format_map(context), body=body)
