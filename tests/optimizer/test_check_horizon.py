"""The validator on a horizon of days and on crews: each rule held and broken on tiny_week,
against a plan written by hand (not by the solver)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from optimizer.checker import check, plan_cost
from optimizer.formats import read_problem
from optimizer.plan import (
    BreakTime,
    Plan,
    PlanStatus,
    Reason,
    Route,
    SolverInfo,
    Stop,
    Totals,
    Unassigned,
)
from optimizer.problem import DAY_S, Problem

WEEK = Path(__file__).resolve().parents[2] / "fixtures" / "tiny_week.json"
D1 = DAY_S  # day 1 starts here

# The best plan of tiny_week (docs/formats.md), by hand: Ana serves w1 and w2 on day 0; Ana and
# Budi install w3 together at 09:00 of day 1 (Budi is there first and waits).
ANA_0 = Route(
    "ana",
    (Stop("w1", 32400, 32400, 36000), Stop("w2", 36900, 36900, 40500)),
    (BreakTime(43200, 46800),),
    31500,
    41700,
    3000,
    30000,
    0,
    day=0,
)
ANA_1 = Route(
    "ana",
    (Stop("w3", D1 + 3600 * 9, D1 + 3600 * 9, D1 + 3600 * 11),),
    (BreakTime(D1 + 43200, D1 + 46800),),
    D1 + 30600,
    D1 + 41400,
    3600,
    36000,
    0,
    day=1,
)
BUDI_1 = Route(
    "budi",
    (Stop("w3", D1 + 31500, D1 + 32400, D1 + 39600),),
    (),
    D1 + 30600,
    D1 + 40500,
    1800,
    18000,
    0,
    day=1,
)


@pytest.fixture(scope="module")
def week() -> Problem:
    """fixtures/tiny_week.json (see docs/formats.md)."""
    return read_problem(WEEK)


def _plan(*routes: Route, problem: Problem, **totals: int) -> Plan:
    """A plan whose totals are summed here by hand (visits once, wait_days as given)."""
    given = {
        "assigned": len({s.visit for r in routes for s in r.stops}),
        "unassigned": 0,
        "travel_s": sum(r.travel_s for r in routes),
        "distance_m": sum(r.distance_m for r in routes),
        "overtime_s": sum(r.overtime_s for r in routes),
        "wait_days": 0,
    }
    served = {s.visit for r in routes for s in r.stops}
    dropped = tuple(
        Unassigned(v.id, Reason.NO_CAPACITY, "test") for v in problem.visits if v.id not in served
    )
    given["unassigned"] = len(dropped)
    return Plan(
        routes, dropped, Totals(**(given | totals)), SolverInfo(PlanStatus.FEASIBLE, 0.0, 0)
    )


def _codes(problem: Problem, plan: Plan) -> set[str]:
    return {v.code for v in check(problem, plan)}


def _stop(route: Route, k: int, **changes: Any) -> Route:
    stops = list(route.stops)
    stops[k] = replace(stops[k], **changes)
    return replace(route, stops=tuple(stops))


def test_check_horizon_best_plan_is_valid(week: Problem) -> None:
    """The hand-written best plan passes every rule; its cost is its travel, 8400 s."""
    plan = _plan(ANA_0, ANA_1, BUDI_1, problem=week)
    assert check(week, plan) == []
    cost = plan_cost(week, plan)
    assert (cost.weight_served, cost.cost, cost.wait_days) == (102, 8400, 0)


def test_check_horizon_route_on_a_day_off(week: Problem) -> None:
    """Budi has no shift on day 0: his route there is no_shift_on_day."""
    plan = _plan(ANA_0, ANA_1, replace(BUDI_1, day=0), problem=week)
    assert _codes(week, plan) == {"no_shift_on_day"}


def test_check_horizon_route_checked_against_its_days_shift(week: Problem) -> None:
    """Ana's day-1 route labelled day 0 is held to day 0's shift and breaks (and is her second
    route that day)."""
    codes = _codes(week, _plan(ANA_0, replace(ANA_1, day=0), BUDI_1, problem=week))
    assert {"duplicate_route", "route_ends_after_shift", "break_window_missed"} <= codes


def test_check_horizon_breaks_of_each_day(week: Problem) -> None:
    """Each working day takes that day's lunch: Ana's day-1 route without it breaks the rule."""
    plan = _plan(ANA_0, replace(ANA_1, breaks=()), BUDI_1, problem=week)
    assert _codes(week, plan) == {"break_missing"}


def test_check_horizon_movable_visit_on_a_later_day_held(week: Problem) -> None:
    """w2 served on day 1 (its second window) is valid and waits one day, which costs
    day_wait_cost (1800) on top of the travel."""
    ana_0 = Route("ana", (ANA_0.stops[0],), ANA_0.breaks, 31500, 36900, 1800, 18000, 0, day=0)
    w2 = Stop("w2", D1 + 30600, D1 + 30600, D1 + 34200)
    w3 = replace(ANA_1.stops[0], arrival_s=D1 + 35100, start_s=D1 + 35100, end_s=D1 + 42300)
    ana_1 = replace(ANA_1, stops=(w2, w3), start_s=D1 + 29400, end_s=D1 + 44100, travel_s=3900)
    ana_1 = replace(ana_1, distance_m=39000, breaks=(BreakTime(D1 + 44100, D1 + 47700),))
    budi_1 = _stop(BUDI_1, 0, start_s=D1 + 35100, end_s=D1 + 42300)
    budi_1 = replace(budi_1, end_s=D1 + 43200)
    plan = _plan(ana_0, ana_1, budi_1, problem=week, wait_days=1)
    assert check(week, plan) == []
    assert plan_cost(week, plan).cost == 1800 + 3900 + 1800 + 1800


def test_check_horizon_wait_days_misstated(week: Problem) -> None:
    """totals.wait_days must count the day w2 waits: stating 0 is a totals_mismatch."""
    ana_0 = Route("ana", (ANA_0.stops[0],), ANA_0.breaks, 31500, 36900, 1800, 18000, 0, day=0)
    w2 = Stop("w2", D1 + 43200 + 3600, D1 + 46800 + 600, D1 + 50400 + 600)
    ana_1 = replace(ANA_1, stops=(*ANA_1.stops, w2), end_s=D1 + 51900, travel_s=3900)
    ana_1 = replace(ana_1, distance_m=39000)
    plan = _plan(ana_0, ana_1, BUDI_1, problem=week, wait_days=0)
    assert "totals_mismatch" in _codes(week, plan)


def test_check_horizon_fixed_visit_on_another_day(week: Problem) -> None:
    """w1's only window is on day 0: served at 09:00 of day 1 it misses its window."""
    w1 = Stop("w1", D1 + 28800 + 900, D1 + 32400, D1 + 36000)
    ana_1 = replace(ANA_1, stops=(w1,), start_s=D1 + 28800, end_s=D1 + 36900, travel_s=1800)
    ana_1 = replace(ana_1, distance_m=18000)
    ana_0 = Route("ana", (ANA_0.stops[1],), ANA_0.breaks, 35700, 39300, 2400, 24000, 0, day=0)
    ana_0 = _stop(ana_0, 0, arrival_s=36900)
    codes = _codes(week, _plan(ana_0, ana_1, BUDI_1, problem=week))
    assert "window_missed" in codes


def test_check_horizon_crew_start_mismatch(week: Problem) -> None:
    """Budi starting w3 a quarter of an hour after Ana: the crew does not start together."""
    budi = _stop(BUDI_1, 0, start_s=D1 + 33300, end_s=D1 + 40500)
    budi = replace(budi, end_s=D1 + 41400)
    assert _codes(week, _plan(ANA_0, ANA_1, budi, problem=week)) == {"crew_start_mismatch"}


def test_check_horizon_crew_incomplete(week: Problem) -> None:
    """w3 served by Ana alone is crew_incomplete."""
    assert _codes(week, _plan(ANA_0, ANA_1, problem=week)) == {"crew_incomplete"}


def test_check_horizon_crew_too_large(week: Problem) -> None:
    """With crew_size 1, w3 on two routes is served twice: duplicate_visit."""
    visits = tuple(replace(v, crew_size=1) if v.id == "w3" else v for v in week.visits)
    solo = replace(week, visits=visits)
    assert _codes(solo, _plan(ANA_0, ANA_1, BUDI_1, problem=solo)) == {"duplicate_visit"}


def test_check_horizon_crew_member_lacks_the_skill(week: Problem) -> None:
    """Every crew member needs the visit's skills."""
    techs = tuple(
        replace(t, skills=frozenset({"ac_service"})) if t.id == "budi" else t
        for t in week.technicians
    )
    unskilled = replace(week, technicians=techs)
    plan = _plan(ANA_0, ANA_1, BUDI_1, problem=unskilled)
    assert _codes(unskilled, plan) == {"missing_skill"}


def test_check_horizon_pinned_crew(week: Problem) -> None:
    """A crew visit pinned to Budi is kept when Budi is in the crew; a solo visit pinned to
    Budi but served by Ana is not."""
    pinned = tuple(replace(v, pinned_technician="budi") for v in week.visits)
    only_w3 = replace(
        week,
        visits=tuple(p if p.id == "w3" else v for p, v in zip(pinned, week.visits, strict=True)),
    )
    assert check(only_w3, _plan(ANA_0, ANA_1, BUDI_1, problem=only_w3)) == []
    w1 = replace(
        week,
        visits=tuple(p if p.id == "w1" else v for p, v in zip(pinned, week.visits, strict=True)),
    )
    assert _codes(w1, _plan(ANA_0, ANA_1, BUDI_1, problem=w1)) == {"pinned_technician"}


def test_check_horizon_crew_of_one_technician_twice(week: Problem) -> None:
    """A crew of two is two technicians: Ana's route holding w3 twice is a duplicate_visit,
    not a crew."""
    twice = replace(ANA_1, stops=(ANA_1.stops[0], ANA_1.stops[0]))
    codes = _codes(week, _plan(ANA_0, twice, problem=week))
    assert "duplicate_visit" in codes and "crew_incomplete" not in codes
