"""`purna plan-all`: every region's day planned at once, one solve job each (dispatch.jobs.fanout).

The jobs run where JOB_RUNNER says: threads of this process (JOB_WORKERS at once), or the
`purna worker` processes with JOB_RUNNER=celery. A bar advances as regions finish; then a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

import dispatch.models  # noqa: F401  (every table: a job row points at users, plans, ...)
from api.commands.database import fail, settings_for
from api.commands.tables import hours, make_console, minutes
from dispatch import db
from dispatch.config import MAX_TIME_LIMIT_S, Settings
from dispatch.jobs import fanout
from dispatch.jobs.models import JobStatus

NOT_ALL_PLANNED = 1
COLUMNS = ("region", "job", "status", "assigned", "unassigned", "travel", "overtime", "seconds")


def register(app: typer.Typer) -> None:
    """Add plan-all to the purna app."""
    app.command("plan-all")(plan_all_command)


def plan_all_command(
    day_text: Annotated[str, typer.Option("--date", help="The day to plan, YYYY-MM-DD.")],
    region_codes: Annotated[
        str | None, typer.Option("--regions", help="Comma-separated codes; default every region.")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=0.1, max=MAX_TIME_LIMIT_S, help="Seconds to search, per region.")
    ] = 10.0,
    wait: Annotated[
        float, typer.Option(min=1.0, help="Give up waiting after this many seconds.")
    ] = 3600.0,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
    ] = None,
) -> None:
    """Plan every region's day at once, one solve job per region (JOB_RUNNER: threads or Celery
    workers); a table per region; exit 1 unless every region got a draft."""
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        fail(f"--date: expected a date as YYYY-MM-DD, got {day_text!r}.")
    settings = settings_for(database_url)
    engine = db.make_engine(settings)
    try:
        codes = [c.strip() for c in region_codes.split(",") if c.strip()] if region_codes else None
        results = _run(make_console(), settings, engine, day, codes, time_limit, wait)
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        fail(f"{first} (is the database migrated? run `purna db upgrade`)")
    finally:
        engine.dispose()
    if any(r.status != JobStatus.SUCCEEDED for r in results):
        raise typer.Exit(NOT_ALL_PLANNED)


def _run(
    console: Console,
    settings: Settings,
    engine: Engine,
    day: date,
    codes: Sequence[str] | None,
    time_limit_s: float,
    wait_s: float,
) -> list[fanout.RegionResult]:
    regions = fanout.regions(engine=engine, codes=codes)
    unknown = sorted(set(codes or ()) - {r.code for r in regions})
    if unknown or not regions:
        fail(f"--regions: unknown region(s) {', '.join(unknown)}." if unknown else "no regions.")
    runner = fanout.local_runner(settings, engine)
    console.print(f"planning {len(regions)} region(s) for {day} on {_where(settings)}")
    days = [(r, day) for r in regions]
    handed = fanout.submit(engine=engine, runner=runner, days=days, time_limit_s=time_limit_s)
    try:
        _follow(console, engine, handed, wait_s)
    except KeyboardInterrupt:
        if settings.job_runner == "celery":
            console.print("interrupted: the queued jobs stay with the workers.")
        else:
            console.print(f"interrupted: {fanout.abandon(engine=engine, handed=handed)} failed.")
        raise typer.Exit(130) from None
    finally:
        fanout.release(runner)
    results = fanout.results(engine=engine, handed=handed)
    console.print(result_table(results))
    return results


def _where(settings: Settings) -> str:
    if settings.job_runner == "celery":
        return f"the Celery workers of queue {settings.job_queue}"
    return f"{settings.job_workers} thread(s) of this process (JOB_WORKERS)"


def _follow(
    console: Console, engine: Engine, handed: list[fanout.RegionJob], wait_s: float
) -> None:
    """A bar that advances as each region's job ends (plain lines when not on a terminal)."""
    with Progress(
        TextColumn("regions"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("regions", total=len(handed), last="")
        for done in fanout.finished_as_they_end(engine=engine, handed=handed, max_s=wait_s):
            bar.update(task, advance=1, last=f"{done.code} done")
            if not console.is_terminal:
                console.print(f"{done.code} ended")


def result_table(results: Sequence[fanout.RegionResult]) -> Table:
    """Per region: how its job ended and its draft's figures; the reason when it failed."""
    table = Table(title="Regions", title_justify="left")
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("region", "status") else "right")
    table.add_column("note")
    for r in results:
        table.add_row(
            r.code,
            str(r.job_id or "-"),
            r.status,
            _count(r.assigned),
            _count(r.unassigned),
            hours(r.travel_s) if r.travel_s is not None else "-",
            minutes(r.overtime_s) if r.overtime_s is not None else "-",
            f"{r.elapsed_s:.1f}" if r.elapsed_s is not None else "-",
            r.error or "",
        )
    return table


def _count(n: int | None) -> str:
    return "-" if n is None else str(n)
