"""The plan a re-plan replaces, as the plan its search must beat.

A re-plan whose problem prices moves (stability_cost, start_move_cost) has an obvious candidate:
each technician's previous visits in their previous order, as far as they still hold, and the
visits that lost their place (a technician gone or late, an urgent visit) at their cheapest
places. solver.py keeps it when the search finds nothing better and, when it leaves no visit
out for lack of room (whole), skips VROOM: VROOM knows no prices, and on the demo day (`purna
bench disruptions`) the search started from VROOM's plan, or from this one, stalled far from
the plans OR-Tools found from its own first solution, which weighs the prices. When it leaves
a visit out, the usual insertion and VROOM start is kept: OR-Tools alone missed a pinned visit
that needed others moved.
"""

from __future__ import annotations

from dataclasses import replace

from .backends import checked_plan
from .errors import InvalidProblem
from .insertion import DayRoutes, place
from .plan import Plan, Reason
from .problem import Problem

PREVIOUS = "previous plan"  # SolverInfo.first_plan of such a plan


def prices_moves(problem: Problem) -> bool:
    """True when the problem prices moving a visit away from where the last plan had it."""
    reassign = problem.stability_cost > 0 and any(v.previous_technician for v in problem.visits)
    retime = problem.start_move_cost > 0 and any(
        v.previous_start_s is not None for v in problem.visits
    )
    return reassign or retime


def previous_plan(problem: Problem) -> Plan | None:
    """The last plan kept where it still holds and completed by cheapest insertion, checked by
    the validator; None when the problem prices no moves or names no previous technicians."""
    if not prices_moves(problem):
        return None
    sequences = _previous_sequences(problem)
    if not sequences:
        return None
    try:
        broken = set(DayRoutes(problem, sequences).infeasible)
        kept = {t: s for t, s in sequences.items() if t not in broken}
        placement = place(problem, kept, [v.id for v in problem.visits])
    except InvalidProblem:  # a previous route our insertion cannot time as given
        return None
    plan = checked_plan(problem, placement.sequences)
    return None if plan is None else replace(plan, solver=replace(plan.solver, first_plan=PREVIOUS))


def whole(plan: Plan) -> bool:
    """True when the plan leaves out no visit for lack of room (only those nobody may serve):
    from such a previous plan OR-Tools' own first solution finds its way; for one that leaves
    a visit out (a pinned visit that needs others moved, say) it may not, and VROOM's runs
    are needed (measured on the board's pin and re-plan)."""
    return all(u.reason is not Reason.NO_CAPACITY for u in plan.unassigned)


def _previous_sequences(problem: Problem) -> dict[str, tuple[str, ...]]:
    """Per technician still in the problem, its previous visits by previous start."""
    working = {t.id for t in problem.technicians}
    ordered = sorted(problem.visits, key=lambda v: (v.previous_start_s or 0, v.id))
    sequences: dict[str, tuple[str, ...]] = {}
    for v in ordered:
        if v.previous_technician in working:
            sequences[v.previous_technician] = (*sequences.get(v.previous_technician, ()), v.id)
    return sequences
