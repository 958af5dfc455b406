"""The search of a horizon after its first plan: visits change day, left-out visits and crews
come in, each day is searched by the single-day engine with its crews held, and the week's plan
is never worse than the first plan (optimizer/horizon_week.py and the modules it calls)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer import backends, horizon_day_crews, horizon_days, horizon_first, horizon_moves
from optimizer.checker import check
from optimizer.fieldservice import generate_week
from optimizer.formats import read_problem
from optimizer.plan import Plan, Reason, Unassigned, totals_of, wait_days_of
from optimizer.problem import DAY_S, Problem, Shift, Technician, TimeWindow, Visit
from optimizer.solver import SolveParams, solve
from tests.optimizer.conftest import QUICK, H, assert_plan_valid, at, make_problem, make_visit

WEEK = Path(__file__).resolve().parents[2] / "fixtures" / "tiny_week.json"
CREW_START_S = DAY_S + 9 * H  # 09:00 on day 1, the start of w3's window in tiny_week


@pytest.fixture
def week() -> Problem:
    """Ana (days 0-1) and Budi (day 1); w1 fixed on day 0, w2 movable, w3 for a crew of two."""
    return read_problem(WEEK)


def _days_of(plan: Plan, visit_id: str) -> list[tuple[str, int]]:
    return sorted(
        (r.technician, r.day) for r in plan.routes for s in r.stops if s.visit == visit_id
    )


def _later(problem: Problem, plan: Plan, extra: Problem) -> Plan:
    """The plan of `problem` as a plan of `extra`, which has more visits (left out)."""
    served = {s.visit for r in plan.routes for s in r.stops}
    left_out = tuple(
        Unassigned(v.id, Reason.NO_CAPACITY, "") for v in extra.visits if v.id not in served
    )
    totals = totals_of(plan.routes, len(left_out), wait_days_of(extra, plan.routes))
    return Plan(plan.routes, left_out, totals, plan.solver)


def _two_days(*visits: Visit) -> Problem:
    """Ana at place 0 works 08:00-17:00 on days 0 and 1; the line matrix of conftest."""
    shifts = (Shift(8 * H, 17 * H), Shift(DAY_S + 8 * H, DAY_S + 17 * H))
    ana = Technician("ana", at(0), shifts=shifts)
    return make_problem([ana], visits)


def _both_days() -> tuple[TimeWindow, ...]:
    return (TimeWindow(8 * H, 17 * H), TimeWindow(DAY_S + 8 * H, DAY_S + 17 * H))


def test_movable_visit_moves_to_its_earliest_day(week: Problem) -> None:
    """Planned while waiting was free, w2 sits on day 1; at 1800 s a day waited, the moves
    between days bring it back to Ana's day 0 (8400 s of travel, no day waited)."""
    late = horizon_first.first_plan(replace(week, day_wait_cost=0))
    assert late is not None and _days_of(late, "w2") == [("ana", 1)]
    late = _later(week, late, week)
    moved = horizon_moves.between_days(week, late, time.perf_counter() + 5)
    assert_plan_valid(week, moved)
    assert _days_of(moved, "w2") == [("ana", 0)]
    assert (moved.totals.travel_s, moved.totals.wait_days) == (8400, 0)
    assert backends.rank(week, moved) < backends.rank(week, late)


def test_moves_end_when_asked_to_stop(week: Problem) -> None:
    """A cancel (should_stop) before the first move leaves the plan as it was."""
    late = horizon_first.first_plan(replace(week, day_wait_cost=0))
    assert late is not None
    late = _later(week, late, week)
    kept = horizon_moves.between_days(week, late, time.perf_counter() + 5, lambda: True)
    assert kept is late


def test_left_out_repair_gets_room_from_a_movable_visit() -> None:
    """Ana's day 0 holds the movable m (5 h); a priority-3 repair r (5 h, day 0 only) booked
    afterwards fits only if m waits for day 1: the moves do just that."""
    m = make_visit("m", duration_s=5 * H, windows=_both_days())
    r = make_visit("r", place=2, duration_s=5 * H, windows=(TimeWindow(8 * H, 17 * H),), priority=3)
    before = horizon_first.first_plan(_two_days(m))
    assert before is not None and _days_of(before, "m") == [("ana", 0)]
    problem = _two_days(m, r)
    moved = horizon_moves.between_days(
        problem, _later(problem, before, problem), time.perf_counter() + 5
    )
    assert_plan_valid(problem, moved)
    assert (_days_of(moved, "r"), _days_of(moved, "m")) == ([("ana", 0)], [("ana", 1)])
    assert moved.totals.wait_days == 1 and not moved.unassigned


def test_lighter_visit_gives_way_when_it_has_nowhere_else() -> None:
    """The same, but m is due on day 0 only: the heavier repair takes its place, m is left out."""
    m = make_visit("m", duration_s=5 * H, windows=(TimeWindow(8 * H, 17 * H),))
    r = make_visit("r", place=2, duration_s=5 * H, windows=(TimeWindow(8 * H, 17 * H),), priority=3)
    before = horizon_first.first_plan(_two_days(m))
    assert before is not None
    problem = _two_days(m, r)
    moved = horizon_moves.between_days(
        problem, _later(problem, before, problem), time.perf_counter() + 5
    )
    assert_plan_valid(problem, moved)
    assert _days_of(moved, "r") == [("ana", 0)]
    assert [u.visit for u in moved.unassigned] == ["m"]


def test_moves_keep_a_plan_nothing_improves(week: Problem) -> None:
    """tiny_week's best plan comes back as it is: no move lowers the objective."""
    best = horizon_first.first_plan(week)
    assert best is not None
    assert horizon_moves.between_days(week, best, time.perf_counter() + 5) is best


def test_left_out_crew_visit_is_inserted_later(week: Problem) -> None:
    """A plan without the crew visit w3 gets it from with_crews: Ana and Budi start it
    together at 09:00 on day 1, the other routes as they were."""
    first = horizon_first.first_plan(week)
    assert first is not None
    kept = (replace(r, stops=tuple(s for s in r.stops if s.visit != "w3")) for r in first.routes)
    routes = tuple(r for r in kept if r.stops)
    left_out = (Unassigned("w3", Reason.CREW_UNAVAILABLE, ""),)
    without = Plan(routes, left_out, totals_of(routes, 1), first.solver)
    assert_plan_valid(week, without)
    plan = horizon_first.with_crews(week, without)
    assert_plan_valid(week, plan)
    starts = sorted(
        (r.technician, s.start_s) for r in plan.routes for s in r.stops if s.visit == "w3"
    )
    assert starts == [("ana", CREW_START_S), ("budi", CREW_START_S)]
    assert _days_of(plan, "w2") == _days_of(first, "w2")


def test_day_with_a_crew_is_searched_with_the_crew_held(week: Problem) -> None:
    """Day 1 of tiny_week with its crew held is a problem of one technician a visit (members
    pinned at 09:00); solved as a single day and released, the crew starts together."""
    first = horizon_first.first_plan(week)
    assert first is not None
    whole_day = horizon_days._day_problem(week, 1, first, set())
    assert whole_day is not None and not whole_day.single_day_solo
    day, start = horizon_days._day_start(whole_day, first, 1, set())
    held = horizon_day_crews.held(day, start)
    assert held is not None and held[0].single_day_solo
    assert_plan_valid(*held)
    solved = solve(held[0], QUICK)
    plan = horizon_day_crews.released(day, held[0], solved)
    assert plan is not None and check(day, plan) == []
    assert sorted(s.start_s for r in plan.routes for s in r.stops if s.visit == "w3") == [
        CREW_START_S,
        CREW_START_S,
    ]


def test_a_day_losing_a_crew_member_is_refused(week: Problem) -> None:
    """A day's plan that serves one member of the held crew only is not released."""
    first = horizon_first.first_plan(week)
    assert first is not None
    whole_day = horizon_days._day_problem(week, 1, first, set())
    assert whole_day is not None
    day, start = horizon_days._day_start(whole_day, first, 1, set())
    held = horizon_day_crews.held(day, start)
    assert held is not None
    routes = tuple(r for r in held[1].routes if r.technician == "ana")
    half = Plan(routes, (), totals_of(routes, 0), held[1].solver)
    assert horizon_day_crews.released(day, held[0], half) is None


def test_days_share_the_time_by_their_size(week: Problem) -> None:
    """Day 0 of tiny_week has two visits, day 1 one (the crew): day 0 gets about two thirds."""
    first = horizon_first.first_plan(week)
    assert first is not None
    given: list[float] = []

    def record(day: Problem, start: Plan, seconds: float) -> Plan:
        given.append(seconds)
        return start

    horizon_days.plan_by_day(week, first, record, 3.0)
    assert len(given) == 2 and given[0] == pytest.approx(2.0, abs=0.2)


@pytest.mark.parametrize("seed", [1, 2])
def test_week_plan_never_worse_than_the_first_plan(seed: int) -> None:
    """A generated 3-day week (4 technicians, 40 visits, movable and crew visits): the week's
    plan is valid and ranks at least as well as the first plan by insertion."""
    problem = generate_week(4, 40, 3, seed, movable_share=0.3, crew_share=0.1)
    first = horizon_first.first_plan(problem)
    assert first is not None
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert_plan_valid(problem, plan)
    assert plan.solver.engine in (backends.INSERTION_ORTOOLS, backends.INSERTION)
    assert backends.rank(problem, plan) <= backends.rank(problem, first)
