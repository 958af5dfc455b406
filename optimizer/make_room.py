"""Make room for the visits a plan leaves out (issue 14): each left-out visit, most urgent first,
goes into a nearby route from which none, one or two visits are taken out; those go to their
cheapest places on other routes (or back into the same route elsewhere), or stay out when they
weigh less than the visit that took their place. A move is kept only when the whole plan, as
the validator sees it, ranks better: more priority weight served, then lower cost.

Greedy insertion alone places nothing here (measured on 100x500: none of the visits VROOM's
cut-short plan leaves out fits anywhere without moving others), and ruin-and-recreate of a
visit's neighbourhood re-placed greedily found no room either; this search moves only what is
in the way, and tries the cheapest room first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations

from .backends import checked_plan, rank
from .errors import InvalidProblem
from .insertion import DayRoutes
from .plan import Plan
from .problem import Problem
from .route_costs import Items, RouteCosts
from .stop_times import break_spans

# Routes tried for a visit, nearest first: room far away costs more than it is likely worth.
NEAREST_ROUTES = 8
# ... and when a pass over the left-out visits found room for none, a last pass over this many:
# a visit few technicians may serve (a late car service on 200x1000, the one visit left out
# after 1200 s) has none of their routes among its nearest 8 that can take it; among 30 one
# took it at once (0.7 s, 2026-12-03).
WIDE_ROUTES = 32
# Ways of making room tried per visit (each re-places what it took out), cheapest first.
MOVES_PER_VISIT = 60
# ... and deeper in a chain, for each visit taken out.
MOVES_DEEPER = 12
# Visits taken out of a route at most to make room.
MAX_EJECTED = 2
# A visit taken out may itself take visits out of another route, this many levels in all; at
# the last level it only goes where it fits as the routes are. Four levels against three, from
# VROOM's plans (2026-12-03, load 2.5): 20x100 from level 2, 96 -> 99 served instead of 97;
# 50x250 from level 2, 248 -> 250 (every visit) instead of 249; 100x500 from level 0,
# 490 -> 496 in 6.3 s instead of 495 in 3.5 s.
CHAIN_DEPTH = 4


@dataclass(frozen=True, slots=True)
class _Move:
    """The visit into technician k's route, `ejected` taken out of it: the new route and what
    it adds to the route's cost."""

    added: int
    k: int
    ejected: tuple[str, ...]
    route: Items


@dataclass
class _Day:
    """The routes as they improve, per technician index (a technician without visits has its
    breaks), how to price them, and each visit's nearest routes (until the routes change)."""

    costs: RouteCosts
    routes: dict[int, Items]
    weights: dict[str, int]
    near: dict[str, list[int]] = field(default_factory=dict)
    reach: int = NEAREST_ROUTES  # how many of a visit's nearest routes are tried


def make_room(
    problem: Problem,
    plan: Plan,
    deadline_s: float,
    should_stop: Callable[[], bool] | None = None,
) -> Plan:
    """The plan with left-out visits served where room was made for them, by the deadline (a
    perf_counter time); the plan itself when no room was found (always on a multi-day or crew
    problem). Its solver info is the plan's."""
    if not plan.unassigned or not problem.single_day_solo:
        return plan
    day = _start(problem, plan)
    if day is None:
        return plan
    best, best_rank = plan, rank(problem, plan)

    def out_of_time() -> bool:
        return time.perf_counter() >= deadline_s or (should_stop is not None and should_stop())

    progress = True
    while progress and not out_of_time():
        progress = False
        for visit_id in _most_urgent(problem, best):
            if out_of_time():
                break
            routes = _room_for(day, visit_id, out_of_time)
            found = None if routes is None else checked_plan(problem, _named(day, routes))
            if found is not None and rank(problem, found) < best_rank:
                best, best_rank = found, rank(problem, found)
                day.routes, day.near = routes or {}, {}
                progress = True
        if not progress and day.reach < WIDE_ROUTES:  # one more pass, over more routes
            day.reach, day.near, progress = WIDE_ROUTES, {}, True
    return best if best is plan else replace(best, solver=plan.solver)


def _start(problem: Problem, plan: Plan) -> _Day | None:
    """The plan's routes with their breaks placed (insertion.DayRoutes), or None when a route
    cannot be timed by our rules."""
    costs = RouteCosts(problem)
    try:
        visits = {r.technician: [s.visit for s in r.stops] for r in plan.routes}
        sequences = DayRoutes(problem, visits).sequences
    except InvalidProblem:
        return None
    routes: dict[int, Items] = {}
    for k, tech in enumerate(problem.technicians):
        spans = break_spans(tech)  # an empty route: its breaks in the order they may start
        order = sorted(
            range(len(spans)), key=lambda b: spans[b].spans[0][0] if spans[b].spans else 0
        )
        routes[k] = tuple(sequences.get(tech.id, order))
    if any(costs.cost(k, items) is None for k, items in routes.items()):
        return None  # a route of the plan our rules cannot time as placed: left as it is
    return _Day(costs, routes, {v.id: v.weight for v in problem.visits})


def _most_urgent(problem: Problem, plan: Plan) -> list[str]:
    """The visits the plan leaves out, highest priority first, then tightest window."""
    by_id = {v.id: v for v in problem.visits}
    left = [by_id[u.visit] for u in plan.unassigned]
    left.sort(key=lambda v: (-v.priority, min(w.end_s for w in v.windows), v.id))
    return [v.id for v in left]


def _room_for(day: _Day, visit_id: str, out_of_time: Callable[[], bool]) -> dict[int, Items] | None:
    """Routes that serve the visit and more weight in all, or None when no room was found."""
    found = _inserted(day, day.routes, visit_id, CHAIN_DEPTH, frozenset(), out_of_time)
    return None if found is None else found[0]


def _inserted(
    day: _Day,
    routes: dict[int, Items],
    visit_id: str,
    depth: int,
    fixed: frozenset[str],
    out_of_time: Callable[[], bool],
) -> tuple[dict[int, Items], int] | None:
    """(routes, weight lost) with the visit served, what it displaced re-placed the same way
    `depth` - 1 levels down and the rest left out, weighing less than the visit; None when
    there is no such room. Visits in `fixed` stay where they are."""
    moves = sorted(
        _moves(day, routes, visit_id, depth, fixed), key=lambda m: (len(m.ejected), m.added)
    )
    for move in moves[: MOVES_PER_VISIT if depth == CHAIN_DEPTH else MOVES_DEEPER]:
        if out_of_time():
            return None
        changed = dict(routes)
        changed[move.k] = move.route
        lost = 0
        held = fixed | {visit_id} | set(move.ejected)
        for e in sorted(move.ejected, key=lambda v: -day.weights[v]):
            found = None if depth <= 1 else _inserted(day, changed, e, depth - 1, held, out_of_time)
            if found is None:
                lost += day.weights[e]
            else:
                changed, lost = found[0], lost + found[1]
        if lost < day.weights[visit_id]:
            return changed, lost
    return None


def _moves(
    day: _Day, routes: dict[int, Items], visit_id: str, depth: int, fixed: frozenset[str]
) -> Iterator[_Move]:
    """Every way to fit the visit into one of its nearest routes with none, one or two of that
    route's visits taken out (none at the last level of a chain; never a fixed one)."""
    costs = day.costs
    most = 0 if depth <= 1 else MAX_EJECTED if depth == CHAIN_DEPTH else 1
    for k in _nearest(day, visit_id):
        items = routes[k]
        before = costs.cost(k, items)
        assert before is not None  # only routes our rules can time are in `routes`
        movable = [x for x in items if isinstance(x, str) and x not in fixed]
        for n in range(most + 1):
            for ejected in combinations(movable, n):
                rest = tuple(x for x in items if x not in ejected)
                found = costs.best_insertion(k, rest, visit_id)
                if found is not None:
                    yield _Move(found[0] - before, k, ejected, found[1])


def _nearest(day: _Day, visit_id: str) -> list[int]:
    """The technicians who may serve the visit, their routes (as the day has them, not as a
    chain being tried changes them) nearest to it first, at most day.reach."""
    found = day.near.get(visit_id)
    if found is None:
        costs = day.costs
        ks = [k for k in day.routes if costs.serves(k, visit_id)]
        ks.sort(key=lambda k: costs.nearness(visit_id, k, day.routes[k]))
        found = day.near[visit_id] = ks[: day.reach]
    return found


def _named(day: _Day, routes: dict[int, Items]) -> dict[str, Items]:
    """The routes with visits, by technician id."""
    techs = day.costs.problem.technicians
    return {techs[k].id: r for k, r in routes.items() if any(isinstance(x, str) for x in r)}
