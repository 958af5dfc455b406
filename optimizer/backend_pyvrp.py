"""PyVRP on the problems it expresses exactly, and its routes back as sequences of visit ids.

PyVRP (hybrid iterated local search) is the strongest search we have on capacitated routing with
time windows, but its model has no breaks, one window per client, no soft end of shift and no
per-technician visit costs. expresses() says when a Problem has none of those; solver.py then
uses PyVRP and checks its plan with the validator, and OR-Tools otherwise.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp
from pyvrp import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime, MultipleCriteria

from . import budget
from .problem import Location, Problem, Technician
from .pyvrp_rules import expresses as expresses  # where solver.py asks it
from .stop_times import Item
from .travel import build_table

Sequences = dict[str, list[Item]]

# PyVRP's CostEvaluator.cost() of an infeasible solution: the largest 64-bit cost.
_INFEASIBLE_COST = 2.0**62


@dataclass(frozen=True)
class PyvrpModel:
    """The problem as PyVRP data, and which technicians each vehicle type stands for."""

    data: Any  # pyvrp.ProblemData
    technicians_of_type: tuple[tuple[int, ...], ...]


def pyvrp_model(problem: Problem, *, required: bool = False) -> PyvrpModel:
    """PyVRP data for a problem that expresses() accepts. Technicians with the same start, end,
    shift and capacity share a vehicle type. Every visit is an optional client whose prize
    outweighs any travel it saves, times its priority weight (as the penalties of model.py), or
    with `required` a client every solution must serve (PyVRP's usual model of Solomon VRPTW)."""
    techs = problem.technicians
    depots: list[Location] = list(
        dict.fromkeys([t.start for t in techs] + [t.end_location for t in techs])
    )
    places = depots + [v.location for v in problem.visits]
    table = build_table(problem.travel, places)
    prize_unit = sum(t.latest_end_s - t.shift.start_s for t in techs) + 1  # travel fits the days
    clients = [
        pyvrp.Client(
            location=len(depots) + i,
            delivery=[v.demand],
            service_duration=v.duration_s,
            tw_early=min(w.start_s for w in v.windows),
            tw_late=max(w.end_s for w in v.windows),
            prize=0 if required else prize_unit * v.weight,
            required=required,
        )
        for i, v in enumerate(problem.visits)
    ]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, t in enumerate(techs):
        key = (depots.index(t.start), depots.index(t.end_location), t.shift, t.capacity)
        groups.setdefault(key, []).append(k)
    total_demand = sum(v.demand for v in problem.visits)
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=len(members),
            capacity=[total_demand if capacity is None else capacity],
            start_depot=start,
            end_depot=end,
            tw_early=shift.start_s,
            tw_late=shift.end_s,
            name=techs[members[0]].id,
        )
        for (start, end, shift, capacity), members in groups.items()
    ]
    # Travel time is both what we minimise (PyVRP's distance) and what windows are kept with.
    durations: Any = np.asarray(table.durations_s, dtype=np.int64)  # pyvrp's stubs say ndarray[int]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(p.lon, p.lat) for p in places],
        clients=clients,
        depots=[pyvrp.Depot(location=d) for d in range(len(depots))],
        vehicle_types=vehicle_types,
        distance_matrices=[durations],
        duration_matrices=[durations],
    )
    return PyvrpModel(data, tuple(tuple(m) for m in groups.values()))


def pyvrp_sequences(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    on_best: Callable[[Any], None] | None = None,
    stop: Callable[[float], bool] | None = None,
) -> Sequences:
    """PyVRP's best feasible routes per technician id ({} when it found none). on_best gets
    each better feasible pyvrp.Solution; stop gets the best cost at each iteration and ends the
    search by returning True.

    Every visit is a required client first: PyVRP searches that model best (on Solomon RC1 at
    5 s, 1.1% above the best known against 3.4% with prizes; twice the iterations). When no plan
    serves them all within budget.REQUIRED_PROBE of the time, visits become optional clients with
    prizes for the time left.
    """
    started_s = time.perf_counter()
    probe_s = budget.required_probe_s(time_limit_s)

    def give_up(best_cost: float) -> bool:
        infeasible = best_cost >= _INFEASIBLE_COST
        return infeasible and time.perf_counter() - started_s >= probe_s

    everyone = pyvrp_model(problem, required=True)
    with warnings.catch_warnings():  # a day too full to serve everyone: the expected probe
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = _search(everyone, time_limit_s, seed, on_best, [give_up, stop])
    if result.is_feasible():
        return read_sequences(problem, everyone, result.best)
    optional = pyvrp_model(problem)
    time_left_s = budget.time_left_s(time_limit_s, time.perf_counter() - started_s)
    result = _search(optional, time_left_s, seed, on_best, [stop])
    return read_sequences(problem, optional, result.best) if result.is_feasible() else {}


def _search(
    model: PyvrpModel,
    time_limit_s: float,
    seed: int,
    on_best: Callable[[Any], None] | None,
    stops: list[Callable[[float], bool] | None],
) -> Any:
    """pyvrp.solve on one core until the time limit or a stop says so."""
    criteria: list[Any] = [MaxRuntime(time_limit_s), *(s for s in stops if s is not None)]
    params = pyvrp.SolveParams(ils=IteratedLocalSearchParams(callbacks=_Callbacks(on_best)))
    return pyvrp.solve(
        model.data,
        MultipleCriteria(criteria),
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
    )


class _Callbacks(IteratedLocalSearchCallbacks):
    """Passes PyVRP's new best solutions on."""

    def __init__(self, on_best: Callable[[Any], None] | None) -> None:
        self._on_best = on_best

    def on_best(self, best: Any) -> None:
        if self._on_best is not None:
            self._on_best(best)


def read_sequences(problem: Problem, model: PyvrpModel, solution: Any) -> Sequences:
    """The routes of a PyVRP solution, each given to the next free technician of its type."""
    free = [list(members) for members in model.technicians_of_type]
    sequences: Sequences = {}
    for route in solution.routes():
        clients = [a.idx for a in route.schedule() if a.type == pyvrp.ActivityType.CLIENT]
        if not clients:
            continue
        tech: Technician = problem.technicians[free[route.vehicle_type()].pop(0)]
        sequences[tech.id] = [problem.visits[i].id for i in clients]
    return sequences
