"""`purna bench disruptions`: how a planned demo day absorbs a sick call, an urgent repair and a
late technician, re-planned with and without the prices of plan stability.

Each region's day of the demo business (loaded into a scratch database) is built as the solve
path builds it (planning_service.build_problem) and planned: the base plan. Each disruption
changes that problem the way a re-plan at that moment sees it, every visit carrying its
technician and start in the base plan (previous_technician, previous_start_s), and is solved
twice: unpriced (stability_cost and start_move_cost 0) and priced. Every plan, the base plans
included, must pass the independent validator; a broken one stops the bench.

It plans one day at a time: the demo's first day, each region on its own.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rich.table import Table
from sqlmodel import Session

from benchmarks.scratch import scratch_database
from dispatch import db
from dispatch.config import Settings
from dispatch.demo.loader import load_demo
from dispatch.demo.specs import DemoSize
from dispatch.planning import service as planning_service
from dispatch.region import service as region_service
from optimizer import (
    Plan,
    Problem,
    SolveParams,
    Technician,
    TimeWindow,
    Visit,
    check,
    solve,
)

M = 60
URGENT_AT_S = 10 * 3600  # the urgent repair comes in at 10:00, the re-plan starts then
URGENT_ID = "urgent-repair"
LATE_S = 45 * M
MOVED_S = 15 * M  # a start moved by more than this counts as moved for the customer


class BenchFailed(Exception):
    """A plan broke a rule of the validator, or the demo has no day to plan."""


@dataclass(frozen=True, slots=True)
class Prices:
    """The stability prices of the priced re-plans (Problem.stability_cost, start_move_cost)."""

    reassign_cost_s: int = 1800
    start_move_cost: int = 1


@dataclass(frozen=True, slots=True)
class Replan:
    """One region's re-plan after one disruption, against its base plan."""

    disruption: str
    priced: bool
    seconds: float
    visits: int  # visits of the re-planned problem (the urgent one included)
    rehomed: int  # a sick technician's visits, served by another
    # The others: visits served in both plans, whose technician still works.
    reassigned: int  # served by another technician
    start_moved: int  # starting more than MOVED_S apart
    moved: int  # either of the two
    moved_s: int  # the seconds their starts moved, summed
    kept: int  # served, inside their promised window (the validator checks windows)
    broken: int  # left unassigned


@dataclass(frozen=True, slots=True)
class Setup:
    """What to measure: the demo's day, the search and the prices."""

    day: date
    time_limit_s: float = 10.0
    no_improvement_s: float = 2.0
    prices: Prices = Prices()
    customers: int = 75
    seed: int = 0


def run(database_url: str | None, setup: Setup, say: Callable[[str], None]) -> list[Replan]:
    """Load the demo into a scratch database, plan each region's day, disrupt and re-plan."""
    rows: list[Replan] = []
    for code, problem in _demo_days(database_url, setup, say):
        base = _solved(problem, setup, f"{code} base plan")
        say(f"{code}: base plan serves {base.totals.assigned} of {len(problem.visits)} visits")
        if not base.routes:
            continue  # nobody to fall sick or run late
        for name, disrupt in DISRUPTIONS:
            disrupted = disrupt(problem, base, random.Random(f"{setup.seed}{code}"))
            for priced in (False, True):
                rows.append(_replan(name, disrupted, base, priced, setup))
    if not rows:
        raise BenchFailed(f"the demo has no visits to plan on {setup.day}.")
    return rows


def _demo_days(
    database_url: str | None, setup: Setup, say: Callable[[str], None]
) -> Iterator[tuple[str, Problem]]:
    """Per region with visits that day, its day as the solve path builds it."""
    with scratch_database(database_url) as url:
        engine = db.make_engine(Settings(database_url=url))
        try:
            db.upgrade(engine)
            say(f"loading the demo around {setup.day} ({engine.dialect.name}) ...")
            with Session(engine) as session:
                # Past days are of no use here, and take most of the loading time.
                size = DemoSize(customers_per_region=setup.customers, history_days=0)
                load_demo(session, today=setup.day, size=size)
                regions = region_service.list_by_codes(session=session, codes=None)
                days = [
                    (
                        r.code,
                        planning_service.build_problem(session=session, region=r, day=setup.day),
                    )
                    for r in regions
                ]
        finally:
            engine.dispose()
    for code, day_problem in days:
        if day_problem.problem.visits and day_problem.problem.technicians:
            yield code, day_problem.problem


def _solved(problem: Problem, setup: Setup, what: str) -> Plan:
    params = SolveParams(time_limit_s=setup.time_limit_s, no_improvement_s=setup.no_improvement_s)
    plan = solve(problem, params)
    broken = check(problem, plan)
    if broken:
        shown = "; ".join(f"{v.code}: {v.message}" for v in broken[:3])
        raise BenchFailed(f"{what}: the validator rejects the plan: {shown}")
    return plan


def _replan(name: str, problem: Problem, base: Plan, priced: bool, setup: Setup) -> Replan:
    prices = setup.prices if priced else Prices(0, 0)
    problem = replace(
        problem, stability_cost=prices.reassign_cost_s, start_move_cost=prices.start_move_cost
    )
    started_s = time.perf_counter()
    plan = _solved(problem, setup, f"{problem.name} after {name}")
    seconds = time.perf_counter() - started_s
    return measure(name, priced, seconds, problem, base, plan)


def measure(
    name: str, priced: bool, seconds: float, problem: Problem, base: Plan, plan: Plan
) -> Replan:
    """The re-plan against the base plan: who moved, how far, which promises hold."""
    before = {s.visit: (r.technician, s.start_s) for r in base.routes for s in r.stops}
    after = {s.visit: (r.technician, s.start_s) for r in plan.routes for s in r.stops}
    working = {t.id for t in problem.technicians}
    # The other customers: served in both plans by a technician who still works (a sick
    # technician's visits must move, and are not counted as moved).
    others = {v for v in before.keys() & after.keys() if before[v][0] in working}
    reassigned = {v for v in others if before[v][0] != after[v][0]}
    shifted = {v for v in others if abs(before[v][1] - after[v][1]) > MOVED_S}
    return Replan(
        disruption=name,
        priced=priced,
        seconds=seconds,
        visits=len(problem.visits),
        rehomed=sum(1 for v in after if v in before and before[v][0] not in working),
        reassigned=len(reassigned),
        start_moved=len(shifted),
        moved=len(reassigned | shifted),
        moved_s=sum(abs(before[v][1] - after[v][1]) for v in others),
        kept=plan.totals.assigned,
        broken=len(plan.unassigned),
    )


# --- the disruptions ---------------------------------------------------------------------------


def _remembered(problem: Problem, base: Plan) -> tuple[Visit, ...]:
    """The visits with their technician and start in the base plan."""
    placed = {s.visit: (r.technician, s.start_s) for r in base.routes for s in r.stops}
    return tuple(
        replace(v, previous_technician=placed[v.id][0], previous_start_s=placed[v.id][1])
        if v.id in placed
        else v
        for v in problem.visits
    )


def _busiest(base: Plan) -> str:
    """The technician with the most stops in the base plan (first by id on a tie)."""
    return max(base.routes, key=lambda r: (len(r.stops), r.technician)).technician


def sick_technician(problem: Problem, base: Plan, _rng: random.Random) -> Problem:
    """The busiest technician calls in sick before the day starts: their shift is removed and
    their visits have no previous (nor preferred, nor pinned) technician left to keep."""
    sick = _busiest(base)
    visits = tuple(_without(v, sick) for v in _remembered(problem, base))
    technicians = tuple(t for t in problem.technicians if t.id != sick)
    return replace(problem, technicians=technicians, visits=visits)


def _without(visit: Visit, sick: str) -> Visit:
    """The visit with no tie left to the sick technician (previous, preferred or pinned)."""
    return replace(
        visit,
        previous_technician=None
        if visit.previous_technician == sick
        else visit.previous_technician,
        preferred_technician=None
        if visit.preferred_technician == sick
        else visit.preferred_technician,
        pinned_technician=None if visit.pinned_technician == sick else visit.pinned_technician,
    )


def urgent_repair(problem: Problem, base: Plan, rng: random.Random) -> Problem:
    """At 10:00 an urgent AC repair (priority 5, 90 min, to start by 15:00) comes in next to a
    customer of the day; visits the base plan starts before 10:00 are under way or done and
    stay exactly where they are."""
    visits = []
    for v in _remembered(problem, base):
        started = v.previous_start_s is not None and v.previous_start_s < URGENT_AT_S
        if started and v.previous_start_s is not None:
            at = TimeWindow(v.previous_start_s, v.previous_start_s)
            v = replace(v, windows=(at,), pinned_technician=v.previous_technician)
        visits.append(v)
    near = rng.choice(problem.visits)
    skill = "ac_repair" if any("ac_repair" in t.skills for t in problem.technicians) else None
    urgent = Visit(
        id=URGENT_ID,
        location=near.location,
        duration_s=90 * M,
        windows=(TimeWindow(URGENT_AT_S, 15 * 3600),),
        skills=frozenset({skill}) if skill else frozenset(),
        priority=5,
        demand=1,
    )
    return replace(problem, visits=(*visits, urgent))


def late_technician(problem: Problem, base: Plan, _rng: random.Random) -> Problem:
    """The technician who leaves first in the base plan leaves 45 minutes later than planned."""
    first = min(base.routes, key=lambda r: (r.start_s, r.technician))
    technicians = tuple(
        _late(t, first.start_s) if t.id == first.technician else t for t in problem.technicians
    )
    return replace(problem, technicians=technicians, visits=_remembered(problem, base))


def _late(technician: Technician, left_s: int) -> Technician:
    shift = technician.shifts[0]  # the demo day: one shift
    start_s = min(left_s + LATE_S, shift.end_s)
    return replace(technician, shifts=(replace(shift, start_s=start_s),))


DISRUPTIONS: tuple[tuple[str, Callable[[Problem, Plan, random.Random], Problem]], ...] = (
    ("sick call", sick_technician),
    ("urgent at 10:00", urgent_repair),
    ("45 min late", late_technician),
)


# --- the table ---------------------------------------------------------------------------------


def table(rows: Sequence[Replan], setup: Setup) -> Table:
    """Per disruption, unpriced then priced: re-plan seconds (mean / max) and, summed over the
    regions, the visits moved and the promises kept and broken."""
    regions = sum(1 for r in rows if r.disruption == rows[0].disruption and not r.priced)
    prices = setup.prices
    title = (
        f"Disruptions on the demo day {setup.day}, {regions} regions each; re-plan seconds mean /"
        f" max; search up to"
        f" {setup.time_limit_s:g} s, stopped after {setup.no_improvement_s:g} s without a better"
        f" plan; priced: {prices.reassign_cost_s} s per reassigned visit,"
        f" {prices.start_move_cost} per second a start moves; load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("disruption", no_wrap=True)
    table.add_column("stability")
    for name in ("re-plan s", "visits", "re-homed", "new tech", "start >15m", "moved",
                 "moved h", "kept", "broken"):  # fmt: skip
        table.add_column(name, justify="right")
    for name, _ in DISRUPTIONS:
        for priced in (False, True):
            group = [r for r in rows if r.disruption == name and r.priced == priced]
            if not group:
                continue
            seconds = [r.seconds for r in group]
            table.add_row(
                name,
                "priced" if priced else "unpriced",
                f"{sum(seconds) / len(seconds):.1f} / {max(seconds):.1f}",
                str(sum(r.visits for r in group)),
                str(sum(r.rehomed for r in group)),
                str(sum(r.reassigned for r in group)),
                str(sum(r.start_moved for r in group)),
                str(sum(r.moved for r in group)),
                f"{sum(r.moved_s for r in group) / 3600:.1f}",
                str(sum(r.kept for r in group)),
                str(sum(r.broken for r in group)),
            )
    return table
