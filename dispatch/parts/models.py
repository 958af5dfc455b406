"""Part, stock and reservation tables: the catalogue, where stock is, every movement, what a
visit needs and what is held for it."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import model_validator
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now
from dispatch.product.models import VisitKind

MAX_QUANTITY = 10_000


class PartBase(SQLModel):
    part_number: str = Field(
        min_length=1, max_length=40, description="the maker's genuine (OEM) part number"
    )
    name: str = Field(min_length=1, max_length=120, description="English name")
    name_id: str = Field(min_length=1, max_length=120, description="Indonesian name")
    product_model_id: int = Field(foreign_key="product_model.id", index=True)
    price: int = Field(default=0, ge=0, description="rupiah, when not covered")


class Part(PartBase, table=True):
    __table_args__ = (UniqueConstraint("part_number"),)

    id: int | None = Field(default=None, primary_key=True)


class PartCreate(PartBase):
    pass


class PartPublic(PartBase):
    id: int


class PartsPublic(SQLModel):
    data: list[PartPublic]
    count: int


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    VAN = "van"


class StockLocationBase(SQLModel):
    kind: LocationKind = Field(sa_type=enum_type(LocationKind, "location_kind"))
    name: str = Field(min_length=1, max_length=120)
    region_id: int = Field(foreign_key="region.id", index=True)
    technician_id: int | None = Field(
        default=None, foreign_key="technician.id", description="the van's technician"
    )


class StockLocation(StockLocationBase, table=True):
    """A warehouse of a region, or the van of one technician."""

    __tablename__ = "stock_location"
    __table_args__ = (
        UniqueConstraint("technician_id"),
        CheckConstraint("(kind = 'van') = (technician_id IS NOT NULL)", name="van_has_technician"),
    )

    id: int | None = Field(default=None, primary_key=True)


class StockLocationCreate(SQLModel):
    """A warehouse (name; region_id from the path over HTTP) or a technician's van
    (technician_id; name and region follow)."""

    kind: LocationKind
    name: str | None = Field(default=None, min_length=1, max_length=120)
    region_id: int | None = None
    technician_id: int | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is LocationKind.VAN and self.technician_id is None:
            raise ValueError("a van needs technician_id")
        if self.kind is LocationKind.WAREHOUSE and self.name is None:
            raise ValueError("a warehouse needs a name")
        if self.kind is LocationKind.WAREHOUSE and self.technician_id is not None:
            raise ValueError("a warehouse has no technician_id")
        return self


class StockLocationPublic(StockLocationBase):
    id: int


class StockLevel(SQLModel, table=True):
    """On hand and reserved of one part at one location: the ledger's running balance.

    The database keeps 0 <= reserved <= on_hand whatever the code does, so no race can
    reserve or take what is not there.
    """

    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("location_id", "part_id"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="stock_location.id", index=True, ondelete="CASCADE")
    part_id: int = Field(foreign_key="part.id", index=True)
    on_hand: int = Field(default=0, ge=0)
    reserved: int = Field(default=0, ge=0)


class StockLevelPublic(SQLModel):
    location_id: int
    part_id: int
    part_number: str
    on_hand: int
    reserved: int
    available: int


class MovementKind(StrEnum):
    RECEIPT = "receipt"  # goods in from the maker
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RESERVE = "reserve"  # held for a planned visit
    RELEASE = "release"  # the visit was un-assigned or cancelled
    CONSUME = "consume"  # fitted on a completed visit
    ADJUST = "adjust"  # a stock count corrected the balance


class StockLocationView(StockLocationPublic):
    """A location with its balances."""

    levels: list[StockLevelPublic]


class StockView(SQLModel):
    """A region's stock: each location with its balances, and its stock-outs now."""

    data: list[StockLocationView]
    stock_outs: int = Field(description="balances with nothing available (on hand - reserved)")
    warehouse_stock_outs: int = Field(description="of them, at warehouses")


class StockMovement(SQLModel, table=True):
    """One line of the stock ledger: what changed on hand and reserved, where, why, when."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_location_id_part_id", "location_id", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="stock_location.id", ondelete="CASCADE")
    part_id: int = Field(foreign_key="part.id")
    kind: MovementKind = Field(sa_type=enum_type(MovementKind, "movement_kind"))
    on_hand_delta: int
    reserved_delta: int
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    note: str | None = Field(default=None, max_length=300)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class StockMovementPublic(SQLModel):
    id: int
    location_id: int
    part_id: int
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    visit_id: int | None
    note: str | None
    at: datetime


class StockReceipt(SQLModel):
    """POST /stock/receipts: parts arrived at a location (usually a warehouse)."""

    location_id: int
    part_id: int
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    note: str | None = Field(default=None, max_length=300)


class StockTransfer(SQLModel):
    """POST /stock/transfers: parts moved, e.g. a van loaded at the warehouse."""

    from_location_id: int
    to_location_id: int
    part_id: int
    quantity: int = Field(gt=0, le=MAX_QUANTITY)

    @model_validator(mode="after")
    def _two_places(self) -> Self:
        if self.from_location_id == self.to_location_id:
            raise ValueError("from_location_id and to_location_id must differ")
        return self


class PartNeedBase(SQLModel):
    part_id: int
    quantity: int = Field(default=1, gt=0, le=100)


class KindPartNeed(SQLModel, table=True):
    """A part every visit of this kind to this product model needs (a rule of the catalogue)."""

    __tablename__ = "kind_part_need"
    __table_args__ = (UniqueConstraint("product_model_id", "kind", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    product_model_id: int = Field(foreign_key="product_model.id", index=True, ondelete="CASCADE")
    kind: VisitKind = Field(sa_type=enum_type(VisitKind, "visit_kind"))
    part_id: int = Field(foreign_key="part.id")
    quantity: int = Field(default=1, gt=0)


class KindPartNeedCreate(PartNeedBase):
    product_model_id: int
    kind: VisitKind


class VisitPartNeed(SQLModel, table=True):
    """A part this visit needs beyond its kind's rule (a compressor for this repair)."""

    __tablename__ = "visit_part_need"
    __table_args__ = (UniqueConstraint("visit_id", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True, ondelete="CASCADE")
    part_id: int = Field(foreign_key="part.id")
    quantity: int = Field(default=1, gt=0)


class VisitPartNeeds(SQLModel):
    """PUT /visits/{visit_id}/parts: the parts this visit needs beyond its kind's rule."""

    parts: list[PartNeedBase] = Field(max_length=20)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        ids = [p.part_id for p in self.parts]
        if len(ids) != len(set(ids)):
            raise ValueError("name each part once")
        return self


class PartNeedPublic(SQLModel):
    part_id: int
    part_number: str
    name: str
    quantity: int
    reserved_at: int | None = Field(description="the location holding it for the visit")


class KindPartNeedPublic(PartNeedBase):
    id: int
    product_model_id: int
    kind: VisitKind


class PartWaitPublic(SQLModel):
    visit_id: int
    part_id: int
    quantity: int
    created_at: datetime


class ReceiptResult(SQLModel):
    """A receipt's new balance and the follow-up visits it opened."""

    level: StockLevelPublic
    follow_up_visit_ids: list[int]


class Reservation(SQLModel, table=True):
    """Parts held at a location for one visit, from its planning until completion or release."""

    __table_args__ = (UniqueConstraint("visit_id", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True, ondelete="CASCADE")
    part_id: int = Field(foreign_key="part.id")
    location_id: int = Field(foreign_key="stock_location.id")
    quantity: int = Field(gt=0)


class PartWait(SQLModel, table=True):
    """A visit failed for a missing part, waiting for it to be in stock in its region."""

    __tablename__ = "part_wait"
    __table_args__ = (UniqueConstraint("visit_id", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    quantity: int = Field(gt=0)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
