"""Solving a day's problem: road travel from the region's routing server, the optimizer's search,
and the independent validator. No database: a background job can run it between transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import optimizer as opt
from dispatch import road_matrix
from dispatch.planning.convert import DayProblem, DaySolution, as_invalid_input, from_rows
from dispatch.planning.models import Plan, PlanOptions


def solve(
    day_problem: DayProblem,
    options: PlanOptions,
    on_progress: Callable[[opt.Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DaySolution:
    """Solve the day on road travel from the region's routing server when it has one (no
    database needed: safe to run in a background job); raises RoutingUnavailable when the
    server fails. should_stop ends the search early."""
    if day_problem.osrm_url:
        with as_invalid_input():
            problem = _with_road_matrix(day_problem.problem, day_problem.osrm_url)
        day_problem = replace(day_problem, problem=problem, osrm_url=None)
    params = opt.SolveParams(
        time_limit_s=options.time_limit_s,
        deterministic=options.deterministic,
        on_progress=on_progress,
        should_stop=should_stop,
        threads=options.threads,
        seed=options.seed,
    )
    with as_invalid_input():
        plan = opt.solve(day_problem.problem, params)
    return DaySolution(day_problem, plan)


def violations(solution: DaySolution) -> list[str]:
    """The rules the plan breaks according to the independent validator (empty: valid)."""
    found = opt.check(solution.day_problem.problem, solution.plan)
    return [f"{v.code}: {v.message}" for v in found]


def check_stored(plan: Plan) -> list[str]:
    """The rules a stored plan breaks, checked again from its stored problem (empty: valid)."""
    problem, solved = from_rows(plan)
    return [f"{v.code}: {v.message}" for v in opt.check(problem, solved)]


def _with_road_matrix(problem: opt.Problem, osrm_url: str) -> opt.Problem:
    """The problem with travel from the region's routing server. Matrix rows: each technician's
    start and end (2k, 2k + 1), then the visits (2n + j)."""
    techs, n = problem.technicians, len(problem.technicians)
    places = [p for t in techs for p in (t.start, t.end_location)]
    places += [v.location for v in problem.visits]
    table = road_matrix.road_table(osrm_url, [(p.lat, p.lon) for p in places])
    return replace(
        problem,
        technicians=tuple(
            replace(
                t, start=replace(t.start, index=2 * k), end=replace(t.end_location, index=2 * k + 1)
            )
            for k, t in enumerate(techs)
        ),
        visits=tuple(
            replace(v, location=replace(v.location, index=2 * n + j))
            for j, v in enumerate(problem.visits)
        ),
        travel=opt.Matrix(table.durations_s, table.distances_m),
    )
