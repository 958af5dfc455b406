"""`purna bench disruptions`: each disruption changes the day as a re-plan then sees it, the
moves are counted against the base plan, and the command prints its table (every plan checked
by the validator inside it); bad input is one line and exit 2."""

from __future__ import annotations

import random
from datetime import date

from typer.testing import CliRunner

from api.cli import app
from benchmarks import disruptions
from optimizer import Plan, Problem, SolveParams, check, sequences_to_plan, solve
from tests.optimizer.conftest import H, make_problem, make_technician, make_visit

runner = CliRunner()


def day_of_two() -> tuple[Problem, Plan]:
    """Two technicians, five half-hour visits along the line; solved and checked."""
    techs = [make_technician("t1"), make_technician("t2", home=9)]
    visits = [make_visit(f"v{i}", place=1 + 2 * i) for i in range(5)]
    problem = make_problem(techs, visits)
    plan = solve(problem, SolveParams(deterministic=True, work_limit=300))
    assert check(problem, plan) == []
    return problem, plan


def test_sick_call_removes_the_busiest_technician_and_forgets_them() -> None:
    """The busiest technician is gone; their visits keep their start but no technician."""
    problem, base = day_of_two()
    busiest = max(base.routes, key=lambda r: len(r.stops)).technician
    sick = disruptions.sick_technician(problem, base, random.Random(0))
    assert busiest not in {t.id for t in sick.technicians}
    theirs = {s.visit for s in base.route_of(busiest).stops}  # type: ignore[union-attr]
    for v in sick.visits:
        assert v.previous_start_s is not None
        assert (v.previous_technician is None) == (v.id in theirs)


def test_urgent_repair_keeps_the_morning_and_adds_a_priority_5_visit() -> None:
    """Visits started before 10:00 are pinned at their start; the urgent visit is added."""
    problem, base = day_of_two()
    urgent = disruptions.urgent_repair(problem, base, random.Random(0))
    added = [v for v in urgent.visits if v.id == disruptions.URGENT_ID]
    assert len(added) == 1 and added[0].priority == 5
    assert added[0].windows[0].start_s == 10 * H
    for v in urgent.visits:
        if v.previous_start_s is not None and v.previous_start_s < 10 * H:
            assert v.pinned_technician == v.previous_technician
            assert (v.windows[0].start_s, v.windows[0].end_s) == (v.previous_start_s,) * 2


def test_late_technician_leaves_45_minutes_after_the_base_plan() -> None:
    """The first to leave gets a shift starting 45 min after it left in the base plan."""
    problem, base = day_of_two()
    first = min(base.routes, key=lambda r: r.start_s)
    late = disruptions.late_technician(problem, base, random.Random(0))
    assert late.technician(first.technician).shift.start_s == first.start_s + 45 * 60


def test_moves_are_counted_against_the_base_plan() -> None:
    """A plan that swaps every visit to the other technician counts them all reassigned."""
    problem, base = day_of_two()
    other = {"t1": "t2", "t2": "t1"}
    swapped = sequences_to_plan(
        problem, {other[r.technician]: [s.visit for s in r.stops] for r in base.routes}
    )
    row = disruptions.measure("swap", True, 0.1, problem, base, swapped)
    assert row.reassigned == base.totals.assigned
    assert row.moved >= row.reassigned
    assert (row.kept, row.broken) == (swapped.totals.assigned, len(swapped.unassigned))


def test_bench_disruptions_prints_its_table() -> None:
    """On a tiny demo (2 customers a region), every disruption gets an unpriced and a priced
    row; no plan was rejected (that would exit 1)."""
    result = runner.invoke(
        app,
        ["bench", "disruptions", "--day", date(2026, 12, 7).isoformat(), "--customers", "2",
         "--time-limit", "0.5", "--no-improvement", "0.2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name, _ in disruptions.DISRUPTIONS:
        assert result.output.count(name) == 2
    assert "load average" in result.output


def test_bench_disruptions_bad_day_is_one_line_and_exit_2() -> None:
    """A day that is not a date: a message naming --day, exit code 2."""
    result = runner.invoke(app, ["bench", "disruptions", "--day", "tomorrow"])
    assert result.exit_code == 2
    assert result.output.startswith("error: --day: expected a date")
