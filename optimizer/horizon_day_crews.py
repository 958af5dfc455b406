"""A day of a horizon with its crews held where they are, so that the engine of single days
(VROOM's runs and OR-Tools, which plan one technician a visit) searches the rest of the day.

Each crew visit the day's start serves becomes one visit per member, pinned to that member at
the crew's start (priority 5, so that no search drops one member of a crew); the crew visits it
leaves out stay out (horizon_first.with_crews tries them afterwards). The day's plan is mapped
back, and rejected when it lost a member or breaks a rule of the day's problem.
"""

from __future__ import annotations

from dataclasses import replace

from .checker import check
from .horizon_first import MEMBER
from .plan import Plan, totals_of, wait_days_of
from .problem import Problem, TimeWindow, Visit
from .reasons import explain

HELD_PRIORITY = 5


def held(day: Problem, start: Plan) -> tuple[Problem, Plan] | None:
    """The day with its start's crews as pinned member visits, and the start in those terms;
    None when a visit id could clash with a member's."""
    if any(MEMBER in v.id for v in day.visits):
        return None
    by_id = {v.id: v for v in day.visits}
    members: list[Visit] = []
    routes = []
    for r in start.routes:
        stops = []
        for s in r.stops:
            visit = by_id[s.visit]
            if visit.crew_size > 1:
                member = _member(visit, r.technician, s.start_s)
                members.append(member)
                s = replace(s, visit=member.id)
            stops.append(s)
        routes.append(replace(r, stops=tuple(stops)))
    solo = [v for v in day.visits if v.crew_size == 1]
    problem = replace(day, visits=(*solo, *members))
    served = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(problem.visits) if v.id not in served]
    unassigned = explain(problem, dropped)
    plan = Plan(tuple(routes), unassigned, totals_of(tuple(routes), len(unassigned)), start.solver)
    return problem, plan


def released(day: Problem, held_day: Problem, plan: Plan) -> Plan | None:
    """The held day's plan in the day's terms (members as their crew visit); None when it
    left a member out or breaks a rule of the day."""
    members = [v.id for v in held_day.visits if MEMBER in v.id]
    served = {s.visit for r in plan.routes for s in r.stops}
    if not set(members) <= served:
        return None
    routes = tuple(
        replace(r, stops=tuple(replace(s, visit=s.visit.split(MEMBER)[0]) for s in r.stops))
        for r in plan.routes
    )
    served = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(day.visits) if v.id not in served]
    unassigned = explain(day, dropped)
    totals = totals_of(routes, len(unassigned), wait_days_of(day, routes))
    back = Plan(routes, unassigned, totals, plan.solver)
    return None if check(day, back) else back


def _member(visit: Visit, technician: str, start_s: int) -> Visit:
    """The crew visit's part for one member: pinned to it, at the crew's start."""
    return replace(
        visit,
        id=f"{visit.id}{MEMBER}{technician}",
        windows=(TimeWindow(start_s, start_s),),
        pinned_technician=technician,
        preferred_technician=None,
        previous_technician=None,
        previous_start_s=None,
        priority=HELD_PRIORITY,
        crew_size=1,
    )
