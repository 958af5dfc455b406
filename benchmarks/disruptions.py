"""`purna bench disruptions`: how a planned demo week absorbs a sick call, an urgent repair and a
late technician on its first day, re-planned with and without the prices of plan stability.

Each region's week (benchmarks.disruption_week: the demo business plus movable and two-technician
periodic services, built as `purna plan --from D --days 7` builds it) is planned: the base plan.
Each disruption changes that problem the way a re-plan of the week at the moment of the
disruption sees it, every visit carrying its technician and start in the base plan
(previous_technician, previous_start_s); visits started before that moment stay where they are,
promised visits keep their windows and movable ones may change day. Each is solved twice:
unpriced (stability_cost and start_move_cost 0) and priced. Every plan, the base plans
included, must pass the independent validator; a broken one stops the bench.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rich import box
from rich.table import Table

from benchmarks.disruption_week import WeekWork, demo_weeks
from optimizer import (
    DAY_S,
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
FIRST_DAY = 0  # every disruption happens on the week's first day
URGENT_AT_S = 10 * 3600  # the urgent repair comes in at 10:00, the re-plan starts then
URGENT_ID = "urgent-repair"
LATE_S = 45 * M
MOVED_S = 15 * M  # a promised start moved by more than this counts as moved for the customer


class BenchFailed(Exception):
    """A plan broke a rule of the validator, or the demo has no week to plan."""


@dataclass(frozen=True, slots=True)
class Prices:
    """The stability prices of the priced re-plans (Problem.stability_cost, start_move_cost)."""

    reassign_cost_s: int = 1800
    start_move_cost: int = 1


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a plan serves a visit: its technicians (a crew's all), day and start."""

    technicians: frozenset[str]
    day: int
    start_s: int


@dataclass(frozen=True, slots=True)
class Replan:
    """One region's re-plan after one disruption, against its base plan."""

    disruption: str
    priced: bool
    seconds: float
    visits: int  # visits of the re-planned problem (the urgent one included)
    rehomed: int  # a sick technician's visits of the day, served by others or on another day
    # The others: visits served in both plans, not the sick technician's of the day.
    reassigned: int  # served by other technicians
    reordered: int  # same technicians and day, another rank among the technician's kept visits
    new_day: int  # served on another day (movable visits only may)
    promised_moved: int  # promised visits starting more than MOVED_S away from their start
    promised_moved_s: int  # the seconds the promised visits served in both plans moved, summed
    promised_both: int  # promised visits served in both plans (for the average move)
    kept: int  # promised visits served (inside their window: the validator checks windows)
    broken: int  # promised visits left out
    movable_out: int  # movable visits left out (no promise made yet)


@dataclass(frozen=True, slots=True)
class Setup:
    """What to measure: the demo's week, the search and the prices."""

    day: date
    time_limit_s: float = 5.0
    no_improvement_s: float = 1.0
    prices: Prices = Prices()
    customers: int = 75
    seed: int = 0
    work: WeekWork = WeekWork()


def run(database_url: str | None, setup: Setup, say: Callable[[str], None]) -> list[Replan]:
    """Load the demo into a scratch database, plan each region's week, disrupt and re-plan."""
    rows: list[Replan] = []
    weeks = demo_weeks(database_url, setup.day, setup.customers, setup.work, setup.seed, say)
    for code, problem in weeks:
        started_s = time.perf_counter()
        base = _solved(problem, setup, f"{code} base plan")
        rows.append(measure(BASE, False, time.perf_counter() - started_s, problem, base, base))
        say(f"{code}: the week's plan serves {base.totals.assigned} of {len(problem.visits)}")
        if not any(r.day == FIRST_DAY for r in base.routes):
            continue  # nobody works the first day: nobody to fall sick or run late
        for name, disrupt in DISRUPTIONS:
            disrupted = disrupt(problem, base, random.Random(f"{setup.seed}{code}"))
            for priced in (False, True):
                rows.append(_replan(name, disrupted, base, priced, setup))
    if len(rows) == len(weeks):
        raise BenchFailed(f"the demo has no visits to plan on {setup.day}.")
    return rows


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


# --- the measure -------------------------------------------------------------------------------


def placements(plan: Plan) -> dict[str, Placement]:
    """Per routed visit, its technicians (every crew member), day and start."""
    crews: dict[str, set[str]] = {}
    where: dict[str, tuple[int, int]] = {}
    for route in plan.routes:
        for stop in route.stops:
            crews.setdefault(stop.visit, set()).add(route.technician)
            where[stop.visit] = (route.day, stop.start_s)
    return {v: Placement(frozenset(crews[v]), *where[v]) for v in crews}


def measure(
    name: str, priced: bool, seconds: float, problem: Problem, base: Plan, plan: Plan
) -> Replan:
    """The re-plan against the base plan: who moved, how far, which promises hold. A visit is
    promised when its windows lie on one day (a booked visit; the urgent repair too)."""
    before, after = placements(base), placements(plan)
    sick = _sick_visits(problem, before)
    # The other customers: served in both plans, not left without their technician.
    others = {v for v in before.keys() & after.keys() if v not in sick}
    promised = {v.id for v in problem.visits if not v.movable}
    both = others & promised
    moves = [abs(after[v].start_s - before[v].start_s) for v in both]
    routed = set(after)
    return Replan(
        disruption=name,
        priced=priced,
        seconds=seconds,
        visits=len(problem.visits),
        rehomed=len(sick & routed),
        reassigned=sum(before[v].technicians != after[v].technicians for v in others),
        reordered=reordered(before, after, others),
        new_day=sum(before[v].day != after[v].day for v in others),
        promised_moved=sum(m > MOVED_S for m in moves),
        promised_moved_s=sum(moves),
        promised_both=len(both),
        kept=len(promised & routed),
        broken=len(promised - routed),
        movable_out=sum(1 for v in problem.visits if v.movable and v.id not in routed),
    )


def _sick_visits(problem: Problem, before: dict[str, Placement]) -> set[str]:
    """The visits the base plan gives a technician on a day that technician no longer works."""
    working = {(t.id, s.day) for t in problem.technicians for s in t.shifts}
    return {v for v, p in before.items() if any((t, p.day) not in working for t in p.technicians)}


def reordered(before: dict[str, Placement], after: dict[str, Placement], among: set[str]) -> int:
    """Visits kept by the same technicians on the same day whose rank among that technician's
    kept visits of the day changed (a crew visit counts once)."""
    kept = [
        v
        for v in among
        if before[v].technicians == after[v].technicians and before[v].day == after[v].day
    ]
    routes: dict[tuple[str, int], list[str]] = {}
    for v in kept:
        for t in before[v].technicians:
            routes.setdefault((t, before[v].day), []).append(v)
    moved: set[str] = set()
    for visits in routes.values():
        old = sorted(visits, key=lambda v: (before[v].start_s, v))
        new = sorted(visits, key=lambda v: (after[v].start_s, v))
        moved |= {a for a, b in zip(old, new, strict=True) if a != b}
    return len(moved)


# --- the disruptions ---------------------------------------------------------------------------


def _remembered(problem: Problem, base: Plan) -> tuple[Visit, ...]:
    """The visits with their technician (a crew's first in the plan) and start in the base plan."""
    placed = {s.visit: (r.technician, s.start_s) for r in reversed(base.routes) for s in r.stops}
    return tuple(
        replace(v, previous_technician=placed[v.id][0], previous_start_s=placed[v.id][1])
        if v.id in placed
        else v
        for v in problem.visits
    )


def _frozen_before(visits: Sequence[Visit], moment_s: int) -> tuple[Visit, ...]:
    """Visits the base plan starts before the moment are under way or done: they stay exactly
    where they are (a visit served alone keeps its technician by a pin)."""
    frozen = []
    for v in visits:
        start_s = v.previous_start_s
        if start_s is not None and start_s < moment_s:
            pin = v.previous_technician if v.crew_size == 1 else v.pinned_technician
            v = replace(v, windows=(TimeWindow(start_s, start_s),), pinned_technician=pin)
        frozen.append(v)
    return tuple(frozen)


def _first_day_routes(base: Plan) -> list[tuple[str, int, int]]:
    """(technician, stops, leaves) of each route of the first day."""
    return [(r.technician, len(r.stops), r.start_s) for r in base.routes if r.day == FIRST_DAY]


def sick_technician(problem: Problem, base: Plan, _rng: random.Random) -> Problem:
    """The technician with the most visits on the first day calls in sick before it starts:
    their shift of that day is removed, and that day's visits keep no tie to them (previous,
    preferred or pinned); their other days stay."""
    sick = max(_first_day_routes(base), key=lambda r: (r[1], r[0]))[0]
    today = range(FIRST_DAY * DAY_S, (FIRST_DAY + 1) * DAY_S)
    visits = []
    for v in _remembered(problem, base):
        if (v.previous_start_s is not None and v.previous_start_s in today) or all(
            w.start_s in today for w in v.windows
        ):
            v = _without(v, sick)
        visits.append(v)
    technicians = []
    for t in problem.technicians:
        if t.id == sick:
            shifts = tuple(s for s in t.shifts if s.day != FIRST_DAY)
            if not shifts:
                continue
            t = replace(t, shifts=shifts)
        technicians.append(t)
    return replace(problem, technicians=tuple(technicians), visits=tuple(visits))


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
    """At 10:00 on the first day an urgent AC repair (priority 5, 90 min, to start by 15:00)
    comes in next to a customer of that day; what started before 10:00 stays where it is."""
    moment_s = FIRST_DAY * DAY_S + URGENT_AT_S
    visits = _frozen_before(_remembered(problem, base), moment_s)
    today = {s.visit for r in base.routes if r.day == FIRST_DAY for s in r.stops}
    near = rng.choice([v for v in problem.visits if v.id in today] or list(problem.visits))
    skill = "ac_repair" if any("ac_repair" in t.skills for t in problem.technicians) else None
    urgent = Visit(
        id=URGENT_ID,
        location=near.location,
        duration_s=90 * M,
        windows=(TimeWindow(moment_s, FIRST_DAY * DAY_S + 15 * 3600),),
        skills=frozenset({skill}) if skill else frozenset(),
        priority=5,
        demand=1,
    )
    return replace(problem, visits=(*visits, urgent))


def late_technician(problem: Problem, base: Plan, _rng: random.Random) -> Problem:
    """The technician who leaves first on the first day leaves 45 minutes later than planned;
    what started before that moment stays where it is."""
    late, _, left_s = min(_first_day_routes(base), key=lambda r: (r[2], r[0]))
    technicians = tuple(_late(t, left_s) if t.id == late else t for t in problem.technicians)
    visits = _frozen_before(_remembered(problem, base), left_s)
    return replace(problem, technicians=technicians, visits=visits)


def _late(technician: Technician, left_s: int) -> Technician:
    """The technician's shift of the first day starting LATE_S after it left in the base plan."""
    shifts = tuple(
        replace(s, start_s=min(left_s + LATE_S, s.end_s)) if s.day == FIRST_DAY else s
        for s in technician.shifts
    )
    return replace(technician, shifts=shifts)


BASE = "week plan"
DISRUPTIONS: tuple[tuple[str, Callable[[Problem, Plan, random.Random], Problem]], ...] = (
    ("sick call", sick_technician),
    ("urgent at 10:00", urgent_repair),
    ("45 min late", late_technician),
)


# --- the table ---------------------------------------------------------------------------------


def table(rows: Sequence[Replan], setup: Setup) -> Table:
    """The base week plans, then per disruption, unpriced then priced: seconds to the plan (mean
    / max over the regions) and, summed over the regions, the visits moved and the promises."""
    regions = sum(1 for r in rows if r.disruption == BASE)
    prices = setup.prices
    title = (
        f"Disruptions on day 1 of the demo week from {setup.day} ({setup.work.days} days), "
        f"{regions} regions; seconds mean / max; search up to {setup.time_limit_s:g} s, stopped"
        f" after {setup.no_improvement_s:g} s without a better plan; priced:"
        f" {prices.reassign_cost_s} s per reassigned visit, {prices.start_move_cost} per second"
        f" a start moves; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("disruption", no_wrap=True)
    table.add_column("priced", no_wrap=True, min_width=6)
    for name in ("plan s\nmean / max", "visits", "re-\nhomed", "new\ntech", "new\norder",
                 "new\nday", "start\n>15 min", "avg\nmove", "kept", "broken",
                 "movable\nout"):  # fmt: skip
        width = max(len(line) for line in name.split("\n"))
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    groups = [(BASE, False)] + [(name, p) for name, _ in DISRUPTIONS for p in (False, True)]
    for name, priced in groups:
        group = [r for r in rows if r.disruption == name and r.priced == priced]
        if group:
            table.add_row(name, _stability(name, priced), *_cells(group))
    return table


def _stability(name: str, priced: bool) -> str:
    if name == BASE:
        return ""
    return "yes" if priced else "no"


def _cells(group: Sequence[Replan]) -> list[str]:
    seconds = [r.seconds for r in group]
    both = sum(r.promised_both for r in group)
    average_min = sum(r.promised_moved_s for r in group) / both / 60 if both else 0.0
    return [
        f"{sum(seconds) / len(seconds):.1f} / {max(seconds):.1f}",
        str(sum(r.visits for r in group)),
        str(sum(r.rehomed for r in group)),
        str(sum(r.reassigned for r in group)),
        str(sum(r.reordered for r in group)),
        str(sum(r.new_day for r in group)),
        str(sum(r.promised_moved for r in group)),
        f"{average_min:.0f} m",
        str(sum(r.kept for r in group)),
        str(sum(r.broken for r in group)),
        str(sum(r.movable_out for r in group)),
    ]
