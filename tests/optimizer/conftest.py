"""Tiny problems that can be checked by hand, and the validator every returned plan goes through.

Places lie on a line: matrix index i sits POSITIONS_MIN[i] minutes of driving from index 0, so
travel between two places is the difference in minutes (and 1 km per minute).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from optimizer.checker import check
from optimizer.plan import Plan, Progress
from optimizer.problem import Break, Location, Matrix, Problem, Technician, TimeWindow, Visit
from optimizer.solver import SolveParams, solve

H = 3600
M = 60
POSITIONS_MIN = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)

# Tests search deterministically with a small work limit: quick, and the same plan every run.
QUICK = SolveParams(deterministic=True, work_limit=300)
# A time limit no test waits for: a solve that returns long before it was stopped early.
LONG_S = 60.0


def at(index: int) -> Location:
    """The place with this matrix index."""
    return Location(0.0, 0.0, index)


def line_matrix(positions_min: Sequence[int] = POSITIONS_MIN) -> Matrix:
    """Travel along a line: |a - b| minutes and |a - b| km between positions a and b."""
    return Matrix(
        durations_s=tuple(tuple(abs(a - b) * M for b in positions_min) for a in positions_min),
        distances_m=tuple(tuple(abs(a - b) * 1000 for b in positions_min) for a in positions_min),
    )


def window(start_h: float, end_h: float) -> TimeWindow:
    """A window between two clock times given in hours (8.5 = 08:30)."""
    return TimeWindow(round(start_h * H), round(end_h * H))


def lunch(start_h: float = 12.0, latest_start_h: float = 12.5, minutes: int = 60) -> Break:
    """A break starting between two clock times."""
    return Break(windows=(window(start_h, latest_start_h),), duration_s=minutes * M)


def make_technician(id: str = "t1", *, home: int = 0, **overrides: Any) -> Technician:
    """A technician at matrix index `home`, 08:00-17:00, no skills, no breaks."""
    fields: dict[str, Any] = {"start": at(home), "shift": window(8, 17)}
    fields.update(overrides)
    return Technician(id=id, **fields)


def make_visit(id: str = "v1", *, place: int = 1, **overrides: Any) -> Visit:
    """A 30-minute visit at matrix index `place`, any time 08:00-17:00."""
    fields: dict[str, Any] = {
        "location": at(place),
        "duration_s": 30 * M,
        "windows": (window(8, 17),),
    }
    fields.update(overrides)
    return Visit(id=id, **fields)


def make_problem(
    technicians: Sequence[Technician],
    visits: Sequence[Visit],
    positions_min: Sequence[int] = POSITIONS_MIN,
    **overrides: Any,
) -> Problem:
    """A problem on the line of positions_min."""
    return Problem(
        technicians=tuple(technicians),
        visits=tuple(visits),
        travel=line_matrix(positions_min),
        **overrides,
    )


def assert_plan_valid(problem: Problem, plan: Plan) -> None:
    """Fail with every violation the independent validator finds."""
    violations = check(problem, plan)
    assert not violations, "\n".join(f"{v.code}: {v.message}" for v in violations)


@pytest.fixture
def assert_valid() -> Callable[[Problem, Plan], None]:
    """The validator as a fixture: assert_valid(problem, plan)."""
    return assert_plan_valid


@pytest.fixture
def solve_valid() -> Callable[..., Plan]:
    """Solve (QUICK unless params are given) and check the plan before handing it over."""

    def run(problem: Problem, params: SolveParams = QUICK) -> Plan:
        plan = solve(problem, params)
        assert_plan_valid(problem, plan)
        return plan

    return run


def make_random_problem(seed: int, technicians: int = 3, visits: int = 25) -> Problem:
    """A small random day on a 2-D grid: skills, 2-hour windows, lunch breaks, priorities."""
    import random

    rng = random.Random(seed)
    n = technicians + visits
    points = [(rng.randint(0, 40), rng.randint(0, 40)) for _ in range(n)]
    minutes = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in points] for a in points]
    travel = Matrix(
        durations_s=tuple(tuple(m * M for m in row) for row in minutes),
        distances_m=tuple(tuple(m * 700 for m in row) for row in minutes),
    )
    skills = ("ac", "fridge")
    techs = [
        make_technician(
            f"t{k}", home=k, breaks=(lunch(11.5, 13.0),), skills=frozenset(skills[: 1 + k % 2])
        )
        for k in range(technicians)
    ]
    slots = [window(h, h + 2) for h in (8, 10, 13, 15)]
    day = [
        make_visit(
            f"v{i}",
            place=technicians + i,
            duration_s=rng.choice((30, 45, 60)) * M,
            windows=(rng.choice(slots),),
            skills=frozenset({rng.choice(skills)}),
            priority=rng.choice((1, 1, 1, 2, 3)),
        )
        for i in range(visits)
    ]
    return Problem(technicians=tuple(techs), visits=tuple(day), travel=travel)


class CancelAtFirstPlan:
    """A caller who cancels as soon as the first plan is reported, as a dispatcher might."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.seen: list[Progress] = []

    def on_progress(self, progress: Progress) -> None:
        self.seen.append(progress)
        self.cancelled.set()

    def params(self, **overrides: Any) -> SolveParams:
        """SolveParams for LONG_S that report to this caller and stop once it has cancelled."""
        fields: dict[str, Any] = {
            "time_limit_s": LONG_S,
            "on_progress": self.on_progress,
            "should_stop": self.cancelled.is_set,
        }
        return SolveParams(**(fields | overrides))
