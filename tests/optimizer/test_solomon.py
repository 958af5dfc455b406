"""Solomon instances under the DIMACS convention: reading, tenths, best known values."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from optimizer.checker import check
from optimizer.errors import InvalidProblem
from optimizer.plan import Plan, PlanStatus, Route, SolverInfo, Stop, totals_of
from optimizer.problem import Matrix, Problem
from optimizer.solomon import dimacs_distance, dimacs_matrix, parse_solomon, read_bks, read_solomon
from optimizer.solver import SolveParams, solve

SOLOMON = Path(__file__).resolve().parents[2] / "fixtures" / "solomon"

# The depot and three customers of C101, two vehicles (fixtures/solomon_tiny.txt).
SMALL = (SOLOMON.parent / "solomon_tiny.txt").read_text()


@cache
def c101() -> Problem:
    """C101, read once for the whole module."""
    return read_solomon(SOLOMON / "C101.txt")


def test_read_solomon_c101_has_100_visits_and_25_vehicles() -> None:
    """C101 has 100 customers and a fleet of 25 vehicles of capacity 200 at the depot."""
    problem = c101()
    assert problem.name == "C101"
    assert len(problem.visits) == 100
    assert [t.id for t in problem.technicians] == [f"v{k}" for k in range(1, 26)]
    assert {t.capacity for t in problem.technicians} == {200}
    assert {t.start.index for t in problem.technicians} == {0}


def test_read_solomon_scales_times_to_tenths() -> None:
    """Ready time, due date, service time and the depot's due date are multiplied by 10."""
    problem = c101()
    first = problem.visits[0]
    assert first.id == "1"
    assert first.windows[0].start_s == 9120 and first.windows[0].end_s == 9670
    assert first.duration_s == 900
    assert first.demand == 10
    assert problem.technicians[0].shift.end_s == 12360
    assert problem.technicians[0].max_overtime_s == 0


def test_dimacs_matrix_truncates_to_one_decimal() -> None:
    """Distances are floor(10 * euclid): (40,50)-(45,68) is 18.68 -> 186, (0,0)-(1,1) -> 14."""
    table = dimacs_matrix([(40, 50), (45, 68), (0, 0), (1, 1), (3, 4)])
    assert table[0][1] == 186 and table[1][0] == 186
    assert table[2][3] == 14
    assert table[2][4] == 50  # exactly 5.0: truncation must not drop an exact value to 4.9
    assert all(table[i][i] == 0 for i in range(5))


def test_read_solomon_travel_is_one_matrix_for_time_and_distance() -> None:
    """The matrix travel has the depot at index 0 and equal durations and distances."""
    travel = c101().travel
    assert isinstance(travel, Matrix)
    assert travel.size == 101
    assert travel.durations_s == travel.distances_m
    assert travel.durations_s[0][1] == 186  # depot (40,50) to customer 1 (45,68)


def test_parse_solomon_reads_a_small_instance() -> None:
    """A hand-written three-customer instance gives three visits and two vehicles."""
    problem = parse_solomon(SMALL)
    assert problem.name == "TINY"
    assert [v.id for v in problem.visits] == ["1", "2", "3"]
    assert len(problem.technicians) == 2
    assert problem.technicians[0].capacity == 40
    assert problem.visits[2].location.index == 3


def test_parse_solomon_rejects_text_without_customers() -> None:
    """A file without a CUSTOMER section is an InvalidProblem naming that section."""
    with pytest.raises(InvalidProblem) as info:
        parse_solomon("X\nVEHICLE\nNUMBER CAPACITY\n 2 40\n")
    assert info.value.field == "CUSTOMER"


def test_read_solomon_missing_file_is_invalid_problem() -> None:
    """A missing instance file raises InvalidProblem, not a bare OSError."""
    with pytest.raises(InvalidProblem, match="cannot read"):
        read_solomon(SOLOMON / "NOPE.txt")


def test_read_bks_gives_known_values() -> None:
    """The DIMACS best known distances of C101 and RC208 are 827.3 and 776.1."""
    bks = read_bks(SOLOMON / "bks_solomon.csv")
    assert bks["C101"] == pytest.approx(827.3)
    assert bks["RC208"] == pytest.approx(776.1)
    assert all(f"{s}.txt" in {p.name for p in SOLOMON.glob("*.txt")} for s in bks if "_" not in s)


def test_fixtures_hold_all_56_instances() -> None:
    """Every one of the 56 Solomon instances is in fixtures and reads without error."""
    paths = sorted(SOLOMON.glob("*.txt"))
    assert len(paths) == 56
    assert all(len(read_solomon(p).visits) == 100 for p in paths)


def test_dimacs_distance_is_tenths_back_to_units() -> None:
    """A plan whose routes total 8273 tenths is 827.3 in DIMACS units."""
    stop = Stop(visit="1", arrival_s=0, start_s=0, end_s=0)
    route = Route(
        technician="v1", stops=(stop,), breaks=(), start_s=0, end_s=0,
        travel_s=8273, distance_m=8273, overtime_s=0,
    )  # fmt: skip
    solver = SolverInfo(status=PlanStatus.FEASIBLE, wall_s=0.0, objective=0)
    plan = Plan(routes=(route,), unassigned=(), totals=totals_of((route,), 0), solver=solver)
    assert dimacs_distance(plan) == pytest.approx(827.3)


def _first_customers(name: str, n: int) -> Problem:
    """The classic Solomon sub-instance: the depot and the first n customers."""
    lines = (SOLOMON / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    rows = [ln for ln in lines[9:] if ln.split()]
    return parse_solomon("\n".join(lines[:9] + rows[: n + 1]))


def test_solve_c101_25_reaches_the_known_optimum() -> None:
    """C101 with 25 customers has the proven optimum 191.3 (3 vehicles); 1 s gets within 2%."""
    problem = _first_customers("C101", 25)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert check(problem, plan) == []
    assert plan.totals.assigned == 25
    assert 191.3 <= dimacs_distance(plan) <= 191.3 * 1.02
