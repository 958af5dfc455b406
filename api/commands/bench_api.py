"""`purna bench api`: the command; the measurement is benchmarks.api_bench."""

from __future__ import annotations

from typing import Annotated

import typer

from api.commands.bench_commands import bench_app
from api.commands.tables import make_console
from api.main import create_app
from benchmarks import api_bench


def register(app: typer.Typer) -> None:
    """Add `api` to the `purna bench` group."""
    bench_app.command("api")(bench_api)


def bench_api(
    database_url: Annotated[
        str | None, typer.Option(help="A PostgreSQL URL: measured in a new schema there.")
    ] = None,
    technicians: Annotated[int, typer.Option(min=1)] = 50,
    visits: Annotated[int, typer.Option(min=0, help="Booked visits per day.")] = 250,
    days: Annotated[int, typer.Option(min=1, max=14)] = 7,
    queries: Annotated[int, typer.Option(min=1, help="Slot queries (7 days each).")] = 100,
    bookings: Annotated[int, typer.Option(min=1)] = 100,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Measure GET /v1/slots over the booking days and POST /v1/bookings through HTTP."""
    size = api_bench.Size(technicians, visits, days, queries, bookings, seed)
    try:
        table = api_bench.run(create_app, database_url, size, make_console(stderr=True))
    except api_bench.BenchFailed as exc:
        raise typer.BadParameter(str(exc)) from exc
    make_console().print(table)
