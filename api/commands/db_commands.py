"""`purna db upgrade`: bring the database of DATABASE_URL to the newest schema."""

from __future__ import annotations

from typing import Annotated

import typer
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url

from dispatch import db
from dispatch.config import get_settings

db_app = typer.Typer(help="The database: schema migrations.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the db commands to the purna app."""
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Option(help="Alembic revision to reach.")] = "heads",
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
    ] = None,
) -> None:
    """Run the migrations up to REVISION (the newest by default); safe to run again."""
    settings = get_settings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    engine = db.make_engine(settings)
    try:
        db.upgrade(engine, revision)
        with engine.connect() as connection:
            current = ", ".join(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    shown = make_url(db.normalise_url(settings.database_url)).render_as_string(hide_password=True)
    typer.echo(f"{shown} is at revision {current}.")
