"""Warranty outcome table and schemas: the decision on a unit, its grounds, who took it and why,
and what it set in motion (a repair, a replacement unit and its installation, a refund).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type, json_type
from dispatch.localtime import utc_now

REPEAT_FAULT_DAYS = 30  # the same fault again within this many days: the repair did not hold


class Decision(StrEnum):
    REPAIR_AGAIN = "repair_again"
    REPLACE = "replace"
    REFUND = "refund"


class Ground(StrEnum):
    """Why the unit may be replaced or refunded rather than only repaired."""

    FAILED_REPAIR = "failed_repair"  # a warranty repair visit failed
    REPEAT_FAULT = "repeat_fault"  # a new repair within REPEAT_FAULT_DAYS of the last one
    POLICY = "policy"  # within the product's replacement_days of purchase


class Eligibility(SQLModel):
    """What the unit's history allows, and the evidence, on a day."""

    asset_id: int
    on: date
    under_warranty: bool
    warranty_reason: str
    grounds: list[Ground]
    evidence: list[str]


class WarrantyOutcomeBase(SQLModel):
    asset_id: int = Field(foreign_key="asset.id", index=True)
    decision: Decision = Field(sa_type=enum_type(Decision, "warranty_decision"))
    reason: str = Field(min_length=3, max_length=1000, description="why, in the decider's words")
    refund_amount: int | None = Field(default=None, gt=0, description="rupiah, for a refund")


class WarrantyOutcome(WarrantyOutcomeBase, table=True):
    __tablename__ = "warranty_outcome"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    grounds: list[Ground] = Field(default_factory=list, sa_type=json_type())
    evidence: list[str] = Field(default_factory=list, sa_type=json_type())
    decided_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    repair_request_id: int | None = Field(default=None, foreign_key="service_request.id")
    replacement_asset_id: int | None = Field(default=None, foreign_key="asset.id")
    installation_request_id: int | None = Field(default=None, foreign_key="service_request.id")


class WarrantyOutcomeCreate(WarrantyOutcomeBase):
    region: str | None = Field(default=None, max_length=40, description="default: the unit's")
    replacement_serial_number: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _what_the_decision_needs(self) -> Self:
        if self.decision is Decision.REFUND and self.refund_amount is None:
            raise ValueError("a refund needs refund_amount")
        if self.decision is not Decision.REFUND and self.refund_amount is not None:
            raise ValueError("only a refund has a refund_amount")
        if self.decision is Decision.REPLACE and self.replacement_serial_number is None:
            raise ValueError("a replacement needs replacement_serial_number")
        if self.decision is not Decision.REPLACE and self.replacement_serial_number:
            raise ValueError("only a replacement has a replacement_serial_number")
        return self


class WarrantyOutcomePublic(WarrantyOutcomeBase):
    id: int
    customer_id: int
    region_id: int
    grounds: list[Ground]
    evidence: list[str]
    decided_by_user_id: int | None
    decided_at: datetime
    repair_request_id: int | None
    replacement_asset_id: int | None
    installation_request_id: int | None


class WarrantyOutcomesPublic(SQLModel):
    data: list[WarrantyOutcomePublic]
    count: int
