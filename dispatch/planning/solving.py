"""Solving a day's problem: road travel from the region's routing server, the optimizer's search,
and the independent validator. No database: a background job can run it between transactions.
"""

from __future__ import annotations

from collections.abc import Callable

import optimizer as opt
from dispatch.planning import travel
from dispatch.planning.convert import DayProblem, DaySolution, as_invalid_input, from_rows
from dispatch.planning.models import Plan, PlanOptions


def solve(
    day_problem: DayProblem,
    options: PlanOptions,
    on_progress: Callable[[opt.Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DaySolution:
    """Solve the day on road travel from the region's routing server when it has one, else
    (or when it fails) on great-circle estimates, as the plan then says (no database needed:
    safe to run in a background job). should_stop ends the search early."""
    with as_invalid_input():
        day_problem = travel.apply(day_problem)
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
