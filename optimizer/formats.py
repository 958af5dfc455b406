"""The purna.problem/2 and purna.plan/2 JSON formats (docs/formats.md): read, check and write.

Version 1 documents still read: a technician's single `shift` and `breaks` become one shift.

Every fault in the input raises InvalidProblem whose `field` is the full path of the fault, such
as ``visits[3].windows[0].end_s``. Unknown extra keys are ignored, so that a newer writer can add
fields an older reader skips. Plans are read and written by optimizer/format_plan.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidProblem
from .format_fields import (
    as_int,
    as_object,
    build,
    float_field,
    int_field,
    join,
    list_field,
    load_json,
    nullable_int,
    nullable_str,
    object_field,
    str_field,
    str_set,
)
from .format_plan import PLAN_FORMAT, plan_from_dict, plan_to_dict
from .plan import Plan
from .problem import (
    Break,
    GreatCircle,
    Location,
    Matrix,
    Problem,
    Shift,
    Technician,
    TimeWindow,
    Travel,
    Visit,
)

__all__ = [
    "PLAN_FORMAT",
    "PROBLEM_FORMAT",
    "plan_from_dict",
    "plan_from_json",
    "plan_to_dict",
    "problem_from_dict",
    "problem_from_json",
    "problem_to_dict",
    "read_plan",
    "read_problem",
    "write_json",
]

PROBLEM_FORMAT = "purna.problem/2"
PROBLEM_FORMATS = ("purna.problem/1", PROBLEM_FORMAT)  # what the reader accepts


def _default(cls: Any, name: str) -> Any:
    """The dataclass default of a field, so that defaults live in problem.py only."""
    return next(f.default for f in fields(cls) if f.name == name)


# --- files and text ----------------------------------------------------------------------------


def read_problem(path: str | Path) -> Problem:
    """Read a purna.problem/2 (or /1) file.

    Raises:
        InvalidProblem: the file is not a valid problem. OSError: it cannot be read.
    """
    return problem_from_json(Path(path).read_text(encoding="utf-8"))


def read_plan(path: str | Path, problem: Problem | None = None) -> Plan:
    """Read a purna.plan/2 (or /1) file; problem is needed only to derive missing route times.

    Raises:
        InvalidProblem: the file is not a valid plan. OSError: it cannot be read.
    """
    return plan_from_json(Path(path).read_text(encoding="utf-8"), problem)


def problem_from_json(text: str) -> Problem:
    """Parse a purna.problem/2 (or /1) JSON text. Raises: InvalidProblem."""
    return problem_from_dict(load_json(text))


def plan_from_json(text: str, problem: Problem | None = None) -> Plan:
    """Parse a purna.plan/2 (or /1) JSON text. Raises: InvalidProblem."""
    return plan_from_dict(load_json(text), problem)


def write_json(path: str | Path, data: Any) -> None:
    """Write data as indented UTF-8 JSON with a final newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


# --- reading a problem -------------------------------------------------------------------------


def problem_from_dict(data: Any) -> Problem:
    """The problem in a decoded purna.problem/2 (or /1) document.

    Raises:
        InvalidProblem: with `field` the full path of the first fault found.
    """
    root = as_object(data, "")
    _check_format(root, PROBLEM_FORMATS)
    travel = _travel(root)
    technicians = tuple(
        _technician(as_object(item, join("technicians", i)), join("technicians", i))
        for i, item in enumerate(list_field(root, "technicians", "", required=True))
    )
    visits = tuple(
        _visit(as_object(item, join("visits", i)), join("visits", i))
        for i, item in enumerate(list_field(root, "visits", "", required=True))
    )
    if isinstance(travel, Matrix):
        _check_indices(technicians, visits, travel.size)
    name = str_field(root, "name", "", "")
    costs = {
        key: int_field(root, key, "", _default(Problem, key))
        for key in (
            "stability_cost",
            "preference_cost",
            "day_wait_cost",
            "fairness_cost",
            "start_move_cost",
        )
    }
    for key, value in costs.items():
        if value < 0:
            raise InvalidProblem(f"must be >= 0, got {value}.", field=key)
    return build(
        "",
        lambda: Problem(technicians=technicians, visits=visits, travel=travel, name=name, **costs),
    )


def _check_format(root: Mapping[str, Any], expected: tuple[str, ...]) -> None:
    """Raise InvalidProblem unless root["format"] is one of the expected format names."""
    value = str_field(root, "format", "")
    if value not in expected:
        names = " or ".join(repr(name) for name in expected)
        msg = f"unknown format {value!r}; expected {names}."
        raise InvalidProblem(msg, field="format")


def _location(obj: Mapping[str, Any], path: str) -> Location:
    lat = float_field(obj, "lat", path)
    lon = float_field(obj, "lon", path)
    index = nullable_int(obj, "index", path)
    return build(path, lambda: Location(lat=lat, lon=lon, index=index))


def _window(obj: Mapping[str, Any], path: str) -> TimeWindow:
    start_s = int_field(obj, "start_s", path)
    end_s = int_field(obj, "end_s", path)
    return build(path, lambda: TimeWindow(start_s=start_s, end_s=end_s))


def _windows(obj: Mapping[str, Any], path: str) -> tuple[TimeWindow, ...]:
    here = join(path, "windows")
    items = list_field(obj, "windows", path, required=True)
    return tuple(_window(as_object(w, join(here, i)), join(here, i)) for i, w in enumerate(items))


def _break(obj: Mapping[str, Any], path: str) -> Break:
    windows = _windows(obj, path)
    duration_s = int_field(obj, "duration_s", path)
    return build(path, lambda: Break(windows=windows, duration_s=duration_s))


def _breaks(obj: Mapping[str, Any], path: str) -> tuple[Break, ...]:
    here = join(path, "breaks")
    return tuple(
        _break(as_object(b, join(here, i)), join(here, i))
        for i, b in enumerate(list_field(obj, "breaks", path, required=False))
    )


def _shift(obj: Mapping[str, Any], path: str) -> Shift:
    start_s = int_field(obj, "start_s", path)
    end_s = int_field(obj, "end_s", path)
    breaks = _breaks(obj, path)
    return build(path, lambda: Shift(start_s=start_s, end_s=end_s, breaks=breaks))


def _shifts(obj: Mapping[str, Any], path: str) -> tuple[Shift, ...]:
    """`shifts`, one per working day; or version 1's single `shift` with `breaks`."""
    if obj.get("shifts") is None:
        shift = _window(object_field(obj, "shift", path), join(path, "shift"))
        return (Shift(shift.start_s, shift.end_s, _breaks(obj, path)),)
    if obj.get("shift") is not None or obj.get("breaks"):
        msg = "give either shifts or shift with breaks, not both."
        raise InvalidProblem(msg, field=join(path, "shifts"))
    here = join(path, "shifts")
    items = list_field(obj, "shifts", path, required=True)
    if not items:
        raise InvalidProblem("needs at least one shift.", field=here)
    return tuple(_shift(as_object(x, join(here, i)), join(here, i)) for i, x in enumerate(items))


def _technician(obj: Mapping[str, Any], path: str) -> Technician:
    start = _location(object_field(obj, "start", path), join(path, "start"))
    has_end = obj.get("end") is not None
    end = _location(object_field(obj, "end", path), join(path, "end")) if has_end else None
    tech_id = str_field(obj, "id", path)
    shifts = _shifts(obj, path)
    max_overtime_s = int_field(obj, "max_overtime_s", path, _default(Technician, "max_overtime_s"))
    overtime_cost = int_field(obj, "overtime_cost", path, _default(Technician, "overtime_cost"))
    skills = str_set(obj, "skills", path)
    capacity = nullable_int(obj, "capacity", path)
    return build(
        path,
        lambda: Technician(
            id=tech_id,
            start=start,
            shifts=shifts,
            end=end,
            max_overtime_s=max_overtime_s,
            overtime_cost=overtime_cost,
            skills=skills,
            capacity=capacity,
        ),
    )


def _visit(obj: Mapping[str, Any], path: str) -> Visit:
    visit_id = str_field(obj, "id", path)
    location = _location(object_field(obj, "location", path), join(path, "location"))
    duration_s = int_field(obj, "duration_s", path)
    windows = _windows(obj, path)
    skills = str_set(obj, "skills", path)
    priority = int_field(obj, "priority", path, _default(Visit, "priority"))
    pinned = nullable_str(obj, "pinned_technician", path)
    preferred = nullable_str(obj, "preferred_technician", path)
    previous = nullable_str(obj, "previous_technician", path)
    demand = int_field(obj, "demand", path, _default(Visit, "demand"))
    crew_size = int_field(obj, "crew_size", path, _default(Visit, "crew_size"))
    previous_start_s = nullable_int(obj, "previous_start_s", path)
    return build(
        path,
        lambda: Visit(
            id=visit_id,
            location=location,
            duration_s=duration_s,
            windows=windows,
            skills=skills,
            priority=priority,
            pinned_technician=pinned,
            preferred_technician=preferred,
            previous_technician=previous,
            demand=demand,
            crew_size=crew_size,
            previous_start_s=previous_start_s,
        ),
    )


def _travel(root: Mapping[str, Any]) -> Travel:
    if root.get("travel") is None:
        return GreatCircle()
    obj = object_field(root, "travel", "")
    model = str_field(obj, "model", "travel")
    if model == "great_circle":
        speed_kmh = float_field(obj, "speed_kmh", "travel", _default(GreatCircle, "speed_kmh"))
        factor = float_field(obj, "road_factor", "travel", _default(GreatCircle, "road_factor"))
        # GreatCircle's own faults already name travel.speed_kmh or travel.road_factor.
        return build("", lambda: GreatCircle(speed_kmh=speed_kmh, road_factor=factor))
    if model == "matrix":
        durations_s = _matrix(obj, "durations_s")
        distances_m = _matrix(obj, "distances_m")
        if len(distances_m) != len(durations_s):
            n = len(durations_s)
            msg = f"must be {n}x{n} like durations_s, got {len(distances_m)} rows."
            raise InvalidProblem(msg, field="travel.distances_m")
        return build("", lambda: Matrix(durations_s=durations_s, distances_m=distances_m))
    msg = f"unknown travel model {model!r}; expected 'great_circle' or 'matrix'."
    raise InvalidProblem(msg, field="travel.model")


def _matrix(obj: Mapping[str, Any], key: str) -> tuple[tuple[int, ...], ...]:
    here = join("travel", key)
    rows = list_field(obj, key, "travel", required=True)
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            raise InvalidProblem("must be a list of integers.", field=join(here, i))
        if len(row) != len(rows):
            msg = f"has {len(row)} entries; the matrix must be square ({len(rows)}x{len(rows)})."
            raise InvalidProblem(msg, field=join(here, i))
    # The cells are checked in C (types, then numpy's minimum); only a faulty matrix is walked
    # cell by cell in Python, to name the first fault's path.
    if not set(map(type, chain.from_iterable(rows))) <= {int}:  # bool is a type of its own
        _first_fault(rows, here)
    if rows and int(np.array(rows).min()) < 0:
        _first_fault(rows, here)
    return tuple(map(tuple, rows))


def _first_fault(rows: list[Any], here: str) -> None:
    """Raise InvalidProblem at the first cell that is not an integer >= 0."""
    for i, row in enumerate(rows):
        for j, x in enumerate(row):
            value = as_int(x, join(join(here, i), j))
            if value < 0:
                raise InvalidProblem(f"must be >= 0, got {value}.", field=join(join(here, i), j))


def _check_indices(
    technicians: tuple[Technician, ...], visits: tuple[Visit, ...], size: int
) -> None:
    """Under the matrix model every location needs an index inside the matrix."""
    places = [(t.start, join(join("technicians", i), "start")) for i, t in enumerate(technicians)]
    places += [
        (t.end, join(join("technicians", i), "end"))
        for i, t in enumerate(technicians)
        if t.end is not None  # a technician without an end returns to its start
    ]
    places += [(v.location, join(join("visits", i), "location")) for i, v in enumerate(visits)]
    for loc, path in places:
        if loc.index is None:
            msg = "needs an index into the travel matrix under the matrix travel model."
            raise InvalidProblem(msg, field=join(path, "index"))
        if loc.index >= size:
            msg = f"index {loc.index} is outside the {size}x{size} travel matrix."
            raise InvalidProblem(msg, field=join(path, "index"))


# --- writing a problem -------------------------------------------------------------------------


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The problem as a JSON-ready purna.problem/2 document (every field written)."""
    return {
        "format": PROBLEM_FORMAT,
        "name": problem.name,
        "technicians": [_technician_to_dict(t) for t in problem.technicians],
        "visits": [_visit_to_dict(v) for v in problem.visits],
        "travel": _travel_to_dict(problem.travel),
        "stability_cost": problem.stability_cost,
        "preference_cost": problem.preference_cost,
        "day_wait_cost": problem.day_wait_cost,
        "fairness_cost": problem.fairness_cost,
        "start_move_cost": problem.start_move_cost,
    }


def _location_to_dict(loc: Location) -> dict[str, Any]:
    data: dict[str, Any] = {"lat": loc.lat, "lon": loc.lon}
    if loc.index is not None:
        data["index"] = loc.index
    return data


def _window_to_dict(w: TimeWindow) -> dict[str, int]:
    return {"start_s": w.start_s, "end_s": w.end_s}


def _technician_to_dict(t: Technician) -> dict[str, Any]:
    data: dict[str, Any] = {"id": t.id, "start": _location_to_dict(t.start)}
    if t.end is not None:
        data["end"] = _location_to_dict(t.end)
    return data | {
        "shifts": [
            {
                "start_s": s.start_s,
                "end_s": s.end_s,
                "breaks": [_break_to_dict(b) for b in s.breaks],
            }
            for s in t.shifts
        ],
        "max_overtime_s": t.max_overtime_s,
        "overtime_cost": t.overtime_cost,
        "skills": sorted(t.skills),
        "capacity": t.capacity,
    }


def _break_to_dict(b: Break) -> dict[str, Any]:
    return {"windows": [_window_to_dict(w) for w in b.windows], "duration_s": b.duration_s}


def _visit_to_dict(v: Visit) -> dict[str, Any]:
    return {
        "id": v.id,
        "location": _location_to_dict(v.location),
        "duration_s": v.duration_s,
        "windows": [_window_to_dict(w) for w in v.windows],
        "skills": sorted(v.skills),
        "priority": v.priority,
        "pinned_technician": v.pinned_technician,
        "preferred_technician": v.preferred_technician,
        "previous_technician": v.previous_technician,
        "demand": v.demand,
        "crew_size": v.crew_size,
        "previous_start_s": v.previous_start_s,
    }


def _travel_to_dict(travel: Travel) -> dict[str, Any]:
    if isinstance(travel, Matrix):
        return {
            "model": "matrix",
            "durations_s": [list(row) for row in travel.durations_s],
            "distances_m": [list(row) for row in travel.distances_m],
        }
    return {
        "model": "great_circle",
        "speed_kmh": travel.speed_kmh,
        "road_factor": travel.road_factor,
    }
