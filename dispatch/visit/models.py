"""Visit table and schemas: location, duration, skills, promised window, plan and actual times."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, model_validator
from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, Relationship, SQLModel

from dispatch.columns import UTCDateTime, enum_type, json_type
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


class Visit(VisitBase, table=True):
    __table_args__ = (
        Index("ix_visit_region_id_window_start", "region_id", "window_start"),
        Index(
            "ix_visit_planned_technician_id_planned_start", "planned_technician_id", "planned_start"
        ),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("window_end IS NULL OR window_end > window_start", name="window_ordered"),
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

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        _check_window(self.window_start, self.window_end)
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


class VisitsPublic(SQLModel):
    data: list[VisitPublic]
    count: int


class VisitPin(SQLModel):
    """POST /visits/{visit_id}/pin: the technician who alone may serve the visit."""

    technician_id: int
