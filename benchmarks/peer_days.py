"""`purna bench fieldservice --peers`: Purna against VROOM on generated days, at equal threads
and no more whole wall time, scored by our objective through our validator (issue 14).

VROOM runs twice per day and thread count, with no time limit: on our weights (1/10/100 where
they fit its 0-100 scale) and on its linear scale. Purna runs as a user runs it, `purna solve` in
a new process from a problem file; its wall time counts from the process's start to its exit,
the plan on disk, imports and parsing included. Its time limit is the wall time of VROOM's better
run less a margin: `purna solve` counts its own process's start in its limit.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.table import Table

from benchmarks.figures import hours, minutes
from benchmarks.routing import DayOptions
from optimizer import (
    Plan,
    Problem,
    check,
    problem_to_dict,
    rank,
    read_plan,
    vroom_sequences,
    write_json,
)
from optimizer import sequences_to_plan as timed

OURS = "Purna"
VROOM_EXPLORATION = 5
SCALES = ("weights", "linear")  # backend_vroom.WEIGHTS, LINEAR
# `purna solve` in a new interpreter; named by its module path, as the installed script does.
PURNA = (sys.executable, "-c", "from api.cli import app; app()")
MIN_LIMIT_S = 0.3
# Kept off Purna's time limit: `purna solve` keeps time for checking and writing the plan
# within its limit and ends its process at once after it; what is left is the process's start
# by this one and the variation of its seconds (0.03-0.1 s idle, 2026-12-03).
MARGIN = 0.03
MARGIN_S = 0.1


@dataclass(frozen=True, slots=True)
class DayRun:
    """One solver on one day at some threads: the plan's figures by our objective."""

    size: str
    threads: int
    solver: str
    weight: int
    weight_total: int
    assigned: int
    cost: int
    travel_s: int
    overtime_s: int
    seconds: float
    violations: int
    first_s: float | None = None  # Purna: start, read and first plan, from its phases
    note: str = ""  # Purna: the first plan its search started from


def compare_day(
    technicians: int,
    visits: int,
    options: DayOptions,
    threads: int,
    on_run: Callable[[DayRun], None],
) -> list[DayRun]:
    """VROOM on each scale, then Purna with the better VROOM run's wall time; on_run after each."""
    problem = options.day(technicians, visits)
    runs = []
    for scale in SCALES:
        started_s = time.perf_counter()
        sequences = vroom_sequences(
            problem, exploration_level=VROOM_EXPLORATION, threads=threads, scale=scale
        )
        plan = timed(problem, sequences)
        runs.append(_run(problem, plan, threads, f"VROOM {scale}", time.perf_counter() - started_s))
        on_run(runs[-1])
    best = min(runs, key=lambda r: (-r.weight, r.cost))
    runs.append(run_purna(problem, threads, best.seconds))
    on_run(runs[-1])
    return runs


def run_purna(problem: Problem, threads: int, wall_s: float) -> DayRun:
    """`purna solve` on the problem in a new process, to end within wall_s of its start."""
    with tempfile.TemporaryDirectory() as folder:
        problem_path, plan_path = Path(folder) / "day.json", Path(folder) / "plan.json"
        write_json(problem_path, problem_to_dict(problem))
        limit_s = max(MIN_LIMIT_S, (1 - MARGIN) * wall_s - MARGIN_S)
        args = [str(problem_path), "-o", str(plan_path), "-q", "--threads", str(threads)]
        started_s = time.perf_counter()
        done = subprocess.run(
            [*PURNA, "solve", *args, "--time-limit", f"{limit_s:.2f}"],
            check=False,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started_s
        if not plan_path.exists():  # exit 1 (a broken plan) still writes it: the table says so
            raise RuntimeError(f"purna solve wrote no plan: {done.stderr.strip()}")
        plan = read_plan(plan_path, problem)
    phases = dict(plan.solver.phases)
    first_s = sum(phases.get(name, 0.0) for name in ("start", "read", "first plan"))
    row = _run(problem, plan, threads, OURS, seconds)
    return replace(row, first_s=first_s, note=plan.solver.first_plan)


def _run(problem: Problem, plan: Plan, threads: int, solver: str, seconds: float) -> DayRun:
    weight, cost = rank(problem, plan)
    return DayRun(
        size=f"{len(problem.technicians)}x{len(problem.visits)}",
        threads=threads,
        solver=solver,
        weight=-weight,
        weight_total=sum(v.weight for v in problem.visits),
        assigned=plan.totals.assigned,
        cost=cost,
        travel_s=plan.totals.travel_s,
        overtime_s=plan.totals.overtime_s,
        seconds=seconds,
        violations=len(check(problem, plan)),
    )


def peers_table(runs: Sequence[DayRun], title: str) -> Table:
    """One row per day, threads and solver; Purna's row says whether it wins on that day."""
    table = Table(title=title)
    names = ("day", "threads", "solver", "weight served", "visits", "cost", "travel", "overtime")
    for name in (*names, "violations", "wall", "first plan", "verdict"):
        table.add_column(name, justify="left" if name in ("day", "solver", "verdict") else "right")
    for r in runs:
        table.add_row(
            r.size, str(r.threads), r.solver + (f" ({r.note})" if r.note else ""),
            f"{r.weight}/{r.weight_total}", str(r.assigned), hours(r.cost), hours(r.travel_s),
            minutes(r.overtime_s), str(r.violations), f"{r.seconds:.1f} s",
            "-" if r.first_s is None else f"{r.first_s:.1f} s", verdict(runs, r),
        )  # fmt: skip
    return table


def verdict(runs: Sequence[DayRun], ours: DayRun) -> str:
    """For Purna's row: `wins`, `ties` or `loses` against VROOM's better run of the same day and
    threads (weight first, then cost; and no more wall time); empty for VROOM's rows."""
    if ours.solver != OURS:
        return ""
    same = [r for r in runs if (r.size, r.threads) == (ours.size, ours.threads)]
    theirs = [r for r in same if r.solver != OURS]
    best = min(theirs, key=lambda r: (-r.weight, r.cost))
    if ours.violations:
        return "loses (invalid plan)"
    score, their_score = (-ours.weight, ours.cost), (-best.weight, best.cost)
    slower = ours.seconds > best.seconds
    if score < their_score:
        return "wins" + (" but slower" if slower else "")
    if score == their_score:
        return "ties" + (" but slower" if slower else "")
    return "loses" + (" (weight)" if ours.weight < best.weight else " (cost)")
