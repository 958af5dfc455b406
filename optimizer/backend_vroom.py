"""VROOM (pyvroom) on a Problem: the day in VROOM's model, and VROOM's routes back as sequences.

VROOM expresses skills, pinned technicians (as a skill of their own), several windows per visit,
breaks with windows, priorities, shifts with overtime and capacity. It cannot express the cost of
overtime (overtime up to max_overtime_s is free to it), preferred or previous technicians, nor
priorities beyond its 0-100 scale; the OR-Tools search that starts from its routes adds those
(solver.py). VROOM takes a break where the technician is; ours may also fall on the way, so every
VROOM route is a route of ours (sequence_plan times it and the validator checks it).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from .problem import PRIORITY_WEIGHT, Problem, Technician
from .reasons import may_serve
from .stop_times import Item
from .timing import break_starts, merged
from .travel import build_table

# VROOM maximises the sum of its 0-100 priorities before anything else. Two scales: our weights
# (PRIORITY_WEIGHT, tenfold a step) fitted into 0-100 geometrically, which is exactly 1/10/100
# when no visit is above priority 3 and keeps the order otherwise (1/3/10/32/100 for 1-5); and
# VROOM's own linear scale (priority p counts p). Which serves more of our weight depends on the
# day (issue 14: each wins somewhere), hence both in the portfolio (vroom_runs.py).
WEIGHTS = "weights"
LINEAR = "linear"
SCALES = (WEIGHTS, LINEAR)
VROOM_PRIORITY_MAX = 100
PROFILE = "car"

Sequences = dict[str, list[Item]]


def priority_scale(problem: Problem, scale: str) -> dict[int, int]:
    """VROOM's priority for each of our priorities on this scale (WEIGHTS or LINEAR)."""
    if scale == LINEAR:
        return {p: p for p in PRIORITY_WEIGHT}
    top = max((v.priority for v in problem.visits), default=1)
    ratio = min(10.0, VROOM_PRIORITY_MAX ** (1 / (top - 1))) if top > 1 else 10.0
    return {p: min(VROOM_PRIORITY_MAX, round(ratio ** (p - 1))) for p in PRIORITY_WEIGHT}


def vroom_sequences(
    problem: Problem,
    *,
    exploration_level: int = 5,
    threads: int = 1,
    timeout_s: float | None = None,
    scale: str = WEIGHTS,
    shuffle_seed: int | None = None,
) -> Sequences:
    """VROOM's routes for the problem, per technician id: visit ids and break indices in order
    (technicians without visits are left out). shuffle_seed gives the jobs to VROOM in another
    order (its heuristics break ties by job order, so the plans differ)."""
    if not problem.visits or not problem.technicians:
        return {}
    timeout = None if timeout_s is None else timedelta(seconds=timeout_s)
    inp = vroom_input(problem, priority_scale(problem, scale), shuffle_seed)
    if not inp.has_jobs() or not inp.vehicles:  # VROOM refuses to solve without either
        return {}
    solution = inp.solve(exploration_level=exploration_level, nb_threads=threads, timeout=timeout)
    return read_sequences(problem, solution.to_dict())


def vroom_input(
    problem: Problem, priority: Mapping[int, int], shuffle_seed: int | None = None
) -> Any:
    """The problem as a vroom.Input, with VROOM's priority per our priority. Matrix index k:
    start of technician k, n + k: its end, 2n + i: visit i (n technicians)."""
    techs, n = problem.technicians, len(problem.technicians)
    locations = [t.start for t in techs] + [t.end_location for t in techs]
    locations += [v.location for v in problem.visits]
    table = build_table(problem.travel, locations)
    vroom = _vroom()
    inp = vroom.Input()
    durations = np.minimum(table.durations_s, np.iinfo(np.uint32).max).astype(np.uint32)
    inp.set_durations_matrix(PROFILE, durations)
    inp.set_costs_matrix(PROFILE, durations)  # the objective is travel time, as in model.py
    skill_ids = _skill_ids(problem)
    capacities = _capacities(problem)
    for k, t in enumerate(techs):
        if not all(break_starts(t, b) for b in t.breaks):
            continue  # a break that cannot fit the shift: the technician cannot work at all
        inp.add_vehicle(_vehicle(k, n, t, skill_ids, capacities))
    order = np.arange(len(problem.visits))
    if shuffle_seed is not None:
        order = np.random.default_rng(shuffle_seed).permutation(order)
    for i in (int(x) for x in order):
        v = problem.visits[i]
        needs = {skill_ids[s] for s in v.skills}
        if v.pinned_technician is not None:
            needs.add(skill_ids[_pin(v.pinned_technician)])
        if not any(may_serve(t, v) for t in techs):
            continue  # VROOM would leave it out too; reasons.py says why
        job: dict[str, Any] = {
            "location": 2 * n + i,
            "default_service": v.duration_s,
            "skills": needs or None,
            "priority": priority[v.priority],
            "time_windows": [vroom.TimeWindow(a, b) for a, b in merged(v.windows)],
        }
        if capacities:
            job["delivery"] = vroom.Amount([v.demand])
        inp.add_job(vroom.Job(i, **job))
    return inp


def _vehicle(
    k: int, n: int, t: Technician, skill_ids: Mapping[str, int], capacities: Sequence[int]
) -> Any:
    """Technician k as a vroom.Vehicle; break j of the technician is VROOM break j."""
    vroom = _vroom()
    breaks = [
        vroom.Break(j, [vroom.TimeWindow(a, b) for a, b in break_starts(t, b)], b.duration_s)
        for j, b in enumerate(t.breaks)
    ]
    skills = {skill_ids[s] for s in t.skills} | {skill_ids[_pin(t.id)]}
    extra: dict[str, Any] = {"capacity": [capacities[k]]} if capacities else {}
    return vroom.Vehicle(
        k,
        start=k,
        end=n + k,
        profile=PROFILE,
        skills=skills,
        time_window=vroom.TimeWindow(t.shift.start_s, t.latest_end_s),
        breaks=breaks,
        **extra,
    )


def _vroom() -> Any:
    """pyvroom, imported when a run needs it, without pandas: pyvroom imports pandas (0.3 s
    idle, 2 s on a loaded machine; VROOM itself takes 0.02 s) only for Solution.routes, which
    we never read. pandas is then loaded on its first use (importlib's LazyLoader)."""
    if "vroom" in sys.modules or "pandas" in sys.modules:
        import vroom

        return vroom
    return _vroom_without_pandas()


def _vroom_without_pandas() -> Any:
    # Importing pyvroom evaluates one annotation, `pandas.DataFrame`: a stand-in answers it.
    stand_in = types.ModuleType("pandas")
    stand_in.DataFrame = Any  # type: ignore[attr-defined]
    sys.modules["pandas"] = stand_in
    try:
        import vroom
        from vroom.solution import solution
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]
    solution.pandas = _lazy("pandas")
    return vroom


def _lazy(name: str) -> types.ModuleType:
    """The module, registered and executed on its first attribute access (the recipe of
    importlib's documentation, "Implementing lazy imports")."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def _pin(technician_id: str) -> str:
    """The skill that only this technician holds: a pinned visit needs it."""
    return f"\0pinned:{technician_id}"


def _skill_ids(problem: Problem) -> dict[str, int]:
    """An integer per skill (VROOM's skills are integers), pins included."""
    names = sorted({s for t in problem.technicians for s in t.skills})
    names += sorted({s for v in problem.visits for s in v.skills} - set(names))
    names += [_pin(t.id) for t in problem.technicians]
    return {name: i for i, name in enumerate(names)}


def _capacities(problem: Problem) -> list[int]:
    """Per technician its capacity ([] when no visit has demand or no technician a capacity)."""
    total = sum(v.demand for v in problem.visits)
    if total == 0 or all(t.capacity is None for t in problem.technicians):
        return []
    return [total if t.capacity is None else t.capacity for t in problem.technicians]


def read_sequences(problem: Problem, solution: Mapping[str, Any]) -> Sequences:
    """The routes of a VROOM solution (its to_dict()) as sequences of visit ids and breaks."""
    sequences: Sequences = {}
    for route in solution.get("routes", []):
        items: list[Item] = []
        for step in route["steps"]:
            if step["type"] == "job":
                items.append(problem.visits[int(step["id"])].id)
            elif step["type"] == "break":
                items.append(int(step["id"]))
        sequences[problem.technicians[int(route["vehicle"])].id] = items
    return sequences
