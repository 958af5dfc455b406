"""Asset table and schemas: a sold unit with its serial number, purchase date and address."""

from datetime import date, datetime
from typing import Self

from pydantic import model_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from dispatch.columns import UTCDateTime
from dispatch.entitlement.models import Entitlement, EntitlementPublic
from dispatch.localtime import utc_now
from dispatch.product.models import ProductModel, ProductModelPublic
from dispatch.warranty.models import CoverageDecision


def _both_or_neither(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("give both lat and lon, or neither")


class AssetBase(SQLModel):
    customer_id: int = Field(foreign_key="customer.id", index=True)
    product_model_id: int = Field(foreign_key="product_model.id", index=True)
    serial_number: str = Field(min_length=1, max_length=64)
    purchase_date: date
    address: str = Field(min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Asset(AssetBase, table=True):
    __table_args__ = (UniqueConstraint("product_model_id", "serial_number"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The day the unit left service (replaced or refunded under warranty); None: in service.
    retired_on: date | None = None
    # When the customer's hand-over training (pelatihan awal) was completed; None: not yet.
    training_completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    product_model: ProductModel = Relationship(sa_relationship_kwargs={"lazy": "selectin"})
    entitlements: list[Entitlement] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "Entitlement.kind",
        }
    )


class AssetCreate(AssetBase):
    # None: the customer's address and coordinates.
    address: str | None = Field(default=None, min_length=1, max_length=300)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        _both_or_neither(self.lat, self.lon)
        return self


class AssetUpdate(SQLModel):
    address: str | None = Field(default=None, min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class AssetPublic(AssetBase):
    id: int
    created_at: datetime
    retired_on: date | None = None
    training_completed_at: datetime | None = None
    entitlements: list[EntitlementPublic]


class AssetSummary(SQLModel):
    """An asset in a list: what it is and what it is owed; the address comes with the single
    read (GET /v1/assets/{asset_id})."""

    id: int
    customer_id: int
    product_model_id: int
    serial_number: str
    purchase_date: date
    created_at: datetime
    retired_on: date | None = None
    entitlements: list[EntitlementPublic]


class AssetsPublic(SQLModel):
    data: list[AssetSummary]
    count: int


class AssetDetail(AssetPublic):
    """An asset as its owner sees it: the product, what it is owed and today's warranty answer."""

    product_model: ProductModelPublic
    warranty: CoverageDecision
