"""`purna bench disruptions`: the command; the measurement is benchmarks.disruptions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from api.commands.bench_commands import bench_app
from api.commands.database import fail
from api.commands.tables import make_console
from benchmarks import disruptions
from benchmarks.disruption_week import WeekWork
from dispatch import localtime
from dispatch.demo.catalogue import TIMEZONE


def register(app: typer.Typer) -> None:
    """Add `disruptions` to the `purna bench` group."""
    bench_app.command("disruptions")(bench_disruptions)


def bench_disruptions(
    day: Annotated[
        str | None,
        typer.Option(help="The week's first day, YYYY-MM-DD; default: today in Jakarta."),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=14, help="Days the week plan spans.")] = 7,
    time_limit: Annotated[
        float, typer.Option(min=0.5, max=300.0, help="Most seconds per (re-)plan.")
    ] = 5.0,
    no_improvement: Annotated[
        float,
        typer.Option(min=0.1, max=300.0, help="Stop a search this long without a better plan."),
    ] = 1.0,
    reassign_cost_s: Annotated[
        int, typer.Option(min=0, max=4 * 3600, help="Priced: travel seconds per reassigned visit.")
    ] = 1800,
    start_move_cost: Annotated[
        int, typer.Option(min=0, max=100, help="Priced: travel seconds per second a start moves.")
    ] = 1,
    customers: Annotated[
        int, typer.Option(min=1, max=1000, help="Demo customers per region.")
    ] = 75,
    database_url: Annotated[
        str | None, typer.Option(help="A PostgreSQL URL: the demo goes into a new schema there.")
    ] = None,
) -> None:
    """On the first day of the demo's planned week, a technician reported sick, an urgent
    repair at 10:00 and a technician 45 min late, each re-planned over the week without and
    with stability prices: seconds to a new plan, visits that change technician, order or day,
    promised starts moved, promises kept and broken; every plan validator-checked."""
    try:
        first = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--day: expected a date as YYYY-MM-DD, got {day!r}.")
    first = first or localtime.local_day(localtime.utc_now(), localtime.zone(TIMEZONE))
    prices = disruptions.Prices(reassign_cost_s, start_move_cost)
    setup = disruptions.Setup(
        first, time_limit, no_improvement, prices, customers, work=WeekWork(days=days)
    )
    status = make_console(stderr=True)
    try:
        rows = disruptions.run(database_url, setup, status.print)
    except disruptions.BenchFailed as exc:
        fail(str(exc), code=1)
    make_console().print(disruptions.table(rows, setup))
