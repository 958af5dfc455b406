"""Product model tables and schemas, with the service policy per kind of visit."""

from enum import StrEnum
from typing import Self

from pydantic import model_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from dispatch.columns import enum_type
from dispatch.technician.models import Skill

MAX_VISIT_S = 12 * 3600


class ProductCategory(StrEnum):
    AC = "ac"
    WASHING_MACHINE = "washing_machine"
    REFRIGERATOR = "refrigerator"
    SPRING_BED = "spring_bed"
    TELEVISION = "television"
    WATER_HEATER = "water_heater"
    MOTORCYCLE = "motorcycle"
    CAR = "car"
    OTHER = "other"


class VisitKind(StrEnum):
    """What a visit is for; a product's policy says how long each kind takes and who may do it."""

    INSTALLATION = "installation"
    PERIODIC_SERVICE = "periodic_service"
    REPAIR = "repair"
    INSPECTION = "inspection"
    OIL_CHANGE = "oil_change"
    TRAINING = "training"  # hand-over training (pelatihan awal) after an installation
    DELIVERY = "delivery"  # the goods brought to the customer (pengiriman barang)


class ReplacementWarranty(StrEnum):
    """What a unit given in replacement under warranty gets: the rest of the old unit's
    warranty and entitlements (transfer), or a new warranty from the replacement day (renew)."""

    TRANSFER = "transfer"
    RENEW = "renew"


class VisitKindPolicyBase(SQLModel):
    kind: VisitKind = Field(sa_type=enum_type(VisitKind, "visit_kind"))
    duration_s: int = Field(gt=0, le=MAX_VISIT_S)
    skill: Skill = Field(max_length=40)
    price: int = Field(ge=0, description="rupiah charged when no entitlement or warranty covers it")
    crew_size: int = Field(
        default=1,
        ge=1,
        le=4,
        sa_column_kwargs={"server_default": "1"},
        description="technicians the visit needs at once (a large split AC: two)",
    )


class VisitKindPolicy(VisitKindPolicyBase, table=True):
    __tablename__ = "visit_kind_policy"
    __table_args__ = (UniqueConstraint("product_model_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    product_model_id: int = Field(foreign_key="product_model.id", index=True, ondelete="CASCADE")


class VisitKindPolicyCreate(VisitKindPolicyBase):
    pass


class VisitKindPolicyPublic(VisitKindPolicyBase):
    id: int


class ProductModelBase(SQLModel):
    category: ProductCategory = Field(sa_type=enum_type(ProductCategory, "product_category"))
    brand: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=120)
    free_installation: bool = False
    warranty_months: int = Field(default=12, ge=0, le=120)
    free_services: int = Field(default=0, ge=0, le=24)
    free_oil_changes: int = Field(default=0, ge=0, le=12)
    service_interval_days: int | None = Field(default=None, gt=0, le=3660)
    installation_valid_days: int = Field(default=90, gt=0, le=3660)
    entitlement_valid_months: int = Field(default=12, gt=0, le=120)
    # Days after purchase in which a fault entitles to replacement or refund at once (garansi
    # tukar baru); 0: only after a failed warranty repair or a repeat fault.
    replacement_days: int = Field(default=0, ge=0, le=365)
    replacement_warranty: ReplacementWarranty = Field(
        default=ReplacementWarranty.TRANSFER,
        sa_type=enum_type(ReplacementWarranty, "replacement_warranty"),
    )


class ProductModel(ProductModelBase, table=True):
    __tablename__ = "product_model"
    __table_args__ = (UniqueConstraint("brand", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_kinds: list[VisitKindPolicy] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    def policy_for(self, kind: VisitKind) -> VisitKindPolicy | None:
        """The policy for this kind of visit, or None when the product does not offer it."""
        return next((p for p in self.visit_kinds if p.kind == kind), None)


def policy_gaps(
    *,
    kinds: set[VisitKind],
    free_installation: bool,
    free_services: int,
    free_oil_changes: int,
    service_interval_days: int | None,
) -> list[str]:
    """What a policy misses: every free visit needs a kind policy, free services an interval."""
    gaps = []
    if free_installation and VisitKind.INSTALLATION not in kinds:
        gaps.append("free installation needs an installation policy")
    if free_services and VisitKind.PERIODIC_SERVICE not in kinds:
        gaps.append("free services need a periodic_service policy")
    if free_services and service_interval_days is None:
        gaps.append("free services need service_interval_days")
    if free_oil_changes and VisitKind.OIL_CHANGE not in kinds:
        gaps.append("free oil changes need an oil_change policy")
    return gaps


class ProductModelCreate(ProductModelBase):
    visit_kinds: list[VisitKindPolicyCreate] = Field(min_length=1)

    @model_validator(mode="after")
    def _policy_complete(self) -> Self:
        kinds = [p.kind for p in self.visit_kinds]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each kind of visit may have one policy only")
        gaps = policy_gaps(
            kinds=set(kinds),
            free_installation=self.free_installation,
            free_services=self.free_services,
            free_oil_changes=self.free_oil_changes,
            service_interval_days=self.service_interval_days,
        )
        if gaps:
            raise ValueError("; ".join(gaps))
        return self


class ProductModelUpdate(SQLModel):
    brand: str | None = Field(default=None, min_length=1, max_length=80)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    free_installation: bool | None = None
    warranty_months: int | None = Field(default=None, ge=0, le=120)
    free_services: int | None = Field(default=None, ge=0, le=24)
    free_oil_changes: int | None = Field(default=None, ge=0, le=12)
    service_interval_days: int | None = Field(default=None, gt=0, le=3660)
    installation_valid_days: int | None = Field(default=None, gt=0, le=3660)
    entitlement_valid_months: int | None = Field(default=None, gt=0, le=120)


class ProductModelPublic(ProductModelBase):
    id: int
    visit_kinds: list[VisitKindPolicyPublic]


class ProductModelsPublic(SQLModel):
    data: list[ProductModelPublic]
    count: int
