"""`purna complaints`: the complaints of a region (or all) with their SLA deadlines, newest
first; a deadline missed is marked. Bad input gives one line on stderr and exit code 2."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from api.commands.database import session_for, settings_for
from api.commands.tables import make_console
from dispatch import localtime
from dispatch.access.scope import Scope
from dispatch.account.models import Role
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import ComplaintPublic, ComplaintStatus
from dispatch.region import service as region_service

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]
MISSED = " (missed)"


def register(app: typer.Typer) -> None:
    """Add complaints to the purna app."""
    app.command("complaints")(complaints_command)


def complaints_command(
    region: Annotated[str | None, typer.Option(help="Region code; default every region.")] = None,
    status: Annotated[
        ComplaintStatus | None, typer.Option(help="Only complaints in this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """List complaints with their SLA deadlines and whether they were kept; newest first."""
    settings = settings_for(database_url)
    zone = localtime.zone(settings.default_timezone)
    with session_for(settings) as session:
        scope = Scope(user_id=0, role=Role.ADMIN)
        if region is not None:
            found = region_service.get_by_code(session=session, code=region)
            if found is None:
                raise ValueError(f"region {region!r} does not exist.")
            scope = Scope(user_id=0, role=Role.DISPATCHER, region_ids=(found.id or 0,))
        rows, count = complaint_service.list_in_reach(
            session=session, scope=scope, status=status, limit=limit
        )
        public = [complaint_service.public(session=session, complaint=c) for c in rows]
        make_console().print(_table(public, count, zone))


def _table(rows: list[ComplaintPublic], count: int, zone: ZoneInfo) -> Table:
    table = Table(title=f"{count} complaints", title_justify="left")
    for name in ("id", "category", "status", "filed", "answer by", "resolve by", "repairs"):
        table.add_column(name, no_wrap=True)
    for c in rows:
        table.add_row(
            str(c.id),
            str(c.category),
            str(c.status),
            _local(c.created_at, zone),
            _local(c.response_due_at, zone) + (MISSED if c.response_breached else ""),
            _local(c.resolution_due_at, zone) + (MISSED if c.resolution_breached else ""),
            ", ".join(str(i) for i in c.repair_request_ids) or "-",
        )
    return table


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
