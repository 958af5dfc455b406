"""The demo business as plain values: what dispatch.demo.generate makes and the loader loads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dispatch.demo.catalogue import Place, RegionFacts
from dispatch.product.models import ProductModelCreate, VisitKind


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How much to generate: customers per region, days of history and of bookings ahead."""

    customers_per_region: int = 75
    history_days: int = 56
    future_days: int = 14
    history_load: float = 0.3  # share of a technician's slots used on a past day


@dataclass(frozen=True, slots=True)
class TechnicianSpec:
    region: str
    name: str
    phone: str
    centre: Place
    skills: tuple[str, ...]
    leave: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    region: str
    centre: str
    name: str
    phone: str
    email: str | None
    language: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class AssetSpec:
    serial: str
    customer_phone: str
    product: str  # product_key of its model
    purchase_date: date


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    """A customer's answer to a survey: CSAT 1-5, NPS 0-10, CES 1-7 and maybe a comment."""

    answered_at: datetime
    csat: int
    nps: int
    ces: int
    comment: str = ""


@dataclass(frozen=True, slots=True)
class SurveySpec:
    """The survey sent after a completed visit, and its answer when the customer gave one."""

    sent_at: datetime
    answer: AnswerSpec | None = None


@dataclass(frozen=True, slots=True)
class VisitSpec:
    """One visit of a job: its window, when it was booked, and (past days) what happened."""

    window_start: datetime
    window_end: datetime
    booked_at: datetime
    outcome: str = "booked"  # booked | completed | failed
    technician: str | None = None  # name, for visits that took place
    planned_start: datetime | None = None
    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    ended_at: datetime | None = None
    failure_reason: str | None = None
    survey: SurveySpec | None = None  # completed visits whose survey went out before the load
    crew: tuple[str, ...] = ()  # a crew visit: the names of those who served it with technician


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A service request and its visits: the first one, then a follow-up after each failure;
    or a movable visit (no visits here), due on any day from due[0] to due[1]."""

    region: str
    asset_serial: str
    kind: VisitKind
    created_at: datetime
    description: str
    priority: int | None
    visits: tuple[VisitSpec, ...]
    due: tuple[date, date] | None = None
    booked_at: datetime | None = None  # a movable visit: when it got its due range


@dataclass(frozen=True, slots=True)
class DemoData:
    regions: tuple[RegionFacts, ...]
    products: tuple[ProductModelCreate, ...]
    technicians: tuple[TechnicianSpec, ...]
    customers: tuple[CustomerSpec, ...]
    assets: tuple[AssetSpec, ...]
    jobs: tuple[JobSpec, ...]


def product_key(product: ProductModelCreate) -> str:
    """The natural key of a product model: brand and name."""
    return f"{product.brand} {product.name}"
