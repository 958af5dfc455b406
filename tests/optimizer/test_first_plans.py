"""The plans the search starts from: our insertion plan, VROOM's portfolio of runs, the fill of
what a plan leaves out, and the seconds each phase took (SolverInfo.phases, first_plan)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from optimizer import backend_vroom, backends, budget, sequences_to_plan, vroom_runs
from optimizer.backend_vroom import LINEAR, WEIGHTS
from optimizer.plan import Plan
from optimizer.problem import Problem
from optimizer.solver import SolveParams
from optimizer.vroom_runs import CHEAP, LEVEL_COST, PORTFOLIO, VroomRun, portfolio

from .conftest import (
    LONG_S,
    assert_plan_valid,
    make_problem,
    make_random_problem,
    make_technician,
    make_visit,
)

Solver = Callable[..., Plan]


def test_insertion_plan_serves_a_small_day_validly() -> None:
    """Our own first plan serves most visits of a small day and passes the validator."""
    problem = make_random_problem(1, technicians=3, visits=12)
    plan = backends.insertion_plan(problem)
    assert plan is not None and plan.solver.first_plan == "insertion"
    assert_plan_valid(problem, plan)
    assert plan.totals.assigned >= 6


def test_portfolio_runs_both_scales_while_time_allows() -> None:
    """With time to spare on a small day, VROOM runs a cheap level first, then at level 5 on
    our weights and on its linear scale, then (as far as the machine's speed allows) the other
    settings in order, each giving routes."""
    problem = make_random_problem(2, technicians=3, visits=20)
    results = portfolio(problem, time.perf_counter() + LONG_S, 1, lambda: False)
    runs = [r.run for r in results]
    assert len(runs) >= 3 and runs == [CHEAP, *PORTFOLIO[: len(runs) - 1]]
    assert [(r.scale, r.exploration) for r in runs[1:3]] == [(WEIGHTS, 5), (LINEAR, 5)]
    assert all(r.sequences for r in results)


def test_a_day_too_big_for_level_5_gets_the_levels_that_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the cheap run says a level-5 run would not finish in the time left, the portfolio
    skips it for the best levels that do (a stand-in VROOM whose search takes LEVEL_COST times
    0.1 s, in this process)."""
    started: list[VroomRun] = []

    def stand_in(
        problem: Problem,
        *,
        exploration_level: int,
        scale: str,
        shuffle_seed: int | None,
        **_: object,
    ) -> dict[str, list[str]]:
        started.append(VroomRun(scale, exploration_level, shuffle_seed))
        time.sleep(0.1 * LEVEL_COST[exploration_level])  # the search's work
        return {}

    monkeypatch.setattr(vroom_runs, "_fork_context", lambda: None)
    monkeypatch.setattr(backend_vroom, "vroom_sequences", stand_in)
    problem = make_random_problem(2, technicians=3, visits=20)
    portfolio(problem, time.perf_counter() + 4.0, 1, lambda: False)
    assert started[0] == CHEAP
    assert all(r.exploration < 5 for r in started) and len(started) >= 2


def test_solve_says_which_first_plan_won_and_where_the_seconds_went(solve_valid: Solver) -> None:
    """The plan names the first plan its search started from and the phases in order, which
    add up to no more than its wall time."""
    problem = make_random_problem(3, technicians=3, visits=20)
    plan = solve_valid(problem, SolveParams(time_limit_s=2.0))
    names = [name for name, _ in plan.solver.phases if name != "make room"]
    assert names[:3] == ["first plan", "vroom", "build"] and names[-1] == "fill"
    runs = {"insertion"} | {r.name for r in (CHEAP, *PORTFOLIO)}
    assert plan.solver.first_plan.removesuffix(" + make room") in runs
    assert sum(s for _, s in plan.solver.phases) <= plan.solver.wall_s + 0.01


def test_fill_serves_a_visit_the_plan_left_out() -> None:
    """A plan that leaves out a visit that still fits gets it from the fill, validly."""
    problem = make_problem(
        [make_technician("t1")], [make_visit("a", place=1), make_visit("b", place=2)]
    )
    partial = sequences_to_plan(problem, {"t1": ["a"]})
    plan = backends.filled(problem, partial)
    assert_plan_valid(problem, plan)
    assert plan.technician_of("b") == "t1" and plan.totals.assigned == 2


def test_a_limit_used_up_by_the_first_plan_builds_no_model(solve_valid: Solver) -> None:
    """With a limit shorter than the read back needs, on a day whose model takes longer to
    build than OR-Tools' tenth of the limit, the first plan (on this small day VROOM's runs, in
    this process, as many as its share holds; our insertion when VROOM's share runs out first),
    with what room could be made for the rest in the time, is the answer: no OR-Tools model
    built past the limit, and no fill of a plan already filled."""
    problem = make_random_problem(4, technicians=4, visits=60)
    plan = solve_valid(problem, SolveParams(time_limit_s=0.3))
    names = [name for name, _ in plan.solver.phases if name != "make room"]
    assert names in (["first plan", "vroom"], ["first plan", "vroom", "first plan"])
    first = plan.solver.first_plan.removesuffix(" + make room")
    runs = {backends.INSERTION} | {r.name for r in (CHEAP, *PORTFOLIO)}
    assert first in runs and plan.totals.assigned > 0


def test_a_small_day_runs_vroom_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a small day every run expected within a second runs in this process: no fork server
    is asked for a child, and each run gives routes."""

    def no_children() -> None:
        raise AssertionError("a small day's short run went to a child process")

    monkeypatch.setattr(vroom_runs, "_fork_context", no_children)
    problem = make_random_problem(5, technicians=3, visits=20)
    results = portfolio(problem, time.perf_counter() + 0.8, 1, lambda: False)
    assert results and results[0].run == CHEAP
    assert all(r.sequences for r in results)


def test_only_a_big_day_or_a_long_share_needs_child_processes() -> None:
    """The fork server is started for a day that is not small, or when a small day's share
    could hold a run longer than a run in this process may take."""
    small = make_random_problem(6, technicians=3, visits=20)
    big = make_random_problem(6, technicians=3, visits=budget.SMALL_DAY_VISITS + 1)
    assert not vroom_runs.needs_children(small, 1.0)
    assert vroom_runs.needs_children(small, 3 * vroom_runs.HERE_S)
    assert vroom_runs.needs_children(big, 1.0)
    assert not vroom_runs.needs_children(big, budget.MIN_VROOM_S / 2)


def test_vroom_is_imported_without_pandas_which_loads_when_used() -> None:
    """pyvroom imports pandas only for Solution.routes: in a new interpreter, importing VROOM
    through the backend leaves pandas unloaded, and Solution.routes still gives its table."""
    code = (
        "import sys\n"
        "from optimizer.backend_vroom import _vroom, priority_scale, vroom_input\n"
        "from optimizer.fieldservice import generate_day\n"
        "_vroom()\n"
        "assert 'pandas.core' not in sys.modules, 'pandas was loaded with VROOM'\n"
        "problem = generate_day(2, 6, seed=1)\n"
        "inp = vroom_input(problem, priority_scale(problem, 'weights'))\n"
        "routes = inp.solve(exploration_level=0, nb_threads=1).routes\n"
        "print(type(routes).__name__, len(routes) > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["DataFrame", "True"]
