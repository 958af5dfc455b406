"""Words and formats for customer texts in Indonesian and English: dates, windows, reasons."""

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dispatch.customer.models import Language
from dispatch.entitlement.models import EntitlementKind
from dispatch.product.models import VisitKind
from dispatch.visit.models import FailureReason

L = Language

WEEKDAYS: dict[Language, tuple[str, ...]] = {
    L.ID: ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    L.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS: dict[Language, tuple[str, ...]] = {
    L.ID: (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    L.EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
VISIT_KINDS: dict[Language, dict[VisitKind, str]] = {
    L.ID: {
        VisitKind.INSTALLATION: "pemasangan",
        VisitKind.PERIODIC_SERVICE: "servis berkala",
        VisitKind.REPAIR: "perbaikan",
        VisitKind.INSPECTION: "pemeriksaan",
        VisitKind.OIL_CHANGE: "ganti oli",
        VisitKind.TRAINING: "pelatihan awal",
        VisitKind.DELIVERY: "pengiriman barang",
    },
    L.EN: {
        VisitKind.INSTALLATION: "installation",
        VisitKind.PERIODIC_SERVICE: "periodic service",
        VisitKind.REPAIR: "repair",
        VisitKind.INSPECTION: "inspection",
        VisitKind.OIL_CHANGE: "oil change",
        VisitKind.TRAINING: "hand-over training",
        VisitKind.DELIVERY: "delivery",
    },
}
ENTITLEMENTS: dict[Language, dict[EntitlementKind, str]] = {
    L.ID: {
        EntitlementKind.FREE_INSTALLATION: "pemasangan gratis",
        EntitlementKind.FREE_SERVICE: "servis gratis",
        EntitlementKind.FREE_OIL_CHANGE: "ganti oli gratis",
    },
    L.EN: {
        EntitlementKind.FREE_INSTALLATION: "free installation",
        EntitlementKind.FREE_SERVICE: "free service",
        EntitlementKind.FREE_OIL_CHANGE: "free oil change",
    },
}
FAILURE_REASONS: dict[Language, dict[FailureReason, str]] = {
    L.ID: {
        FailureReason.PART_MISSING: "suku cadang yang dibutuhkan belum tersedia",
        FailureReason.CUSTOMER_ABSENT: "teknisi kami tidak dapat bertemu Anda di lokasi",
        FailureReason.NEEDS_SECOND_VISIT: "pekerjaan ini memerlukan kunjungan kedua",
        FailureReason.OTHER: "ada kendala di lokasi",
    },
    L.EN: {
        FailureReason.PART_MISSING: "a part that is needed was not available",
        FailureReason.CUSTOMER_ABSENT: "our technician could not meet you at the address",
        FailureReason.NEEDS_SECOND_VISIT: "the work needs a second visit",
        FailureReason.OTHER: "there was a problem on site",
    },
}
NO_SLOTS: dict[Language, str] = {
    L.ID: "Hubungi kami untuk memilih jadwal.",
    L.EN: "Contact us to choose a time.",
}


def part_name(name_en: str, name_id: str, language: Language) -> str:
    """A part's name in the customer's language."""
    return name_id if language is L.ID else name_en


def day_text(day: date, language: Language) -> str:
    """`Selasa, 10 Maret 2026` or `Tuesday 10 March 2026`."""
    weekday = WEEKDAYS[language][day.weekday()]
    month = MONTHS[language][day.month - 1]
    separator = ", " if language is L.ID else " "
    return f"{weekday}{separator}{day.day} {month} {day.year}"


def time_text(moment: datetime, tz: ZoneInfo, language: Language) -> str:
    """Local clock time: `09.00` in Indonesian, `09:00` in English."""
    local = moment.astimezone(tz)
    sep = "." if language is L.ID else ":"
    return f"{local.hour:02d}{sep}{local.minute:02d}"


def window_text(start: datetime, end: datetime, tz: ZoneInfo, language: Language) -> str:
    """`09.00-12.00 WIB`: a promised window in the region's local time with its zone name."""
    zone_name = start.astimezone(tz).tzname() or ""
    span = f"{time_text(start, tz, language)}-{time_text(end, tz, language)}"
    return f"{span} {zone_name}".strip()


def slots_text(slots: Sequence[tuple[datetime, datetime]], tz: ZoneInfo, language: Language) -> str:
    """One line per offered window (`- Selasa, 10 Maret 2026, 09.00-11.00 WIB`), or a hint."""
    if not slots:
        return NO_SLOTS[language]
    lines = [
        f"- {day_text(start.astimezone(tz).date(), language)}, "
        f"{window_text(start, end, tz, language)}"
        for start, end in slots
    ]
    return "\n".join(lines)


def first_name(name: str) -> str:
    """The first word of a name: customers see a technician's first name only."""
    return name.split()[0] if name.split() else name


MINIMUM: dict[Language, str] = {
    L.ID: " untuk pembayaran minimal {price}",
    L.EN: " on a bill of at least {price}",
}


def rupiah(amount: int, language: Language) -> str:
    """`Rp 150.000` in Indonesian, `Rp 150,000` in English."""
    grouped = f"{amount:,}"
    return f"Rp {grouped.replace(',', '.') if language is L.ID else grouped}"
