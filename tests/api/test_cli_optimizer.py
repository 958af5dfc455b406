"""The optimizer commands of the `purna` CLI: solve, check, bench, one-line errors on bad input."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from optimizer import check, generate_day, parse_solomon, problem_to_dict, read_plan, read_problem

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo_day.json"
SOLOMON = ROOT / "fixtures" / "solomon"
PURNA = Path(sys.executable).parent / "purna"

runner = CliRunner()


def _small() -> dict[str, Any]:
    """A small generated day (3 technicians, 6 visits) as a purna.problem/1 document."""
    return problem_to_dict(generate_day(3, 6, seed=0))


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo day solved once through the CLI: (problem, plan file)."""
    plan_path = tmp_path_factory.mktemp("solve") / "plan.json"
    result = runner.invoke(app, ["solve", str(DEMO), "-o", str(plan_path), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    return DEMO, plan_path


def test_solve_writes_a_plan_that_check_accepts(solved: tuple[Path, Path]) -> None:
    """solve -> plan file -> check exits 0 and prints `valid`; the validator agrees directly."""
    problem_path, plan_path = solved
    problem = read_problem(problem_path)
    assert check(problem, read_plan(plan_path, problem)) == []
    result = runner.invoke(app, ["check", str(problem_path), str(plan_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "valid"


def test_solve_prints_a_summary_with_the_validator_verdict(tmp_path: Path) -> None:
    """Without --quiet, solve reports assigned visits, travel, overtime and `check: valid`."""
    problem = _write(tmp_path / "small.json", _small())
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "assigned " in result.stdout and "/6" in result.stdout
    assert "overtime" in result.stdout and "check: valid" in result.stdout


def test_solve_quiet_prints_only_the_plan_json(tmp_path: Path) -> None:
    """With --quiet and no -o, stdout is exactly the plan JSON and stderr is empty."""
    problem = _write(tmp_path / "small.json", _small())
    result = runner.invoke(app, ["solve", str(problem), "--time-limit", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "purna.plan/2"
    assert result.stderr == ""


def test_solve_plan_says_where_the_seconds_went(tmp_path: Path) -> None:
    """The written plan's solver details list the phases from reading to checking, within the
    whole wall time, and the summary prints them."""
    problem = _write(tmp_path / "small.json", _small())
    out = tmp_path / "plan.json"
    args = ["solve", str(problem), "-o", str(out), "--time-limit", "1", "--threads", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    solver = json.loads(out.read_text(encoding="utf-8"))["solver"]
    names = [name for name, _ in solver["phases"]]
    assert names[0] == "read" and names[-1] == "check" and "ortools" in names
    assert sum(s for _, s in solver["phases"]) <= solver["wall_s"] + 0.01
    assert "seconds: read " in result.stdout


def test_solve_as_its_own_process_counts_its_start_in_the_limit(tmp_path: Path) -> None:
    """Run as `purna solve`, the plan's first phase is the interpreter's start and imports
    before the command, and the phases fit in the plan's wall time, which includes it."""
    problem = _write(tmp_path / "small.json", _small())
    out = tmp_path / "plan.json"
    args = [str(PURNA), "solve", str(problem), "-o", str(out), "-q", "--time-limit", "1"]
    done = subprocess.run(args, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    solver = json.loads(out.read_text(encoding="utf-8"))["solver"]
    names = [name for name, _ in solver["phases"]]
    assert names[:2] == ["start", "read"] and solver["phases"][0][1] > 0
    assert sum(s for _, s in solver["phases"]) <= solver["wall_s"] + 0.01


def test_solve_as_its_own_process_prints_the_whole_plan_before_it_ends(tmp_path: Path) -> None:
    """`purna solve` ends its process at once after the plan (skipping the interpreter's
    teardown): the plan on stdout is whole, and the summary on stderr is there too."""
    problem = _write(tmp_path / "small.json", _small())
    args = [str(PURNA), "solve", str(problem), "--time-limit", "1"]
    done = subprocess.run(args, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["format"] == "purna.plan/2" and plan["totals"]["assigned"] > 0
    assert "check: valid" in done.stderr


def test_check_tampered_plan_exits_1(solved: tuple[Path, Path], tmp_path: Path) -> None:
    """A plan whose first stop is moved to midnight breaks its window: check exits 1 and says so."""
    problem_path, plan_path = solved
    data = json.loads(plan_path.read_text(encoding="utf-8"))
    stop = data["routes"][0]["stops"][0]
    stop.update(arrival_s=0, start_s=0, end_s=stop["end_s"] - stop["start_s"])
    tampered = _write(tmp_path / "tampered.json", data)
    result = runner.invoke(app, ["check", str(problem_path), str(tampered)])
    assert result.exit_code == 1, result.output
    assert stop["visit"] in result.stdout
    assert "violations" in result.stdout


def _drop_duration(d: dict[str, Any]) -> None:
    del d["visits"][2]["duration_s"]


def _reverse_window(d: dict[str, Any]) -> None:
    d["visits"][3]["windows"][0] = {"start_s": 200, "end_s": 100}


def _negative_duration(d: dict[str, Any]) -> None:
    d["visits"][1]["duration_s"] = -5


def _ghost_pin(d: dict[str, Any]) -> None:
    d["visits"][4]["pinned_technician"] = "ghost"


BAD_PROBLEMS: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_drop_duration, "visits[2].duration_s"),
    (_reverse_window, "visits[3].windows[0].end_s: time window ends (100) before it starts (200)."),
    (_negative_duration, "visits[1].duration_s"),
    (_ghost_pin, "visits[4].pinned_technician"),
]


@pytest.mark.parametrize(("spoil", "named"), BAD_PROBLEMS, ids=lambda x: getattr(x, "__name__", ""))
def test_solve_bad_problem_exits_2_naming_the_field(
    spoil: Callable[[dict[str, Any]], None], named: str, tmp_path: Path
) -> None:
    """Each malformed problem gives one `error: field: ...` line on stderr and exit code 2."""
    data = copy.deepcopy(_small())
    spoil(data)
    path = _write(tmp_path / "bad.json", data)
    result = runner.invoke(app, ["solve", str(path), "--time-limit", "1"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: {named}")
    assert "Traceback" not in result.output and result.stdout == ""


def test_solve_matrix_of_wrong_size_exits_2(tmp_path: Path) -> None:
    """A travel matrix with fewer rows than columns is named in the error, exit code 2."""
    text = (SOLOMON / "C101.txt").read_text(encoding="utf-8")
    data = problem_to_dict(parse_solomon(text))
    data["travel"]["durations_s"] = data["travel"]["durations_s"][:50]
    result = runner.invoke(app, ["solve", str(_write(tmp_path / "m.json", data))])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: travel.durations_s")


def test_solve_missing_file_exits_2(tmp_path: Path) -> None:
    """A problem file that does not exist is named in one error line, exit code 2."""
    result = runner.invoke(app, ["solve", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.json'}: no such file or directory."


def test_check_malformed_plan_exits_2(tmp_path: Path) -> None:
    """A plan file that is not JSON is reported against its file name, exit code 2."""
    bad = tmp_path / "plan.json"
    bad.write_text('{"format": "purna.plan/1", "routes": [', encoding="utf-8")
    result = runner.invoke(app, ["check", str(DEMO), str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: ")
    assert "JSON" in result.stderr


def test_purna_executable_malformed_json_has_no_traceback(tmp_path: Path) -> None:
    """The installed `purna` script turns malformed JSON into one line and exit code 2."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "purna.problem/1", "visits": [', encoding="utf-8")
    done = subprocess.run(
        [str(PURNA), "solve", str(bad)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}: malformed JSON")
    assert "Traceback" not in done.stderr + done.stdout


def test_bench_solomon_one_instance_prints_its_row(tmp_path: Path) -> None:
    """bench solomon on C101 for 1 s prints a table with C101, its best known value and a CSV."""
    out = tmp_path / "rows.csv"
    args = ["bench", "solomon", str(SOLOMON), "--instances", "C101", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "C101" in result.stdout and "827.3" in result.stdout
    assert "feasible 1/1" in result.stdout
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("C101,")


def test_bench_solomon_unknown_instance_exits_2() -> None:
    """Asking for an instance that is not in the folder is a one-line error, exit code 2."""
    result = runner.invoke(app, ["bench", "solomon", str(SOLOMON), "--instances", "X999"])
    assert result.exit_code == 2
    assert "--instances" in result.stderr and "X999" in result.stderr


def test_bench_fieldservice_bad_sizes_exits_2() -> None:
    """A size that is not TECHNICIANSxVISITS is a one-line error, exit code 2."""
    result = runner.invoke(app, ["bench", "fieldservice", "--sizes", "20by100"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --sizes")


def test_demo_day_prints_each_route_and_the_verdict(tmp_path: Path) -> None:
    """demo-day prints a table per working technician with HH:MM times, then `check: valid`."""
    problem = _write(tmp_path / "small.json", _small())
    result = runner.invoke(app, ["demo-day", str(problem), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "leave base" in result.stdout and "back at base" in result.stdout
    assert "break" in result.stdout and "08:" in result.stdout
    assert result.stdout.rstrip().endswith("check: valid")


def test_bench_fieldservice_small_size_prints_its_figures() -> None:
    """bench fieldservice on one small day prints its column and a zero violation count."""
    args = ["bench", "fieldservice", "--sizes", "3x10", "--time-limit", "1", "--seed", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3x10" in result.stdout and "priority-weighted assigned" in result.stdout
    row = next(ln for ln in result.stdout.splitlines() if "violations (check)" in ln)
    assert row.split("│")[2].strip() == "0"


def test_bench_fieldservice_small_week_prints_its_figures() -> None:
    """A generated week (TECHNICIANSxVISITSxDAYS) prints its days, the movable and two-technician
    visits served, and a plan the validator accepts."""
    args = ["bench", "fieldservice", "--sizes", "6x40x3", "--time-limit", "1", "--seed", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "6x40x3" in result.stdout and "two-technician served" in result.stdout
    days = next(ln for ln in result.stdout.splitlines() if ln.lstrip("│ ").startswith("days"))
    assert days.split("│")[2].strip() == "3"
    row = next(ln for ln in result.stdout.splitlines() if "violations (check)" in ln)
    assert row.split("│")[2].strip() == "0"


def test_bench_fieldservice_week_against_single_days() -> None:
    """--single-days adds the same week planned as single days: a second column, its plan
    accepted by the validator too."""
    args = ["bench", "fieldservice", "--sizes", "6x40x3", "--time-limit", "1", "--single-days"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "6x40x3 single days" in result.stdout
    row = next(ln for ln in result.stdout.splitlines() if "violations (check)" in ln)
    assert [cell.strip() for cell in row.split("│")[2:4]] == ["0", "0"]


def test_bench_fieldservice_days_out_of_range_exits_2() -> None:
    """A week longer than 14 days is refused in one line, exit code 2."""
    result = runner.invoke(app, ["bench", "fieldservice", "--sizes", "5x20x15"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --sizes") and "1-14" in result.stderr


def test_solve_and_demo_day_on_a_week(tmp_path: Path) -> None:
    """purna solve plans fixtures/tiny_week.json into a valid purna.plan/2 with the crew on two
    routes of day 1; demo-day prints each route under its technician and day."""
    week = ROOT / "fixtures" / "tiny_week.json"
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(week), "-o", str(out), "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    problem = read_problem(week)
    plan = read_plan(out, problem)
    assert check(problem, plan) == [] and plan.crew_of("w3") == ("ana", "budi")
    shown = runner.invoke(app, ["demo-day", str(week), "--time-limit", "2"])
    assert shown.exit_code == 0, shown.output
    assert "ana  day 0" in shown.stdout and "budi  day 1" in shown.stdout
