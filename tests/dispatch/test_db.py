"""Settings, engine, UTC storage, and models == migrations on both databases."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select
from typer.testing import CliRunner

from api.cli import app
from dispatch.columns import NaiveDatetimeError
from dispatch.config import Settings
from dispatch.db import alembic_config, make_engine, normalise_url, ping, session_scope
from dispatch.geocoding.models import GeocodeCache
from tests.dispatch.conftest import Database, settings_for


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_migrations_match_models(engine: Engine) -> None:
    """A database upgraded with Alembic has exactly the tables, columns and indexes of models."""
    assert _differences(engine) == []


def test_migrations_match_models_detects_a_missing_index(engine: Engine) -> None:
    """The comparison is not vacuous: an index missing from the database shows up."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_visit_status")
    differences = _differences(engine)
    assert [d[0] for d in differences] == ["add_index"]  # type: ignore[index]
    assert differences[0][1].name == "ix_visit_status"  # type: ignore[index]
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_visit_status ON visit (status)")


def test_utc_datetime_round_trip_returns_aware_utc(session: Session) -> None:
    """A datetime stored in any zone comes back as the same instant, aware, in UTC."""
    jakarta_noon = datetime(2026, 3, 10, 12, 0, tzinfo=timezone(timedelta(hours=7)))
    session.add(GeocodeCache(query="a", lat=-6.2, lon=106.8, provider="t", created_at=jakarta_noon))
    session.commit()
    session.expire_all()
    row = session.get(GeocodeCache, 1)
    assert row is not None
    assert row.created_at == jakarta_noon
    assert row.created_at.tzinfo is UTC
    assert row.created_at.hour == 5


def test_utc_datetime_refuses_naive(session: Session) -> None:
    """A naive datetime is an error, not silently taken as UTC or local time."""
    session.add(
        GeocodeCache(query="b", lat=0, lon=0, provider="t", created_at=datetime(2026, 3, 10))
    )
    with pytest.raises(sa.exc.StatementError) as info:
        session.commit()
    assert isinstance(info.value.orig, NaiveDatetimeError)


def test_sqlite_engine_uses_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    """SQLite connections run in WAL mode, enforce foreign keys and wait when locked."""
    engine = make_engine(settings_for(f"sqlite:///{tmp_path / 'x.db'}"))
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_engine_enforces_foreign_keys(session: Session) -> None:
    """A row pointing at a missing parent is refused (SQLite only checks when told to)."""
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.text("INSERT INTO technician_skill VALUES (999, 'ac_install')"))
        session.flush()


def test_ping_names_the_database_that_answered(database: Database, session: Session) -> None:
    """ping round-trips to the database and names its dialect (the health check's answer)."""
    assert ping(session) == database.kind


def test_normalise_url_points_postgresql_at_psycopg3() -> None:
    """postgresql:// and postgres:// URLs use psycopg 3; others are left alone."""
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///./purna.db") == "sqlite:///./purna.db"


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from environment variables, with the embedded SQLite shape by default."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url == "sqlite:///./purna.db"  # type: ignore[call-arg]
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db/purna")
    monkeypatch.setenv("GEOCODER", "nominatim")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "postgresql://app@db/purna"
    assert settings.geocoder == "nominatim"
    assert settings.default_timezone == "Asia/Jakarta"


def test_session_scope_rolls_back_on_error(engine: Engine) -> None:
    """An exception inside session_scope leaves nothing behind."""
    with pytest.raises(RuntimeError), session_scope(engine) as scoped:
        scoped.add(GeocodeCache(query="c", lat=0, lon=0, provider="t"))
        scoped.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as scoped:
        assert scoped.exec(select(func.count()).select_from(GeocodeCache)).one() == 0


def test_cli_db_upgrade_migrates_a_new_database(tmp_path: Path) -> None:
    """`purna db upgrade` creates the schema in a new SQLite file and can run again."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
        assert result.exit_code == 0, result.output
        heads = ", ".join(ScriptDirectory.from_config(alembic_config()).get_heads())
        assert result.output.strip() == f"{url} is at revision {heads}."
    engine = make_engine(settings_for(url))
    assert _differences(engine) == []
    engine.dispose()
