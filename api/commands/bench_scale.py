"""`purna bench scale`: the command; the measurements are benchmarks.scale (regions planned by
1, 2, 4 workers) and benchmarks.slot_load (slot queries with 1 and 2 API processes)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.commands.bench_commands import bench_app
from api.commands.database import fail, settings_for
from api.commands.tables import make_console
from benchmarks import scale, slot_load
from benchmarks.servers import ServerFailed


def register(app: typer.Typer) -> None:
    """Add `scale` to the `purna bench` group."""
    bench_app.command("scale")(bench_scale)


def _sizes(text: str) -> tuple[int, int]:
    try:
        technicians, visits = (int(part) for part in text.lower().split("x"))
    except ValueError:
        fail(f"--size: expected TECHNICIANSxVISITS such as 50x250, got {text!r}.")
    if technicians < 1 or visits < 1:
        fail(f"--size: technicians and visits must be at least 1, got {text!r}.")
    return technicians, visits


def _pools(text: str, option: str = "--workers", noun: str = "pool size") -> tuple[int, ...]:
    try:
        pools = tuple(int(part) for part in text.split(","))
    except ValueError:
        fail(f"{option}: expected {noun}s such as 1,2,4, got {text!r}.")
    if not pools or min(pools) < 1 or max(pools) > 64:
        fail(f"{option}: each {noun} must be 1 to 64, got {text!r}.")
    return pools


def bench_scale(
    regions: Annotated[int, typer.Option(min=1, max=200, help="Regions planned at once.")] = 8,
    size: Annotated[str, typer.Option(help="Technicians x visits per region.")] = "50x250",
    workers: Annotated[str, typer.Option(help="Worker pool sizes to compare.")] = "1,2,4",
    time_limit: Annotated[
        float, typer.Option(min=0.1, max=300.0, help="Seconds per region's solve.")
    ] = 10.0,
    database_url: Annotated[
        str | None, typer.Option(help="A PostgreSQL URL: measured in a new schema there.")
    ] = None,
    broker_url: Annotated[
        str | None, typer.Option(help="The workers' broker; default: BROKER_URL.")
    ] = None,
    api_processes: Annotated[
        str,
        typer.Option(help="API process counts for the slot-query load (PostgreSQL); '' skips."),
    ] = "1,2",
    clients: Annotated[int, typer.Option(min=1, max=64, help="Clients booking at once.")] = 16,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Plan N regions at once with 1, 2, 4 Celery workers (BROKER_URL): wall time, regions per
    minute and speed-up; then slot-query p50/p95 with 1 and 2 API processes under booking load
    (with --database-url)."""
    counts: tuple[int, ...] = ()
    if api_processes.strip():
        counts = _pools(api_processes, "--api-processes", "process count")
    technicians, visits = _sizes(size)
    shape = scale.ScaleSize(regions, technicians, visits, time_limit, _pools(workers), seed)
    settings = settings_for(None)
    if broker_url is not None:
        settings = settings.model_copy(update={"broker_url": broker_url})
    try:
        rows = scale.run(settings, database_url, shape, make_console(stderr=True))
    except scale.ScaleFailed as exc:
        fail(str(exc))
    dialect = "PostgreSQL" if database_url else "SQLite"
    make_console().print(scale.scale_table(rows, shape, dialect))
    if counts:
        _slot_queries(
            database_url, counts, slot_load.Load(technicians, visits, 3, clients, 10, seed)
        )


def _slot_queries(database_url: str | None, counts: tuple[int, ...], load: slot_load.Load) -> None:
    """Slot queries need several processes on one server database: PostgreSQL only."""
    if database_url is None:
        make_console(stderr=True).print(
            "Slot queries under load need PostgreSQL: give --database-url (skipped)."
        )
        return
    try:
        runs = slot_load.run(database_url, counts, load, make_console(stderr=True))
    except (slot_load.LoadFailed, ServerFailed) as exc:
        fail(str(exc))
    make_console().print(slot_load.table(runs, load))
