"""`purna bench slots`: the command; the measurement is benchmarks.slot_load."""

from __future__ import annotations

from typing import Annotated

import typer

from api.commands.bench_commands import bench_app
from api.commands.database import fail
from api.commands.tables import make_console
from benchmarks import slot_load
from benchmarks.servers import ServerFailed

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def register(app: typer.Typer) -> None:
    """Add `slots` to the `purna bench` group."""
    bench_app.command("slots")(bench_slots)


def bench_slots(
    database_url: Annotated[
        str, typer.Option(help="A PostgreSQL server: each run gets a new schema there.")
    ] = DEFAULT_URL,
    processes: Annotated[
        str, typer.Option(help="Numbers of API processes to measure, comma-separated.")
    ] = "1,2",
    technicians: Annotated[int, typer.Option(min=1)] = 50,
    visits: Annotated[int, typer.Option(min=0, help="Booked visits per day.")] = 250,
    days: Annotated[int, typer.Option(min=1, max=14, help="Days each slot query spans.")] = 3,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Clients booking at once.")] = 16,
    rounds: Annotated[int, typer.Option(min=1, help="Slot query + booking per client.")] = 10,
    seed: Annotated[int, typer.Option()] = 0,
    crew_share: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Share of customers whose installation needs two installers."
        ),
    ] = 0.0,
) -> None:
    """Slot-query p50/p95 with 1 and 2 API processes on one PostgreSQL under booking load."""
    try:
        counts = [int(n) for n in processes.split(",") if n.strip()]
    except ValueError:
        raise typer.BadParameter("give whole numbers, e.g. 1,2", param_hint="--processes") from None
    if not counts or min(counts) < 1 or max(counts) > 8:
        raise typer.BadParameter("between 1 and 8 processes, e.g. 1,2", param_hint="--processes")
    load = slot_load.Load(technicians, visits, days, clients, rounds, seed, crew_share)
    try:
        runs = slot_load.run(database_url, counts, load, make_console(stderr=True))
    except (slot_load.LoadFailed, ServerFailed) as exc:
        fail(str(exc))
    make_console().print(slot_load.table(runs, load))
