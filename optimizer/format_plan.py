"""The purna.plan/2 JSON format (reads /1 too): plan_from_dict and plan_to_dict (docs/formats.md).

Version 2 adds a route's `day`, totals' `wait_days` and solver `notes`; a version-1 plan reads
with day 0, wait_days counted from the problem when given (else 0) and no notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InvalidProblem
from .format_fields import (
    as_object,
    float_field,
    int_field,
    join,
    list_field,
    nullable_int,
    object_field,
    str_field,
)
from .plan import (
    BreakTime,
    Plan,
    PlanStatus,
    Reason,
    Route,
    SolverInfo,
    Stop,
    Totals,
    Unassigned,
    totals_of,
    wait_days_of,
)
from .problem import Problem
from .travel import build_table

PLAN_FORMAT = "purna.plan/2"
PLAN_FORMATS = ("purna.plan/1", PLAN_FORMAT)  # what the reader accepts

# What a plan without a "solver" object (one written by another tool) is taken to say.
_UNKNOWN_SOLVER = SolverInfo(status=PlanStatus.FEASIBLE, wall_s=0.0, objective=0)


def plan_from_dict(data: Any, problem: Problem | None = None) -> Plan:
    """The plan in a decoded purna.plan/2 (or /1) document.

    A route may omit start_s, end_s and overtime_s when problem is given: they are derived as
    the earliest times consistent with travel and breaks. "totals" and "solver" are optional.

    Raises:
        InvalidProblem: with `field` the full path of the first fault found.
    """
    root = as_object(data, "")
    value = str_field(root, "format", "")
    if value not in PLAN_FORMATS:
        names = " or ".join(repr(name) for name in PLAN_FORMATS)
        raise InvalidProblem(f"unknown format {value!r}; expected {names}.", field="format")
    routes = tuple(
        _route(as_object(item, join("routes", i)), join("routes", i), problem)
        for i, item in enumerate(list_field(root, "routes", "", required=True))
    )
    unassigned = tuple(
        _unassigned(as_object(item, join("unassigned", i)), join("unassigned", i))
        for i, item in enumerate(list_field(root, "unassigned", "", required=False))
    )
    wait_days = 0 if problem is None else wait_days_of(problem, routes)
    if root.get("totals") is None:
        totals = totals_of(routes, len(unassigned), wait_days)
    else:
        obj = object_field(root, "totals", "")
        sums = ("assigned", "unassigned", "travel_s", "distance_m", "overtime_s")
        values = {name: int_field(obj, name, "totals") for name in sums}
        totals = Totals(**values, wait_days=int_field(obj, "wait_days", "totals", wait_days))
    return Plan(routes=routes, unassigned=unassigned, totals=totals, solver=_solver(root))


def _stop(obj: Mapping[str, Any], path: str) -> Stop:
    return Stop(
        visit=str_field(obj, "visit", path),
        arrival_s=int_field(obj, "arrival_s", path),
        start_s=int_field(obj, "start_s", path),
        end_s=int_field(obj, "end_s", path),
    )


def _route(obj: Mapping[str, Any], path: str, problem: Problem | None) -> Route:
    tech_id = str_field(obj, "technician", path)
    here = join(path, "stops")
    stops = tuple(
        _stop(as_object(s, join(here, i)), join(here, i))
        for i, s in enumerate(list_field(obj, "stops", path, required=True))
    )
    here = join(path, "breaks")
    breaks = tuple(
        BreakTime(
            start_s=int_field(as_object(b, join(here, i)), "start_s", join(here, i)),
            end_s=int_field(as_object(b, join(here, i)), "end_s", join(here, i)),
        )
        for i, b in enumerate(list_field(obj, "breaks", path, required=False))
    )
    times = {key: nullable_int(obj, key, path) for key in ("start_s", "end_s", "overtime_s")}
    day = int_field(obj, "day", path, 0)
    if day < 0:
        raise InvalidProblem(f"must be >= 0, got {day}.", field=join(path, "day"))
    filled = _fill_times(times, problem, (tech_id, day), stops, breaks, path)
    return Route(
        technician=tech_id,
        stops=stops,
        breaks=breaks,
        start_s=filled["start_s"],
        end_s=filled["end_s"],
        travel_s=int_field(obj, "travel_s", path),
        distance_m=int_field(obj, "distance_m", path),
        overtime_s=filled["overtime_s"],
        day=day,
    )


def _fill_times(
    times: dict[str, int | None],
    problem: Problem | None,
    who: tuple[str, int],
    stops: tuple[Stop, ...],
    breaks: tuple[BreakTime, ...],
    path: str,
) -> dict[str, int]:
    """The route times given, and the missing ones derived from the problem."""
    missing = [key for key, value in times.items() if value is None]
    if not missing:
        return {key: value for key, value in times.items() if value is not None}
    where = join(path, missing[0])
    if problem is None:
        raise InvalidProblem("is required unless the problem is given to derive it.", field=where)
    tech_id, day = who
    tech = next((t for t in problem.technicians if t.id == tech_id), None)
    if tech is None:
        msg = f"technician {tech_id!r} is not in the problem."
        raise InvalidProblem(msg, field=join(path, "technician"))
    shift_k = tech.shift_on(day)
    if shift_k is None:
        msg = f"technician {tech_id!r} has no shift on day {day}."
        raise InvalidProblem(msg, field=join(path, "day"))
    if not stops:
        raise InvalidProblem("is required on a route without stops.", field=where)
    visits = {v.id: v for v in problem.visits}
    for k in (0, len(stops) - 1):
        if stops[k].visit not in visits:
            msg = f"visit {stops[k].visit!r} is not in the problem."
            raise InvalidProblem(msg, field=join(join(join(path, "stops"), k), "visit"))
    places = [tech.start, visits[stops[0].visit].location]
    places += [visits[stops[-1].visit].location, tech.end_location]
    table = build_table(problem.travel, places).durations_s
    start_s = times["start_s"]
    if start_s is None:
        start_s = _leave_by(stops[0].arrival_s, int(table[0, 1]), breaks)
    end_s = times["end_s"]
    if end_s is None:
        end_s = _back_at(stops[-1].end_s, int(table[2, 3]), breaks)
    overtime_s = times["overtime_s"]
    if overtime_s is None:
        overtime_s = max(0, end_s - tech.shifts[shift_k].end_s)
    return {"start_s": start_s, "end_s": end_s, "overtime_s": overtime_s}


def _leave_by(arrival_s: int, travel_s: int, breaks: tuple[BreakTime, ...]) -> int:
    """The latest departure that arrives at arrival_s, driving around breaks on the way."""
    t_s, need_s = arrival_s, travel_s
    for b in sorted(breaks, key=lambda b: b.start_s, reverse=True):
        if b.start_s >= t_s:
            continue
        free_s = t_s - min(b.end_s, t_s)
        if free_s >= need_s:
            break
        need_s -= free_s
        t_s = b.start_s
    return t_s - need_s


def _back_at(leave_s: int, travel_s: int, breaks: tuple[BreakTime, ...]) -> int:
    """The earliest return when leaving at leave_s, driving around breaks on the way."""
    t_s, need_s = leave_s, travel_s
    for b in sorted(breaks, key=lambda b: b.start_s):
        if b.end_s <= t_s:
            continue
        free_s = max(b.start_s, t_s) - t_s
        if free_s >= need_s:
            break
        need_s -= free_s
        t_s = b.end_s
    return t_s + need_s


def _unassigned(obj: Mapping[str, Any], path: str) -> Unassigned:
    reason = str_field(obj, "reason", path)
    if reason not in {r.value for r in Reason}:
        known = ", ".join(r.value for r in Reason)
        msg = f"unknown reason {reason!r}; expected one of {known}."
        raise InvalidProblem(msg, field=join(path, "reason"))
    return Unassigned(
        visit=str_field(obj, "visit", path),
        reason=Reason(reason),
        message=str_field(obj, "message", path, ""),
    )


def _solver(root: Mapping[str, Any]) -> SolverInfo:
    if root.get("solver") is None:
        return _UNKNOWN_SOLVER
    obj = object_field(root, "solver", "")
    status = str_field(obj, "status", "solver")
    if status not in {s.value for s in PlanStatus}:
        known = ", ".join(s.value for s in PlanStatus)
        msg = f"unknown status {status!r}; expected one of {known}."
        raise InvalidProblem(msg, field="solver.status")
    return SolverInfo(
        status=PlanStatus(status),
        wall_s=float_field(obj, "wall_s", "solver", 0.0),
        objective=int_field(obj, "objective", "solver", 0),
        engine=str_field(obj, "engine", "solver", "ortools"),
        phases=_phases(obj),
        first_plan=str_field(obj, "first_plan", "solver", ""),
        notes=_notes(obj),
    )


def _notes(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """solver.notes: sentences; absent in version-1 plans."""
    here = join("solver", "notes")
    notes = list_field(obj, "notes", "solver", required=False)
    for i, note in enumerate(notes):
        if not isinstance(note, str):
            raise InvalidProblem("must be a string.", field=join(here, i))
    return tuple(notes)


def _phases(obj: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """solver.phases: [name, seconds] pairs; absent in plans of older writers and other tools."""
    here = join("solver", "phases")
    phases = []
    for i, pair in enumerate(list_field(obj, "phases", "solver", required=False)):
        ok = isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
        if not ok or isinstance(pair[1], bool) or not isinstance(pair[1], int | float):
            raise InvalidProblem("must be a [name, seconds] pair.", field=join(here, i))
        phases.append((pair[0], float(pair[1])))
    return tuple(phases)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready purna.plan/2 document; equal to plan.to_dict(), enums as str."""
    return {
        "format": PLAN_FORMAT,
        "routes": [_route_to_dict(r) for r in plan.routes],
        "unassigned": [
            {"visit": u.visit, "reason": str(u.reason.value), "message": u.message}
            for u in plan.unassigned
        ],
        "totals": {
            "assigned": plan.totals.assigned,
            "unassigned": plan.totals.unassigned,
            "travel_s": plan.totals.travel_s,
            "distance_m": plan.totals.distance_m,
            "overtime_s": plan.totals.overtime_s,
            "wait_days": plan.totals.wait_days,
        },
        "solver": {
            "status": str(plan.solver.status.value),
            "wall_s": plan.solver.wall_s,
            "objective": plan.solver.objective,
            "engine": plan.solver.engine,
            "phases": [[name, s] for name, s in plan.solver.phases],
            "first_plan": plan.solver.first_plan,
            "notes": list(plan.solver.notes),
        },
    }


def _route_to_dict(r: Route) -> dict[str, Any]:
    return {
        "technician": r.technician,
        "stops": [
            {"visit": s.visit, "arrival_s": s.arrival_s, "start_s": s.start_s, "end_s": s.end_s}
            for s in r.stops
        ],
        "breaks": [{"start_s": b.start_s, "end_s": b.end_s} for b in r.breaks],
        "start_s": r.start_s,
        "end_s": r.end_s,
        "travel_s": r.travel_s,
        "distance_m": r.distance_m,
        "overtime_s": r.overtime_s,
        "day": r.day,
    }
