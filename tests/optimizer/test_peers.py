"""The peers of `purna bench --peers` (PyVRP, VROOM): their plans as ours, judged by the
validator, and the side-by-side tables of the bench commands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from benchmarks import peers
from benchmarks.peer_days import OURS, DayRun, verdict
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


def test_bench_fieldservice_peers_runs_vroom_on_both_scales_then_purna() -> None:
    """bench fieldservice --peers: per thread count, VROOM on our weights and on its linear
    scale, then `purna solve` in its own process; every plan valid, and Purna's row has a
    verdict and its time to first plan."""
    args = ["bench", "fieldservice", "--sizes", "3x10", "--seed", "1", "--peers"]
    result = runner.invoke(app, [*args, "--peer-threads", "1,2"])
    assert result.exit_code == 0, result.output
    rows = [ln.split("│") for ln in result.stdout.splitlines() if ln.startswith("│ 3x10")]
    solvers = [(r[2].strip(), r[3].split()[0]) for r in rows]
    assert solvers == [(n, s) for n in ("1", "2") for s in ("VROOM", "VROOM", "Purna")]
    assert all(r[9].strip() == "0" for r in rows)  # violations
    purna = [r for r in rows if "Purna" in r[3]]
    assert all(r[12].strip().split()[0] in {"wins", "ties", "loses"} for r in purna)
    assert all(r[11].strip().endswith("s") for r in purna)


def test_bench_fieldservice_peer_threads_must_be_counts() -> None:
    """--peer-threads takes counts such as 1,2: anything else is one line and exit 2."""
    args = ["bench", "fieldservice", "--sizes", "3x10", "--peers", "--peer-threads", "one"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--peer-threads" in result.stderr


def test_verdict_weighs_weight_then_cost_then_time() -> None:
    """Purna wins on more weight whatever the cost, loses on less, and on equal weight the
    lower cost wins; a slower win says so."""
    base = DayRun("2x4", 1, "VROOM weights", 10, 12, 4, 100, 90, 10, 1.0, 0)
    ours = replace(base, solver=OURS)
    assert (
        verdict([base, replace(ours, weight=11, cost=500)], replace(ours, weight=11, cost=500))
        == "wins"
    )
    assert verdict([base, replace(ours, weight=9)], replace(ours, weight=9)) == "loses (weight)"
    cheaper = replace(ours, cost=99, seconds=2.0)
    assert verdict([base, cheaper], cheaper) == "wins but slower"
    assert verdict([base, ours], ours) == "ties"
