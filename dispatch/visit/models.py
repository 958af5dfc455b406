"""Visit table and schemas: location, duration, skills, promised window, plan and actual times."""

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter, model_validator
from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, Relationship, SQLModel

from dispatch.columns import PydanticJSON, UTCDateTime, enum_type, json_type
from dispatch.localtime import utc_now
from dispatch.product.models import MAX_VISIT_S
from dispatch.request.models import ServiceRequest
from dispatch.technician.models import Skill


class VisitStatus(StrEnum):
    """requested -> booked -> planned -> en_route -> on_site -> completed | failed | cancelled."""

    REQUESTED = "requested"
    BOOKED = "booked"
    PLANNED = "planned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FailureReason(StrEnum):
    PART_MISSING = "part_missing"
    CUSTOMER_ABSENT = "customer_absent"
    NEEDS_SECOND_VISIT = "needs_second_visit"
    OTHER = "other"


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise ValueError("give both window_start and window_end, or neither")
    if start is not None and end is not None and end <= start:
        raise ValueError("window_end must be after window_start")


DAY_S = 24 * 3600
MAX_CREW = 4  # technicians who serve one visit together
MAX_DUE_DAYS = 31  # the longest due range of a movable visit


class DayWindow(BaseModel):
    """When service may start on each day of a movable visit's due range, in seconds from the
    region's local midnight."""

    model_config = ConfigDict(frozen=True)

    start_s: int = Field(ge=0, le=DAY_S)
    end_s: int = Field(ge=0, le=DAY_S)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_s <= self.start_s:
            raise ValueError(f"window ends ({self.end_s}) at or before it starts ({self.start_s})")
        return self


DAY_WINDOWS: TypeAdapter[list[DayWindow]] = TypeAdapter(list[DayWindow])
# A movable visit's windows when none are given: any time of a working day.
WORKING_HOURS = (DayWindow(start_s=8 * 3600, end_s=17 * 3600),)
# The arrival windows promised to customers, in seconds from local midnight: the 2-hour
# windows after-sales call centres in Jakarta promise, lunch left out. Bookings are offered
# these; a movable visit, once planned, is promised the one its planned start lies in.
ARRIVAL_WINDOWS_S: tuple[tuple[int, int], ...] = (
    (8 * 3600, 10 * 3600),
    (10 * 3600, 12 * 3600),
    (13 * 3600, 15 * 3600),
    (15 * 3600, 17 * 3600),
)


def arrival_window(start_s: int, due: DayWindow) -> tuple[int, int]:
    """The window promised for a planned start (seconds of the day) inside a due window: the
    2-hour arrival window it lies in (over lunch: the two hours from its hour), cut to `due`."""
    hour_s = start_s - start_s % 3600
    around = [w for w in ARRIVAL_WINDOWS_S if w[0] <= start_s <= w[1]]
    kept = [(max(a, due.start_s), min(b, due.end_s)) for a, b in [*around, (hour_s, hour_s + 7200)]]
    # Each contains the start; the widest is the customer's, and of two equal ones the one the
    # start does not end (10:00 is promised 10-12, leaving a re-plan room on both sides).
    return max(kept, key=lambda w: (w[1] - w[0], start_s < w[1]))


def _check_due(first: date | None, last: date | None, windows: list[DayWindow]) -> None:
    if (first is None) != (last is None):
        raise ValueError("give both due_from and due_until, or neither")
    if first is None or last is None:
        return
    if last < first:
        raise ValueError("due_until must be on or after due_from")
    if (last - first).days >= MAX_DUE_DAYS:
        raise ValueError(f"a due range spans at most {MAX_DUE_DAYS} days")
    if not windows:
        raise ValueError("a movable visit needs at least one window per day")


class VisitBase(SQLModel):
    request_id: int = Field(foreign_key="service_request.id", index=True)
    region_id: int = Field(foreign_key="region.id")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str = Field(min_length=1, max_length=300)
    duration_s: int = Field(gt=0, le=MAX_VISIT_S)
    required_skills: list[Skill] = Field(default_factory=list, sa_type=json_type())
    window_start: AwareDatetime | None = Field(default=None, sa_type=UTCDateTime)
    window_end: AwareDatetime | None = Field(default=None, sa_type=UTCDateTime)
    priority: int = Field(default=2, ge=1, le=5, description="5 = most urgent")
    pinned_technician_id: int | None = Field(default=None, foreign_key="technician.id")
    preferred_technician_id: int | None = Field(default=None, foreign_key="technician.id")
    crew_size: int = Field(
        default=1,
        ge=1,
        le=MAX_CREW,
        sa_column_kwargs={"server_default": "1"},
        description="technicians who serve the visit together, starting at the same time",
    )
    # A movable visit (a free periodic service due "within two weeks") has a due range of local
    # days instead of a promised window; a plan may put it on any of them, in one of its windows.
    due_from: date | None = Field(default=None, description="movable: the earliest day")
    due_until: date | None = Field(default=None, description="movable: the latest day")
    due_windows: list[DayWindow] = Field(
        default_factory=list,
        sa_type=PydanticJSON(DAY_WINDOWS),
        description="movable: when service may start on each day of the due range",
    )

    @property
    def movable(self) -> bool:
        """Planned on any day of its due range: a due range and no promised window yet."""
        return self.due_from is not None and self.window_start is None


class Visit(VisitBase, table=True):
    __table_args__ = (
        Index("ix_visit_region_id_window_start", "region_id", "window_start"),
        Index(
            "ix_visit_planned_technician_id_planned_start", "planned_technician_id", "planned_start"
        ),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("window_end IS NULL OR window_end > window_start", name="window_ordered"),
        CheckConstraint("crew_size BETWEEN 1 AND 4", name="crew_size_range"),
        CheckConstraint("due_until IS NULL OR due_until >= due_from", name="due_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: VisitStatus = Field(
        default=VisitStatus.REQUESTED, sa_type=enum_type(VisitStatus, "visit_status"), index=True
    )
    planned_technician_id: int | None = Field(default=None, foreign_key="technician.id")
    planned_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    planned_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    en_route_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failure_reason: FailureReason | None = Field(
        default=None, sa_type=enum_type(FailureReason, "failure_reason")
    )
    note: str | None = Field(default=None, max_length=1000)
    follow_up_of_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    request: ServiceRequest = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class VisitCreate(SQLModel):
    """A visit for a request; what is left out comes from the request, its asset and policy."""

    request_id: int
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    duration_s: int | None = Field(default=None, gt=0, le=MAX_VISIT_S)
    required_skills: list[Skill] | None = None
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    preferred_technician_id: int | None = None
    crew_size: int | None = Field(default=None, ge=1, le=MAX_CREW)
    due_from: date | None = None
    due_until: date | None = None
    due_windows: list[DayWindow] = Field(default_factory=lambda: list(WORKING_HOURS))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        _check_window(self.window_start, self.window_end)
        _check_due(self.due_from, self.due_until, self.due_windows)
        if self.due_from is not None and self.window_start is not None:
            raise ValueError("a visit has either a promised window or a due range, not both")
        return self


class VisitUpdate(SQLModel):
    """What a dispatcher may change before the technician sets off."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    duration_s: int | None = Field(default=None, gt=0, le=MAX_VISIT_S)
    required_skills: list[Skill] | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    preferred_technician_id: int | None = None
    note: str | None = Field(default=None, max_length=1000)


class VisitPublic(VisitBase):
    id: int
    status: VisitStatus
    planned_technician_id: int | None
    planned_start: datetime | None
    planned_end: datetime | None
    en_route_at: datetime | None
    arrived_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    cancelled_at: datetime | None
    failure_reason: FailureReason | None
    note: str | None
    follow_up_of_id: int | None
    created_at: datetime


class VisitCrew(SQLModel, table=True):
    """The technicians a published plan gives a crew visit to (planned_technician_id is the
    first of them); a visit served alone has no rows here."""

    __tablename__ = "visit_crew"

    visit_id: int = Field(foreign_key="visit.id", primary_key=True, ondelete="CASCADE")
    technician_id: int = Field(foreign_key="technician.id", primary_key=True, index=True)


class VisitsPublic(SQLModel):
    data: list[VisitPublic]
    count: int


class VisitPin(SQLModel):
    """POST /visits/{visit_id}/pin: the technician who alone may serve the visit."""

    technician_id: int
