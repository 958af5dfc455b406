"""The independent plan validator: check(problem, plan) lists every rule the plan breaks.

It shares no code with the solver (model.py, solver.py), so a solver bug cannot hide itself here;
the one thing both use is travel.build_table, which defines what travel between two places costs.
Rules about who serves what live here, rules about time in check_time.py. The plan semantics and
every violation code are documented in docs/formats.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import check_time
from .check_context import CheckContext, clock, make_context
from .check_context import Violation as Violation
from .plan import Plan
from .problem import Problem

__all__ = ["RULES", "PlanCost", "Violation", "check", "is_valid", "plan_cost"]


def check(problem: Problem, plan: Plan) -> list[Violation]:
    """Every rule the plan breaks, in RULES order; an empty list when the plan is valid."""
    ctx = make_context(problem, plan)
    return [v for rule in RULES for v in rule(ctx)]


def is_valid(problem: Problem, plan: Plan) -> bool:
    """True when check() finds nothing."""
    return not check(problem, plan)


# --- assignment: who serves what --------------------------------------------------------------


def _visits_at_most_once(ctx: CheckContext) -> Iterator[Violation]:
    """Each visit is served at most once over the horizon, by as many technicians as its crew
    (one stop each, all at the same start), and never both routed and unassigned."""
    stops: dict[str, list[tuple[str, int]]] = {}
    for r in ctx.plan.routes:
        for s in r.stops:
            stops.setdefault(s.visit, []).append((r.technician, s.start_s))
    dropped = Counter(u.visit for u in ctx.plan.unassigned)
    for vid, served in stops.items():
        yield from _served_once(ctx, vid, served)
        if vid in dropped:
            msg = f"visit {vid} is both routed and unassigned."
            yield Violation("routed_and_unassigned", msg, visit=vid)
    for vid, n in dropped.items():
        if n > 1:
            msg = f"visit {vid} is listed {n} times as unassigned."
            yield Violation("duplicate_unassigned", msg, visit=vid)


def _served_once(ctx: CheckContext, vid: str, served: list[tuple[str, int]]) -> Iterator[Violation]:
    """The stops of one visit: crew_size of them, by distinct technicians, at one start."""
    crew = ctx.visits[vid].crew_size if vid in ctx.visits else 1
    n, technicians = len(served), {t for t, _ in served}
    if n > crew or len(technicians) < n:
        yield Violation("duplicate_visit", f"visit {vid} is routed {n} times.", visit=vid)
    elif n < crew:
        msg = f"visit {vid} needs a crew of {crew} but is on {n} route(s)."
        yield Violation("crew_incomplete", msg, visit=vid)
    starts = sorted({start_s for _, start_s in served})
    if crew > 1 and len(starts) > 1:
        when = ", ".join(clock(s) for s in starts)
        msg = f"the crew of visit {vid} starts at different times: {when}."
        yield Violation("crew_start_mismatch", msg, visit=vid)


def _visits_accounted_for(ctx: CheckContext) -> Iterator[Violation]:
    """Every visit of the problem is either routed or listed as unassigned."""
    seen = {s.visit for r in ctx.plan.routes for s in r.stops}
    seen |= {u.visit for u in ctx.plan.unassigned}
    for v in ctx.problem.visits:
        if v.id not in seen:
            msg = f"visit {v.id} is neither routed nor listed as unassigned."
            yield Violation("missing_visit", msg, visit=v.id)


def _ids_known(ctx: CheckContext) -> Iterator[Violation]:
    """Every technician and visit the plan names exists in the problem."""
    for r in ctx.plan.routes:
        if r.technician not in ctx.technicians:
            msg = f"route of unknown technician {r.technician}."
            yield Violation("unknown_technician", msg, technician=r.technician)
        for s in r.stops:
            if s.visit not in ctx.visits:
                msg = f"stop at unknown visit {s.visit}."
                yield Violation("unknown_visit", msg, technician=r.technician, visit=s.visit)
    for u in ctx.plan.unassigned:
        if u.visit not in ctx.visits:
            yield Violation("unknown_visit", f"unknown visit {u.visit} unassigned.", visit=u.visit)


def _one_route_per_technician(ctx: CheckContext) -> Iterator[Violation]:
    """A technician has at most one route a day, on a day it has a shift, and only days with
    stops have one."""
    counts = Counter((r.technician, r.day) for r in ctx.plan.routes)
    for (tid, day), n in counts.items():
        if n > 1:
            msg = f"technician {tid} has {n} routes on day {day}."
            yield Violation("duplicate_route", msg, technician=tid)
    for r in ctx.plan.routes:
        tech = ctx.technicians.get(r.technician)
        if tech is not None and tech.shift_on(r.day) is None:
            msg = f"technician {r.technician} has a route on day {r.day}, which it has off."
            yield Violation("no_shift_on_day", msg, technician=r.technician)
        if not r.stops:
            msg = f"technician {r.technician} has a route without stops."
            yield Violation("empty_route", msg, technician=r.technician)


def _skills(ctx: CheckContext) -> Iterator[Violation]:
    """The technician has every skill the visit needs."""
    for r, _, v in ctx.stops():
        tech = ctx.technicians.get(r.technician)
        if tech is not None and not v.skills <= tech.skills:
            lacking = ", ".join(sorted(v.skills - tech.skills))
            msg = f"technician {tech.id} lacks {lacking} needed by visit {v.id}."
            yield Violation("missing_skill", msg, technician=tech.id, visit=v.id)


def _pinned(ctx: CheckContext) -> Iterator[Violation]:
    """A pinned visit is served by its pinned technician (one of its crew for a crew visit)."""
    for r, _, v in ctx.stops():
        if v.pinned_technician is None or r.technician == v.pinned_technician:
            continue
        if v.crew_size == 1 or v.pinned_technician not in ctx.plan.crew_of(v.id):
            msg = f"visit {v.id} is pinned to {v.pinned_technician} but served by {r.technician}."
            yield Violation("pinned_technician", msg, technician=r.technician, visit=v.id)


def _capacity(ctx: CheckContext) -> Iterator[Violation]:
    """The demand of a route's visits fits the technician's capacity."""
    for r, tech in ctx.routed():
        if tech.capacity is None:
            continue
        demand = sum(ctx.visits[s.visit].demand for s in r.stops if s.visit in ctx.visits)
        if demand > tech.capacity:
            msg = f"technician {tech.id} carries demand {demand} over its capacity {tech.capacity}."
            yield Violation("capacity_exceeded", msg, technician=tech.id)


# --- sums: what the plan states about itself ----------------------------------------------------


def _route_sums(ctx: CheckContext) -> Iterator[Violation]:
    """A route's travel_s and distance_m are the travel table summed along start -> stops -> end."""
    for r in ctx.plan.routes:
        legs = ctx.legs(r)
        if legs is None:
            continue
        travel_s = sum(leg.travel_s for leg in legs)
        distance_m = sum(leg.distance_m for leg in legs)
        if r.travel_s != travel_s:
            msg = f"route of {r.technician} states {r.travel_s} s of travel, not {travel_s} s."
            yield Violation("route_travel_mismatch", msg, technician=r.technician)
        if r.distance_m != distance_m:
            msg = f"route of {r.technician} states {r.distance_m} m, not {distance_m} m."
            yield Violation("route_distance_mismatch", msg, technician=r.technician)


def _totals(ctx: CheckContext) -> Iterator[Violation]:
    """The plan totals are the sums over its routes (each checked above) and unassigned."""
    routes, stated = ctx.plan.routes, ctx.plan.totals
    waits = (ctx.visits[vid].wait_days(start_s) for vid, start_s in _starts(ctx).items())
    expected = {
        "assigned": len({s.visit for r in routes for s in r.stops}),
        "unassigned": len(ctx.plan.unassigned),
        "travel_s": sum(r.travel_s for r in routes),
        "distance_m": sum(r.distance_m for r in routes),
        "overtime_s": sum(r.overtime_s for r in routes),
        "wait_days": sum(waits),
    }
    for name, value in expected.items():
        if getattr(stated, name) != value:
            msg = f"totals.{name} is {getattr(stated, name)}, the plan sums to {value}."
            yield Violation("totals_mismatch", msg)


def _starts(ctx: CheckContext) -> dict[str, int]:
    """The service start of each routed visit of the problem (a crew's first stop's)."""
    starts: dict[str, int] = {}
    for _, s, v in ctx.stops():
        starts.setdefault(v.id, s.start_s)
    return starts


@dataclass(frozen=True, slots=True)
class PlanCost:
    """What a plan is worth, as the validator counts it: weight served (more is better), then
    cost in travel seconds: travel, overtime x its cost, preference, stability and waiting."""

    weight_served: int
    cost: int
    wait_days: int


def plan_cost(problem: Problem, plan: Plan) -> PlanCost:
    """The plan's worth by the problem's rules, independent of the solver's objective."""
    ctx = make_context(problem, plan)
    starts = _starts(ctx)
    cost = 0
    for r, tech in ctx.routed():
        cost += r.travel_s + tech.overtime_cost * r.overtime_s
    for vid in starts:
        v, crew = ctx.visits[vid], ctx.plan.crew_of(vid)
        if v.preferred_technician is not None and v.preferred_technician not in crew:
            cost += problem.preference_cost
        if v.previous_technician is not None and v.previous_technician not in crew:
            cost += problem.stability_cost
    wait_days = sum(ctx.visits[vid].wait_days(start_s) for vid, start_s in starts.items())
    weight = sum(ctx.visits[vid].weight for vid in starts)
    return PlanCost(weight, cost + problem.day_wait_cost * wait_days, wait_days)


Rule = Callable[[CheckContext], Iterator[Violation]]

# Every rule in one place; docs/formats.md lists their codes.
RULES: tuple[Rule, ...] = (
    _ids_known,
    _visits_at_most_once,
    _visits_accounted_for,
    _one_route_per_technician,
    _skills,
    _pinned,
    _capacity,
    check_time.windows,
    check_time.service_times,
    check_time.travel_times,
    check_time.shift,
    check_time.overtime,
    check_time.breaks_taken,
    check_time.break_placement,
    _route_sums,
    _totals,
)
