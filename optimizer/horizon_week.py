"""The search of a horizon of days from its first plan: each day on its own (horizon_days.py),
then the crew visits still left out where a crew can start together (horizon_first.with_crews),
then visits moved between days (horizon_moves.py). Each step keeps its input unless rank()
finds its result better, so the week's plan is never worse than the first plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from . import horizon_days, horizon_first, horizon_moves
from .plan import Plan
from .problem import Problem

# The share of the time for the moves between days. Measured on the generated week 50x1250x7
# (README, "A generated week"): the moves ended on their own within 4-7 s at load 6-9.
MOVES_SHARE = 0.1


def searched(
    problem: Problem,
    first: Plan,
    improve: horizon_days.Improve,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None = None,
) -> Plan:
    """The first plan improved day by day, then between days, within time_limit_s (the moves
    between days also end when should_stop says so; each day's search asks it itself)."""
    from .backends import rank

    deadline_s = time.perf_counter() + time_limit_s
    days_s = time_limit_s * (1.0 - MOVES_SHARE)
    plan = horizon_days.plan_by_day(problem, first, improve, days_s)
    if rank(problem, first) < rank(problem, plan):
        plan = first
    plan = horizon_first.with_crews(problem, plan)
    return horizon_moves.between_days(problem, plan, deadline_s, should_stop)
