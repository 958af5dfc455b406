"""A re-plan that prices moves starts from the plan it replaces (previous_plan.py)."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.plan import Plan
from optimizer.previous_plan import PREVIOUS, previous_plan
from optimizer.problem import Problem
from optimizer.solver import SolveParams

from .conftest import H, assert_plan_valid, make_problem, make_technician, make_visit, window

Solver = Callable[..., Plan]


def yesterday_s_plan(**costs: int) -> Problem:
    """t1 had a then b, t2 had c; d is new. Travel alone would give c to t1 (t2 lives far)."""
    techs = [make_technician("t1"), make_technician("t2", home=9)]
    visits = [
        make_visit("a", place=1, previous_technician="t1", previous_start_s=9 * H),
        make_visit("b", place=2, previous_technician="t1", previous_start_s=10 * H),
        make_visit("c", place=3, previous_technician="t2", previous_start_s=11 * H),
        make_visit("d", place=2),
    ]
    return make_problem(techs, visits, **costs)


def sequences(plan: Plan) -> dict[str, list[str]]:
    return {r.technician: [s.visit for s in r.stops] for r in plan.routes}


def test_previous_plan_keeps_the_routes_and_places_the_new_visit() -> None:
    """Priced, the first plan is yesterday's routes with d inserted where it is cheapest."""
    problem = yesterday_s_plan(stability_cost=1800)
    plan = previous_plan(problem)
    assert plan is not None
    assert_plan_valid(problem, plan)
    assert plan.solver.first_plan == PREVIOUS
    assert sequences(plan)["t2"] == ["c"]
    assert [v for v in sequences(plan)["t1"] if v != "d"] == ["a", "b"]
    assert "d" in sequences(plan)["t1"]


def test_previous_plan_is_not_used_without_prices() -> None:
    """Unpriced, a re-plan starts from scratch as before: no previous plan."""
    assert previous_plan(yesterday_s_plan(stability_cost=0, start_move_cost=0)) is None


def test_previous_plan_re_places_the_visits_of_a_route_that_no_longer_holds() -> None:
    """t1 now starts at 16:50: its old route cannot be driven, so a and b are placed afresh
    (t2 takes them) and the plan stays valid."""
    problem = yesterday_s_plan(stability_cost=1800)
    late = make_technician("t1", shift=window(16 + 50 / 60, 17))
    problem = make_problem([late, problem.technicians[1]], problem.visits, stability_cost=1800)
    plan = previous_plan(problem)
    assert plan is not None
    assert_plan_valid(problem, plan)
    assert {"a", "b", "c"} <= set(sequences(plan)["t2"])


def test_solve_with_prices_keeps_the_previous_plan(solve_valid: Solver) -> None:
    """Solved with a reassignment price of two hours, more than giving c to t1 saves, every
    visit stays with its previous technician."""
    problem = yesterday_s_plan(stability_cost=2 * H)
    plan = solve_valid(problem, SolveParams(time_limit_s=2, no_improvement_s=0.5))
    assert plan.technician_of("c") == "t2"
    assert plan.technician_of("a") == plan.technician_of("b") == "t1"
