"""Field schemas (no tables): what a technician's phone shows, and the events it sends back."""

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, model_validator
from sqlmodel import Field, SQLModel

from dispatch.planning.models import PlannedBreak
from dispatch.product.models import ProductCategory, VisitKind
from dispatch.request.models import Coverage
from dispatch.visit.models import FailureReason, VisitPublic, VisitStatus


class VisitEvent(StrEnum):
    """What a technician reports; each moves the visit one step along its lifecycle."""

    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    FAILED = "failed"


STATUS_OF_EVENT: dict[VisitEvent, VisitStatus] = {
    VisitEvent.EN_ROUTE: VisitStatus.EN_ROUTE,
    VisitEvent.ARRIVED: VisitStatus.ON_SITE,
    VisitEvent.COMPLETED: VisitStatus.COMPLETED,
    VisitEvent.FAILED: VisitStatus.FAILED,
}


class VisitEventCreate(SQLModel):
    """POST /visits/{visit_id}/events: the event, when it happened (now when absent) and why."""

    event: VisitEvent
    at: AwareDatetime | None = None
    failure_reason: FailureReason | None = Field(default=None, description="failed only")
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _reason_with_failure(self) -> Self:
        if self.event is VisitEvent.FAILED and self.failure_reason is None:
            raise ValueError("a failed visit needs a failure_reason")
        if self.event is not VisitEvent.FAILED and self.failure_reason is not None:
            raise ValueError("only a failed visit has a failure_reason")
        return self


class RouteStopPublic(SQLModel):
    """One stop: who, where, what, the promised window, the plan, and the expected times now."""

    sequence: int
    visit_id: int
    status: VisitStatus
    customer_name: str
    customer_phone: str | None = Field(description="the technician's own route today only")
    address: str
    lat: float
    lon: float
    navigation_url: str
    window_start: datetime | None
    window_end: datetime | None
    product: str
    product_category: ProductCategory
    serial_number: str
    kind: VisitKind
    description: str = Field(description="what the customer asked for, in their words")
    coverage: Coverage
    required_skills: list[str]
    duration_s: int
    priority: int
    planned_arrival: datetime | None
    planned_start: datetime | None
    planned_end: datetime | None
    eta_arrival: datetime | None = Field(description="expected arrival, from the events so far")
    eta_start: datetime | None
    eta_end: datetime | None
    en_route_at: datetime | None
    arrived_at: datetime | None
    ended_at: datetime | None
    failure_reason: FailureReason | None
    note: str | None
    next_events: list[VisitEvent] = Field(description="the events the visit's status allows now")
    crew_size: int = Field(default=1, description="technicians who serve the visit together")
    partner_names: list[str] = Field(
        default_factory=list, description="a crew visit: the other technicians serving it"
    )


class RoutePublic(SQLModel):
    """A technician's day: where it starts, the published plan's times, and the stops in order."""

    technician_id: int
    technician_name: str
    region: str
    timezone: str
    day: date
    plan_id: int | None = Field(description="the published plan the times come from, if any")
    start_label: str
    start_lat: float
    start_lon: float
    start_at: datetime | None
    end_at: datetime | None
    breaks: list[PlannedBreak]
    stops: list[RouteStopPublic]


class VisitEventResult(SQLModel):
    """The visit after the event, and its technician's route with the ETAs it changed."""

    visit: VisitPublic
    route: RoutePublic | None
