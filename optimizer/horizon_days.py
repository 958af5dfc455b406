"""A horizon of days searched day by day, earliest first, each day by the engine a single day
gets (solver.py: VROOM's runs, then OR-Tools), against the first plan's routes of that day.

One model over a week is too slow to search: 50 technicians over 7 days are 300 vehicles with
breaks, and OR-Tools 9.15 needed 8 s only to restore our first plan of 1250 visits, then ended
without a solution (ROUTING_FAIL). A day is a one-day problem. Each day gets the visits the first
plan serves that day and every visit not served on an earlier day that may start on it (windows
on it, pinned technician at work): a visit the first plan left out, or a movable visit it put on
a later day (that later day's routes are then timed again without it). A day with crew visits
has its crews held (horizon_day_crews.py). A day's plan is kept when it ranks better than its
start and serves as much weight of the visits due that day alone; the days share the time by
their sizes. Visits change day afterwards too, in horizon_moves.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from . import horizon_day_crews
from .checker import check
from .errors import InvalidProblem
from .insertion import DayRoutes
from .plan import Plan, PlanStatus, Route, SolverInfo, totals_of, wait_days_of
from .problem import DAY_S, PRIORITY_WEIGHT, Problem, TimeWindow, Visit
from .reasons import explain
from .sequence_plan import sequences_to_plan

TOP_PRIORITY = max(PRIORITY_WEIGHT)
# improve(day problem, its first plan, seconds) -> the day's plan
Improve = Callable[[Problem, Plan, float], Plan]


def plan_by_day(problem: Problem, first: Plan, improve: Improve, time_limit_s: float) -> Plan:
    """The first plan with each day's routes improved within time_limit_s over all days; the
    first plan itself when the combination would break a rule."""
    deadline_s = time.perf_counter() + time_limit_s
    days = sorted({s.day for t in problem.technicians for s in t.shifts})
    sizes = _sizes(problem, first, days)
    movable = {v.id for v in problem.visits if v.movable}
    served: set[str] = set()
    routes: list[Route] = []
    for n, day in enumerate(days):
        sub = _day_problem(problem, day, first, served)
        if sub is None:
            continue
        sub, start = _day_start(sub, first, day, served)
        share = sizes[n] / max(1, sum(sizes[n:]))
        left_s = (deadline_s - time.perf_counter()) * share
        guided = _guided(sub, movable | _later(first, day))
        plan = _improved(guided, start, improve, left_s) if left_s > 0.05 else start
        best = start if _worse(sub, plan, start, movable) else plan
        routes += best.routes
        served |= {s.visit for r in best.routes for s in r.stops}
    combined = _combined(problem, tuple(routes))
    return first if check(problem, combined) else combined


def _later(first: Plan, day: int) -> set[str]:
    """The visits the first plan serves on a day after `day`."""
    return {s.visit for r in first.routes if r.day > day for s in r.stops}


def _guided(day: Problem, free: set[str]) -> Problem:
    """The day as its search sees it: each visit due that day alone one priority up (within
    the top), so that the search does not drop one for a visit that may go to another day of
    equal priority (whose plan _worse would then refuse); the plan is judged on the day."""
    visits = tuple(
        v if v.id in free else replace(v, priority=min(v.priority + 1, TOP_PRIORITY))
        for v in day.visits
    )
    return replace(day, visits=visits)


def _improved(day: Problem, start: Plan, improve: Improve, seconds: float) -> Plan:
    """The day searched from its start; a day with crews with its crews held, so that the
    single-day engine searches it (horizon_day_crews.py); the start when that fails."""
    if day.single_day_solo:
        return improve(day, start, seconds)
    held = horizon_day_crews.held(day, start)
    if held is None:
        return improve(day, start, seconds)
    plan = horizon_day_crews.released(day, held[0], improve(held[0], held[1], seconds))
    return start if plan is None else plan


def _sizes(problem: Problem, first: Plan, days: list[int]) -> list[int]:
    """About how many visits each day's search gets: those the first plan serves that day and
    those it leaves out that may start that day (the days share the time by these)."""
    served = {s.visit for r in first.routes for s in r.stops}
    left_out = [v for v in problem.visits if v.id not in served]
    sizes = []
    for day in days:
        working = {t.id for t in problem.technicians if t.shift_on(day) is not None}
        planned = len({s.visit for r in first.routes if r.day == day for s in r.stops})
        sizes.append(planned + sum(1 for v in left_out if may_start_on(v, day, working)))
    return sizes


def _day_problem(problem: Problem, day: int, first: Plan, served: set[str]) -> Problem | None:
    """The technicians working on `day` (that shift alone) and the visits for it: those the
    first plan serves that day, and those not served on an earlier day that may start that day
    (a movable visit the first plan put on a later day too); each visit with its windows of
    that day only. None when the day has no technician or visit."""
    techs = tuple(t.on_shift(k) for t in problem.technicians if (k := t.shift_on(day)) is not None)
    working = {t.id for t in techs}
    planned = {s.visit for r in first.routes if r.day == day for s in r.stops}
    visits = [
        on_day(v, day, working)
        for v in problem.visits
        if v.id in planned or (v.id not in served and may_start_on(v, day, working))
    ]
    if not techs or not visits:
        return None
    return replace(problem, technicians=techs, visits=tuple(visits))


def may_start_on(visit: Visit, day: int, working: set[str]) -> bool:
    """True when the visit has a window on `day` and its pinned technician (if any) works."""
    on_day = any(w.start_s // DAY_S == day for w in visit.windows)
    return on_day and visit.pinned_technician in (None, *working)


def on_day(visit: Visit, day: int, working: set[str]) -> Visit:
    """The visit with its windows of this day, and no preference for someone off that day
    (the preference cost is the same for every technician at work then)."""
    windows = tuple(w for w in visit.windows if w.start_s // DAY_S == day) or visit.windows
    preferred = visit.preferred_technician if visit.preferred_technician in working else None
    previous = visit.previous_technician if visit.previous_technician in working else None
    return replace(
        visit, windows=windows, preferred_technician=preferred, previous_technician=previous
    )


def _day_start(sub: Problem, first: Plan, day: int, served: set[str]) -> tuple[Problem, Plan]:
    """The day's problem without the visits an earlier day took, and the first plan's routes
    of this day as a plan of it (those visits taken out, the routes timed again)."""
    taken = {s.visit for r in first.routes if r.day == day for s in r.stops} & served
    sub = replace(sub, visits=tuple(v for v in sub.visits if v.id not in taken))
    routes = tuple(r for r in first.routes if r.day == day)
    if taken:
        routes = _without(sub, routes, taken)
    served_here = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(sub.visits) if v.id not in served_here]
    unassigned = explain(sub, dropped)
    totals = totals_of(routes, len(unassigned), wait_days_of(sub, routes))
    return sub, Plan(routes, unassigned, totals, first.solver)


def _without(sub: Problem, routes: tuple[Route, ...], taken: set[str]) -> tuple[Route, ...]:
    """The routes with the taken visits taken out and timed again (a crew visit held at its
    start); a route that cannot be timed so is left out whole."""
    by_id = {v.id: v for v in sub.visits}
    kept = [r for r in routes if not taken & {s.visit for s in r.stops}]
    for r in routes:
        if r in kept:
            continue
        tech = next(t for t in sub.technicians if t.id == r.technician)
        order = [s for s in r.stops if s.visit not in taken]
        visits = tuple(_alone(by_id[s.visit], s.start_s) for s in order)
        alone = replace(sub, technicians=(tech,), visits=visits)
        try:
            sequences = DayRoutes(alone, {tech.id: [s.visit for s in order]}).sequences
            kept += sequences_to_plan(alone, sequences).routes if order else ()
        except InvalidProblem:  # a road matrix where a shortcut is slower: leave it out
            continue
    return tuple(kept)


def _alone(visit: Visit, start_s: int) -> Visit:
    """The visit as its technician's route alone times it: no one else to prefer, a crew visit
    at its crew's start."""
    visit = replace(visit, preferred_technician=None, previous_technician=None)
    if visit.crew_size == 1:
        return visit
    return replace(visit, windows=(TimeWindow(start_s, start_s),), crew_size=1)


def _worse(sub: Problem, plan: Plan, start: Plan, movable: set[str]) -> bool:
    """True when the improved day serves less priority weight than its start, or as much at a
    higher cost (travel, overtime, preferences), or less weight of the visits due that day
    alone (a movable visit left out may still go to a later day)."""
    from .backends import rank

    def own(p: Plan) -> int:
        served = {s.visit for r in p.routes for s in r.stops} - movable
        return sum(v.weight for v in sub.visits if v.id in served)

    return rank(sub, start) < rank(sub, plan) or own(plan) < own(start)


def _combined(problem: Problem, routes: tuple[Route, ...]) -> Plan:
    """The days' routes as one plan of the whole horizon."""
    served = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(problem.visits) if v.id not in served]
    unassigned = explain(problem, dropped)
    totals = totals_of(routes, len(unassigned), wait_days_of(problem, routes))
    info = SolverInfo(PlanStatus.FEASIBLE, 0.0, totals.travel_s)
    return Plan(routes, unassigned, totals, info)
