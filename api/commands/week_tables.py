"""The table `purna plan --days N` prints: one row per day of the horizon, and the totals."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from sqlmodel import Session

from api.commands.tables import hours, minutes
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan
from dispatch.region.models import Region

COLUMNS = (
    "day",
    "plan",
    "status",
    "routes",
    "visits",
    "movable",
    "crew",
    "unassigned",
    "travel",
    "overtime",
)


def week_table(session: Session, region: Region, plans: Sequence[Plan]) -> Table:
    """Per day: its draft, routes, visits served (of them movable and crew visits), visits
    left out, travel and overtime; a last row sums them."""
    table = Table(title=f"{region.code}: {len(plans)} days", title_justify="left")
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("day", "status") else "right")
    sums = [0] * 7
    for plan in plans:
        visits = planning_service.plan_visits(session=session, plan=plan)
        served = {s.visit_id for r in plan.routes for s in r.stops}
        movable = sum(1 for v in served if visits[v].due_from is not None)
        crew = sum(1 for v in served if visits[v].crew_size > 1)
        row = [len(plan.routes), len(served), movable, crew, plan.unassigned]
        row += [plan.travel_s, plan.overtime_s]
        sums = [a + b for a, b in zip(sums, row, strict=True)]
        table.add_row(
            f"{plan.day:%a %Y-%m-%d}",
            str(plan.id),
            str(plan.status),
            *(str(n) for n in row[:5]),
            hours(plan.travel_s),
            minutes(plan.overtime_s),
        )
    table.add_row(
        "all days",
        "",
        "",
        *(str(n) for n in sums[:5]),
        hours(sums[5]),
        minutes(sums[6]),
        style="bold",
    )
    return table
