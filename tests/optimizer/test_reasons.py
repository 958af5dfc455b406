"""Reasons for unassigned visits, computed on the problem alone."""

from __future__ import annotations

import pytest

from optimizer.plan import Reason
from optimizer.problem import Break, Problem
from optimizer.reasons import explain, may_serve, serves_alone

from .conftest import H, M, lunch, make_problem, make_technician, make_visit, window


def reason(problem: Problem, visit: int = 0) -> Reason:
    """The reason explain() gives for the visit at this position."""
    (unassigned,) = explain(problem, [visit])
    assert unassigned.visit == problem.visits[visit].id
    assert unassigned.message.endswith(".")
    return unassigned.reason


def test_reason_no_skilled_technician() -> None:
    """Nobody has every skill: no_skilled_technician."""
    techs = [
        make_technician("a", skills=frozenset({"ac"})),
        make_technician("b", skills=frozenset({"gas"})),
    ]
    problem = make_problem(techs, [make_visit(skills=frozenset({"ac", "gas"}))])
    assert reason(problem) is Reason.NO_SKILLED_TECHNICIAN


def test_reason_pinned_technician_lacks_skill() -> None:
    """The pinned technician lacks a skill: pinned_technician_unavailable."""
    techs = [make_technician("a"), make_technician("b", skills=frozenset({"ac"}))]
    visit = make_visit(skills=frozenset({"ac"}), pinned_technician="a")
    assert reason(make_problem(techs, [visit])) is Reason.PINNED_TECHNICIAN_UNAVAILABLE


def test_reason_pinned_technician_cannot_reach() -> None:
    """The pinned technician's shift misses the window: pinned_technician_unavailable."""
    techs = [make_technician("a", shift=window(13, 17)), make_technician("b")]
    visit = make_visit(windows=(window(9, 10),), pinned_technician="a")
    assert reason(make_problem(techs, [visit])) is Reason.PINNED_TECHNICIAN_UNAVAILABLE


def test_reason_demand_exceeds_capacity() -> None:
    """Demand above every skilled technician's capacity (a bigger one lacks the skill)."""
    techs = [
        make_technician("small", capacity=3, skills=frozenset({"ac"})),
        make_technician("big", capacity=10),
    ]
    visit = make_visit(demand=5, skills=frozenset({"ac"}))
    assert reason(make_problem(techs, [visit])) is Reason.DEMAND_EXCEEDS_CAPACITY


def test_reason_no_window_reachable() -> None:
    """No skilled technician can get there in time: no_window_reachable."""
    visit = make_visit(place=3, windows=(window(8, 8.25),))
    assert reason(make_problem([make_technician()], [visit])) is Reason.NO_WINDOW_REACHABLE


def test_reason_no_capacity_when_it_fits_alone() -> None:
    """A visit that fits a technician's day on its own: no_capacity (the day is full)."""
    assert reason(make_problem([make_technician()], [make_visit()])) is Reason.NO_CAPACITY


def test_reason_for_several_visits_in_order() -> None:
    """explain() answers for exactly the positions it is given, in order."""
    visits = [make_visit("a"), make_visit("b", skills=frozenset({"gas"})), make_visit("c")]
    result = explain(make_problem([make_technician()], visits), [1, 2])
    assert [(u.visit, u.reason) for u in result] == [
        ("b", Reason.NO_SKILLED_TECHNICIAN),
        ("c", Reason.NO_CAPACITY),
    ]


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        ((window(12, 12.5),), True),  # lunch after the visit or before it both work
        ((window(8, 8),), True),  # a break at 08:00 at base, then go
    ],
)
def test_serves_alone_with_a_break(windows: tuple, expected: bool) -> None:  # type: ignore[type-arg]
    """A one-hour break fits before or after a visit when the day has room."""
    tech = make_technician(breaks=(Break(windows=windows, duration_s=H),))
    visit = make_visit(place=1, windows=(window(9, 13),))
    assert serves_alone(tech, visit, 10 * M, 10 * M) is expected


def test_serves_alone_fails_when_the_break_blocks_the_window() -> None:
    """A break covering the whole window, with no room around it, rules the visit out."""
    tech = make_technician(shift=window(11, 14), breaks=(lunch(11, 11, minutes=120),))
    visit = make_visit(place=1, windows=(window(11, 12.5),))  # must start by 12:30
    assert not serves_alone(tech, visit, 10 * M, 10 * M)
    later = make_visit(place=1, windows=(window(11, 13.25),))  # 13:10 start, back 13:50: fits
    assert serves_alone(tech, later, 10 * M, 10 * M)


def test_serves_alone_counts_travel_back_with_overtime() -> None:
    """Being back by shift end plus max overtime is what counts."""
    visit = make_visit(place=1, duration_s=50 * M, windows=(window(8, 8.5),))
    assert not serves_alone(make_technician(shift=window(8, 9)), visit, 10 * M, 10 * M)
    assert serves_alone(
        make_technician(shift=window(8, 9), max_overtime_s=10 * M), visit, 10 * M, 10 * M
    )


def test_may_serve_needs_breaks_that_fit_the_shift() -> None:
    """A technician whose break cannot be taken within its shift may serve nothing."""
    tech = make_technician(shift=window(8, 12), breaks=(lunch(12, 13),))
    assert not may_serve(tech, make_visit())
    assert may_serve(make_technician(shift=window(8, 13), breaks=(lunch(12, 13),)), make_visit())
