"""Column types shared by every table: UTC datetimes, JSON, string enums, constraint names.

Importing this module names constraints in SQLModel.metadata (Alembic needs stable names to
alter them, and SQLite's batch mode needs names at all), so every models module imports it
before declaring a table.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
ENUM_LENGTH = 32


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was about to be stored."""


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes stored in UTC and always read back aware in UTC.

    SQLite has no zone-aware type and would drop tzinfo; PostgreSQL stores timestamptz.
    Naive input is refused: its zone would be a guess.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"refusing to store naive datetime {value.isoformat()}.")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> sa.types.TypeEngine[Any]:
    """JSON on SQLite, JSONB on PostgreSQL (comparable and indexable there)."""
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class PydanticJSON(sa.TypeDecorator[Any]):
    """JSON holding values of a pydantic type: validated when read, dumped in JSON mode."""

    impl = sa.JSON
    cache_ok = True

    def __init__(self, adapter: TypeAdapter[Any]) -> None:
        super().__init__()
        self.adapter = adapter

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.adapter.dump_python(self.adapter.validate_python(value), mode="json")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.adapter.validate_python(value)


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A string enum stored as VARCHAR with a CHECK constraint (no native PostgreSQL ENUM type)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=ENUM_LENGTH,  # one width for all: a new, longer value needs no ALTER
        values_callable=lambda members: [str(m.value) for m in members],
        validate_strings=True,
    )
