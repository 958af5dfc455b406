"""`purna audit`, `purna users rotate` and `purna users revoke`: the access log of personal data
and the lifecycle of bearer tokens.

Bad input gives one line on stderr and exit code 2, as in the other commands.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from api.commands.database import session_for, settings_for
from api.commands.serve_commands import users_app
from api.commands.tables import make_console
from dispatch.access import service as access_service
from dispatch.account import service as account_service
from dispatch.account.models import User

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]
UserName = Annotated[str, typer.Option("--name", help="The user's name (as in users create).")]


def register(app: typer.Typer) -> None:
    """Add audit to the purna app, rotate and revoke to `purna users`."""
    app.command("audit")(audit_command)
    users_app.command("rotate")(rotate_command)
    users_app.command("revoke")(revoke_command)


def _user(session: Session, name: str) -> User:
    user = account_service.get_by_name(session=session, name=name)
    if user is None:
        raise ValueError(f"there is no user named {name!r}.")
    return user


def audit_command(
    user_id: Annotated[int | None, typer.Option(help="Only reads by this user id.")] = None,
    customer_id: Annotated[int | None, typer.Option(help="Only reads of this customer.")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="From this UTC moment, e.g. 2026-03-01T00:00.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    database_url: DatabaseUrl = None,
) -> None:
    """Who read whose contact details, when and through which endpoint; newest first."""
    start = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    with session_for(settings_for(database_url)) as session:
        rows, count = access_service.list_entries(
            session=session, user_id=user_id, customer_id=customer_id, start=start, limit=limit
        )
    table = Table(title=f"Access log: {len(rows)} of {count}", title_justify="left")
    for name in ("at (UTC)", "user", "role", "customer", "endpoint", "fields"):
        table.add_column(name)
    for r in rows:
        who = f"{r.user_name or '(gone)'} #{r.user_id}"
        at = r.at.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(at, who, r.role.value, str(r.customer_id), r.endpoint, r.fields)
    make_console().print(table)


def rotate_command(name: UserName, database_url: DatabaseUrl = None) -> None:
    """Revoke every token of the user and print a new one (valid STAFF_TOKEN_DAYS or
    CUSTOMER_TOKEN_DAYS days), once: only its hash is stored."""
    settings = settings_for(database_url)
    with session_for(settings) as session:
        user = _user(session, name)
        days = account_service.valid_days(
            user.role,
            staff_days=settings.staff_token_days,
            customer_days=settings.customer_token_days,
        )
        token = account_service.rotate(session=session, user=user, label="rotated", days=days)
        label = f"{user.role.value} {user.name!r} (id {user.id})"
    typer.echo(f"Revoked the tokens of {label}; new bearer token, valid {days} days:")
    typer.echo(token)


def revoke_command(name: UserName, database_url: DatabaseUrl = None) -> None:
    """Revoke every token of the user: each answers 401 from now on."""
    with session_for(settings_for(database_url)) as session:
        user = _user(session, name)
        count = account_service.revoke_all(session=session, user=user)
        label = f"{user.role.value} {user.name!r}"
    typer.echo(f"Revoked {count} token(s) of {label}.")
