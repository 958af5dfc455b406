// The customer pages' words in Indonesian and English: the customer's language by default, a
// switch that remembers the choice in localStorage. Server sentences (reasons) stay as sent.

const KEY = "purna.lang";

const STRINGS = {
  en: {
    "language": "Language",
    "loading": "Loading…",
    "book.title": "Book a visit",
    "book.lead": "Choose your unit and what it needs; Purna offers only windows it can keep.",
    "book.unit": "Unit",
    "book.kind": "Kind of visit",
    "book.windows": "Offered windows",
    "book.suggested": "Best for the route",
    "book.byDay": "All windows by day",
    "book.none": "No window can be offered",
    "book.closedDays": "Days without a window",
    "book.pick": "Pick a window to see who pays and confirm.",
    "book.summary": "Your booking",
    "book.confirm": "Confirm booking",
    "book.booking": "Booking…",
    "book.booked": "Booked: {kind} on {day}, {window}.",
    "book.track": "Track this visit",
    "book.noUnits": "You have no units registered with Purna yet.",
    "book.mine": "Your bookings",
    "book.noneYet": "No upcoming bookings.",
    "book.past": "Earlier bookings",
    "book.already": "This unit already has this visit booked ({when}): move or cancel that booking instead.",
    "book.seeIt": "See it",
    "book.reschedule": "Reschedule",
    "book.moveTo": "Move to this window",
    "book.moved": "Moved to {day}, {window}.",
    "book.cancel": "Cancel booking",
    "book.cancelAsk": "Cancel this booking?",
    "book.cancelBack": "The entitlement it uses comes back to your unit.",
    "book.cancelYes": "Yes, cancel it",
    "book.keep": "Keep it",
    "book.cancelled": "Booking cancelled.",
    "book.cancelledBack": "Booking cancelled; the entitlement is back on your unit.",
    "book.close": "Close",
    "serial": "serial",
    "cover.title": "Who pays",
    "cover.entitlement": "Free: uses an entitlement of your unit",
    "cover.warranty": "Free under warranty",
    "cover.paid": "You pay {price}",
    "track.title": "Your visit",
    "track.status": "Status",
    "track.window": "Window",
    "track.technician": "Technician",
    "track.eta": "Expected arrival",
    "track.etaLater": "Shown once the technician is on the way",
    "track.notYet": "Assigned when the day is planned",
    "track.toBeScheduled": "To be scheduled: we will tell you the day and the 2-hour window",
    "track.dueBetween": "To be scheduled between {from} and {to}: we will tell you the day and the 2-hour window",
    "track.unit": "Unit",
    "track.refreshed": "Last refreshed {time}; refreshes by itself every 15 s.",
    "track.refreshFailed": "Could not refresh at {time}: {error}",
    "track.refused": "This booking cannot be shown",
    "track.refusedText": "It does not exist, or it belongs to another account.",
    "track.all": "All your bookings",
    "kind.training": "Hand-over training",
    "kind.delivery": "Delivery",
    "complaint.title": "Complaints about this visit",
    "complaint.none": "No complaint about this visit. Something wrong? Tell us below.",
    "complaint.number": "Complaint no. {id}",
    "complaint.filed": "Filed {time}",
    "complaint.due": "We answer by {respond} and resolve it by {resolve}.",
    "complaint.answer": "Our answer: {note}",
    "complaint.new": "File a complaint",
    "complaint.category": "What is it about",
    "complaint.text": "What happened",
    "complaint.placeholder": "Tell us what went wrong, in a few sentences.",
    "complaint.send": "Send complaint",
    "complaint.sending": "Sending…",
    "complaint.sent": "Complaint no. {id} received. We answer by {respond}.",
    "complaint.empty": "Write what happened first.",
    "complaint.status.open": "Received",
    "complaint.status.acknowledged": "Being looked at",
    "complaint.status.in_progress": "In progress",
    "complaint.status.resolved": "Resolved",
    "complaint.status.closed": "Closed",
    "complaint.status.reopened": "Reopened",
    "complaint.cat.late_visit": "Late visit",
    "complaint.cat.late_delivery": "Late delivery",
    "complaint.cat.workmanship": "Quality of the work",
    "complaint.cat.product_defect": "Product defect",
    "complaint.cat.technician_conduct": "Technician's conduct",
    "complaint.cat.billing": "Billing",
    "complaint.cat.other": "Something else",
    "kind.installation": "Installation",
    "kind.periodic_service": "Periodic service",
    "kind.oil_change": "Oil change",
    "kind.repair": "Repair",
    "kind.inspection": "Inspection",
    "status.requested": "Requested",
    "status.booked": "Booked",
    "status.planned": "Planned",
    "status.en_route": "On the way",
    "status.on_site": "Technician on site",
    "status.completed": "Completed",
    "status.failed": "Not completed",
    "status.cancelled": "Cancelled",
    "reason.no_skilled_technician": "No technician in your area can do this kind of visit.",
    "reason.no_working_technician": "No technician who can do it works that day.",
    "reason.days_full": "Every route is full that day.",
    "reason.no_crew": "Too few technicians who can do it work that day to send a crew.",
    "book.crewInstallers": "Needs {n} installers.",
    "book.crewTechnicians": "Needs {n} technicians.",
    "book.crewWindows": "Only windows in which {n} of them can arrive and start together are offered.",
    "reason.outside_booking_horizon": "Bookings open from tomorrow up to 60 days ahead.",
  },
  id: {
    "language": "Bahasa",
    "loading": "Memuat…",
    "book.title": "Pesan kunjungan",
    "book.lead": "Pilih unit Anda dan kebutuhannya; Purna hanya menawarkan jadwal yang dapat ditepati.",
    "book.unit": "Unit",
    "book.kind": "Jenis kunjungan",
    "book.windows": "Jadwal yang tersedia",
    "book.suggested": "Terbaik untuk rute",
    "book.byDay": "Semua jadwal per hari",
    "book.none": "Tidak ada jadwal yang dapat ditawarkan",
    "book.closedDays": "Hari tanpa jadwal",
    "book.pick": "Pilih jadwal untuk melihat siapa yang membayar, lalu konfirmasi.",
    "book.summary": "Pesanan Anda",
    "book.confirm": "Konfirmasi pesanan",
    "book.booking": "Memesan…",
    "book.booked": "Dipesan: {kind} pada {day}, {window}.",
    "book.track": "Lacak kunjungan ini",
    "book.noUnits": "Belum ada unit Anda yang terdaftar di Purna.",
    "book.mine": "Pesanan Anda",
    "book.noneYet": "Tidak ada pesanan mendatang.",
    "book.past": "Pesanan sebelumnya",
    "book.already": "Unit ini sudah punya kunjungan ini ({when}): ubah jadwal atau batalkan pesanan itu.",
    "book.seeIt": "Lihat",
    "book.reschedule": "Ubah jadwal",
    "book.moveTo": "Pindah ke jadwal ini",
    "book.moved": "Dipindah ke {day}, {window}.",
    "book.cancel": "Batalkan pesanan",
    "book.cancelAsk": "Batalkan pesanan ini?",
    "book.cancelBack": "Jatah yang dipakainya kembali ke unit Anda.",
    "book.cancelYes": "Ya, batalkan",
    "book.keep": "Tidak jadi",
    "book.cancelled": "Pesanan dibatalkan.",
    "book.cancelledBack": "Pesanan dibatalkan; jatahnya kembali ke unit Anda.",
    "book.close": "Tutup",
    "serial": "nomor seri",
    "cover.title": "Siapa yang membayar",
    "cover.entitlement": "Gratis: memakai jatah unit Anda",
    "cover.warranty": "Gratis, ditanggung garansi",
    "cover.paid": "Anda membayar {price}",
    "track.title": "Kunjungan Anda",
    "track.status": "Status",
    "track.window": "Jadwal",
    "track.technician": "Teknisi",
    "track.eta": "Perkiraan tiba",
    "track.etaLater": "Ditampilkan saat teknisi dalam perjalanan",
    "track.notYet": "Ditentukan saat hari itu direncanakan",
    "track.toBeScheduled": "Akan dijadwalkan: kami kabari hari dan jendela 2 jamnya",
    "track.dueBetween": "Akan dijadwalkan antara {from} dan {to}: kami kabari hari dan jendela 2 jamnya",
    "track.unit": "Unit",
    "track.refreshed": "Terakhir diperbarui {time}; diperbarui otomatis tiap 15 detik.",
    "track.refreshFailed": "Gagal memperbarui pada {time}: {error}",
    "track.refused": "Pesanan ini tidak dapat ditampilkan",
    "track.refusedText": "Pesanan tidak ada, atau milik akun lain.",
    "track.all": "Semua pesanan Anda",
    "kind.training": "Pelatihan awal",
    "kind.delivery": "Pengiriman",
    "complaint.title": "Keluhan tentang kunjungan ini",
    "complaint.none": "Belum ada keluhan tentang kunjungan ini. Ada masalah? Sampaikan di bawah.",
    "complaint.number": "Keluhan no. {id}",
    "complaint.filed": "Diajukan {time}",
    "complaint.due": "Kami tanggapi paling lambat {respond} dan selesaikan paling lambat {resolve}.",
    "complaint.answer": "Tanggapan kami: {note}",
    "complaint.new": "Ajukan keluhan",
    "complaint.category": "Tentang apa",
    "complaint.text": "Apa yang terjadi",
    "complaint.placeholder": "Ceritakan masalahnya dalam beberapa kalimat.",
    "complaint.send": "Kirim keluhan",
    "complaint.sending": "Mengirim…",
    "complaint.sent": "Keluhan no. {id} kami terima. Kami tanggapi paling lambat {respond}.",
    "complaint.empty": "Tuliskan dulu apa yang terjadi.",
    "complaint.status.open": "Diterima",
    "complaint.status.acknowledged": "Sedang ditinjau",
    "complaint.status.in_progress": "Sedang ditangani",
    "complaint.status.resolved": "Selesai",
    "complaint.status.closed": "Ditutup",
    "complaint.status.reopened": "Dibuka kembali",
    "complaint.cat.late_visit": "Kunjungan terlambat",
    "complaint.cat.late_delivery": "Pengiriman terlambat",
    "complaint.cat.workmanship": "Hasil pekerjaan",
    "complaint.cat.product_defect": "Kerusakan produk",
    "complaint.cat.technician_conduct": "Sikap teknisi",
    "complaint.cat.billing": "Tagihan",
    "complaint.cat.other": "Lainnya",
    "kind.installation": "Pemasangan",
    "kind.periodic_service": "Servis berkala",
    "kind.oil_change": "Ganti oli",
    "kind.repair": "Perbaikan",
    "kind.inspection": "Pemeriksaan",
    "status.requested": "Diminta",
    "status.booked": "Dipesan",
    "status.planned": "Terjadwal",
    "status.en_route": "Dalam perjalanan",
    "status.on_site": "Teknisi di lokasi",
    "status.completed": "Selesai",
    "status.failed": "Tidak selesai",
    "status.cancelled": "Dibatalkan",
    "reason.no_skilled_technician": "Tidak ada teknisi di wilayah Anda untuk jenis kunjungan ini.",
    "reason.no_working_technician": "Tidak ada teknisi yang bisa mengerjakannya bekerja pada hari itu.",
    "reason.days_full": "Semua rute sudah penuh pada hari itu.",
    "reason.no_crew": "Teknisi yang bisa mengerjakannya terlalu sedikit yang bekerja pada hari itu untuk satu tim.",
    "book.crewInstallers": "Butuh {n} teknisi pemasang.",
    "book.crewTechnicians": "Butuh {n} teknisi.",
    "book.crewWindows": "Hanya jadwal saat {n} teknisi dapat datang dan mulai bersama yang ditawarkan.",
    "reason.outside_booking_horizon": "Pemesanan dibuka mulai besok hingga 60 hari ke depan.",
  },
};

export const LANGUAGES = { id: "Bahasa Indonesia", en: "English" };
let current = "en";

// The language to show: the one chosen with the switch, else the customer's, else English.
export function useLanguage(customerLanguage) {
  const chosen = localStorage.getItem(KEY);
  current = STRINGS[chosen] ? chosen : STRINGS[customerLanguage] ? customerLanguage : "en";
  document.documentElement.lang = current;
  return current;
}

export function language() {
  return current;
}

export function locale() {
  return current === "id" ? "id-ID" : "en-GB";
}

export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// A labelled select that switches the language, remembers it, and calls onChange.
export function languageSwitch(onChange) {
  const select = document.createElement("select");
  select.id = "language";
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === current);
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", () => {
    localStorage.setItem(KEY, select.value);
    useLanguage(select.value);
    onChange(select.value);
  });
  const label = document.createElement("label");
  label.htmlFor = "language";
  label.textContent = t("language");
  const box = document.createElement("div");
  box.className = "language-switch";
  box.append(label, select);
  return box;
}
