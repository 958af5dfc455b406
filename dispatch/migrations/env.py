"""Alembic environment: migrate the database of Settings (or the connection a caller passes).

Autogenerate renders our column types as plain SQLAlchemy types, so migrations never import
application code: UTCDateTime -> DateTime(timezone=True), JSON -> JSON/JSONB, AutoString ->
String.
"""

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import dispatch.models  # noqa: F401  (fills SQLModel.metadata)
from dispatch.columns import PydanticJSON, UTCDateTime
from dispatch.config import get_settings
from dispatch.db import make_engine, normalise_url

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Our types as the plain types they store."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, PydanticJSON | sa.JSON):
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def configure(connection: Connection) -> None:
    """Options shared by migrations and autogenerate: batch mode for SQLite's ALTER TABLE."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_migrations() -> None:
    """Run against the caller's connection when given (dispatch.db.upgrade), else the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(get_settings().model_copy(update={"database_url": normalise_url(url)}))
    try:
        with engine.connect() as connection:
            configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations()
