"""The week a re-plan replaces, as the first plan of a multi-day (horizon) re-plan.

previous_plan.py does this for one day. Over a horizon, times count from the first day's
midnight, so a visit's previous route is its previous technician's shift on the day of its
previous start (previous_start_s // DAY_S). Each such technician-shift keeps its previous solo
visits in their previous order as far as the route still holds (a shift gone: its visits are
placed afresh; a technician late: those the route can no longer reach in time); each crew
visit is tried first at its previous start with its previous technician in the crew (a visit
remembers no other member), then at a common start as horizon_first.py finds one; the rest go
to their cheapest places by the horizon insertion. Without it, a priced week re-plan was a
re-plan from scratch with prices weighed only by the day searches (`purna bench disruptions`,
README).
"""

from __future__ import annotations

from dataclasses import replace

from . import horizon_first
from .checker import check
from .errors import InvalidProblem
from .insertion import DayRoutes
from .plan import Plan, PlanStatus, SolverInfo, totals_of
from .previous_plan import PREVIOUS, prices_moves
from .problem import DAY_S, Problem, TimeWindow, Visit

HELD_CREW = "held crew "  # the skill of a crew visit held at its previous start, and its members


def previous_week(problem: Problem) -> Plan | None:
    """The last plan of the horizon kept where it still holds and completed by the horizon
    insertion, checked by the validator; None when the problem prices no moves, names no
    previous routes, or the validator rejects the result."""
    if not prices_moves(problem):
        return None
    sequences = previous_sequences(problem)
    has_crews = any(_held_crew(problem, v) is not None for v in problem.visits)
    if not sequences and not has_crews:
        return None
    try:
        expanded, _ = horizon_first.expanded(problem, _nothing_planned())
        broken = set(DayRoutes(expanded, sequences).infeasible)
        kept = {v: _holding(expanded, v, s) if v in broken else s for v, s in sequences.items()}
        with_breaks = DayRoutes(expanded, kept).sequences  # each shift's breaks in place
        plan = horizon_first.plan_of(problem, expanded, with_breaks)
    except InvalidProblem:  # a visit id clashing with crew copies, a route we cannot time
        return None
    plan = horizon_first.with_crews(_crews_held(problem), plan)
    plan = horizon_first.with_crews(problem, plan)
    plan = horizon_first.filled(problem, plan)
    if check(problem, plan):
        return None
    return replace(plan, solver=replace(plan.solver, first_plan=PREVIOUS))


def previous_sequences(problem: Problem) -> dict[str, tuple[str, ...]]:
    """Per technician-shift (vehicle `technician@day` of horizon_first.py) still worked, its
    previous solo visits by previous start."""
    shifts = {(t.id, s.day) for t in problem.technicians for s in t.shifts}
    ordered = sorted(
        (v for v in problem.visits if v.crew_size == 1 and v.previous_start_s is not None),
        key=lambda v: (v.previous_start_s, v.id),
    )
    sequences: dict[str, tuple[str, ...]] = {}
    for v in ordered:
        shift = (v.previous_technician, (v.previous_start_s or 0) // DAY_S)
        if shift in shifts:
            vehicle = f"{shift[0]}{horizon_first.VEHICLE}{shift[1]}"
            sequences[vehicle] = (*sequences.get(vehicle, ()), v.id)
    return sequences


def _holding(expanded: Problem, vehicle: str, visits: tuple[str, ...]) -> tuple[str, ...]:
    """The part of a shift's previous visits that still holds (a late start, a window
    changed): each in previous order, kept when the route with it breaks no rule."""
    technician = next(t for t in expanded.technicians if t.id == vehicle)
    by_id = {v.id: v for v in expanded.visits}
    kept: tuple[str, ...] = ()
    for visit_id in visits:
        trial = (*kept, visit_id)
        alone = replace(expanded, technicians=(technician,), visits=tuple(by_id[v] for v in trial))
        if not DayRoutes(alone, {vehicle: trial}).infeasible:
            kept = trial
    return kept


def _crews_held(problem: Problem) -> Problem:
    """The problem with each crew visit that can be held at its previous start, with its
    previous technician in the crew, held there (its window that start, the technician pinned);
    its other members are the technicians whose previous visits leave the tightest gap around
    it (where the crew visit was), through a skill only they and the previous technician get."""
    visits: list[Visit] = []
    tags: dict[str, set[str]] = {}  # technician -> the held crews it may join
    for v in problem.visits:
        held = _held_crew(problem, v)
        if held is None:
            visits.append(v)
            continue
        tag = f"{HELD_CREW}{v.id}"
        members = {v.previous_technician, held.pinned_technician}
        for t in (*members, *_likely_partners(problem, held, members)):
            tags.setdefault(str(t), set()).add(tag)
        visits.append(replace(held, skills=held.skills | {tag}))
    technicians = tuple(
        replace(t, skills=t.skills | tags[t.id]) if t.id in tags else t for t in problem.technicians
    )
    return replace(problem, technicians=technicians, visits=tuple(visits))


def _likely_partners(problem: Problem, held: Visit, members: set[str | None]) -> list[str]:
    """The crew_size - 1 technicians, besides the members known, working the held visit's day
    with the tightest free gap around it among their previous visits (the crew's partner had
    the crew visit there; a technician idle all day has the widest gap)."""
    start_s = held.windows[0].start_s
    end_s = start_s + held.duration_s
    day = start_s // DAY_S
    gaps: list[tuple[int, str]] = []
    for t in problem.technicians:
        k = t.shift_on(day)
        if k is None or t.id in members or not held.skills <= t.skills:
            continue
        busy = [
            (v.previous_start_s, v.previous_start_s + v.duration_s)
            for v in problem.visits
            if v.previous_technician == t.id
            and v.previous_start_s is not None
            and v.previous_start_s // DAY_S == day
            and v.id != held.id
        ]
        if any(a < end_s and start_s < b for a, b in busy):
            continue
        free_from = max((b for _, b in busy if b <= start_s), default=t.shifts[k].start_s)
        free_until = min((a for a, _ in busy if a >= end_s), default=t.shifts[k].end_s)
        gaps.append((free_until - free_from, t.id))
    needed = held.crew_size - len({m for m in members if m is not None})
    return [t for _, t in sorted(gaps)[: max(0, needed)]]


def _held_crew(problem: Problem, visit: Visit) -> Visit | None:
    """The crew visit held at its previous start, pinned to its previous technician (when not
    pinned to another); None for a solo visit, or when that start or technician no longer holds."""
    start_s = visit.previous_start_s
    if (
        visit.crew_size == 1
        or start_s is None
        or not any(w.contains(start_s) for w in visit.windows)
    ):
        return None
    technician = next((t for t in problem.technicians if t.id == visit.previous_technician), None)
    if technician is None or technician.shift_on(start_s // DAY_S) is None:
        return None
    pinned = visit.pinned_technician or technician.id
    return replace(visit, windows=(TimeWindow(start_s, start_s),), pinned_technician=pinned)


def _nothing_planned() -> Plan:
    """A plan with no routes: horizon_first.expanded of it is the expanded problem, no crews."""
    info = SolverInfo(PlanStatus.FEASIBLE, 0.0, 0)
    return Plan((), (), totals_of((), 0), info)
