"""purna.problem/2 and purna.plan/2: shifts per day, movable and crew visits, still reading /1."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from optimizer.errors import InvalidProblem
from optimizer.formats import (
    plan_from_dict,
    plan_to_dict,
    problem_from_dict,
    problem_from_json,
    problem_to_dict,
    read_problem,
)
from optimizer.plan import Plan, PlanStatus, Route, SolverInfo, Stop, totals_of
from optimizer.problem import DAY_S, Break, Location, Shift, Technician, TimeWindow

ROOT = Path(__file__).resolve().parents[2]
WEEK = ROOT / "fixtures" / "tiny_week.json"
DOCS = ROOT / "docs" / "formats.md"
LUNCH = Break((TimeWindow(43200, 46800),), 3600)


def _week() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WEEK.read_text(encoding="utf-8"))
    return data


def _fault(data: dict[str, Any]) -> InvalidProblem:
    with pytest.raises(InvalidProblem) as info:
        problem_from_dict(data)
    return info.value


def test_formats_v2_week_reads_shifts_per_day() -> None:
    """tiny_week: Ana works days 0 and 1 with a lunch each day, Budi day 1 only; w2 is movable,
    w3 needs a crew of two."""
    problem = read_problem(WEEK)
    ana, budi = problem.technicians
    assert [s.day for s in ana.shifts] == [0, 1] and [s.day for s in budi.shifts] == [1]
    assert ana.shifts[1].breaks[0].windows[0].start_s == DAY_S + 43200
    assert (ana.shift_on(1), budi.shift_on(0), budi.shift_on(1)) == (1, None, 0)
    w1, w2, w3 = problem.visits
    assert (w1.movable, w2.movable, w3.movable) == (False, True, False)
    assert (w2.earliest_day, w3.earliest_day, w3.crew_size, w1.crew_size) == (0, 1, 2, 1)
    assert (problem.days, problem.day_wait_cost, problem.single_day_solo) == (2, 1800, False)


def test_formats_v2_docs_example_is_the_fixture() -> None:
    """The version-2 problem example in docs/formats.md is fixtures/tiny_week.json."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, re.DOTALL)]
    example = next(b for b in blocks if b.get("format") == "purna.problem/2")
    assert problem_from_dict(example) == read_problem(WEEK)


def test_formats_v2_round_trip() -> None:
    """problem -> purna.problem/2 dict -> problem is the same problem, shifts and crews kept."""
    problem = read_problem(WEEK)
    data = problem_to_dict(problem)
    assert data["format"] == "purna.problem/2"
    assert "shift" not in data["technicians"][0] and len(data["technicians"][0]["shifts"]) == 2
    assert data["visits"][2]["crew_size"] == 2 and data["day_wait_cost"] == 1800
    assert problem_from_json(json.dumps(data)) == problem


def test_formats_v2_version_1_shift_reads_as_one_shift() -> None:
    """A version-1 technician (shift + breaks) is the same as one with a single shift."""
    loc = Location(-6.2, 106.8)
    old = Technician("t", loc, shift=TimeWindow(28800, 61200), breaks=(LUNCH,))
    new = Technician("t", loc, shifts=(Shift(28800, 61200, (LUNCH,)),))
    assert old == new
    assert (old.shift, old.breaks, old.latest_end_s) == (TimeWindow(28800, 61200), (LUNCH,), 61200)


def test_formats_v2_several_shifts_refuse_the_one_day_view() -> None:
    """technician.shift answers for one shift only; on_shift(k) gives the k-th day alone."""
    tech = read_problem(WEEK).technicians[0]
    with pytest.raises(ValueError, match="works 2 shifts"):
        _ = tech.shift
    day1 = tech.on_shift(1)
    assert day1.id == "ana" and day1.shift == TimeWindow(DAY_S + 28800, DAY_S + 61200)
    assert day1.breaks == tech.shifts[1].breaks


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (
            lambda d: d["technicians"][0].update(shift={"start_s": 0, "end_s": 10}),
            "technicians[0].shifts",
            "not both",
        ),
        (lambda d: d["technicians"][0].update(shifts=[]), "technicians[0].shifts", "at least"),
        (
            lambda d: d["technicians"][0]["shifts"][1].update(start_s=60000),
            "technicians[0].shifts[1].start_s",
            "overtime included",
        ),
        (
            lambda d: d["technicians"][0]["shifts"][1].update(start_s=63000, end_s=70000),
            "technicians[0].shifts[1].start_s",
            "one shift per working day",
        ),
        (
            lambda d: d["technicians"][1]["shifts"][0].update(end_s="17:00"),
            "technicians[1].shifts[0].end_s",
            "integer",
        ),
        (
            lambda d: d["technicians"][0]["shifts"][0]["breaks"][0].update(duration_s=-1),
            "technicians[0].shifts[0].breaks[0].duration_s",
            "between",
        ),
        (lambda d: d["visits"][2].update(crew_size=0), "visits[2].crew_size", ">= 1"),
        (lambda d: d["visits"][2].update(crew_size=True), "visits[2].crew_size", "integer"),
        (lambda d: d.update(day_wait_cost=-5), "day_wait_cost", ">= 0"),
        (
            lambda d: d["visits"][0]["windows"][0].update(end_s=17 * DAY_S),
            "visits[0].windows[0].end_s",
            "between 0 and",
        ),
    ],
    ids=[
        "shift_and_shifts",
        "no_shift",
        "overlapping_overtime",
        "two_shifts_a_day",
        "shift_time_type",
        "break_negative",
        "crew_zero",
        "crew_bool",
        "wait_cost_negative",
        "beyond_horizon",
    ],
)
def test_formats_v2_fault_names_full_path(change: Any, field: str, fragment: str) -> None:
    """Each fault of the version-2 fields names its full path and says why."""
    data = _week()
    change(data)
    fault = _fault(data)
    assert fault.field == field
    assert fragment in fault.reason


def _crew_plan() -> Plan:
    """Ana on day 0 (w1, w2), Ana and Budi together at w3 on day 1."""
    day0 = Route(
        "ana",
        (Stop("w1", 29700, 32400, 36000), Stop("w2", 36900, 36900, 40500)),
        (),
        28800,
        41700,
        3000,
        30000,
        0,
        day=0,
    )
    w3 = Stop("w3", DAY_S + 30600, DAY_S + 32400, DAY_S + 39600)
    ana1 = Route("ana", (w3,), (), DAY_S + 30600, DAY_S + 41400, 3600, 36000, 0, day=1)
    budi1 = Route("budi", (w3,), (), DAY_S + 31500, DAY_S + 40500, 1800, 18000, 0, day=1)
    routes = (day0, ana1, budi1)
    info = SolverInfo(PlanStatus.FEASIBLE, 0.1, 8400, notes=("OR-Tools alone.",))
    return Plan(routes, (), totals_of(routes, 0), info)


def test_formats_v2_plan_round_trip_keeps_days_and_crews() -> None:
    """purna.plan/2 writes each route's day, wait_days and notes, and reads them back; a crew
    visit counts once in assigned."""
    plan = _crew_plan()
    data = plan_to_dict(plan)
    assert data["format"] == "purna.plan/2"
    assert [r["day"] for r in data["routes"]] == [0, 1, 1]
    assert data["totals"]["assigned"] == 3 and data["totals"]["wait_days"] == 0
    assert plan_from_dict(json.loads(json.dumps(data))) == plan
    assert plan.crew_of("w3") == ("ana", "budi") and plan.route_of("ana", 1) is not None
    assert [r.day for r in plan.routes_of("ana")] == [0, 1]


def test_formats_v2_plan_version_1_reads_as_day_0() -> None:
    """A purna.plan/1 document reads with every route on day 0 and no notes."""
    data = plan_to_dict(_crew_plan())
    data["format"] = "purna.plan/1"
    for r in data["routes"]:
        del r["day"]
    del data["totals"]["wait_days"]
    del data["solver"]["notes"]
    plan = plan_from_dict(data)
    assert {r.day for r in plan.routes} == {0}
    assert plan.totals.wait_days == 0 and plan.solver.notes == ()


def test_formats_v2_plan_day_without_shift_is_a_fault() -> None:
    """Deriving route times needs the technician's shift of the route's day."""
    data = plan_to_dict(_crew_plan())
    route = data["routes"][2]
    route["day"] = 0
    del route["overtime_s"]
    with pytest.raises(InvalidProblem) as info:
        plan_from_dict(data, read_problem(WEEK))
    assert info.value.field == "routes[2].day" and "no shift on day 0" in info.value.reason


def test_formats_v2_plan_wait_days_counted_from_problem() -> None:
    """Without totals, wait_days is counted from the problem: w2 served on day 1 waits a day."""
    problem = read_problem(WEEK)
    data = plan_to_dict(_crew_plan())
    del data["totals"]
    stop = data["routes"][0]["stops"][1]
    stop.update(start_s=DAY_S + 36000, arrival_s=DAY_S + 36000, end_s=DAY_S + 39600)
    assert plan_from_dict(data, problem).totals.wait_days == 1
