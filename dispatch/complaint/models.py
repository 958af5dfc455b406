"""Complaint tables and schemas: category, text, lifecycle, owner, SLA deadlines.

A repair a complaint spawns is a service request whose complaint_id names the complaint.

The SLA deadlines are fixed when the complaint is filed, from the category's targets then in
force (ComplaintSla rows, else DEFAULT_TARGETS): changing a target later does not move the
deadlines of complaints already open.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, computed_field
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now


class ComplaintCategory(StrEnum):
    """What the complaint is about; each category has its own SLA targets."""

    LATE_VISIT = "late_visit"
    LATE_DELIVERY = "late_delivery"
    WORKMANSHIP = "workmanship"
    PRODUCT_DEFECT = "product_defect"
    TECHNICIAN_CONDUCT = "technician_conduct"
    BILLING = "billing"
    OTHER = "other"


class ComplaintStatus(StrEnum):
    """open -> acknowledged -> in_progress -> resolved -> closed; resolved -> reopened."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class FiledBy(StrEnum):
    """Who put the complaint in: the customer, staff on the phone, or Purna itself."""

    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"


class SlaTargets(SQLModel):
    """First response within response_hours, resolution within resolution_days."""

    response_hours: int = Field(ge=1, le=24 * 30)
    resolution_days: int = Field(ge=1, le=365)


# Targets for a category nobody configured: faster for what keeps a customer waiting.
DEFAULT_TARGETS: dict[ComplaintCategory, SlaTargets] = {
    ComplaintCategory.LATE_VISIT: SlaTargets(response_hours=4, resolution_days=2),
    ComplaintCategory.LATE_DELIVERY: SlaTargets(response_hours=4, resolution_days=2),
    ComplaintCategory.WORKMANSHIP: SlaTargets(response_hours=8, resolution_days=5),
    ComplaintCategory.PRODUCT_DEFECT: SlaTargets(response_hours=8, resolution_days=7),
    ComplaintCategory.TECHNICIAN_CONDUCT: SlaTargets(response_hours=8, resolution_days=5),
    ComplaintCategory.BILLING: SlaTargets(response_hours=24, resolution_days=7),
    ComplaintCategory.OTHER: SlaTargets(response_hours=24, resolution_days=10),
}


class ComplaintSla(SlaTargets, table=True):
    """The configured targets of one category (a missing row: DEFAULT_TARGETS)."""

    __tablename__ = "complaint_sla"

    category: ComplaintCategory = Field(
        sa_type=enum_type(ComplaintCategory, "complaint_category"), primary_key=True
    )
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ComplaintSlaPublic(SlaTargets):
    category: ComplaintCategory
    configured: bool = Field(description="false: the built-in default applies")


class ComplaintSlasPublic(SQLModel):
    data: list[ComplaintSlaPublic]


class ComplaintBase(SQLModel):
    asset_id: int = Field(foreign_key="asset.id", index=True)
    visit_id: int | None = Field(
        default=None, foreign_key="visit.id", index=True, description="the visit or delivery"
    )
    category: ComplaintCategory = Field(sa_type=enum_type(ComplaintCategory, "complaint_category"))
    text: str = Field(min_length=1, max_length=2000)


class Complaint(ComplaintBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    status: ComplaintStatus = Field(
        default=ComplaintStatus.OPEN,
        sa_type=enum_type(ComplaintStatus, "complaint_status"),
        index=True,
    )
    filed_by: FiledBy = Field(sa_type=enum_type(FiledBy, "filed_by"))
    filed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    owner_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    response_due_at: datetime = Field(sa_type=UTCDateTime)
    resolution_due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reopened_count: int = Field(default=0, ge=0)
    note: str | None = Field(default=None, max_length=2000, description="the latest staff note")


class ComplaintCreate(ComplaintBase):
    region: str | None = Field(
        default=None, max_length=40, description="staff: the region code, when not the asset's"
    )
    created_at: AwareDatetime | None = None  # None: now; staff may back-date a phone call


class ComplaintTransition(SQLModel):
    """POST /complaints/{complaint_id}/transitions: the status to move to, and why."""

    status: ComplaintStatus
    note: str | None = Field(default=None, max_length=2000)


class ComplaintUpdate(SQLModel):
    """What staff may change on a complaint besides its status."""

    owner_user_id: int | None = None


class ComplaintRepair(SQLModel):
    """POST /complaints/{complaint_id}/repair: a repair visit, in a window when one is agreed."""

    description: str | None = Field(default=None, max_length=2000)
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None


class ComplaintPublic(ComplaintBase):
    id: int
    customer_id: int
    region_id: int
    status: ComplaintStatus
    filed_by: FiledBy
    owner_user_id: int | None
    created_at: datetime
    response_due_at: datetime
    resolution_due_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopened_count: int
    note: str | None
    repair_request_ids: list[int] = Field(
        default_factory=list, description="repair requests opened for it (their complaint_id)"
    )
    repair_visit_ids: list[int] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def response_breached(self) -> bool:
        """Answered after the response deadline, or still unanswered past it."""
        answered = self.first_response_at or utc_now()
        return answered > self.response_due_at

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolution_breached(self) -> bool:
        """Resolved after the resolution deadline, or still unresolved past it."""
        resolved = self.resolved_at or utc_now()
        return resolved > self.resolution_due_at


class ComplaintsPublic(SQLModel):
    data: list[ComplaintPublic]
    count: int
