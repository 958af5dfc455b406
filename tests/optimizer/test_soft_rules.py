"""Fair workload and stable starts: each soft rule when it holds and when it is broken, with the
validator's figures (check_soft) computed apart from the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from optimizer.check_soft import soft_costs, work_by_technician
from optimizer.plan import Plan
from optimizer.problem import Problem
from optimizer.sequence_plan import sequences_to_plan

from .conftest import H, M, assert_plan_valid, make_problem, make_technician, make_visit, window

Solver = Callable[..., Plan]


def four_hours_for_two(fairness_cost: int) -> Problem:
    """Two technicians at place 0, four one-hour visits together at place 1 (10 min away)."""
    techs = [make_technician("t1"), make_technician("t2")]
    visits = [make_visit(f"v{i}", place=1, duration_s=H) for i in range(4)]
    return make_problem(techs, visits, fairness_cost=fairness_cost)


def visits_per_technician(plan: Plan) -> list[int]:
    """How many visits each routed technician serves, fewest first."""
    return sorted(len(r.stops) for r in plan.routes)


# --- fair workload ------------------------------------------------------------------------------


def test_fair_workload_off_gives_the_travel_optimal_uneven_plan(solve_valid: Solver) -> None:
    """Weight 0: one technician drives out once and serves all four (20 min of travel)."""
    problem = four_hours_for_two(fairness_cost=0)
    plan = solve_valid(problem)
    assert visits_per_technician(plan) == [4]
    assert plan.totals.travel_s == 20 * M
    assert max(work_by_technician(problem, plan).values()) == 4 * H + 20 * M


def test_fair_workload_held_shares_the_visits(solve_valid: Solver) -> None:
    """Weight 1: each technician serves two; the longest day is 2 h 20 instead of 4 h 20."""
    problem = four_hours_for_two(fairness_cost=1)
    plan = solve_valid(problem)
    assert visits_per_technician(plan) == [2, 2]
    costs = soft_costs(problem, plan)
    assert costs.work_s == {"t1": 2 * H + 20 * M, "t2": 2 * H + 20 * M}
    assert costs.fairness_cost == 2 * H + 20 * M


def test_fair_workload_broken_by_an_uneven_plan_costs_more() -> None:
    """The validator prices a valid plan that gives one technician everything at its longest
    day, 4 h 20, above the even plan's 2 h 20."""
    problem = four_hours_for_two(fairness_cost=3)
    uneven = sequences_to_plan(problem, {"t1": ["v0", "v1", "v2", "v3"]})
    even = sequences_to_plan(problem, {"t1": ["v0", "v1"], "t2": ["v2", "v3"]})
    assert_plan_valid(problem, uneven)
    assert_plan_valid(problem, even)
    assert soft_costs(problem, uneven).fairness_cost == 3 * (4 * H + 20 * M)
    assert soft_costs(problem, even).fairness_cost == 3 * (2 * H + 20 * M)


def test_work_counts_every_route_of_a_technician() -> None:
    """Working time is grouped by technician id: two routes of t1 (days of a longer horizon)
    add up; t2 without a route works 0."""
    problem = four_hours_for_two(fairness_cost=1)
    one = sequences_to_plan(problem, {"t1": ["v0"]})
    other = sequences_to_plan(problem, {"t1": ["v1"]})
    both = Plan(one.routes + other.routes, (), one.totals, one.solver)
    assert work_by_technician(problem, both) == {"t1": 2 * (H + 20 * M), "t2": 0}


def test_fair_workload_prices_the_longest_day_not_the_week() -> None:
    """Over a horizon the rule, as the model (one vehicle a technician and day), prices the
    longest working day: t1's two days of 1 h 20 cost one day's 1 h 20, not their sum."""
    problem = four_hours_for_two(fairness_cost=3)
    one = sequences_to_plan(problem, {"t1": ["v0"]})
    other = sequences_to_plan(problem, {"t1": ["v1"]})
    days = (*one.routes, *(replace(r, day=1) for r in other.routes))
    week = Plan(days, (), one.totals, one.solver)
    costs = soft_costs(problem, week)
    assert costs.work_s["t1"] == 2 * (H + 20 * M)
    assert costs.fairness_cost == 3 * (H + 20 * M)


# --- stable starts ------------------------------------------------------------------------------


def promised_at_ten_and_eleven(start_move_cost: int) -> Problem:
    """One technician; a (place 1) last planned at 10:00, b (place 2) at 11:00, both 08-12."""
    a = make_visit("a", place=1, windows=(window(8, 12),), previous_start_s=10 * H)
    b = make_visit("b", place=2, windows=(window(8, 12),), previous_start_s=11 * H)
    return make_problem([make_technician()], [a, b], start_move_cost=start_move_cost)


def test_stable_starts_held_keep_the_promised_times(solve_valid: Solver) -> None:
    """Priced at 1 per second, both visits start exactly where the last plan had them."""
    problem = promised_at_ten_and_eleven(start_move_cost=1)
    plan = solve_valid(problem)
    starts = {s.visit: s.start_s for r in plan.routes for s in r.stops}
    assert starts == {"a": 10 * H, "b": 11 * H}
    costs = soft_costs(problem, plan)
    assert (costs.moved, costs.moved_s, costs.stability_cost) == (0, 0, 0)


def test_stable_starts_off_move_both_visits_forward(solve_valid: Solver) -> None:
    """Unpriced, service starts as early as it can (08:10, 08:50): the validator counts two
    moved visits, 1 h 50 + 2 h 10."""
    problem = promised_at_ten_and_eleven(start_move_cost=0)
    plan = solve_valid(problem)
    starts = {s.visit: s.start_s for r in plan.routes for s in r.stops}
    assert starts == {"a": 8 * H + 10 * M, "b": 8 * H + 50 * M}
    costs = soft_costs(problem, plan)
    assert (costs.moved, costs.moved_s) == (2, 4 * H)
    assert costs.stability_cost == 0  # not priced


def test_stable_starts_yield_to_a_late_technician(solve_valid: Solver) -> None:
    """A technician free only at 10:30 cannot keep a's 10:00: a starts as near as it can
    (10:40), b right after (11:20); the validator prices the 40 + 20 minutes."""
    problem = promised_at_ten_and_eleven(start_move_cost=2)
    late = make_technician(shift=window(10.5, 17))
    problem = make_problem([late], problem.visits, start_move_cost=2)
    plan = solve_valid(problem)
    starts = {s.visit: s.start_s for r in plan.routes for s in r.stops}
    assert starts == {"a": 10 * H + 40 * M, "b": 11 * H + 20 * M}
    assert soft_costs(problem, plan).stability_cost == 2 * 60 * M


def test_reassigned_visits_are_counted_and_priced() -> None:
    """A visit served by another than its previous technician counts once, at stability_cost."""
    techs = [make_technician("t1"), make_technician("t2")]
    visits = [make_visit("a", previous_technician="t2"), make_visit("b", previous_technician="t1")]
    problem = make_problem(techs, visits, stability_cost=900)
    plan = sequences_to_plan(problem, {"t1": ["a", "b"]})
    costs = soft_costs(problem, plan)
    assert (costs.reassigned, costs.stability_cost) == (1, 900)
