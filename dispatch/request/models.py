"""Service request table and schemas: kind, priority, coverage, price and the KPI timestamps."""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime
from sqlalchemy import CheckConstraint, ForeignKey
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now
from dispatch.product.models import VisitKind


class Coverage(StrEnum):
    """Who pays: an entitlement (free installation, service, oil change), warranty, customer."""

    ENTITLEMENT = "entitlement"
    WARRANTY = "warranty"
    PAID = "paid"


class RequestStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class ServiceRequestBase(SQLModel):
    asset_id: int = Field(foreign_key="asset.id", index=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    kind: VisitKind = Field(sa_type=enum_type(VisitKind, "visit_kind"))
    description: str = Field(default="", max_length=2000)
    priority: int = Field(default=2, ge=1, le=5, description="5 = most urgent")


class ServiceRequest(ServiceRequestBase, table=True):
    __tablename__ = "service_request"
    __table_args__ = (CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    status: RequestStatus = Field(
        default=RequestStatus.OPEN, sa_type=enum_type(RequestStatus, "request_status"), index=True
    )
    coverage: Coverage = Field(sa_type=enum_type(Coverage, "coverage"))
    coverage_reason: str = Field(max_length=300)
    entitlement_id: int | None = Field(default=None, foreign_key="entitlement.id")
    price: int = Field(ge=0, description="rupiah the customer pays; 0 when covered")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The complaint this repair answers (dispatch.complaint); None for an ordinary request.
    # use_alter: complaint -> visit -> service_request -> complaint is a cycle of keys, and
    # this one is left out when tables are sorted for creation.
    complaint_id: int | None = Field(
        default=None,
        index=True,
        sa_column_args=[ForeignKey("complaint.id", use_alter=True)],
    )


class ServiceRequestCreate(ServiceRequestBase):
    priority: int | None = Field(default=None, ge=1, le=5)  # type: ignore[assignment]
    created_at: AwareDatetime | None = None  # None: now; agents may back-date a phone call


class ServiceRequestPublic(ServiceRequestBase):
    id: int
    customer_id: int
    status: RequestStatus
    coverage: Coverage
    coverage_reason: str
    entitlement_id: int | None
    price: int
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    cancelled_at: datetime | None
    complaint_id: int | None = None


class CoverageQuote(SQLModel):
    """Who would pay for a visit booked now, by the rule a booking applies (nothing is used)."""

    coverage: Coverage
    coverage_reason: str
    price: int = Field(ge=0, description="rupiah the customer would pay; 0 when covered")


class ServiceRequestsPublic(SQLModel):
    data: list[ServiceRequestPublic]
    count: int
