"""`purna bench disruptions`: each disruption changes the first day of a planned week as a
re-plan of the week then sees it, the moves (technician, order, day, promised start) are counted
against the base plan, and the command prints its table (every plan checked by the validator
inside it); bad input is one line and exit 2."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from typer.testing import CliRunner

from api.cli import app
from benchmarks import disruptions
from optimizer import (
    DAY_S,
    Plan,
    PlanStatus,
    Problem,
    Route,
    Shift,
    SolveParams,
    SolverInfo,
    Stop,
    Totals,
    check,
    sequences_to_plan,
    solve,
)
from tests.optimizer.conftest import H, make_problem, make_technician, make_visit, window

runner = CliRunner()
QUICK = SolveParams(deterministic=True, work_limit=300)
MONDAY_TUESDAY = (Shift(8 * H, 17 * H), Shift(DAY_S + 8 * H, DAY_S + 17 * H))


def day_of_two() -> tuple[Problem, Plan]:
    """Two technicians, five half-hour visits along the line; solved and checked."""
    techs = [make_technician("t1"), make_technician("t2", home=9)]
    visits = [make_visit(f"v{i}", place=1 + 2 * i) for i in range(5)]
    problem = make_problem(techs, visits)
    plan = solve(problem, QUICK)
    assert check(problem, plan) == []
    return problem, plan


def week_of_two() -> tuple[Problem, Plan]:
    """Two technicians working Monday and Tuesday; four visits promised on Monday, one on
    Tuesday, a service movable between the two days and a crew visit on Tuesday; solved and
    checked."""
    techs = [
        make_technician("t1", shift=None, shifts=MONDAY_TUESDAY),
        make_technician("t2", home=9, shift=None, shifts=MONDAY_TUESDAY),
    ]
    tuesday = window(24 + 8, 24 + 17)
    visits = [
        *(make_visit(f"mon{i}", place=1 + 2 * i) for i in range(4)),
        make_visit("tue", place=5, windows=(tuesday,)),
        make_visit("movable", place=4, windows=(window(8, 17), tuesday)),
        make_visit("crew", place=6, windows=(tuesday,), crew_size=2),
    ]
    problem = make_problem(techs, visits)
    plan = solve(problem, QUICK)
    assert check(problem, plan) == []
    assert plan.unassigned == ()
    return problem, plan


def test_sick_call_removes_the_busiest_technicians_first_day_only() -> None:
    """The technician with most Monday visits loses Monday's shift but keeps Tuesday's; their
    Monday visits forget them, their Tuesday visits still remember them."""
    problem, base = week_of_two()
    monday = [r for r in base.routes if r.day == 0]
    sick = max(monday, key=lambda r: (len(r.stops), r.technician)).technician
    disrupted = disruptions.sick_technician(problem, base, random.Random(0))
    assert [s.day for s in disrupted.technician(sick).shifts] == [1]
    mine = {s.visit: r.day for r in base.routes if r.technician == sick for s in r.stops}
    for v in disrupted.visits:
        if v.id in mine and mine[v.id] == 0:
            assert v.previous_technician is None
        elif v.id in mine and v.crew_size == 1:
            assert v.previous_technician == sick


def test_a_sick_call_replan_rehomes_and_keeps_its_promises() -> None:
    """Re-planned priced, the sick technician's Monday visits are served by the other or on
    Tuesday, and every promised visit counts as kept or broken."""
    problem, base = week_of_two()
    disrupted = replace(
        disruptions.sick_technician(problem, base, random.Random(0)), stability_cost=1800
    )
    plan = solve(disrupted, QUICK)
    assert check(disrupted, plan) == []
    row = disruptions.measure("sick call", True, 0.1, disrupted, base, plan)
    monday = [r for r in base.routes if r.day == 0]
    sick = max(monday, key=lambda r: (len(r.stops), r.technician))
    assert row.rehomed == sum(1 for s in sick.stops if s.visit not in _left_out(plan))
    assert row.rehomed >= 1
    assert row.kept + row.broken == sum(1 for v in problem.visits if not v.movable)


def _left_out(plan: Plan) -> set[str]:
    return {u.visit for u in plan.unassigned}


def test_moves_count_new_technician_order_and_day_a_crew_visit_once() -> None:
    """Against a base plan, a re-plan that swaps two of t1's visits, moves the movable one to
    Tuesday and gives the crew visit the same crew counts two reordered, one new day and no
    new technician; dropping a promised visit breaks a promise."""
    base = plan_of(
        route("t1", 0, ("a", 9), ("b", 10), ("movable", 11)),
        route("t1", 1, ("crew", 9)),
        route("t2", 1, ("crew", 9), ("tue", 11)),
    )
    after = plan_of(
        route("t1", 0, ("b", 9), ("a", 10)),
        route("t1", 1, ("crew", 10), ("movable", 12)),
        route("t2", 1, ("crew", 10)),
    )
    tuesday = window(24 + 8, 24 + 17)
    problem = make_problem(
        [make_technician(t, shift=None, shifts=MONDAY_TUESDAY) for t in ("t1", "t2")],
        [
            make_visit("a"),
            make_visit("b"),
            make_visit("movable", windows=(window(8, 17), tuesday)),
            make_visit("crew", windows=(tuesday,), crew_size=2),
            make_visit("tue", windows=(tuesday,)),
        ],
    )
    row = disruptions.measure("test", False, 0.1, problem, base, after)
    assert (row.reassigned, row.reordered, row.new_day) == (0, 2, 1)
    assert row.promised_moved == 3  # a, b and crew start an hour away
    assert (row.kept, row.broken, row.movable_out) == (3, 1, 0)


def route(technician: str, day: int, *stops: tuple[str, int]) -> Route:
    """A route whose stops start at the given hours of its day (half an hour each)."""
    start = day * DAY_S
    return Route(
        technician=technician,
        stops=tuple(
            Stop(v, start + h * H, start + h * H, start + h * H + H // 2) for v, h in stops
        ),
        breaks=(),
        start_s=start + 8 * H,
        end_s=start + 17 * H,
        travel_s=0,
        distance_m=0,
        overtime_s=0,
        day=day,
    )


def plan_of(*routes: Route) -> Plan:
    """Hand-made routes as a plan, for counting moves only (it is not solved)."""
    info = SolverInfo(PlanStatus.FEASIBLE, 0.0, 0)
    return Plan(routes=routes, unassigned=(), totals=Totals(0, 0, 0, 0, 0), solver=info)


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


def test_late_technician_leaves_45_minutes_later_on_the_first_day_only() -> None:
    """The first to leave on Monday gets a Monday shift starting 45 min after it left in the
    base plan; Tuesday's shift is as it was."""
    problem, base = week_of_two()
    first = min((r for r in base.routes if r.day == 0), key=lambda r: (r.start_s, r.technician))
    late = disruptions.late_technician(problem, base, random.Random(0))
    monday, tuesday = late.technician(first.technician).shifts
    assert monday.start_s == first.start_s + 45 * 60
    assert tuesday == problem.technician(first.technician).shifts[1]


def test_moves_are_counted_against_the_base_plan() -> None:
    """A plan that swaps every visit to the other technician counts them all reassigned."""
    problem, base = day_of_two()
    other = {"t1": "t2", "t2": "t1"}
    swapped = sequences_to_plan(
        problem, {other[r.technician]: [s.visit for s in r.stops] for r in base.routes}
    )
    assert check(problem, swapped) == []
    row = disruptions.measure("swap", True, 0.1, problem, base, swapped)
    assert row.reassigned == base.totals.assigned
    assert (row.kept, row.broken) == (swapped.totals.assigned, len(swapped.unassigned))


def test_bench_disruptions_prints_its_table() -> None:
    """On a tiny demo (2 customers a region) over three days, the week plan has its row and
    every disruption an unpriced and a priced one; no plan was rejected (that would exit 1)."""
    result = runner.invoke(
        app,
        ["bench", "disruptions", "--day", date(2026, 12, 7).isoformat(), "--days", "3",
         "--customers", "2", "--time-limit", "0.5", "--no-improvement", "0.2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.count(disruptions.BASE) == 1
    for name, _ in disruptions.DISRUPTIONS:
        assert result.output.count(name) == 2
    assert "load average" in result.output


def test_bench_disruptions_bad_day_is_one_line_and_exit_2() -> None:
    """A day that is not a date: a message naming --day, exit code 2."""
    result = runner.invoke(app, ["bench", "disruptions", "--day", "tomorrow"])
    assert result.exit_code == 2
    assert result.output.startswith("error: --day: expected a date")
