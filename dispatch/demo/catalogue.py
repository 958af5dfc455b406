"""The demo business's fixed facts: regions of Greater Jakarta with their service centres and
neighbourhoods, the product catalogue with its service policies, skill profiles and names.

Brands are made up; prices are in rupiah; coordinates are real places.
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.product.models import (
    ProductCategory,
    ProductModelCreate,
    VisitKind,
    VisitKindPolicyCreate,
)
from dispatch.shift.models import BreakRule, BreakWindow, WeeklyShiftCreate
from optimizer import SERVICE_CENTRES

H = 3600
M = 60
TIMEZONE = "Asia/Jakarta"
MAX_OVERTIME_S = H

LUNCH = BreakRule(
    duration_s=H, windows=(BreakWindow(start_s=11 * H + 30 * M, end_s=13 * H + 30 * M),)
)
# Friday: the midday break starts before Jumu'ah (about 11:50-12:40 in Jakarta) and covers it.
FRIDAY_BREAK = BreakRule(
    duration_s=90 * M, windows=(BreakWindow(start_s=11 * H + 15 * M, end_s=11 * H + 45 * M),)
)
# Monday to Saturday 08:00-17:00; Sunday off.
WORKWEEK = tuple(
    WeeklyShiftCreate(
        weekday=d, start_s=8 * H, end_s=17 * H, breaks=[FRIDAY_BREAK if d == 4 else LUNCH]
    )
    for d in range(6)
)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Centre:
    """A service centre, where technicians start, and the neighbourhoods it serves."""

    place: Place
    neighbourhoods: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class RegionFacts:
    code: str
    name: str
    city: str
    centres: tuple[Centre, ...]


def _c(name: str, *hoods: tuple[str, float, float]) -> Centre:
    """The centre at its place in the one list (optimizer.SERVICE_CENTRES), with its hoods."""
    return Centre(Place(name, *SERVICE_CENTRES[name]), tuple(Place(*h) for h in hoods))


REGIONS = (
    RegionFacts("jkt-south", "Jakarta Selatan", "Jakarta Selatan", (
        _c("Kebayoran Baru",
           ("Kemang", -6.2607, 106.8138), ("Pondok Indah", -6.2659, 106.7830),
           ("Cilandak", -6.2900, 106.8000), ("Senopati", -6.2330, 106.8090),
           ("Gandaria", -6.2440, 106.7830), ("Mampang", -6.2420, 106.8250),
           ("Tebet", -6.2260, 106.8530), ("Pasar Minggu", -6.2840, 106.8440)),
    )),
    RegionFacts("jkt-east", "Jakarta Timur", "Jakarta Timur", (
        _c("Jatinegara",
           ("Rawamangun", -6.1950, 106.8900), ("Duren Sawit", -6.2340, 106.9180),
           ("Kramat Jati", -6.2700, 106.8700), ("Pulo Gadung", -6.1900, 106.9000),
           ("Cipinang", -6.2150, 106.8850)),
        _c("Cibubur",
           ("Cibubur", -6.3700, 106.8870), ("Ciracas", -6.3250, 106.8700),
           ("Cijantung", -6.3150, 106.8600)),
    )),
    RegionFacts("tangerang", "Tangerang", "Tangerang", (
        _c("Tangerang",
           ("Tangerang Kota", -6.1780, 106.6300), ("Karawaci", -6.2260, 106.6070),
           ("Cikokol", -6.2000, 106.6400), ("Alam Sutera", -6.2240, 106.6530)),
        _c("BSD Serpong",
           ("BSD", -6.3000, 106.6660), ("Serpong", -6.3170, 106.6650),
           ("Gading Serpong", -6.2410, 106.6300), ("Rawa Buntu", -6.3150, 106.6780)),
    )),
    RegionFacts("bekasi-depok", "Bekasi & Depok", "Bekasi", (
        _c("Bekasi",
           ("Bekasi Barat", -6.2480, 106.9890), ("Bekasi Timur", -6.2480, 107.0160),
           ("Harapan Indah", -6.1830, 106.9700), ("Jatiasih", -6.3000, 106.9600),
           ("Galaxy", -6.2600, 106.9700)),
        _c("Depok",
           ("Margonda", -6.3800, 106.8320), ("Beji", -6.3750, 106.8150),
           ("Sawangan", -6.4040, 106.7580), ("Depok Lama", -6.4000, 106.8170)),
    )),
)  # fmt: skip

# Ten technicians per region: AC teams first, then appliance, furniture and vehicle people.
PROFILES: tuple[tuple[str, ...], ...] = (
    ("ac_install", "ac_service", "ac_repair"),
    ("ac_install", "ac_service", "ac_repair"),
    ("ac_install", "ac_service", "ac_repair"),
    ("ac_service", "ac_repair"),
    ("ac_service", "ac_repair", "appliance_repair"),
    ("appliance_install", "appliance_repair"),
    ("appliance_install", "appliance_repair", "furniture_install"),
    ("motorcycle_service", "motorcycle_repair"),
    ("motorcycle_service", "motorcycle_repair", "car_service"),
    ("car_service", "car_repair"),
)


def _kinds(
    *rows: tuple[VisitKind, int, str, int], crews: dict[VisitKind, int] | None = None
) -> list[VisitKindPolicyCreate]:
    crews = crews or {}
    return [
        VisitKindPolicyCreate(kind=k, duration_s=d, skill=s, price=p, crew_size=crews.get(k, 1))
        for k, d, s, p in rows
    ]


K = VisitKind


def _ac(
    name: str, install_min: int, warranty_months: int, services: int, installers: int = 1
) -> ProductModelCreate:
    """An AC model; a large split or a cassette unit takes `installers` people to mount."""
    return ProductModelCreate(
        category=ProductCategory.AC,
        brand="Sejuk",
        name=name,
        free_installation=True,
        warranty_months=warranty_months,
        free_services=services,
        service_interval_days=180,
        visit_kinds=_kinds(
            (K.INSTALLATION, install_min * M, "ac_install", 350_000),
            (K.PERIODIC_SERVICE, 60 * M, "ac_service", 150_000),
            (K.REPAIR, 90 * M, "ac_repair", 250_000),
            (K.INSPECTION, 30 * M, "ac_service", 100_000),
            crews={K.INSTALLATION: installers},
        ),
    )


def _appliance(
    category: ProductCategory, brand: str, name: str, install_min: int, warranty: int
) -> ProductModelCreate:
    return ProductModelCreate(
        category=category,
        brand=brand,
        name=name,
        free_installation=True,
        warranty_months=warranty,
        visit_kinds=_kinds(
            (K.INSTALLATION, install_min * M, "appliance_install", 100_000),
            (K.REPAIR, 90 * M, "appliance_repair", 200_000),
            (K.INSPECTION, 30 * M, "appliance_repair", 75_000),
        ),
    )


def _vehicle(
    category: ProductCategory, brand: str, name: str, skill: str, minutes: tuple[int, int, int]
) -> ProductModelCreate:
    service_min, oil_min, repair_min = minutes
    car = category is ProductCategory.CAR
    return ProductModelCreate(
        category=category,
        brand=brand,
        name=name,
        free_installation=False,
        warranty_months=36,
        free_services=3,
        free_oil_changes=1,
        service_interval_days=180 if car else 60,
        entitlement_valid_months=24 if car else 12,
        visit_kinds=_kinds(
            (K.PERIODIC_SERVICE, service_min * M, f"{skill}_service", 600_000 if car else 120_000),
            (K.OIL_CHANGE, oil_min * M, f"{skill}_service", 350_000 if car else 60_000),
            (K.REPAIR, repair_min * M, f"{skill}_repair", 900_000 if car else 200_000),
        ),
    )


SPRING_BED = ProductModelCreate(
    category=ProductCategory.SPRING_BED,
    brand="Tenang",
    name="Spring Bed Queen 160",
    free_installation=True,
    warranty_months=120,
    visit_kinds=_kinds(
        (K.INSTALLATION, 45 * M, "furniture_install", 150_000),
        (K.INSPECTION, 30 * M, "furniture_install", 50_000),
    ),
)

# (product, share of sold units)
CATALOGUE: tuple[tuple[ProductModelCreate, float], ...] = (
    (_ac("AC Split 1 PK", 90, 12, 1), 0.20),
    (_ac("AC Split 1.5 PK", 120, 24, 1), 0.15),
    (_ac("AC Split 2 PK", 150, 36, 2), 0.10),
    (_appliance(ProductCategory.WASHING_MACHINE, "Kilat", "Front Load 8 kg", 45, 24), 0.08),
    (_appliance(ProductCategory.WASHING_MACHINE, "Kilat", "Top Load 7 kg", 45, 12), 0.07),
    (_appliance(ProductCategory.REFRIGERATOR, "Segar", "Kulkas 2 Pintu 260 L", 30, 12), 0.12),
    (SPRING_BED, 0.08),
    (_vehicle(ProductCategory.MOTORCYCLE, "Gesit", "Bebek 125", "motorcycle", (60, 30, 120)), 0.08),
    (_vehicle(ProductCategory.MOTORCYCLE, "Gesit", "Matic 110", "motorcycle", (60, 30, 120)), 0.06),
    (_vehicle(ProductCategory.CAR, "Jaya", "MPV 1.5", "car", (120, 45, 150)), 0.06),
)
# The serial-number prefix of each CATALOGUE product's units, in its order.
SERIAL_PREFIXES = (
    "AC10",
    "AC15",
    "AC20",
    "WMF8",
    "WMT7",
    "RF260",
    "SB160",
    "MB125",
    "MM110",
    "CAR15",
)

# The large units that take two installers (a booking of one is a crew visit). They are not
# drawn in the seeded sequence of CATALOGUE (that would change every generated unit after
# them): dispatch.demo.crews sells a few a region from a stream of its own, afterwards.
LARGE_UNITS: tuple[ProductModelCreate, ...] = (
    _ac("AC Split 2.5 PK", 180, 36, 2, installers=2),
    _ac("AC Cassette 3 PK", 180, 36, 2, installers=2),
)

FIRST_NAMES = (
    "Agus", "Budi", "Dewi", "Eko", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Kartika",
    "Lina", "Made", "Nur", "Oki", "Putri", "Rizky", "Sari", "Taufik", "Umar", "Wahyu",
    "Yusuf", "Ayu", "Bayu", "Citra", "Dimas", "Endah", "Fitri", "Gilang", "Hendra", "Intan",
    "Kurniawan", "Lestari", "Mega", "Nanda", "Rini", "Siti", "Teguh", "Wulan", "Yanti", "Zainal",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Rahayu",
    "Setiawan", "Lestari", "Gunawan", "Susanto", "Hakim", "Siregar", "Nasution", "Simanjuntak",
    "Wibowo", "Purnomo", "Halim", "Tanjung", "Harahap", "Putra", "Utami", "Permana",
)  # fmt: skip
STREETS = (
    "Melati", "Mawar", "Kenanga", "Anggrek", "Cempaka", "Flamboyan", "Dahlia", "Teratai",
    "Merpati", "Rajawali", "Kutilang", "Nangka", "Durian", "Rambutan", "Manggis", "Kelapa",
    "Bango", "Cendrawasih", "Pala", "Salak",
)  # fmt: skip
