"""User and token tables: a role per user, tokens stored only as SHA-256 hashes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from dispatch import columns
from dispatch.columns import UTCDateTime, enum_type, json_type


class Role(StrEnum):
    """What a user may do: admin everything, dispatcher their regions, the others their own data."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    CUSTOMER = "customer"


class UserBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    role: Role = Field(sa_column=Column(enum_type(Role, "role"), nullable=False))
    # Dispatchers: the region codes they dispatch; empty means every region.
    region_codes: list[str] = Field(default_factory=list, sa_column=Column(json_type()))
    technician_id: int | None = Field(default=None, foreign_key="technician.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)


class User(UserBase, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    active: bool = True


class UserCreate(UserBase):
    pass


class UserPublic(UserBase):
    id: int
    active: bool


class ApiToken(SQLModel, table=True):
    """A bearer token; only its hash is stored, so a leaked database leaks no usable token."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=120)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # None: no expiry (tokens issued before expiry existed keep working until rotated).
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


__all__ = ["ApiToken", "Role", "User", "UserCreate", "UserPublic", "columns"]
