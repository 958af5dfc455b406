"""Booking tables and schemas: the per-day ledger of promised routes, idempotency keys, slots.

A booking is a customer's visit: its id is the visit's id. The ledger of a region's day holds
the day's problem (technicians, promised visits) and a route sequence per technician that keeps
every promise; slot offers insert into it, bookings extend it under a lock.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, json_type
from dispatch.localtime import utc_now
from dispatch.product.models import VisitKind
from dispatch.request.models import Coverage, CoverageQuote, RequestStatus
from dispatch.visit.models import ARRIVAL_WINDOWS_S, VisitStatus

H = 3600
# The windows offered on each day (optimizer.fieldservice.SLOTS has the same); one tuple for
# every region until a region needs its own.
SLOT_WINDOWS_S: tuple[tuple[int, int], ...] = ARRIVAL_WINDOWS_S
# Today's routes are already running (re-planned from now): bookings start tomorrow.
LEAD_DAYS = 1
HORIZON_DAYS = 60  # how far ahead a customer may book
MAX_QUERY_DAYS = 14  # days one slot query may span (each is an insertion over that day's routes)


class BookingLedger(SQLModel, table=True):
    """The routes promised for one region and day (see the module docstring).

    version grows with every write and stamp changes (a random token, so that an in-process
    cache never mistakes another database's row for this one); plan_id is the stored plan the
    routes were seeded from; visits_key fingerprints the promised visits and the crew's hours
    (booking.fingerprint), so that a change made elsewhere (a visit booked or cancelled by a
    dispatcher, a technician off sick) is noticed and the ledger brought up to date.
    """

    __tablename__ = "booking_ledger"
    __table_args__ = (UniqueConstraint("region_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id")
    day: date
    version: int = Field(default=0, ge=0)
    stamp: str = Field(default="", max_length=32, description="random per write: cache key")
    plan_id: int | None = Field(default=None)
    visits_key: str = Field(default="", max_length=64)
    problem: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    sequences: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    unplaced: list[str] = Field(default_factory=list, sa_type=json_type())
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class BookingIdempotency(SQLModel, table=True):
    """A booking request's Idempotency-Key: the same key and body return the same booking."""

    __tablename__ = "booking_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64, description="sha256 of the request body")
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# --- slots ---------------------------------------------------------------------------------------


class SlotReason(StrEnum):
    """Why no window is offered (on a day, or at all)."""

    NO_SKILLED_TECHNICIAN = "no_skilled_technician"  # nobody in the region has the skill
    NO_WORKING_TECHNICIAN = "no_working_technician"  # nobody with the skill works that day
    NO_CREW = "no_crew"  # fewer technicians with the skill work that day than the visit needs
    DAYS_FULL = "days_full"  # every route that could take it would break a promise
    OUTSIDE_BOOKING_HORIZON = "outside_booking_horizon"  # before tomorrow or too far ahead


class SlotPublic(SQLModel):
    day: date
    window_start: datetime
    window_end: datetime
    local_window: str = Field(description="the window in the region's time, e.g. 08:00-10:00")
    added_travel_s: int = Field(
        description="travel the visit adds to that day's routes (a crew's: all members')"
    )


class DayUnavailable(SQLModel):
    day: date
    reason: SlotReason
    message: str


class SlotsPublic(SQLModel):
    """The windows on which the visit can be promised, cheapest insertion first."""

    asset_id: int
    kind: VisitKind
    region: str
    timezone: str = Field(description="the region's time zone, in which local_window is given")
    duration_s: int
    skill: str
    crew_size: int = Field(
        default=1, description="technicians with the skill the visit needs at once (installers)"
    )
    data: list[SlotPublic]
    count: int
    unavailable: list[DayUnavailable] = Field(description="days without a window, and why")
    reason: SlotReason | None = Field(default=None, description="set when no window is offered")
    message: str | None = None
    coverage: CoverageQuote | None = Field(
        default=None, description="who would pay for a booking made now (nothing is used yet)"
    )


# --- bookings -------------------------------------------------------------------------------------


class BookingCreate(SQLModel):
    """Book a visit for an asset into an offered window (window_start/end from GET /slots)."""

    asset_id: int
    kind: VisitKind
    window_start: AwareDatetime
    window_end: AwareDatetime
    description: str = Field(default="", max_length=2000)
    request_id: int | None = Field(
        default=None, description="an open request to book a visit for (e.g. a repair)"
    )
    customer_id: int | None = Field(
        default=None, description="dispatchers booking for a customer; must own the asset"
    )
    region: str | None = Field(default=None, max_length=40, description="region code override")


class ServiceRequestOpen(SQLModel):
    """A repair or inspection request for an asset of the caller (booking.requests)."""

    asset_id: int
    kind: VisitKind
    description: str = Field(default="", max_length=2000)
    priority: int | None = Field(default=None, ge=1, le=5, description="dispatchers only")
    region: str | None = Field(default=None, max_length=40, description="region code override")


class BookingReschedule(SQLModel):
    window_start: AwareDatetime
    window_end: AwareDatetime


class BookingAction(StrEnum):
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"


class BookingPublic(SQLModel):
    """A booked visit as its customer sees it."""

    id: int
    request_id: int
    asset_id: int
    kind: VisitKind
    status: VisitStatus
    window_start: datetime | None
    window_end: datetime | None
    due_from: date | None = Field(
        default=None, description="still to be scheduled: the first day it is due (local)"
    )
    due_until: date | None = Field(
        default=None, description="still to be scheduled: the last day it is due (local)"
    )
    timezone: str = Field(description="the region's time zone, to show the times in")
    coverage: Coverage
    coverage_reason: str
    price: int
    request_status: RequestStatus
    technician_first_name: str | None = Field(description="once a plan gives it a technician")
    planned_start: datetime | None
    eta: datetime | None = Field(description="expected arrival, once the technician is en route")
    actions: list[BookingAction] = Field(description="what the customer may still do with it")


class BookingsPublic(SQLModel):
    data: list[BookingPublic]
    count: int
