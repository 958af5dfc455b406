"""Delivery schemas: the goods brought in a window, and when the installation comes."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, model_validator
from sqlmodel import Field, SQLModel


class InstallationPlan(StrEnum):
    """For a product that is installed: on the delivery's trip, or in a slot booked later."""

    SAME_TRIP = "same_trip"
    LATER = "later"


class DeliveryCreate(SQLModel):
    """POST /deliveries: deliver a sold unit in a window (and install it, if it is installed)."""

    asset_id: int
    region: str | None = Field(default=None, max_length=40, description="default: the unit's")
    window_start: AwareDatetime
    window_end: AwareDatetime
    installation: InstallationPlan = InstallationPlan.SAME_TRIP
    technician_id: int | None = Field(
        default=None,
        description="who delivers (and, on the same trip, installs); default for a same trip: "
        "the first technician of the region who does both and works that day",
    )

    @model_validator(mode="after")
    def _window_ordered(self) -> Self:
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self


class DeliveryPublic(SQLModel):
    """The delivery's request and visit, and the installation's when the product has one."""

    delivery_request_id: int
    delivery_visit_id: int
    installation_request_id: int | None
    installation_visit_id: int | None
    installation_window_start: datetime | None
    technician_id: int | None = Field(description="pinned to both visits of a same trip")
