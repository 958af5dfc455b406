"""The purna.problem/1 and purna.plan/1 JSON formats: fixtures, round trips, faults with paths."""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optimizer.checker import check
from optimizer.errors import InvalidProblem
from optimizer.formats import (
    plan_from_dict,
    plan_from_json,
    plan_to_dict,
    problem_from_dict,
    problem_from_json,
    problem_to_dict,
    read_plan,
    read_problem,
    write_json,
)
from optimizer.plan import BreakTime, Plan, PlanStatus, Reason
from optimizer.problem import GreatCircle, Matrix, Problem

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
DOCS = ROOT / "docs" / "formats.md"


@functools.cache
def _fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _fixture(name: str) -> Problem:
    return problem_from_json(_fixture_text(name))


def _fixture_dict(name: str) -> dict[str, Any]:
    """A fresh decoded copy of a fixture, safe to change."""
    data: dict[str, Any] = json.loads(_fixture_text(name))
    return data


@functools.cache
def _docs_blocks() -> tuple[dict[str, Any], ...]:
    """The ```json blocks of docs/formats.md, decoded."""
    text = DOCS.read_text(encoding="utf-8")
    return tuple(json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, re.DOTALL))


def _docs_example(fmt: str) -> dict[str, Any]:
    block = next(b for b in _docs_blocks() if b.get("format") == fmt)
    return copy.deepcopy(block)


def _docs_plan() -> Plan:
    return plan_from_dict(_docs_example("purna.plan/2"))


# --- fixtures --------------------------------------------------------------------------------


def test_formats_fixture_two_techs_reads() -> None:
    """tiny_two_techs reads into a matrix problem with skills, a break, a pin and defaults."""
    problem = _fixture("tiny_two_techs.json")
    ana, budi = problem.technicians
    assert isinstance(problem.travel, Matrix) and problem.travel.size == 7
    assert [v.id for v in problem.visits] == ["v1", "v2", "v3", "v4", "v5", "v6"]
    assert ana.skills == {"ac_install", "ac_service"} and ana.capacity == 3
    assert ana.breaks[0].duration_s == 3600 and ana.end is None
    assert budi.max_overtime_s == 0 and budi.capacity is None and budi.overtime_cost == 2
    v4 = problem.visits[3]
    assert v4.pinned_technician == "budi" and len(v4.windows) == 2 and v4.priority == 1


def test_formats_fixture_great_circle_reads() -> None:
    """tiny_great_circle reads into a great-circle problem with an end location."""
    problem = _fixture("tiny_great_circle.json")
    assert problem.travel == GreatCircle(speed_kmh=25.0, road_factor=1.4)
    dewi = problem.technicians[1]
    assert dewi.end is not None and dewi.end.lat == -6.1754 and dewi.start.index is None


@pytest.mark.parametrize("name", ["tiny_two_techs.json", "tiny_great_circle.json"])
def test_formats_problem_round_trip(name: str) -> None:
    """problem -> dict -> JSON text -> problem gives an equal problem."""
    problem = _fixture(name)
    text = json.dumps(problem_to_dict(problem))
    assert problem_from_json(text) == problem


def test_formats_problem_file_round_trip(tmp_path: Path) -> None:
    """write_json then read_problem gives back the same problem."""
    problem = _fixture("tiny_two_techs.json")
    write_json(tmp_path / "p.json", problem_to_dict(problem))
    assert read_problem(tmp_path / "p.json") == problem
    assert (tmp_path / "p.json").read_text(encoding="utf-8").endswith("}\n")


def test_formats_problem_defaults() -> None:
    """A problem with only the required fields gets the documented defaults."""
    data = {
        "format": "purna.problem/1",
        "technicians": [
            {"id": "t", "start": {"lat": 0, "lon": 0}, "shift": {"start_s": 0, "end_s": 100}}
        ],
        "visits": [
            {
                "id": "v",
                "location": {"lat": 1, "lon": 1},
                "duration_s": 10,
                "windows": [{"start_s": 0, "end_s": 50}],
            }
        ],
    }
    problem = problem_from_dict(data)
    tech, visit = problem.technicians[0], problem.visits[0]
    assert problem.travel == GreatCircle(speed_kmh=25.0, road_factor=1.4)
    assert (problem.name, problem.stability_cost, problem.preference_cost) == ("", 0, 900)
    assert (tech.end, tech.max_overtime_s, tech.overtime_cost, tech.breaks) == (None, 0, 2, ())
    assert (tech.skills, tech.capacity) == (frozenset(), None)
    assert (visit.priority, visit.demand, visit.skills) == (1, 0, frozenset())
    assert (visit.pinned_technician, visit.preferred_technician) == (None, None)
    assert visit.previous_technician is None


def test_formats_unknown_keys_ignored() -> None:
    """Extra keys anywhere are ignored."""
    data = _fixture_dict("tiny_two_techs.json")
    data["colour"] = "red"
    data["visits"][0]["note"] = {"anything": [1, 2]}
    data["travel"]["source"] = "osrm"
    assert problem_from_dict(data) == _fixture("tiny_two_techs.json")


def test_formats_optional_fields_read() -> None:
    """overtime_cost, previous_technician, stability_cost and preference_cost are read."""
    data = _fixture_dict("tiny_two_techs.json")
    data["technicians"][0]["overtime_cost"] = 5
    data["visits"][0]["previous_technician"] = "budi"
    data["stability_cost"], data["preference_cost"] = 300, 0
    problem = problem_from_dict(data)
    assert problem.technicians[0].overtime_cost == 5
    assert problem.visits[0].previous_technician == "budi"
    assert (problem.stability_cost, problem.preference_cost) == (300, 0)


def test_formats_soft_rule_fields_read_and_written() -> None:
    """fairness_cost, start_move_cost and a visit's previous_start_s are read and written back;
    absent, they are 0, 0 and null."""
    data = _fixture_dict("tiny_two_techs.json")
    assert problem_from_dict(data).fairness_cost == 0
    assert problem_from_dict(data).visits[0].previous_start_s is None
    data["fairness_cost"], data["start_move_cost"] = 2, 1
    data["visits"][0]["previous_start_s"] = 36_000
    problem = problem_from_dict(data)
    assert (problem.fairness_cost, problem.start_move_cost) == (2, 1)
    assert problem.visits[0].previous_start_s == 36_000
    assert problem_from_dict(problem_to_dict(problem)) == problem


# --- faults in a problem ---------------------------------------------------------------------


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


PROBLEM_FAULTS = [
    ("missing_field", _delete(("visits", 0, "duration_s")), "visits[0].duration_s", "missing"),
    ("missing_list", _delete(("technicians",)), "technicians", "missing"),
    (
        "string_for_int",
        _set(("visits", 1, "duration_s"), "3600"),
        "visits[1].duration_s",
        "integer",
    ),
    ("float_for_int", _set(("visits", 1, "demand"), 1.5), "visits[1].demand", "integer"),
    (
        "bool_for_int",
        _set(("technicians", 0, "shift", "start_s"), True),
        "technicians[0].shift.start_s",
        "boolean",
    ),
    ("null_for_int", _set(("visits", 0, "duration_s"), None), "visits[0].duration_s", "null"),
    (
        "string_for_float",
        _set(("visits", 0, "location", "lat"), "-6.1"),
        "visits[0].location.lat",
        "number",
    ),
    (
        "string_for_object",
        _set(("technicians", 1, "shift"), "08:00-17:00"),
        "technicians[1].shift",
        "object",
    ),
    ("int_for_str", _set(("visits", 2, "id"), 3), "visits[2].id", "string"),
    ("int_in_skills", _set(("visits", 0, "skills"), ["ac", 3]), "visits[0].skills[1]", "string"),
    ("unknown_format", _set(("format",), "purna.problem/3"), "format", "unknown format"),
    ("unknown_model", _set(("travel", "model"), "osrm"), "travel.model", "unknown travel model"),
    (
        "window_reversed",
        _set(("visits", 3, "windows", 0, "end_s"), 0),
        "visits[3].windows[0].end_s",
        "before it starts",
    ),
    (
        "break_window_reversed",
        _set(("technicians", 0, "breaks", 0, "windows", 0, "end_s"), 40000),
        "technicians[0].breaks[0].windows[0].end_s",
        "before it starts",
    ),
    ("negative_duration", _set(("visits", 0, "duration_s"), -5), "visits[0].duration_s", "-5"),
    (
        "negative_break",
        _set(("technicians", 1, "breaks", 0, "duration_s"), -1),
        "technicians[1].breaks[0].duration_s",
        "-1",
    ),
    ("no_windows", _set(("visits", 4, "windows"), []), "visits[4].windows", "at least one"),
    ("priority_high", _set(("visits", 0, "priority"), 6), "visits[0].priority", "1-5"),
    ("priority_low", _set(("visits", 0, "priority"), 0), "visits[0].priority", "1-5"),
    (
        "pinned_unknown",
        _set(("visits", 3, "pinned_technician"), "zoe"),
        "visits[3].pinned_technician",
        "'zoe'",
    ),
    ("duplicate_id", _set(("visits", 5, "id"), "v1"), "visits[5].id", "twice"),
    (
        "negative_capacity",
        _set(("technicians", 0, "capacity"), -1),
        "technicians[0].capacity",
        "-1",
    ),
    ("latitude", _set(("visits", 0, "location", "lat"), 95.0), "visits[0].location.lat", "95"),
    ("not_square", _delete(("travel", "durations_s", 2, 6)), "travel.durations_s[2]", "square"),
    ("wrong_size", _set(("travel", "distances_m"), [[0] * 6] * 6), "travel.distances_m", "7x7"),
    (
        "negative_entry",
        _set(("travel", "durations_s", 0, 1), -3),
        "travel.durations_s[0][1]",
        ">= 0",
    ),
    (
        "string_entry",
        _set(("travel", "distances_m", 1, 2), "9"),
        "travel.distances_m[1][2]",
        "integer",
    ),
    ("row_not_list", _set(("travel", "durations_s", 3), 5), "travel.durations_s[3]", "list"),
    (
        "no_index",
        _delete(("visits", 2, "location", "index")),
        "visits[2].location.index",
        "needs an index",
    ),
    (
        "start_no_index",
        _delete(("technicians", 1, "start", "index")),
        "technicians[1].start.index",
        "needs an index",
    ),
    (
        "index_outside",
        _set(("visits", 2, "location", "index"), 7),
        "visits[2].location.index",
        "outside the 7x7",
    ),
    (
        "index_negative",
        _set(("visits", 2, "location", "index"), -1),
        "visits[2].location.index",
        ">= 0",
    ),
    ("stability_negative", _set(("stability_cost",), -1), "stability_cost", ">= 0"),
    ("fairness_negative", _set(("fairness_cost",), -1), "fairness_cost", ">= 0"),
    ("start_move_negative", _set(("start_move_cost",), -5), "start_move_cost", ">= 0"),
    (
        "previous_start_negative",
        _set(("visits", 0, "previous_start_s"), -1),
        "visits[0].previous_start_s",
        "between 0",
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [case[1:] for case in PROBLEM_FAULTS],
    ids=[case[0] for case in PROBLEM_FAULTS],
)
def test_formats_problem_fault_names_full_path(
    change: Callable[[dict[str, Any]], None], field: str, fragment: str
) -> None:
    """A fault raises InvalidProblem whose field is the full path and whose message says why."""
    data = _fixture_dict("tiny_two_techs.json")
    change(data)
    with pytest.raises(InvalidProblem) as info:
        problem_from_dict(data)
    assert info.value.field == field
    assert fragment in info.value.reason
    assert info.value.reason.endswith(".")


def test_formats_great_circle_fault_names_full_path() -> None:
    """A non-positive speed names travel.speed_kmh."""
    data = _fixture_dict("tiny_great_circle.json")
    data["travel"]["speed_kmh"] = 0
    with pytest.raises(InvalidProblem) as info:
        problem_from_dict(data)
    assert info.value.field == "travel.speed_kmh"


def test_formats_malformed_json_names_line_and_column() -> None:
    """Malformed JSON raises InvalidProblem with the line and column of the fault."""
    with pytest.raises(InvalidProblem) as info:
        problem_from_json('{\n  "format": "purna.problem/1",\n  "visits": [,]\n}')
    assert "line 3, column 14" in info.value.reason
    assert info.value.field == ""


def test_formats_problem_not_an_object() -> None:
    """A document that is not a JSON object is rejected."""
    with pytest.raises(InvalidProblem, match="must be an object"):
        problem_from_dict([])


def test_formats_read_problem_malformed_file(tmp_path: Path) -> None:
    """read_problem turns a malformed file into InvalidProblem, not a JSONDecodeError."""
    path = tmp_path / "bad.json"
    path.write_text('{"format": "purna.problem/1",', encoding="utf-8")
    with pytest.raises(InvalidProblem, match="malformed JSON at line 1"):
        read_problem(path)


# --- plans -----------------------------------------------------------------------------------


def test_formats_plan_round_trip() -> None:
    """plan -> dict -> JSON text -> plan gives an equal plan."""
    plan = _docs_plan()
    assert plan_from_json(json.dumps(plan_to_dict(plan))) == plan


def test_formats_plan_phases_round_trip_and_bad_phase_is_named() -> None:
    """solver.phases and first_plan survive the round trip; a phase that is not a [name,
    seconds] pair is named by its path."""
    plan = _docs_plan()
    info = dataclasses.replace(
        plan.solver, phases=(("read", 0.2), ("ortools", 1.5)), first_plan="insertion"
    )
    timed = dataclasses.replace(plan, solver=info)
    assert plan_from_json(json.dumps(plan_to_dict(timed))) == timed
    data = plan_to_dict(timed)
    data["solver"]["phases"][1] = ["ortools", "fast"]
    with pytest.raises(InvalidProblem) as caught:
        plan_from_json(json.dumps(data))
    assert caught.value.field == "solver.phases[1]"


def test_formats_plan_to_dict_matches_plan_method() -> None:
    """plan_to_dict is Plan.to_dict() as JSON sees it, with lists and plain strings."""
    plan = _docs_plan()
    data = plan_to_dict(plan)
    assert data == json.loads(json.dumps(plan.to_dict()))
    assert isinstance(data["routes"], list) and isinstance(data["routes"][0]["stops"], list)
    assert type(data["unassigned"][0]["reason"]) is str
    assert type(data["solver"]["status"]) is str


def test_formats_read_plan_file(tmp_path: Path) -> None:
    """write_json then read_plan gives back the plan."""
    plan = _docs_plan()
    write_json(tmp_path / "plan.json", plan_to_dict(plan))
    assert read_plan(tmp_path / "plan.json") == plan


def test_formats_plan_route_times_derived() -> None:
    """Without route start_s/end_s/overtime_s, the problem yields the earliest consistent ones."""
    data = _docs_example("purna.plan/2")
    for route in data["routes"]:
        del route["start_s"], route["end_s"], route["overtime_s"]
    problem = _fixture("tiny_two_techs.json")
    plan = plan_from_dict(data, problem)
    assert plan == _docs_plan()
    # ana's lunch 12:00-13:00 falls on the way back: 43200 + 3600 lunch + 600 travel.
    assert plan.routes[0].end_s == 47_400
    assert check(problem, plan) == []


def test_formats_plan_start_derived_around_break() -> None:
    """A break before the first arrival moves the derived departure earlier by its length."""
    data = _docs_example("purna.plan/2")
    route = data["routes"][1]  # budi: depot -> v4 takes 900 s, arrival 29700
    del route["start_s"]
    route["breaks"] = [{"start_s": 29000, "end_s": 29300}]
    plan = plan_from_dict(data, _fixture("tiny_two_techs.json"))
    assert plan.routes[1].start_s == 29700 - 900 - 300
    assert plan.routes[1].breaks == (BreakTime(29000, 29300),)


def test_formats_plan_times_required_without_problem() -> None:
    """Without the problem a missing route time is a fault naming it."""
    data = _docs_example("purna.plan/2")
    del data["routes"][1]["end_s"]
    with pytest.raises(InvalidProblem) as info:
        plan_from_dict(data)
    assert info.value.field == "routes[1].end_s"


def test_formats_plan_totals_and_solver_optional() -> None:
    """A plan without totals gets them summed; without solver, an unknown feasible solver."""
    data = _docs_example("purna.plan/2")
    del data["totals"], data["solver"]
    plan = plan_from_dict(data)
    assert plan.totals == _docs_plan().totals
    assert (plan.solver.status, plan.solver.objective) == (PlanStatus.FEASIBLE, 0)


PLAN_FAULTS = [
    ("format", _set(("format",), "purna.problem/1"), "format", "unknown format"),
    (
        "reason",
        _set(("unassigned", 0, "reason"), "too_far"),
        "unassigned[0].reason",
        "no_skilled_technician",
    ),
    (
        "stop_type",
        _set(("routes", 1, "stops", 2, "arrival_s"), "10:15"),
        "routes[1].stops[2].arrival_s",
        "integer",
    ),
    (
        "stop_missing",
        _delete(("routes", 0, "stops", 0, "visit")),
        "routes[0].stops[0].visit",
        "missing",
    ),
    (
        "break_type",
        _set(("routes", 0, "breaks", 0), [43200, 46800]),
        "routes[0].breaks[0]",
        "object",
    ),
    ("status", _set(("solver", "status"), "done"), "solver.status", "feasible"),
    ("totals", _set(("totals", "travel_s"), 5400.5), "totals.travel_s", "integer"),
    ("routes", _delete(("routes",)), "routes", "missing"),
]


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [case[1:] for case in PLAN_FAULTS],
    ids=[case[0] for case in PLAN_FAULTS],
)
def test_formats_plan_fault_names_full_path(
    change: Callable[[dict[str, Any]], None], field: str, fragment: str
) -> None:
    """A fault in a plan raises InvalidProblem with the full path of the fault."""
    data = _docs_example("purna.plan/2")
    change(data)
    with pytest.raises(InvalidProblem) as info:
        plan_from_dict(data)
    assert info.value.field == field
    assert fragment in info.value.reason


# --- the documentation -----------------------------------------------------------------------


def test_formats_docs_problem_is_the_fixture() -> None:
    """The problem example in docs/formats.md is fixtures/tiny_two_techs.json."""
    assert problem_from_dict(_docs_example("purna.problem/1")) == _fixture("tiny_two_techs.json")


def test_formats_docs_plan_is_valid() -> None:
    """The plan example in docs/formats.md passes the validator against the example problem."""
    plan = _docs_plan()
    assert check(_fixture("tiny_two_techs.json"), plan) == []
    assert plan.unassigned[0].reason is Reason.NO_SKILLED_TECHNICIAN


def test_formats_docs_reasons_listed() -> None:
    """Every unassigned reason code is documented."""
    text = DOCS.read_text(encoding="utf-8")
    assert all(f"`{r.value}`" in text for r in Reason)
