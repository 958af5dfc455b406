"""`purna demo load` and `purna plan`: the demo business and a region's day from the command line.

Bad input (an unknown region, a malformed date, a database without tables) gives one line on
stderr and exit code 2; a plan the validator refuses gives exit code 1.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from api.commands.database import fail, session_for, settings_for
from api.commands.tables import hhmm, hours, make_console, minutes
from api.commands.week_tables import week_table
from dispatch import db, localtime
from dispatch.config import MAX_TIME_LIMIT_S
from dispatch.customer import service as customer_service
from dispatch.demo.loader import load_demo
from dispatch.demo.specs import DemoSize
from dispatch.planning import service as planning_service
from dispatch.planning import week as week_planning
from dispatch.planning.models import Plan, PlanRoute
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.technician import service as technician_service
from dispatch.visit.models import Visit

REJECTED_PLAN = 1
ROUTE_COLUMNS = (
    "#",
    "visit",
    "customer",
    "address",
    "skill",
    "prio",
    "window",
    "arrive",
    "start",
    "end",
)

demo_app = typer.Typer(help="The demo business: Greater Jakarta after-sales.", no_args_is_help=True)
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]


def register(app: typer.Typer) -> None:
    """Add the demo and planning commands to the purna app."""
    app.add_typer(demo_app, name="demo")
    app.command("plan")(plan_command)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{name}: expected a date as YYYY-MM-DD, got {text!r}.")


@demo_app.command("load")
def load_command(
    today: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; default: today in Asia/Jakarta.")
    ] = None,
    customers: Annotated[int, typer.Option(min=1, help="Customers per region.")] = 75,
    history_days: Annotated[int, typer.Option(min=0, help="Days of past visits.")] = 56,
    database_url: DatabaseUrl = None,
) -> None:
    """Migrate the database and load the demo business; a second run adds nothing."""
    settings = settings_for(database_url)
    zone = localtime.zone(settings.default_timezone)
    day = _day(today, "--today") if today else localtime.local_day(localtime.utc_now(), zone)
    size = DemoSize(customers_per_region=customers, history_days=history_days)
    engine = db.make_engine(settings)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
    with session_for(settings) as session:
        summary = load_demo(session, today=day, size=size)
    counts = summary.counts()
    if not any(counts.values()):
        typer.echo(f"The demo is already loaded (around {day}); nothing added.")
        return
    console = make_console()
    console.print(f"Demo loaded around {day}:")
    table = Table()
    table.add_column("added")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name.replace("_", " "), str(n))
    console.print(table)


def plan_command(
    region: Annotated[str, typer.Option("--region", help="Region code, e.g. jkt-south.")],
    day_text: Annotated[
        str, typer.Option("--date", "--from", help="The (first) day to plan, YYYY-MM-DD.")
    ],
    days: Annotated[
        int,
        typer.Option(
            min=1,
            max=week_planning.MAX_DAYS,
            help="Plan this many days from --date together (movable visits pick their day);"
            " one draft per day.",
        ),
    ] = 1,
    time_limit: Annotated[
        float, typer.Option(min=0.1, max=MAX_TIME_LIMIT_S, help="Seconds to search.")
    ] = 10.0,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the plan too.")] = False,
    routes: Annotated[
        bool, typer.Option("--routes/--no-routes", help="With --days: each day's routes too.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Plan a region's day (or --days N from it): print each route and the visits left
    unassigned with their reason."""
    day = _day(day_text, "--date")
    settings = settings_for(database_url)
    with session_for(settings) as session:
        found = region_service.get_by_code(session=session, code=region)
        if found is None:
            known = ", ".join(r.code for r in region_service.list_all(session=session)[0])
            fail(f"--region: unknown region {region!r} (known: {known or 'none'}).")
        options = planning_service.options_from(settings, time_limit_s=time_limit)
        try:
            if days > 1:
                plans = week_planning.plan_days(
                    session=session, region=found, first=day, days=days, options=options
                )
            else:
                plans = [
                    planning_service.plan_day(
                        session=session, region=found, day=day, options=options
                    )
                ]
        except planning_service.PlanRejected as exc:
            fail(str(exc), REJECTED_PLAN)
        if publish:
            plans = [planning_service.publish(session=session, plan=p) for p in plans]
        console = make_console()
        if days == 1 or routes:
            for plan in plans:
                _print_plan(console, session, found, plan)
        if days > 1:
            console.print(week_table(session, found, plans))


def _print_plan(console: Console, session: Session, region: Region, plan: Plan) -> None:
    visits = planning_service.plan_visits(session=session, plan=plan)
    for route in plan.routes:
        _print_route(console, session, region, plan, route, visits)
    if plan.unassigned_visits:
        console.print(_unassigned_table(session, region, plan, visits))
    figures = planning_service.figures(session=session, plan=plan)
    console.print(
        f"plan {plan.id} ({plan.status}) for {region.code} {plan.day}: {plan.assigned} assigned,"
        f" {plan.unassigned} unassigned; travel {hours(plan.travel_s)},"
        f" {plan.distance_m / 1000:.1f} km; overtime {minutes(plan.overtime_s)};"
        f" utilisation {figures.utilisation:.0%}; {plan.solver_status} in {plan.wall_s:.1f} s;"
        f" travel times: {plan.travel_source}"
    )
    if plan.travel_note:
        console.print(f"note: {plan.travel_note}")


def _local(region: Region, day: date, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return hhmm(localtime.seconds_from_midnight(moment, day, region.zone))


def _window(region: Region, day: date, visit: Visit) -> str:
    return f"{_local(region, day, visit.window_start)}-{_local(region, day, visit.window_end)}"


def _customer(session: Session, visit: Visit) -> str:
    customer = customer_service.get(session=session, customer_id=visit.request.customer_id)
    return customer.name if customer else "?"


def _print_route(
    console: Console,
    session: Session,
    region: Region,
    plan: Plan,
    route: PlanRoute,
    visits: dict[int, Visit],
) -> None:
    """One technician's day: leave base, each stop and break in time order, back at base."""
    tech = technician_service.get_or_raise(session=session, technician_id=route.technician_id)
    console.print(
        f"[bold]{tech.name}[/] (#{tech.id})  {', '.join(tech.skills)}  {len(route.stops)} visits"
        f"  travel {minutes(route.travel_s)}  overtime {minutes(route.overtime_s)}"
    )
    table = Table(expand=False)
    for name in ROUTE_COLUMNS:
        table.add_column(name, justify="right" if name in ("#", "visit", "prio") else "left")

    def at(moment: datetime) -> str:
        return _local(region, plan.day, moment)

    blank = [""] * len(ROUTE_COLUMNS)
    leave = [*blank[:2], "leave base", tech.start_label, *blank[4:8], at(route.start_at), ""]
    rows = [(route.start_at, leave)]
    for k, stop in enumerate(route.stops, start=1):
        v = visits[stop.visit_id]
        street = v.address.rsplit(",", 1)[0]  # the city is the region's
        cells = [str(k), str(v.id), _customer(session, v), street]
        cells += [", ".join(v.required_skills), str(v.priority), _window(region, plan.day, v)]
        rows.append(
            (stop.start_at, [*cells, at(stop.arrival_at), at(stop.start_at), at(stop.end_at)])
        )
    for b in route.breaks:
        rows.append((b.start_at, [*blank[:2], "break", *blank[3:8], at(b.start_at), at(b.end_at)]))
    rows.append((route.end_at, [*blank[:2], "back at base", *blank[3:7], at(route.end_at), "", ""]))
    for _, cells in sorted(rows, key=lambda r: r[0]):
        table.add_row(*cells, style="dim" if not cells[0] else None)
    console.print(table)


def _unassigned_table(
    session: Session, region: Region, plan: Plan, visits: dict[int, Visit]
) -> Table:
    """The visits left unassigned, with their reason and a sentence."""
    table = Table(title="Unassigned visits", title_justify="left")
    for name in ("visit", "customer", "skill", "prio", "window", "reason", "why"):
        table.add_column(name)
    for u in plan.unassigned_visits:
        v = visits[u.visit_id]
        skills = ", ".join(v.required_skills)
        window = _window(region, plan.day, v)
        table.add_row(
            str(v.id), _customer(session, v), skills, str(v.priority), window, u.reason, u.message
        )
    return table
