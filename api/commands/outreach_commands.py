"""`purna scheduler`, `purna kpis` and `purna outbox`: scheduler process, KPI tables, outbox.

Bad input gives one line on stderr and exit code 2, as in the other commands.
"""

from __future__ import annotations

import logging
import signal
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from api.commands.database import settings_for
from api.commands.tables import make_console
from dispatch import db, localtime
from dispatch.errors import DomainError
from dispatch.kpis import service as kpi_service
from dispatch.kpis.models import Grouping, KpiReport, KpiValues
from dispatch.outreach import delivery, outbox
from dispatch.outreach.channels import build_channel
from dispatch.scheduler import build_scheduler, register_tasks
from dispatch.telemetry import logs

BAD_INPUT = 2
outbox_app = typer.Typer(help="The message outbox: deliver now, or count by state.")

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]


def register(app: typer.Typer) -> None:
    """Add scheduler, kpis and outbox to the purna app."""
    app.command("scheduler")(scheduler_command)
    app.command("kpis")(kpis_command)
    app.add_typer(outbox_app, name="outbox")


def scheduler_command(database_url: DatabaseUrl = None) -> None:
    """Run the scheduler in this process until stopped (the production shape: one per
    deployment; give the API workers EMBEDDED_SCHEDULER=false)."""
    settings = settings_for(database_url)
    if settings.log_format == "json":
        logs.configure_json(settings)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)  # one line per task added
    engine = db.make_engine(settings)
    scheduler = build_scheduler(settings, blocking=True)
    register_tasks(scheduler, engine, settings)

    def stop(*_: object) -> None:  # docker stop sends SIGTERM; a second signal finds it stopped
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    typer.echo(f"scheduler running jobs {', '.join(j.id for j in scheduler.get_jobs())}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        engine.dispose()


def kpis_command(
    region: Annotated[str | None, typer.Option(help="Region code; default every region.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: to - 27).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    by: Annotated[
        Grouping | None,
        typer.Option(
            help="A row per technician, region, week or category (request kind, "
            "complaint category)."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the after-sales KPIs of a period (definitions: docs/kpis.md)."""
    settings = settings_for(database_url)
    try:
        first, last = _day(start, "--from"), _day(end, "--to")
        engine = db.make_engine(settings)
        try:
            with db.session_scope(engine) as session:
                report = kpi_service.report(
                    session=session,
                    region_codes=[region] if region else None,
                    start=first,
                    end=last,
                    by=by,
                    zone_name=settings.default_timezone,
                )
        finally:
            engine.dispose()
    except DomainError as exc:
        typer.echo(f"error: {exc.msg}", err=True)
        raise typer.Exit(BAD_INPUT) from exc
    console = make_console()
    console.print(kpi_table(report))
    console.print(handover_table(report))
    console.print(voucher_table(report))


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{option} must be a date as YYYY-MM-DD, got {text!r}.") from None


COLUMNS: tuple[tuple[str, str], ...] = (
    ("CSAT", "csat_pct"),
    ("NPS", "nps"),
    ("CES", "ces"),
    ("FRT", "first_response_s"),
    ("ART", "resolution_s"),
    ("c. FRT", "complaint_first_response_s"),
    ("c. ART", "complaint_resolution_s"),
    ("FTF", "first_time_fix_pct"),
    ("no part", "part_missing_pct"),
    ("on time", "on_time_pct"),
    ("util.", "utilisation_pct"),
    ("travel", "travel_per_visit_s"),
    ("ent. used", "entitlement_use_pct"),
)
VOUCHER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("issued", "vouchers_issued"),
    ("redeemed", "vouchers_redeemed"),
    ("redemption", "voucher_redemption_pct"),
    ("repeat with", "repeat_with_voucher_pct"),
    ("customers", "customers_with_voucher"),
    ("repeat without", "repeat_without_voucher_pct"),
    ("customers", "customers_without_voucher"),
)
HANDOVER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("deliveries", "deliveries"),
    ("on time", "on_time_delivery_pct"),
    ("trainings", "trainings_completed"),
)
CAPTION = (
    "FRT first response time, ART average resolution time (service requests; c.: of "
    "complaints), FTF first-time fix, no part: first visits failed for a missing part, util. "
    "utilisation, travel per visit, ent. used: free entitlements used before they expired"
)


def kpi_table(report: KpiReport) -> Table:
    """One row per group and a total row; '-' where there was nothing to count."""
    regions = ", ".join(report.regions) or "all regions"
    title = f"KPIs {report.start} to {report.end}, {regions}"
    table = Table(title=title, title_justify="left", caption=CAPTION, caption_justify="left")
    table.add_column(str(report.by or ""), no_wrap=True)
    for name, _ in COLUMNS:
        table.add_column(name, justify="right")
    for row in report.rows:
        table.add_row(row.label, *_cells(row.values))
    table.add_row("all", *_cells(report.total), style="bold")
    return table


def handover_table(report: KpiReport) -> Table:
    """Deliveries (how many arrived, the share inside their window) and hand-over trainings
    completed; one row per group and the total."""
    caption = "on time: % of the deliveries that arrived inside their window"
    return _group_table(report, "Deliveries and hand-over", caption, HANDOVER_COLUMNS)


def voucher_table(report: KpiReport) -> Table:
    """The loyalty-voucher KPIs: issued, redeemed, redemption rate, and repeat bookings of the
    customers with a voucher against those without; one row per group and the total."""
    caption = "repeat: % of the customers who booked again after their voucher (or their visit)"
    return _group_table(report, "Loyalty vouchers", caption, VOUCHER_COLUMNS)


def _group_table(
    report: KpiReport, title: str, caption: str, columns: tuple[tuple[str, str], ...]
) -> Table:
    table = Table(title=title, title_justify="left", caption=caption)
    table.add_column(str(report.by or ""), no_wrap=True)
    for name, _ in columns:
        table.add_column(name, justify="right")
    for row in report.rows:
        table.add_row(row.label, *_cells(row.values, columns))
    table.add_row("all", *_cells(report.total, columns), style="bold")
    return table


def _cells(values: KpiValues, columns: tuple[tuple[str, str], ...] = COLUMNS) -> list[str]:
    return [_format(field, getattr(values, field)) for _, field in columns]


def _format(field: str, value: Any) -> str:
    if value is None:
        return "-"
    if field == "nps":
        return f"{value:+.0f}" if round(value) else "0"
    if field == "ces":
        return f"{value:.1f}"
    if field.endswith("_pct"):
        return f"{value:.0f}%"
    if isinstance(value, int) and not field.endswith("_s"):
        return str(value)
    minutes = value / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


@outbox_app.command("deliver")
def deliver_command(
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 100,
    database_url: DatabaseUrl = None,
) -> None:
    """Send the messages that are due now through NOTIFY_CHANNEL, once."""
    settings = settings_for(database_url)
    try:
        channel = build_channel(settings)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(BAD_INPUT) from exc
    engine = db.make_engine(settings)
    try:
        with db.session_scope(engine) as session:
            report = delivery.deliver_due(
                session=session,
                channel=channel,
                now=localtime.utc_now(),
                policy=delivery.policy_from(settings),
                limit=limit,
            )
    finally:
        engine.dispose()
    typer.echo(
        f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, "
        f"skipped {report.skipped} (channel {channel.name})."
    )


@outbox_app.command("status")
def status_command(database_url: DatabaseUrl = None) -> None:
    """How many messages are in each state, by kind."""
    settings = settings_for(database_url)
    engine = db.make_engine(settings)
    try:
        with db.session_scope(engine) as session:
            counts = outbox.state_counts(session=session)
    finally:
        engine.dispose()
    states = sorted({state for _, state in counts})
    table = Table(title="Outbox", title_justify="left")
    table.add_column("kind")
    for state in states:
        table.add_column(state, justify="right")
    for kind in sorted({kind for kind, _ in counts}):
        table.add_row(kind, *(str(counts[(kind, state)]) for state in states))
    make_console().print(table)
