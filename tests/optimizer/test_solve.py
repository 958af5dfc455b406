"""solve(): known optima, plan times, empty problems, search control and progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from optimizer import budget, generate_day, model
from optimizer.errors import InvalidProblem
from optimizer.plan import Plan, PlanStatus, Progress, Reason
from optimizer.problem import Matrix, Problem
from optimizer.solver import SolveParams, solve

from .conftest import (
    H,
    M,
    assert_plan_valid,
    at,
    make_problem,
    make_random_problem,
    make_technician,
    make_visit,
    window,
)

Solver = Callable[..., Plan]


def test_solve_empty_problem_is_empty(solve_valid: Solver) -> None:
    """No visits: an empty plan with status EMPTY."""
    plan = solve_valid(make_problem([make_technician()], []))
    assert plan.solver.status is PlanStatus.EMPTY
    assert plan.routes == () and plan.unassigned == ()
    assert plan.totals.assigned == 0


def test_solve_without_technicians_leaves_every_visit_unassigned(solve_valid: Solver) -> None:
    """No technicians: every visit comes back unassigned, with a reason."""
    plan = solve_valid(make_problem([], [make_visit("v1"), make_visit("v2")]))
    assert plan.solver.status is PlanStatus.EMPTY
    assert [u.visit for u in plan.unassigned] == ["v1", "v2"]
    assert {u.reason for u in plan.unassigned} == {Reason.NO_SKILLED_TECHNICIAN}


def test_solve_one_technician_known_optimum(solve_valid: Solver) -> None:
    """On a one-way ring (40 min round, 120 min the other way) the plan is the ring, exactly."""
    ring_min = ((0, 10, 30, 30), (30, 0, 10, 30), (30, 30, 0, 10), (10, 30, 30, 0))
    travel = Matrix(
        durations_s=tuple(tuple(m * M for m in row) for row in ring_min),
        distances_m=tuple(tuple(m * 1000 for m in row) for row in ring_min),
    )
    visits = (make_visit("a", place=1), make_visit("b", place=2), make_visit("c", place=3))
    plan = solve_valid(Problem(technicians=(make_technician(),), visits=visits, travel=travel))
    assert plan.solver.status in (PlanStatus.FEASIBLE, PlanStatus.OPTIMAL)
    assert (plan.totals.travel_s, plan.totals.distance_m) == (40 * M, 40_000)
    (route,) = plan.routes
    assert [(s.visit, s.arrival_s, s.start_s, s.end_s) for s in route.stops] == [
        ("a", 8 * H + 10 * M, 8 * H + 10 * M, 8 * H + 40 * M),
        ("b", 8 * H + 50 * M, 8 * H + 50 * M, 9 * H + 20 * M),
        ("c", 9 * H + 30 * M, 9 * H + 30 * M, 10 * H),
    ]
    assert (route.start_s, route.end_s, route.overtime_s) == (8 * H, 10 * H + 10 * M, 0)


def test_solve_line_known_optimum(solve_valid: Solver) -> None:
    """Three places on a line out to 30 min: the best round trip is 60 min and 60 km."""
    visits = [make_visit("a", place=1), make_visit("b", place=2), make_visit("c", place=3)]
    plan = solve_valid(make_problem([make_technician()], visits))
    assert (plan.totals.travel_s, plan.totals.distance_m) == (60 * M, 60_000)
    assert plan.totals.assigned == 3 and plan.totals.unassigned == 0


def test_solve_two_technicians_known_optimum(solve_valid: Solver) -> None:
    """Two technicians at both ends of the line each take the two visits near them: 80 min."""
    techs = [make_technician("west", home=0), make_technician("east", home=10)]
    visits = [make_visit("w1", place=1), make_visit("w2", place=2)]
    visits += [make_visit("e1", place=9), make_visit("e2", place=8)]
    plan = solve_valid(make_problem(techs, visits))
    assert plan.totals.travel_s == 80 * M
    assert {plan.technician_of(v) for v in ("w1", "w2")} == {"west"}
    assert {plan.technician_of(v) for v in ("e1", "e2")} == {"east"}


def test_solve_route_leaves_as_late_as_needed(solve_valid: Solver) -> None:
    """A technician whose only visit starts at 10:00, 30 min away, leaves at 09:30."""
    visit = make_visit(place=3, windows=(window(10, 10.5),))
    plan = solve_valid(make_problem([make_technician()], [visit]))
    (route,) = plan.routes
    assert route.start_s == 9 * H + 30 * M
    assert route.stops[0].arrival_s == route.stops[0].start_s == 10 * H


def test_solve_waits_for_a_later_window(solve_valid: Solver) -> None:
    """Arriving before the window, the technician waits: arrival < start."""
    first = make_visit("first", place=1, windows=(window(8, 9),))
    later = make_visit("later", place=2, windows=(window(11, 11.5),))
    plan = solve_valid(make_problem([make_technician()], [first, later]))
    (route,) = plan.routes
    assert [s.visit for s in route.stops] == ["first", "later"]
    assert route.stops[1].arrival_s == 8 * H + 50 * M
    assert route.stops[1].start_s == 11 * H


def test_solve_same_input_gives_same_plan_in_deterministic_mode() -> None:
    """Deterministic mode: two runs on the same problem give the identical plan."""
    problem = make_random_problem(seed=7, technicians=3, visits=30)
    params = SolveParams(deterministic=True, work_limit=400)
    first, second = solve(problem, params), solve(problem, params)
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned
    assert first.solver.objective == second.solver.objective


def test_solve_random_day_is_valid(solve_valid: Solver) -> None:
    """A random day with skills, windows and lunch breaks gives a valid plan serving most visits."""
    plan = solve_valid(make_random_problem(seed=3), SolveParams(time_limit_s=1.0))
    assert plan.totals.assigned >= 15
    assert plan.solver.status in (PlanStatus.FEASIBLE, PlanStatus.OPTIMAL)


def test_solve_no_improvement_stops_early(solve_valid: Solver) -> None:
    """With no_improvement_s, a search that stalls ends long before its time limit."""
    problem = make_problem(
        [make_technician()], [make_visit("a", place=1), make_visit("b", place=2)]
    )
    plan = solve_valid(problem, SolveParams(time_limit_s=30.0, no_improvement_s=0.2))
    assert plan.solver.wall_s < 10.0
    assert plan.totals.assigned == 2


def test_solve_reports_each_improvement() -> None:
    """on_progress sees decreasing objectives ending at the plan's, with assigned counts."""
    seen: list[Progress] = []
    problem = make_random_problem(seed=5)
    plan = solve(problem, SolveParams(deterministic=True, work_limit=300, on_progress=seen.append))
    objectives = [p.objective for p in seen]
    assert objectives and objectives == sorted(objectives, reverse=True)
    assert len(set(objectives)) == len(objectives)
    assert objectives[-1] == plan.solver.objective
    assert seen[-1].assigned == plan.totals.assigned
    assert all(p.elapsed_s >= 0 for p in seen)


def test_solve_raises_the_progress_callback_error() -> None:
    """An exception from on_progress ends the search and reaches the caller."""

    def fail(progress: Progress) -> None:
        raise RuntimeError("stop here")

    problem = make_problem([make_technician()], [make_visit()])
    with pytest.raises(RuntimeError, match="stop here"):
        solve(problem, SolveParams(time_limit_s=1.0, on_progress=fail))


@pytest.mark.parametrize(
    "overrides",
    [
        {"time_limit_s": 0},
        {"no_improvement_s": -1.0},
        {"work_limit": 0},
        {"first_solution": "CLEVEREST_INSERTION"},
        {"metaheuristic": "HILL_CLIMBING_PLUS"},
        {"metaheuristic": "ITERATED_LOCAL_SEARCH", "no_improvement_s": 1.0},
        {"metaheuristic": "ITERATED_LOCAL_SEARCH", "should_stop": lambda: False},
        {"metaheuristic": "ITERATED_LOCAL_SEARCH", "should_stop": bool, "deterministic": True},
    ],
)
def test_solve_params_reject_bad_values(overrides: dict[str, object]) -> None:
    """SolveParams refuses non-positive limits, unknown strategy names, and stop conditions
    iterated local search would ignore (should_stop even in deterministic mode)."""
    with pytest.raises(InvalidProblem):
        SolveParams(**overrides)  # type: ignore[arg-type]


def test_solve_other_first_solution_strategy_works(solve_valid: Solver) -> None:
    """Another first solution strategy, by OR-Tools name, gives the same optimum here."""
    problem = make_problem(
        [make_technician()], [make_visit("a", place=1), make_visit("b", place=3)]
    )
    params = SolveParams(
        deterministic=True, work_limit=200, first_solution="LOCAL_CHEAPEST_INSERTION"
    )
    assert solve_valid(problem, params).totals.travel_s == 60 * M


def test_solve_iterated_local_search_is_deterministic_too(solve_valid: Solver) -> None:
    """Iterated local search (ruin and recreate) gives valid, repeatable plans."""
    problem = make_random_problem(seed=11)
    params = SolveParams(deterministic=True, work_limit=60, metaheuristic="ITERATED_LOCAL_SEARCH")
    first, second = solve_valid(problem, params), solve_valid(problem, params)
    assert first.routes == second.routes
    assert first.totals.assigned >= 15


def test_solve_without_a_solution_returns_every_visit_unassigned(
    solve_valid: Solver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the search returns nothing (a time limit before the first plan), the plan has no
    routes, status NO_SOLUTION, and each visit its diagnosed reason."""
    monkeypatch.setattr(model, "search", lambda ctx, **kwargs: None)
    visits = [make_visit("ok"), make_visit("gas", skills=frozenset({"gas"}))]
    plan = solve_valid(make_problem([make_technician()], visits))
    assert plan.solver.status is PlanStatus.NO_SOLUTION
    assert plan.routes == ()
    assert [(u.visit, u.reason) for u in plan.unassigned] == [
        ("ok", Reason.NO_CAPACITY),
        ("gas", Reason.NO_SKILLED_TECHNICIAN),
    ]


def test_solve_route_ends_at_the_end_location(solve_valid: Solver) -> None:
    """A technician ending elsewhere drives on to its end location: 50 + 50 minutes."""
    tech = make_technician(home=0, end=at(10))
    plan = solve_valid(make_problem([tech], [make_visit(place=5)]))
    (route,) = plan.routes
    assert route.travel_s == 100 * M
    assert route.end_s == route.stops[0].end_s + 50 * M


def test_a_search_that_cannot_finalise_from_the_first_plan_searches_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OR-Tools given too little time to finalise a solution (as on a loaded machine) ends its
    search from the first plan with none (ROUTING_FAIL, seconds into a 170 s search at
    200x1000); solve then searches again with more time for it, and that search uses the time
    left (the test makes the first time tiny on a 20x100 day)."""
    real = budget.lns_s
    tried: list[bool] = []

    def tiny_at_first(routes_with_breaks: int, retry: bool = False) -> float | None:
        tried.append(retry)
        return real(routes_with_breaks, retry) if retry else 1e-5

    monkeypatch.setattr(budget, "lns_s", tiny_at_first)
    problem = generate_day(20, 100, seed=2)
    plan = solve(problem, SolveParams(time_limit_s=5.0, engine="vroom+ortools"))
    assert_plan_valid(problem, plan)
    assert tried == [False, True]
    names = [name for name, _ in plan.solver.phases]
    at = names.index("ortools, finalising longer")
    before_s = sum(s for _, s in plan.solver.phases[:at])
    assert plan.solver.phases[at][1] > 0.5 * (5.0 - before_s)
