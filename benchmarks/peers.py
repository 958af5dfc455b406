"""The peers a user could pick instead of Purna, run on the same Problem, their plans checked.

PyVRP runs with its defaults on one core (it has a single search thread) for a time limit, every
visit a required client: its usual model of Solomon VRPTW. VROOM runs at exploration level 5 on
one thread with no time limit, with skills, pinned technicians (a skill of their own), windows,
breaks, shifts plus overtime, priorities (0-100, order kept) and capacity mapped onto its model.
Each peer's routes are timed by optimizer.sequence_plan and judged by optimizer.check, like ours:
a route that cannot be timed under our rules, or a plan with violations, counts as infeasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyvrp
from pyvrp.stop import MaxRuntime

from optimizer import (
    InvalidProblem,
    Item,
    Plan,
    Problem,
    check,
    pyvrp_expresses,
    pyvrp_model,
    pyvrp_read_sequences,
    sequences_to_plan,
    vroom_sequences,
)

PYVRP = "PyVRP 0.14"
VROOM = "VROOM 1.15"
VROOM_EXPLORATION = 5


@dataclass(frozen=True)
class PeerRun:
    """One peer on one problem: its plan as we time it (None when its routes cannot be timed
    under our rules), the validator's violations, and its wall time."""

    solver: str
    plan: Plan | None
    violations: int
    seconds: float
    note: str = ""

    @property
    def feasible(self) -> bool:
        """A plan that the validator accepts."""
        return self.plan is not None and self.violations == 0


def run_pyvrp(problem: Problem, time_limit_s: float, seed: int = 0) -> PeerRun:
    """PyVRP with default parameters for time_limit_s; only for problems it expresses."""
    if not pyvrp_expresses(problem):
        return PeerRun(PYVRP, None, 0, 0.0, "cannot express the problem (breaks, skills, ...)")
    model = pyvrp_model(problem, required=True)
    started = time.perf_counter()
    result = pyvrp.solve(model.data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    seconds = time.perf_counter() - started
    if not result.is_feasible():
        return PeerRun(PYVRP, None, 0, seconds, "no feasible solution")
    return _judged(PYVRP, problem, pyvrp_read_sequences(problem, model, result.best), seconds)


def run_vroom(
    problem: Problem, exploration_level: int = VROOM_EXPLORATION, threads: int = 1
) -> PeerRun:
    """VROOM at this exploration level on `threads` threads, no time limit."""
    started = time.perf_counter()
    sequences = vroom_sequences(problem, exploration_level=exploration_level, threads=threads)
    return _judged(VROOM, problem, sequences, time.perf_counter() - started)


def _judged(
    solver: str, problem: Problem, sequences: dict[str, list[Item]], seconds: float
) -> PeerRun:
    """The peer's routes as our plan, with the validator's verdict."""
    try:
        plan = sequences_to_plan(problem, sequences)
    except InvalidProblem as e:
        return PeerRun(solver, None, 0, seconds, f"routes cannot be timed: {e}")
    return PeerRun(solver, plan, len(check(problem, plan)), seconds)
