"""A first plan for multi-day and crew problems, which only the OR-Tools model plans.

Each technician's shifts become one-day technicians ("vehicles", id `technician@day`) of an
expanded one-day-style problem that insertion.py can fill: crew visits first, each at one start
that `crew_size` vehicles of one day can all keep (one copy of the visit per member, its window
that start alone, pinned to its vehicle); then every other visit at its cheapest place, earliest
day first (insertion.place weighs Problem.day_wait_cost). A pinned visit keeps its technician
through a skill only that technician's vehicles have. The plan is mapped back (routes by
technician and day, copies to their visit) and checked by the validator.
"""

from __future__ import annotations

from dataclasses import replace

from .checker import check, plan_cost
from .errors import InvalidProblem
from .insertion import DayRoutes, Insertion, Legs, Sequences, place
from .plan import Plan, PlanStatus, Route, SolverInfo, totals_of, wait_days_of
from .problem import Problem, Technician, TimeWindow, Visit
from .reasons import explain
from .sequence_plan import sequences_to_plan
from .stop_times import Item
from .timing import merged

VEHICLE = "@"  # vehicle id: technician id @ day
MEMBER = "#crew"  # a crew member's copy of a visit: visit id #crew member
CREW_STEP_S = 1800  # common starts tried for a crew, from its window's start
INSERTION = "insertion"
Crews = dict[str, tuple[int, tuple[str, ...]]]  # crew visit -> (start, vehicle ids)


def first_plan(problem: Problem) -> Plan | None:
    """The first plan of a multi-day or crew problem; None when the validator rejects it."""
    if any(MEMBER in v.id for v in problem.visits):  # a copy's id could clash with a visit's
        return None
    fleet = _fleet(problem)
    crews, sequences = _place_crews(problem, fleet)
    expanded = _expanded(problem, fleet, crews)
    solo = [v.id for v in problem.visits if v.crew_size == 1]
    try:
        placement = place(expanded, sequences, solo)
        plan = _mapped_back(problem, sequences_to_plan(expanded, placement.sequences))
    except InvalidProblem:  # a route that cannot be timed: no first plan
        return None
    return None if check(problem, plan) else plan


def filled(problem: Problem, plan: Plan) -> Plan:
    """The plan with the solo visits it leaves out put at their cheapest feasible places
    (crews and routes kept as they are), when that serves more weight; else the plan itself."""
    solo = [u.visit for u in plan.unassigned if _crew_size(problem, u.visit) == 1]
    if not solo or any(MEMBER in v.id for v in problem.visits):
        return plan
    crews, sequences = _as_expanded(problem, plan)
    expanded = _expanded(problem, _fleet(problem), crews)
    try:
        placement = place(expanded, sequences, solo)
        better = _mapped_back(problem, sequences_to_plan(expanded, placement.sequences))
    except InvalidProblem:  # a route our insertion cannot time as given: keep the plan
        return plan
    gained = plan_cost(problem, better).weight_served > plan_cost(problem, plan).weight_served
    if not gained or check(problem, better):
        return plan
    return replace(better, solver=plan.solver)


def expanded(problem: Problem, plan: Plan) -> tuple[Problem, dict[str, tuple[Item, ...]]]:
    """The plan as routes of the expanded problem (a vehicle per technician and day, its crews
    as copies pinned to their members at their start); horizon_moves.py works on these.

    Raises:
        InvalidProblem: when a visit's id could clash with a crew member's copy.
    """
    if any(MEMBER in v.id for v in problem.visits):
        raise InvalidProblem(f"a visit id holds {MEMBER!r}, kept for crew copies.", field="id")
    crews, sequences = _as_expanded(problem, plan)
    return _expanded(problem, _fleet(problem), crews), sequences


def plan_of(problem: Problem, expanded_problem: Problem, sequences: Sequences) -> Plan:
    """The plan of routes of the expanded problem, in the problem's terms (not checked).

    Raises:
        InvalidProblem: on a route that cannot be timed.
    """
    return _mapped_back(problem, sequences_to_plan(expanded_problem, sequences))


def owner(vehicle_id: str) -> str:
    """The technician of a vehicle of the expanded problem."""
    return _owner(vehicle_id)


def is_copy(item: Item) -> bool:
    """True for a crew member's copy of a visit in a sequence of the expanded problem."""
    return isinstance(item, str) and MEMBER in item


def _crew_size(problem: Problem, visit_id: str) -> int:
    return next((v.crew_size for v in problem.visits if v.id == visit_id), 1)


def _as_expanded(problem: Problem, plan: Plan) -> tuple[Crews, dict[str, tuple[Item, ...]]]:
    """The plan's crews (start, vehicles) and its routes as sequences of the expanded problem
    (a crew visit's stop as its member's copy)."""
    crew_visits = {v.id for v in problem.visits if v.crew_size > 1}
    members: dict[str, list[str]] = {}
    starts: dict[str, int] = {}
    sequences: dict[str, tuple[Item, ...]] = {}
    for r in plan.routes:
        vehicle = f"{r.technician}{VEHICLE}{r.day}"
        items: list[Item] = []
        for s in r.stops:
            if s.visit in crew_visits:
                members.setdefault(s.visit, []).append(vehicle)
                starts[s.visit] = s.start_s
                items.append(f"{s.visit}{MEMBER}{len(members[s.visit]) - 1}")
            else:
                items.append(s.visit)
        sequences[vehicle] = tuple(items)
    crews = {vid: (starts[vid], tuple(vehicles)) for vid, vehicles in members.items()}
    return crews, sequences


def _fleet(problem: Problem) -> tuple[Technician, ...]:
    """Every technician on each of its shifts, as a one-day technician `id@day` that also has
    the skill of its pins."""
    return tuple(
        replace(
            t.on_shift(k),
            id=f"{t.id}{VEHICLE}{s.day}",
            skills=t.skills | {_pin(t.id)},
        )
        for t in problem.technicians
        for k, s in enumerate(t.shifts)
    )


def _pin(technician_id: str) -> str:
    return f"pinned to {technician_id}"


def _solo(visit: Visit) -> Visit:
    """The visit in the expanded problem: its pin as a skill, no preferences (costs only)."""
    skills = visit.skills
    if visit.pinned_technician is not None:
        skills = skills | {_pin(visit.pinned_technician)}
    return replace(
        visit,
        skills=skills,
        pinned_technician=None,
        preferred_technician=None,
        previous_technician=None,
        crew_size=1,
    )


def _copies(problem: Problem, crews: Crews) -> list[Visit]:
    """Each placed crew visit's member copies, at their start, pinned to their vehicles."""
    by_id = {v.id: v for v in problem.visits}
    return [
        replace(
            _solo(by_id[vid]),
            id=f"{vid}{MEMBER}{m}",
            windows=(TimeWindow(start_s, start_s),),
            skills=by_id[vid].skills,
            pinned_technician=vehicle,
        )
        for vid, (start_s, vehicles) in crews.items()
        for m, vehicle in enumerate(vehicles)
    ]


def _expanded(
    problem: Problem, fleet: tuple[Technician, ...], crews: Crews, *, solo: bool = True
) -> Problem:
    """The one-day-style problem over the fleet: the solo visits (when asked) and the copies."""
    visits = [_solo(v) for v in problem.visits if v.crew_size == 1] if solo else []
    return Problem(
        technicians=fleet,
        visits=(*visits, *_copies(problem, crews)),
        travel=problem.travel,
        name=problem.name,
        day_wait_cost=problem.day_wait_cost,
    )


def _place_crews(
    problem: Problem, fleet: tuple[Technician, ...]
) -> tuple[Crews, dict[str, tuple[Item, ...]]]:
    """Place the crew visits, most urgent first, each at the cheapest common start of its
    earliest window some crew can keep; the crews and the fleet's sequences."""
    crews: Crews = {}
    sequences: dict[str, tuple[Item, ...]] = {}
    order = sorted((v for v in problem.visits if v.crew_size > 1), key=_urgency)
    for visit in order:
        routes = DayRoutes(_expanded(problem, fleet, crews, solo=False), sequences)
        sequences = _crew_added(routes, visit, fleet, crews) or sequences
    return crews, sequences


def with_crews(problem: Problem, plan: Plan) -> Plan:
    """The plan with the crew visits it leaves out put, most urgent first, at a common start
    some crew can keep around the routes as they are; the plan itself when none fits."""
    unserved = {u.visit for u in plan.unassigned}
    order = sorted(
        (v for v in problem.visits if v.id in unserved and v.crew_size > 1), key=_urgency
    )
    if not order or any(MEMBER in v.id for v in problem.visits):
        return plan
    fleet = _fleet(problem)
    crews, sequences = _as_expanded(problem, plan)
    routes = DayRoutes(_expanded(problem, fleet, crews), sequences)
    placed = 0
    for visit in order:
        found = _crew_added(routes, visit, fleet, crews)
        if found is not None:  # the copies are new visits of the expanded problem
            placed, sequences = placed + 1, found
            routes = DayRoutes(_expanded(problem, fleet, crews), sequences)
    if not placed:
        return plan
    try:
        better = _mapped_back(problem, sequences_to_plan(routes.problem, sequences))
    except InvalidProblem:  # a route our insertion cannot time as given: keep the plan
        return plan
    return plan if check(problem, better) else replace(better, solver=plan.solver)


def _crew_added(
    routes: DayRoutes, visit: Visit, fleet: tuple[Technician, ...], crews: Crews
) -> dict[str, tuple[Item, ...]] | None:
    """The sequences with the crew visit at its cheapest common start (crews gets its crew),
    or None when no crew can start it together."""
    found = _crew_start(routes, visit, fleet)
    if found is None:
        return None
    start_s, chosen = found
    crews[visit.id] = (start_s, tuple(tech_id for tech_id, _ in chosen))
    sequences = dict(routes.sequences)
    for m, (tech_id, insertion) in enumerate(chosen):
        member = f"{visit.id}{MEMBER}{m}"  # members are distinct vehicles: one insertion each
        sequences[tech_id] = routes.with_insertion(insertion, member)[tech_id]
    return sequences


def _crew_start(
    routes: DayRoutes, visit: Visit, fleet: tuple[Technician, ...]
) -> tuple[int, list[tuple[str, Insertion]]] | None:
    """The cheapest start, in the earliest window that has one, where crew_size vehicles can
    each insert the visit; with those vehicles and their insertions."""
    # Any skilled vehicle may be a member; _crew_of puts the pinned technician in the crew.
    member = replace(_solo(visit), id=f"{visit.id}{MEMBER}", skills=visit.skills)
    legs = _legs(routes, member)
    for lo_s, hi_s in merged(visit.windows):
        able = [
            t
            for t in fleet
            if visit.skills <= t.skills and t.shift.start_s <= hi_s and lo_s <= t.latest_end_s
        ]
        best: tuple[int, int, list[tuple[str, Insertion]]] | None = None
        for start_s in range(lo_s, hi_s + 1, CREW_STEP_S):
            point = [TimeWindow(start_s, start_s)]
            fits = []
            for t in able:
                found = routes.best_insertions(replace(member, pinned_technician=t.id), point, legs)
                if found[0] is not None:
                    fits.append((found[0].added_travel_s, t.id, found[0]))
            chosen = _crew_of(fits, visit)
            if chosen is not None:
                cost = sum(f[0] for f in chosen)
                if best is None or cost < best[0]:
                    best = (cost, start_s, [(tech_id, ins) for _, tech_id, ins in chosen])
        if best is not None:
            return best[1], best[2]
    return None


def _crew_of(
    fits: list[tuple[int, str, Insertion]], visit: Visit
) -> list[tuple[int, str, Insertion]] | None:
    """The cheapest crew among the vehicles that fit (the pinned technician's first)."""
    fits = sorted(fits)
    if visit.pinned_technician is not None:
        pinned = [f for f in fits if _owner(f[1]) == visit.pinned_technician]
        fits = pinned[:1] + [f for f in fits if f not in pinned[:1]]
        if not pinned:
            return None
    return fits[: visit.crew_size] if len(fits) >= visit.crew_size else None


def _legs(routes: DayRoutes, visit: Visit) -> Legs:
    """The visit's drive times from and to every place of the routes (once per crew visit)."""
    from .travel import build_rows

    places = list(routes.locations)
    here = [visit.location]
    into = routes.problem.travel
    return Legs(
        into_s=build_rows(into, places, here).durations_s[:, 0].tolist(),
        out_of_s=build_rows(into, here, places).durations_s[0].tolist(),
    )


def _urgency(visit: Visit) -> tuple[int, int, str]:
    return (-visit.priority, min(w.end_s for w in visit.windows), visit.id)


def _owner(vehicle_id: str) -> str:
    return vehicle_id.rsplit(VEHICLE, 1)[0]


def _mapped_back(problem: Problem, expanded: Plan) -> Plan:
    """The expanded plan in the problem's terms: routes by technician and day, copies as their
    visit, the unassigned visits with the problem's reasons."""
    routes = tuple(_route_back(r) for r in expanded.routes)
    served = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(problem.visits) if v.id not in served]
    unassigned = explain(problem, dropped)
    totals = totals_of(routes, len(unassigned), wait_days_of(problem, routes))
    info = SolverInfo(PlanStatus.FEASIBLE, 0.0, totals.travel_s, first_plan=INSERTION)
    return Plan(routes, unassigned, totals, info)


def _route_back(route: Route) -> Route:
    technician, day = route.technician.rsplit(VEHICLE, 1)
    stops = tuple(replace(s, visit=s.visit.rsplit(MEMBER, 1)[0]) for s in route.stops)
    return replace(route, technician=technician, day=int(day), stops=stops)
