"""Multi-day horizons and crew visits in the solve: tiny_week's known best plan, the wait cost,
crews served together or not at all (fixtures/tiny_week.json, docs/formats.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer import backends, horizon_days, horizon_first
from optimizer.checker import check
from optimizer.errors import InvalidProblem
from optimizer.formats import read_problem
from optimizer.insertion import DayRoutes
from optimizer.plan import Plan, Reason, Route, Unassigned, totals_of
from optimizer.problem import DAY_S, Problem
from optimizer.solver import SolveParams

WEEK = Path(__file__).resolve().parents[2] / "fixtures" / "tiny_week.json"
# tiny_week is solved to its optimum well within this (about a second on a loaded machine).
SHORT = SolveParams(time_limit_s=2.0)
CREW_START_S = DAY_S + 9 * 3600  # 09:00 on day 1, the start of w3's window


@pytest.fixture
def week() -> Problem:
    """Ana (days 0-1) and Budi (day 1); w1 fixed on day 0, w2 movable, w3 for a crew of two."""
    return read_problem(WEEK)


def _stops(plan: Plan, visit_id: str) -> list[tuple[str, int, int]]:
    """(technician, day, start_s) of each stop of the visit."""
    return [
        (r.technician, r.day, s.start_s)
        for r in plan.routes
        for s in r.stops
        if s.visit == visit_id
    ]


def test_horizon_week_known_best_plan(week: Problem, solve_valid: Callable[..., Plan]) -> None:
    """The best plan: w1 and w2 on Ana's day 0, Ana and Budi together at w3 at 09:00 of day 1;
    8400 s of travel, no day waited, each visit counted once."""
    plan = solve_valid(week, SHORT)
    assert [(t, d) for t, d, _ in _stops(plan, "w2")] == [("ana", 0)]
    assert sorted(_stops(plan, "w3")) == [("ana", 1, CREW_START_S), ("budi", 1, CREW_START_S)]
    assert (plan.totals.assigned, plan.totals.travel_s, plan.totals.wait_days) == (3, 8400, 0)
    assert plan.solver.engine == backends.INSERTION_ORTOOLS and plan.solver.notes


def test_horizon_model_alone_finds_the_crew(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """The OR-Tools model on its own (no first plan) serves the crew visit and keeps the order."""
    plan = solve_valid(week, replace(SHORT, engine="ortools"))
    assert plan.solver.engine == "ortools"
    assert (plan.totals.assigned, plan.totals.travel_s) == (3, 8400)


def test_horizon_free_waiting_moves_the_visit(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """Without the wait cost, w2 waits for day 1 on Ana's way to the crew job (900 s less
    travel); the crew still starts together."""
    plan = solve_valid(replace(week, day_wait_cost=0), SHORT)
    assert [(t, d) for t, d, _ in _stops(plan, "w2")] == [("ana", 1)]
    assert (plan.totals.travel_s, plan.totals.wait_days) == (7500, 1)
    (_, _, a), (_, _, b) = _stops(plan, "w3")
    assert a == b


def test_horizon_crew_larger_than_team_unassigned(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """A crew of three with two technicians: w3 is not served by anyone, with the reason; the
    other visits are."""
    visits = tuple(replace(v, crew_size=3) if v.id == "w3" else v for v in week.visits)
    plan = solve_valid(replace(week, visits=visits), SHORT)
    assert _stops(plan, "w3") == []
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("w3", Reason.CREW_UNAVAILABLE)]
    assert plan.totals.assigned == 2


def test_horizon_crew_needs_the_skill_on_each(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """When Budi cannot install, nobody is left to pair with Ana: w3 stays unassigned."""
    techs = tuple(
        replace(t, skills=frozenset({"ac_service"})) if t.id == "budi" else t
        for t in week.technicians
    )
    plan = solve_valid(replace(week, technicians=techs), SHORT)
    assert _stops(plan, "w3") == []
    assert plan.unassigned[0].reason is Reason.CREW_UNAVAILABLE


def test_horizon_pinned_crew_keeps_its_technician(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """A crew visit pinned to Budi has Budi in its crew."""
    visits = tuple(replace(v, pinned_technician="budi") if v.id == "w3" else v for v in week.visits)
    plan = solve_valid(replace(week, visits=visits), SHORT)
    assert "budi" in plan.crew_of("w3") and len(plan.crew_of("w3")) == 2


def test_horizon_movable_visit_waits_when_its_first_day_is_full(
    week: Problem, solve_valid: Callable[..., Plan]
) -> None:
    """With Ana off on day 0, the movable w2 is served on day 1 (a day waited) and the fixed
    w1, whose only window is on day 0, is not served."""
    ana = week.technicians[0]
    techs = (replace(ana, shifts=ana.shifts[1:]), week.technicians[1])
    plan = solve_valid(replace(week, technicians=techs), SHORT)
    assert [d for _, d, _ in _stops(plan, "w2")] == [1]
    assert plan.totals.wait_days == 1
    assert [(u.visit, u.reason) for u in plan.unassigned] == [("w1", Reason.NO_WINDOW_REACHABLE)]


def test_horizon_first_plan_is_valid_and_serves_all(week: Problem) -> None:
    """Our insertion over each technician's shifts serves tiny_week, crews first, validly."""
    plan = horizon_first.first_plan(week)
    assert plan is not None and check(week, plan) == []
    assert plan.totals.assigned == 3 and len(plan.crew_of("w3")) == 2


def test_horizon_one_day_problems_skip_nothing() -> None:
    """A one-day problem with solo visits is planned as before: no note, every engine allowed."""
    problem = read_problem(WEEK.parent / "tiny_two_techs.json")
    assert problem.single_day_solo and backends.only_ortools(problem) == ""


@pytest.mark.parametrize(("wait_cost", "day"), [(1800, 0), (0, 1)])
def test_horizon_insertion_weighs_the_wait_cost(week: Problem, wait_cost: int, day: int) -> None:
    """Our insertion puts the movable w2 on day 0 when waiting costs more than the 900 s of
    travel day 1 would save, and on day 1 when waiting is free."""
    plan = horizon_first.first_plan(replace(week, day_wait_cost=wait_cost))
    assert plan is not None and check(week, plan) == []
    assert [d for _, d, _ in _stops(plan, "w2")] == [day]


def test_horizon_days_keep_the_first_plan_when_no_day_improves(week: Problem) -> None:
    """Day by day, a search that returns each day's start gives back the first plan's routes,
    valid over the horizon."""
    first = horizon_first.first_plan(week)
    assert first is not None
    plan = horizon_days.plan_by_day(week, first, lambda day, start, s: start, 1.0)
    assert check(week, plan) == []
    assert sorted(map(_key, plan.routes)) == sorted(map(_key, first.routes))


def _key(route: Route) -> tuple[str, int, tuple[str, ...]]:
    return route.technician, route.day, tuple(s.visit for s in route.stops)


def test_horizon_fill_inserts_a_left_out_visit(week: Problem) -> None:
    """A plan leaving out w2 gets it back from the fill pass, the crew kept as it was."""
    first = horizon_first.first_plan(week)
    assert first is not None
    kept = (replace(r, stops=tuple(s for s in r.stops if s.visit != "w2")) for r in first.routes)
    routes = tuple(r for r in kept if r.stops)
    left_out = (Unassigned("w2", Reason.NO_CAPACITY, ""),)
    plan = horizon_first.filled(week, Plan(routes, left_out, totals_of(routes, 1), first.solver))
    assert check(week, plan) == [] and plan.totals.assigned == 3
    assert sorted(_stops(plan, "w3")) == sorted(_stops(first, "w3"))


def test_horizon_day_routes_refuse_several_shifts(week: Problem) -> None:
    """Slot insertion plans one day: a technician with two shifts is refused with its field."""
    with pytest.raises(InvalidProblem) as info:
        DayRoutes(week)
    assert info.value.field == "technicians[0].shifts"
