"""Database fixtures: every dispatch test runs on a SQLite file and on PostgreSQL.

- SQLite: one file migrated with Alembic per session and worker, copied for each test.
- PostgreSQL: one schema per session and worker (xdist workers share the `test` database),
  migrated once. The `session` fixture isolates a test with SQLAlchemy's
  join_transaction_mode="create_savepoint" recipe: services commit to a savepoint and the
  outer transaction is rolled back. Tests that need real commits seen by other connections
  (threads) use `engine`; the tables are emptied after such a test.
PostgreSQL is skipped with a message when unreachable, except with CI=true, where it fails.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import dispatch.models  # noqa: F401  (every table in the metadata)
from dispatch.config import Settings
from dispatch.db import make_engine, upgrade
from dispatch.demo.loader import load_demo
from dispatch.demo.specs import DemoSize

POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
START_HINT = "start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def settings_for(url: str) -> Settings:
    """Settings for a test database, ignoring any .env file of the developer."""
    return Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL URL (PURNA_TEST_POSTGRES_URL, or user postgres, then root)."""
    override = os.environ.get("PURNA_TEST_POSTGRES_URL")
    errors = []
    for url in (override,) if override else POSTGRES_URLS:
        probe = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with probe.connect():
                return url
        except sa.exc.OperationalError as exc:
            errors.append(f"{make_url(url).username}: {str(exc.orig).strip().splitlines()[0]}")
        finally:
            probe.dispose()
    msg = f"PostgreSQL is not reachable ({'; '.join(errors)}); {START_HINT}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a fresh schema of this worker, migrated to head; dropped at the end."""
    schema = f"purna_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(settings_for(url.render_as_string(hide_password=False)))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "purna.db"
    engine = make_engine(settings_for(f"sqlite:///{path}"))
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@dataclass
class Database:
    """The database of one test: its engine and whether committed rows must be cleaned up."""

    kind: str
    engine: Engine
    committed: bool = False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The test's database: a fresh SQLite file, or this worker's PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path / "purna.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(settings_for(f"sqlite:///{path}"))
        yield Database("sqlite", engine)
        engine.dispose()
        return
    db = Database("postgresql", request.getfixturevalue("postgres_engine"))
    yield db
    if db.committed:
        _empty_tables(db.engine)


def _empty_tables(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def engine(database: Database) -> Engine:
    """An engine whose commits are real (for threads); cleaned up after the test."""
    database.committed = True
    return database.engine


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session for one test; on PostgreSQL its commits are rolled back at the end."""
    if database.kind == "sqlite":
        with Session(database.engine) as sqlite_session:
            yield sqlite_session
        return
    connection = database.engine.connect()
    outer = connection.begin()
    pg_session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield pg_session
    finally:
        pg_session.close()
        outer.rollback()
        connection.close()


# --- the demo business ---------------------------------------------------------------------

TODAY = date(2026, 3, 10)  # a Tuesday: the day the demo tests load the demo for
SMALL = DemoSize(history_days=7, future_days=4)  # every customer, a week of history
TINY = DemoSize(customers_per_region=15, history_days=3, future_days=2)


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the SMALL demo loaded once per test process; each test gets a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(settings_for(f"sqlite:///{path}"))
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, today=TODAY, size=SMALL)
    engine.dispose()
    return path


@pytest.fixture
def demo(loaded: Path, tmp_path: Path) -> Iterator[Session]:
    """A session on a copy of the loaded demo."""
    path = tmp_path / "demo.db"
    shutil.copyfile(loaded, path)
    engine = make_engine(settings_for(f"sqlite:///{path}"))
    with Session(engine) as session:
        yield session
    engine.dispose()
