"""Voucher tables and schemas: an offer (discount, validity, minimum price, limits, the rule that
issues it) and the vouchers issued from it, each redeemed once.

The database keeps the rules the code relies on: an offer's issued count never passes its total
limit (CHECK), a rule issues one voucher per cause (unique offer and source), and a visit takes
one voucher at most (unique visit_id), and so does a bay booking (unique workshop_booking_id).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import model_validator
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type
from dispatch.localtime import utc_now

CODE_LENGTH = 10


class DiscountKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"  # rupiah


class IssueRule(StrEnum):
    """What issues an offer's vouchers."""

    AFTER_PAID_VISIT = "after_paid_visit"  # a paid visit was completed
    AFTER_SURVEY = "after_survey"  # the customer answered a visit's survey
    ASSET_ANNIVERSARY = "asset_anniversary"  # a year (two, ...) since the unit was bought
    STAFF = "staff"  # only by hand


class VoucherOfferBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    rule: IssueRule = Field(sa_type=enum_type(IssueRule, "issue_rule"))
    discount_kind: DiscountKind = Field(sa_type=enum_type(DiscountKind, "discount_kind"))
    amount: int = Field(gt=0, description="percent (1-100) or rupiah off")
    max_discount: int | None = Field(default=None, gt=0, description="rupiah cap of a percent")
    min_price: int = Field(default=0, ge=0, description="rupiah the price must reach")
    valid_from: date
    valid_until: date = Field(description="last day any voucher of the offer may be redeemed")
    valid_days: int | None = Field(
        default=None, gt=0, le=3660, description="days a voucher runs from its issue"
    )
    per_customer_limit: int = Field(default=1, ge=1, le=100)
    total_limit: int | None = Field(default=None, ge=1, description="vouchers issued at most")
    active: bool = True


class VoucherOffer(VoucherOfferBase, table=True):
    __tablename__ = "voucher_offer"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint(
            "total_limit IS NULL OR issued <= total_limit", name="issued_within_total_limit"
        ),
        CheckConstraint("valid_from <= valid_until", name="valid_from_before_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issued: int = Field(default=0, ge=0)


class VoucherStatus(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"


class Voucher(SQLModel, table=True):
    """A voucher of an offer held by a customer; source names what issued it."""

    __tablename__ = "voucher"
    __table_args__ = (
        UniqueConstraint("offer_id", "source"),
        UniqueConstraint("visit_id"),
        UniqueConstraint("workshop_booking_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="voucher_offer.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    region_id: int | None = Field(default=None, foreign_key="region.id")
    code: str = Field(max_length=CODE_LENGTH, unique=True)
    source: str = Field(max_length=80, description="visit:12, survey:3, asset:7:2027, staff:<id>")
    issued_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    valid_from: date
    valid_until: date
    status: VoucherStatus = Field(
        default=VoucherStatus.ISSUED, sa_type=enum_type(VoucherStatus, "voucher_status")
    )
    redeemed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    workshop_booking_id: int | None = Field(default=None, foreign_key="workshop_booking.id")
    part_reference: str | None = Field(default=None, max_length=80)
    price: int | None = Field(default=None, ge=0, description="rupiah before the discount")
    discount: int | None = Field(default=None, ge=0)


# --- schemas -------------------------------------------------------------------------------------


class VoucherOfferCreate(VoucherOfferBase):
    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_from > self.valid_until:
            raise ValueError("valid_from must not be after valid_until")
        if self.discount_kind is DiscountKind.PERCENT and self.amount > 100:
            raise ValueError("a percent discount is at most 100")
        if self.discount_kind is DiscountKind.FIXED and self.max_discount is not None:
            raise ValueError("max_discount caps percent discounts only")
        return self


class VoucherOfferPublic(VoucherOfferBase):
    id: int
    issued: int


class VoucherOffersPublic(SQLModel):
    data: list[VoucherOfferPublic]
    count: int


class VoucherGrant(SQLModel):
    """Staff issue a voucher of an offer to a customer."""

    offer_id: int
    customer_id: int
    note: str = Field(default="", max_length=60, description="why, e.g. a complaint number")


class VoucherRedeem(SQLModel):
    """Redeem on a paid visit (visit_id), a paid service at a partner workshop
    (workshop_booking_id), or a part (amount and part_reference)."""

    code: str = Field(min_length=1, max_length=CODE_LENGTH)
    visit_id: int | None = None
    workshop_booking_id: int | None = None
    amount: int | None = Field(default=None, gt=0, description="rupiah price of the part")
    part_reference: str | None = Field(default=None, min_length=1, max_length=80)

    @model_validator(mode="after")
    def _part_complete(self) -> Self:
        if (self.amount is None) != (self.part_reference is None):
            raise ValueError("give both amount and part_reference for a part")
        return self

    def target_count(self) -> int:
        """How many things the voucher is to be redeemed on (one is right)."""
        part = self.amount is not None
        return (self.visit_id is not None) + (self.workshop_booking_id is not None) + part


class VoucherPublic(SQLModel):
    id: int
    code: str
    offer_id: int
    offer_name: str
    customer_id: int
    discount_kind: DiscountKind
    amount: int
    max_discount: int | None
    min_price: int
    valid_from: date
    valid_until: date
    status: VoucherStatus
    issued_at: datetime
    source: str
    redeemed_at: datetime | None
    visit_id: int | None
    workshop_booking_id: int | None = None
    part_reference: str | None
    price: int | None
    discount: int | None
    price_to_pay: int | None = Field(description="price minus discount, once redeemed")


class VouchersPublic(SQLModel):
    data: list[VoucherPublic]
    count: int
