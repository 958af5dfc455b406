"""What the commands share to reach the database: settings with an optional --database-url,
and a session whose errors become one line on stderr and exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from dispatch import db
from dispatch.config import Settings, get_settings
from dispatch.errors import DomainError

BAD_INPUT = 2


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print `error: message` on stderr and exit with code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings_for(database_url: str | None) -> Settings:
    """The environment's settings, on another database when one is named."""
    settings = get_settings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


@contextmanager
def session_for(settings: Settings) -> Iterator[Session]:
    """A session on the settings' database; domain, input and database errors become one line."""
    engine = db.make_engine(settings)
    try:
        with db.session_scope(engine) as session:
            yield session
    except DomainError as exc:
        where = ".".join(str(part) for part in exc.loc)
        fail(f"{where}: {exc.msg}" if where else exc.msg)
    except ValueError as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        fail(f"{first} (is the database migrated? run `purna db upgrade`)")
    finally:
        engine.dispose()
