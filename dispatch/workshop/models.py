"""Workshop tables and schemas: a partner workshop, its weekly hours and services, bay bookings.

A bay booking holds one bay for one slot; the partial unique index on (workshop, slot, bay) of
the bookings not cancelled means two bookings can never hold the same bay, whatever the code
does, and bay numbers run from 1 to the workshop's bays (checked under the workshop's lock).
"""

from datetime import datetime, time
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, model_validator
from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now
from dispatch.product.models import VisitKind
from dispatch.request.models import Coverage, CoverageQuote

MAX_DISTANCE_KM = 100.0
DEFAULT_DISTANCE_KM = 20.0
MAX_QUERY_DAYS = 14
LEAD_S = 2 * 3600  # a bay is booked at least two hours ahead, so the workshop can prepare


class WorkshopBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field(min_length=1, max_length=300)
    phone: str = Field(default="", max_length=32)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    bays: int = Field(ge=1, le=50, description="vehicles served at the same time")
    slot_minutes: int = Field(default=60, ge=15, le=480, description="length of a bay slot")


class Workshop(WorkshopBase, table=True):
    __table_args__ = (
        UniqueConstraint("region_id", "name"),
        CheckConstraint("bays >= 1", name="bays_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    active: bool = True


class WorkshopHours(SQLModel, table=True):
    """When a workshop is open on one weekday (0 = Monday), in its region's time."""

    __tablename__ = "workshop_hours"
    __table_args__ = (
        UniqueConstraint("workshop_id", "weekday"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    weekday: int = Field(ge=0, le=6)
    opens: time
    closes: time


class WorkshopService(SQLModel, table=True):
    """A kind of service a workshop offers (periodic service, oil change, ...)."""

    __tablename__ = "workshop_service"
    __table_args__ = (UniqueConstraint("workshop_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    kind: VisitKind = Field(sa_type=enum_type(VisitKind, "visit_kind"))


class WorkshopBookingStatus(StrEnum):
    BOOKED = "booked"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkshopBooking(SQLModel, table=True):
    """A bay held for a customer's vehicle in one slot; its request carries the coverage."""

    __tablename__ = "workshop_booking"
    __table_args__ = (
        Index(
            "uq_workshop_booking_bay_in_slot",
            "workshop_id",
            "slot_start",
            "bay",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        CheckConstraint("bay >= 1", name="bay_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    request_id: int = Field(foreign_key="service_request.id", unique=True)
    kind: VisitKind = Field(sa_type=enum_type(VisitKind, "visit_kind"))
    slot_start: datetime = Field(sa_type=UTCDateTime)
    slot_end: datetime = Field(sa_type=UTCDateTime)
    bay: int = Field(ge=1)
    status: WorkshopBookingStatus = Field(
        default=WorkshopBookingStatus.BOOKED,
        sa_type=enum_type(WorkshopBookingStatus, "workshop_booking_status"),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkshopBookingIdempotency(SQLModel, table=True):
    """A bay booking request's Idempotency-Key: the same key and body return the same booking."""

    __tablename__ = "workshop_booking_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64, description="sha256 of the request body")
    booking_id: int | None = Field(default=None, foreign_key="workshop_booking.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# --- schemas -------------------------------------------------------------------------------------


class OpeningHours(SQLModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closes(self) -> Self:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


class WorkshopCreate(WorkshopBase):
    region: str = Field(max_length=40, description="region code; its time zone rules the hours")
    hours: list[OpeningHours] = Field(min_length=1, max_length=7)
    services: list[VisitKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_entry_per_day_and_kind(self) -> Self:
        days = [h.weekday for h in self.hours]
        if len(days) != len(set(days)):
            raise ValueError("each weekday may have one opening-hours entry only")
        if len(self.services) != len(set(self.services)):
            raise ValueError("each service may be listed once")
        return self


class WorkshopPublic(WorkshopBase):
    id: int
    region: str
    timezone: str
    active: bool
    hours: list[OpeningHours]
    services: list[VisitKind]


class WorkshopsPublic(SQLModel):
    data: list[WorkshopPublic]
    count: int


class BaySlotPublic(SQLModel):
    workshop_id: int
    workshop_name: str
    address: str
    distance_km: float
    slot_start: datetime
    slot_end: datetime
    local_window: str = Field(description="the slot in the region's time, e.g. 08:00-09:00")
    free_bays: int


class BaySlotsPublic(SQLModel):
    """Free bay slots at workshops near the asset, nearest workshop first, then by time."""

    asset_id: int
    kind: VisitKind
    max_km: float
    data: list[BaySlotPublic]
    count: int
    coverage: CoverageQuote = Field(description="who would pay for a booking made now")
    home_visit: bool = Field(description="the product may be serviced at home instead (/v1/slots)")


class WorkshopBookingCreate(SQLModel):
    workshop_id: int
    asset_id: int
    kind: VisitKind
    slot_start: AwareDatetime
    customer_id: int | None = Field(
        default=None, description="dispatchers booking for a customer; must own the asset"
    )


class WorkshopBookingMove(SQLModel):
    """Move a bay booking to another slot, at its workshop or another offering the service."""

    slot_start: AwareDatetime
    workshop_id: int | None = Field(default=None, description="default: the booking's workshop")


class WorkshopBookingPublic(SQLModel):
    id: int
    workshop_id: int
    workshop_name: str
    address: str
    asset_id: int
    customer_id: int
    request_id: int
    kind: VisitKind
    slot_start: datetime
    slot_end: datetime
    timezone: str
    bay: int
    status: WorkshopBookingStatus
    coverage: Coverage
    coverage_reason: str
    price: int


class WorkshopBookingsPublic(SQLModel):
    data: list[WorkshopBookingPublic]
    count: int
