"""Customer tables and schemas: contact details, language and address."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from dispatch.columns import enum_type


class Language(StrEnum):
    """The language of customer-facing texts."""

    ID = "id"  # Bahasa Indonesia
    EN = "en"


class CustomerBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=3, max_length=32, index=True)
    email: str | None = Field(default=None, max_length=254, regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language = Field(default=Language.ID, sa_type=enum_type(Language, "language"))
    address: str = Field(min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Customer(CustomerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The region whose dispatcher registered the customer: it may serve the customer before a
    # first request ties them (dispatch.access.scope); None for customers of every region.
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)


class CustomerCreate(CustomerBase):
    region: str | None = Field(
        default=None,
        max_length=40,
        description="code of the region registering the customer; default: the caller's only one",
    )


class CustomerUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, min_length=3, max_length=32)
    email: str | None = Field(default=None, max_length=254, regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language | None = None
    address: str | None = Field(default=None, min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class CustomerPublic(CustomerBase):
    id: int


class CustomerSummary(SQLModel):
    """A customer in a list: no contact details (those come with the single-record read)."""

    id: int
    name: str
    area: str | None = Field(description="the region of the customer's latest request")
    next_visit: datetime | None = Field(description="start of the next promised window")


class CustomersPublic(SQLModel):
    data: list[CustomerSummary]
    count: int

