"""Making room for left-out visits (optimizer.make_room): a visit goes where others made way,
they move to other routes or, weighing less, stay out; every plan passes the validator."""

from __future__ import annotations

import time
from typing import Any

from optimizer import backends, sequences_to_plan
from optimizer.make_room import NEAREST_ROUTES, make_room
from optimizer.plan import Plan
from optimizer.problem import Problem, Technician, Visit
from optimizer.route_costs import RouteCosts

from .conftest import (
    H,
    assert_plan_valid,
    make_problem,
    make_random_problem,
    make_technician,
    make_visit,
    window,
)


def _later(seconds: float = 30.0) -> float:
    return time.perf_counter() + seconds


def _morning(id: str, **overrides: Any) -> Technician:
    """A technician free 08:00-12:00 at home 0: room for one three-hour visit."""
    return make_technician(id, shift=window(8, 12), **overrides)


def _long(id: str, **overrides: Any) -> Visit:
    """A three-hour visit at place 1, any time of the morning."""
    return make_visit(id, place=1, duration_s=3 * H, windows=(window(8, 12),), **overrides)


def _served(problem: Problem, plan: Plan) -> dict[str, str]:
    assert_plan_valid(problem, plan)
    return {s.visit: r.technician for r in plan.routes for s in r.stops}


def test_an_urgent_visit_takes_the_place_of_a_lighter_one() -> None:
    """One technician, room for one visit: the priority-3 visit left out takes the place of the
    priority-1 visit, which is then left out instead."""
    problem = make_problem([_morning("t1")], [_long("routine"), _long("urgent", priority=3)])
    plan = sequences_to_plan(problem, {"t1": ["routine"]})
    better = make_room(problem, plan, _later())
    assert _served(problem, better) == {"urgent": "t1"}
    assert backends.rank(problem, better) < backends.rank(problem, plan)


def test_a_visit_moves_to_another_route_to_make_room() -> None:
    """The left-out visit is pinned to t1, whose morning is full: t1's visit moves to t2, and
    both are served."""
    problem = make_problem(
        [_morning("t1"), _morning("t2")], [_long("a"), _long("pinned", pinned_technician="t1")]
    )
    plan = sequences_to_plan(problem, {"t1": ["a"]})
    better = make_room(problem, plan, _later())
    assert _served(problem, better) == {"pinned": "t1", "a": "t2"}


def test_room_is_made_along_a_chain_of_routes() -> None:
    """c may go only to t1; t1's visit a only to t1 or t2; t2's visit b to t2 or t3: c takes
    a's place, a takes b's, and b goes to t3, all three served."""
    techs = [
        _morning("t1", skills=frozenset({"x"})),
        _morning("t2", skills=frozenset({"x", "y"})),
        _morning("t3", skills=frozenset({"y"})),
    ]
    visits = [
        _long("a", skills=frozenset({"x"})),
        _long("b", skills=frozenset({"y"})),
        _long("c", pinned_technician="t1"),
    ]
    problem = make_problem(techs, visits)
    plan = sequences_to_plan(problem, {"t1": ["a"], "t2": ["b"]})
    better = make_room(problem, plan, _later())
    assert _served(problem, better) == {"c": "t1", "a": "t2", "b": "t3"}


def test_a_visit_goes_beyond_its_nearest_routes_when_they_have_no_room() -> None:
    """Eight technicians next to the visit are full with urgent visits; the ninth, far away,
    is free: the first pass (nearest NEAREST_ROUTES) finds no room, the wider pass does."""
    busy = [_morning(f"t{k}") for k in range(NEAREST_ROUTES)]
    urgent = [
        make_visit(f"busy{k}", duration_s=3 * H + 30 * 60, windows=(window(8, 12),), priority=3)
        for k in range(NEAREST_ROUTES)
    ]
    problem = make_problem([*busy, _morning("far", home=10)], [*urgent, make_visit("late")])
    plan = sequences_to_plan(problem, {f"t{k}": [f"busy{k}"] for k in range(NEAREST_ROUTES)})
    better = make_room(problem, plan, _later())
    served = _served(problem, better)
    assert served["late"] == "far"
    assert all(served[f"busy{k}"] == f"t{k}" for k in range(NEAREST_ROUTES))


def test_no_room_and_no_time_leave_the_plan_as_it_was() -> None:
    """Two equal visits for one technician's single slot: swapping serves no more weight, so
    the plan stays; with the deadline already past, nothing is tried either."""
    problem = make_problem([_morning("t1")], [_long("a"), _long("b")])
    plan = sequences_to_plan(problem, {"t1": ["a"]})
    assert make_room(problem, plan, _later()) is plan
    urgent = make_problem([_morning("t1")], [_long("a"), _long("b", priority=3)])
    plan = sequences_to_plan(urgent, {"t1": ["a"]})
    assert make_room(urgent, plan, time.perf_counter()) is plan


def test_random_days_gain_weight_and_stay_valid() -> None:
    """On small random days (skills, windows, lunch breaks, priorities), starting from our
    greedy insertion plan, make_room serves more priority weight on every one, validly."""
    for seed in range(4):
        problem = make_random_problem(seed, technicians=3, visits=30)
        plan = backends.insertion_plan(problem)
        assert plan is not None
        better = make_room(problem, plan, _later(10.0))
        assert_plan_valid(problem, better)
        assert backends.rank(problem, better)[0] < backends.rank(problem, plan)[0]


def test_route_costs_add_up_to_the_plan_cost() -> None:
    """The routes' costs (travel, overtime at its price, preferences) add up to rank()'s cost
    for a plan with overtime and a visit given to someone other than its preferred technician."""
    problem = make_problem(
        [make_technician("t1", shift=window(8, 9), max_overtime_s=3 * H), make_technician("t2")],
        [make_visit("a", place=5, duration_s=H, preferred_technician="t2"), make_visit("b")],
    )
    plan = sequences_to_plan(problem, {"t1": ["a", "b"]})
    costs = RouteCosts(problem)
    route = costs.cost(0, ("a", "b"))
    assert plan.routes[0].overtime_s > 0
    assert route == backends.rank(problem, plan)[1]
    assert costs.cost(0, ("b", "a")) is not None and costs.cost(1, ()) == 0


def test_best_insertion_is_the_cheapest_valid_place() -> None:
    """The visit goes between the two stops it lies between, and the new route is valid."""
    problem = make_problem(
        [make_technician("t1")],
        [make_visit("a", place=2), make_visit("b", place=6), make_visit("c", place=4)],
    )
    costs = RouteCosts(problem)
    found = costs.best_insertion(0, ("a", "b"), "c")
    assert found is not None and found[1] == ("a", "c", "b")
    assert_plan_valid(problem, sequences_to_plan(problem, {"t1": found[1]}))
