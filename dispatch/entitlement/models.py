"""Entitlement table and schemas: what an asset is owed for free, how much is used, until when."""

from datetime import date
from enum import StrEnum

from pydantic import computed_field
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import enum_type
from dispatch.product.models import VisitKind


class EntitlementKind(StrEnum):
    FREE_INSTALLATION = "free_installation"
    FREE_SERVICE = "free_service"
    FREE_OIL_CHANGE = "free_oil_change"


# Which entitlement pays for which kind of visit; repairs and inspections fall to the warranty.
ENTITLEMENT_FOR_KIND: dict[VisitKind, EntitlementKind] = {
    VisitKind.INSTALLATION: EntitlementKind.FREE_INSTALLATION,
    VisitKind.PERIODIC_SERVICE: EntitlementKind.FREE_SERVICE,
    VisitKind.OIL_CHANGE: EntitlementKind.FREE_OIL_CHANGE,
}


class EntitlementBase(SQLModel):
    kind: EntitlementKind = Field(sa_type=enum_type(EntitlementKind, "entitlement_kind"))
    total: int = Field(ge=1)
    used: int = Field(default=0, ge=0)
    valid_until: date | None = Field(default=None, description="last day it may be used")


class Entitlement(EntitlementBase, table=True):
    # The database itself keeps the count in range, whatever the code does.
    __table_args__ = (
        UniqueConstraint("asset_id", "kind"),
        CheckConstraint("used >= 0 AND used <= total", name="used_within_total"),
    )

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", index=True, ondelete="CASCADE")

    @property
    def remaining(self) -> int:
        """How many are left to use."""
        return self.total - self.used


class EntitlementPublic(EntitlementBase):
    id: int
    asset_id: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def remaining(self) -> int:
        """How many are left to use."""
        return self.total - self.used
