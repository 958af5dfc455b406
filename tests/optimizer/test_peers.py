"""The peers of `purna bench --peers` (PyVRP, VROOM): their plans as ours, judged by the
validator, and the side-by-side tables of the bench commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from benchmarks import peers
from benchmarks.peers import PeerRun
from optimizer.problem import Problem
from optimizer.solomon import parse_solomon
from tests.optimizer.conftest import assert_plan_valid, make_random_problem

SOLOMON = Path(__file__).resolve().parents[2] / "fixtures" / "solomon"
runner = CliRunner()

# The depot and three customers of C101, two vehicles (fixtures/solomon_tiny.txt).
SMALL = (SOLOMON.parent / "solomon_tiny.txt").read_text()


def test_run_pyvrp_small_solomon_serves_everyone_validly() -> None:
    """PyVRP's plan for three customers serves all three and passes the validator."""
    problem = parse_solomon(SMALL)
    run = peers.run_pyvrp(problem, time_limit_s=0.3)
    assert run.feasible and run.plan is not None
    assert run.plan.totals.assigned == 3
    assert_plan_valid(problem, run.plan)


def test_run_pyvrp_day_with_breaks_is_left_out() -> None:
    """A day with lunch breaks is not something PyVRP can express: no plan, and a note why."""
    run = peers.run_pyvrp(make_random_problem(1), time_limit_s=0.3)
    assert run.plan is None and not run.feasible
    assert "cannot express" in run.note


def test_run_vroom_day_with_breaks_skills_and_priorities_is_valid() -> None:
    """VROOM's plan for a day with breaks, skills and priorities passes our validator."""
    problem = make_random_problem(2, technicians=3, visits=30)
    run = peers.run_vroom(problem)
    assert run.feasible and run.plan is not None
    assert run.plan.totals.assigned > 0
    assert_plan_valid(problem, run.plan)


def test_bench_solomon_peers_prints_every_solver_and_the_summary() -> None:
    """bench solomon --peers prints a row per instance with Purna, PyVRP and VROOM, and ratios."""
    args = ["bench", "solomon", str(SOLOMON), "--instances", "C101", "--time-limit", "0.5"]
    result = runner.invoke(app, [*args, "--peers"])
    assert result.exit_code == 0, result.output
    assert "PyVRP 0.14" in result.stdout and "VROOM 1.15" in result.stdout
    row = next(ln for ln in result.stdout.splitlines() if ln.startswith("│ C101"))
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells[:3] == ["C101", "827.3", "827.3"]  # the best known value, then ours
    assert all(float(d) >= 827.3 for d in cells[2::2])  # every solver found a valid plan
    assert "ours/theirs" in result.stdout and "1/1" in result.stdout


def test_bench_solomon_unknown_engine_exits_2() -> None:
    """An engine that does not exist is a one-line error, exit code 2."""
    args = ["bench", "solomon", str(SOLOMON), "--instances", "C101", "--engine", "cplex"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "engine" in result.stderr and "cplex" in result.stderr


def test_bench_fieldservice_peers_gives_vroom_and_purna_columns() -> None:
    """bench fieldservice --peers puts VROOM's column before ours, both checked valid."""
    args = ["bench", "fieldservice", "--sizes", "3x10", "--seed", "1", "--peers"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3x10 VROOM 1.15" in result.stdout and "VROOM's time" in result.stdout
    row = next(ln for ln in result.stdout.splitlines() if "violations (check)" in ln)
    assert [cell.strip() for cell in row.split("│")[2:4]] == ["0", "0"]


def test_bench_fieldservice_peer_threads_reach_vroom_and_the_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With --peer-threads 2 the VROOM peer runs on two threads, its plan is still valid, and
    the table says how many threads each solver had."""
    asked: list[int] = []
    real = peers.run_vroom

    def recording(problem: Problem, exploration_level: int = 5, threads: int = 1) -> PeerRun:
        asked.append(threads)
        return real(problem, exploration_level, threads)

    monkeypatch.setattr(peers, "run_vroom", recording)
    args = ["bench", "fieldservice", "--sizes", "3x10", "--seed", "1", "--peers"]
    result = runner.invoke(app, [*args, "--threads", "2", "--peer-threads", "2"])
    assert result.exit_code == 0, result.output
    assert asked == [2]
    assert "threads: ours 2, VROOM's 2" in " ".join(result.stdout.split())
    row = next(ln for ln in result.stdout.splitlines() if "violations (check)" in ln)
    assert [cell.strip() for cell in row.split("│")[2:4]] == ["0", "0"]
