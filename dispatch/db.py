"""Engine, session and migrations: make_engine(settings), session_scope(engine), upgrade(url)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from dispatch.config import Settings
from dispatch.errors import Conflict

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """The URL with PostgreSQL pointed at psycopg 3 (postgresql:// would mean psycopg2)."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(settings: Settings, **engine_kw: Any) -> Engine:
    """An engine for settings.database_url, with SQLite set up for concurrent use."""
    url = normalise_url(settings.database_url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            echo=settings.sql_echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **engine_kw,
        )
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, echo=settings.sql_echo, pool_pre_ping=True, **engine_kw)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction.

    BEGIN IMMEDIATE takes the write lock when a transaction starts, so a transaction that reads
    and then writes cannot fail with "database is locked" halfway (SQLite cannot upgrade a read
    lock held by two writers); concurrent writers queue on the busy timeout instead. See
    https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync only at checkpoints
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that is rolled back on error and always closed; services commit themselves."""
    session = Session(engine)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ping(session: Session) -> str:
    """The database's dialect name, after a round trip that proves it answers."""
    session.execute(sa.text("SELECT 1")).one()
    return session.get_bind().dialect.name


@contextmanager
def integrity_as_conflict(
    session: Session, msg: str, *, loc: tuple[str | int, ...] = ()
) -> Iterator[None]:
    """Turn a unique or foreign-key violation (a race lost to another writer) into a Conflict."""
    try:
        yield
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(msg, loc=loc) from exc


def commit_or_conflict(session: Session, msg: str, *, loc: tuple[str | int, ...] = ()) -> None:
    """Commit; a unique or foreign-key violation (a race lost to another writer) is a Conflict."""
    with integrity_as_conflict(session, msg, loc=loc):
        session.commit()


def changes(update_in: SQLModel, *, clearable: Collection[str] = ()) -> dict[str, Any]:
    """The fields set in an XUpdate; None clears only the fields named clearable (nullable ones)."""
    data = update_in.model_dump(exclude_unset=True)
    return {k: v for k, v in data.items() if v is not None or k in clearable}


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration shipped inside the package (dispatch/migrations/alembic.ini)."""
    migrations = Path(__file__).resolve().parent / "migrations"
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    if url is not None:
        # configparser treats % as interpolation; URL-encoded passwords contain it.
        config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "heads") -> None:
    """Run the Alembic migrations up to revision (every head by default) on this database."""
    if isinstance(engine_or_url, str):
        engine = make_engine(Settings(database_url=engine_or_url))
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        return
    config = alembic_config()
    with engine_or_url.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
