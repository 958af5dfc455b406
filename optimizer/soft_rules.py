"""Two soft rules of the routing model: fair workload and stable starts on re-planning.

- Fair workload (Problem.fairness_cost): a "work" dimension counts travel plus service along each
  route (no waiting, no breaks); its global span cost charges fairness_cost per second of the
  longest route's work, so that the search gives a visit to a technician with less to do when
  that shortens the longest day by more than the extra driving costs. OR-Tools' own way to
  balance routes (the "global span" of a dimension); see
  https://developers.google.com/optimization/routing/vrp#distance_dimension.
- Stable starts (Problem.start_move_cost): a visit with a previous_start_s gets a soft lower and
  upper bound at that start on the time dimension, costing start_move_cost per second it starts
  earlier or later. model.py keeps the start the solver chose for such a visit (kept_start).

Both cost nothing and add nothing to the model when their cost is 0 (the default), so plans
without them stay exactly as before. Like model.py, this module keeps node and index apart;
it calls ortools only through the routing context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .problem import Problem, Visit
from .timing import Span

if TYPE_CHECKING:
    from .model import RoutingContext

WORK = "work"


def add_fair_workload(ctx: RoutingContext) -> None:
    """Penalty: fairness_cost per second of the longest route's travel plus service."""
    problem = ctx.problem
    if problem.fairness_cost == 0:
        return
    service_s = ctx.node_values([v.duration_s for v in problem.visits])
    work = ctx.table.durations_s.copy()
    work += [[s] for s in service_s]  # transit from a node: its service, then the drive on
    work_cb = ctx.routing.RegisterTransitMatrix(work.tolist())
    horizon_s = max(t.latest_end_s for t in problem.technicians)
    slack_s = 0  # waiting and breaks are not work
    fix_start_cumul_to_zero = True  # cumul at the end = the route's work
    ctx.routing.AddDimension(work_cb, slack_s, horizon_s, fix_start_cumul_to_zero, WORK)
    dimension = ctx.routing.GetDimensionOrDie(WORK)
    dimension.SetGlobalSpanCostCoefficient(problem.fairness_cost)
    ctx.dimensions[WORK] = dimension


def add_stable_starts(ctx: RoutingContext) -> None:
    """Penalty: start_move_cost per second a visit starts away from its previous_start_s."""
    problem = ctx.problem
    if problem.start_move_cost == 0:
        return
    for node, vn in enumerate(ctx.nodes):
        previous_s = problem.visits[vn.visit].previous_start_s
        if previous_s is None or not vn.vehicles:
            continue
        index = ctx.manager.NodeToIndex(node)
        ctx.time.SetCumulVarSoftUpperBound(index, previous_s, problem.start_move_cost)
        ctx.time.SetCumulVarSoftLowerBound(index, previous_s, problem.start_move_cost)


RULES: tuple[Callable[[RoutingContext], None], ...] = (add_fair_workload, add_stable_starts)


def most_cost(problem: Problem) -> int:
    """More than these rules can cost in any plan (for model.penalty_unit)."""
    horizon_s = max((t.latest_end_s for t in problem.technicians), default=0)
    moving = sum(1 for v in problem.visits if v.previous_start_s is not None)
    return (problem.fairness_cost + problem.start_move_cost * moving) * horizon_s


def kept_start(
    problem: Problem, visit: Visit, windows: tuple[Span, ...], earliest_s: int, solver_s: int
) -> int:
    """The start of a visit read back from the solver: as early as possible (earliest_s, at
    most the solver's start), unless the start is priced; then the one nearest its previous
    start between the two, inside the solver's window."""
    if problem.start_move_cost == 0 or visit.previous_start_s is None or earliest_s >= solver_s:
        return min(earliest_s, solver_s)
    span = next((w for w in windows if w[0] <= solver_s <= w[1]), (solver_s, solver_s))
    lowest_s = max(earliest_s, span[0])
    return min(max(visit.previous_start_s, lowest_s), solver_s)
