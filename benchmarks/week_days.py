"""A horizon planned as single days, one after the other, as a dispatcher plans day by day:
the baseline `purna bench fieldservice --single-days` sets the week's search against.

Day d gets the technicians working that day (that shift alone) and the visits not served on an
earlier day that may start on it, each with its windows of that day; it is solved as a single
day with the day's share of the time limit. A visit left out keeps the reason of the last day
it was offered to (or `no_window_reachable` when no day offered it).
"""

from __future__ import annotations

from dataclasses import replace

from optimizer import (
    DAY_S,
    Plan,
    PlanStatus,
    Problem,
    Reason,
    Route,
    SolveParams,
    SolverInfo,
    Totals,
    Unassigned,
    Visit,
    solve,
)

_NOT_OFFERED = "No day of the horizon has a technician at work in one of its windows."


def by_single_days(problem: Problem, params: SolveParams) -> Plan:
    """The horizon's plan when each day is solved alone with params (its time limit per day)."""
    days = sorted({s.day for t in problem.technicians for s in t.shifts})
    routes: list[Route] = []
    reasons: dict[str, Unassigned] = {}
    for day in days:
        served = {s.visit for r in routes for s in r.stops}
        alone = _day_alone(problem, day, served)
        if alone is None:
            continue
        plan = solve(alone, params)
        routes += plan.routes
        reasons |= {u.visit: u for u in plan.unassigned}
    served = {s.visit for r in routes for s in r.stops}
    unassigned = tuple(
        reasons.get(v.id, Unassigned(v.id, Reason.NO_WINDOW_REACHABLE, _NOT_OFFERED))
        for v in problem.visits
        if v.id not in served
    )
    starts = {s.visit: s.start_s for r in routes for s in r.stops}
    waits = sum(v.wait_days(starts[v.id]) for v in problem.visits if v.id in starts)
    totals = Totals(
        assigned=len(served),
        unassigned=len(unassigned),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        overtime_s=sum(r.overtime_s for r in routes),
        wait_days=waits,
    )
    return Plan(tuple(routes), unassigned, totals, SolverInfo(PlanStatus.FEASIBLE, 0.0, 0))


def _day_alone(problem: Problem, day: int, served: set[str]) -> Problem | None:
    """Day `day` as a single day: its technicians and the visits still to serve that may start
    on it; None when it has none of either."""
    techs = tuple(t.on_shift(k) for t in problem.technicians if (k := t.shift_on(day)) is not None)
    working = {t.id for t in techs}
    visits = tuple(
        _on_day(v, day, working)
        for v in problem.visits
        if v.id not in served
        and any(w.start_s // DAY_S == day for w in v.windows)
        and v.pinned_technician in (None, *working)
    )
    if not techs or not visits:
        return None
    return replace(problem, technicians=techs, visits=visits)


def _on_day(visit: Visit, day: int, working: set[str]) -> Visit:
    """The visit with its windows of that day, and no preference for someone off that day."""
    windows = tuple(w for w in visit.windows if w.start_s // DAY_S == day)
    preferred = visit.preferred_technician if visit.preferred_technician in working else None
    previous = visit.previous_technician if visit.previous_technician in working else None
    return replace(
        visit, windows=windows, preferred_technician=preferred, previous_technician=previous
    )
