"""Cheapest insertion and greedy placement: each rule kept and broken, every plan validated.

The hand-checked instance is a 4-location matrix:

    travel (s)   0    1    2    3        depot 0, visit a at 1, visit b at 2, new visit u at 3
    0 (depot)    0  100  200  210
    1          100    0   50   55       route of t1: leave 0, a 1000-2000, b 2050-2550, back 2750
    2          200   50    0   45
    3          210   55   45    0       u between a and b adds 55 + 45 - 50 = 50 s
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from optimizer.checker import check
from optimizer.errors import InvalidProblem
from optimizer.fieldservice import SLOTS, generate_day
from optimizer.insertion import DayRoutes, Insertion, Legs, place, technician_of, without
from optimizer.problem import Break, Location, Matrix, Problem, Technician, TimeWindow, Visit
from optimizer.sequence_plan import sequences_to_plan
from optimizer.stop_times import BreakSpans, backward, forward
from optimizer.travel import build_rows, build_table

DUR = ((0, 100, 200, 210), (100, 0, 50, 55), (200, 50, 0, 45), (210, 55, 45, 0))
MATRIX = Matrix(durations_s=DUR, distances_m=tuple(tuple(10 * x for x in row) for row in DUR))


def _loc(index: int) -> Location:
    return Location(-6.2, 106.8, index)


def _tech(tech_id: str = "t1", **changes: Any) -> Technician:
    base = Technician(
        id=tech_id, start=_loc(0), shift=TimeWindow(0, 10_000), skills=frozenset({"x"})
    )
    return replace(base, **changes)


def _a(**changes: Any) -> Visit:
    base = Visit("a", _loc(1), 1000, (TimeWindow(1000, 2000),), frozenset({"x"}), demand=1)
    return replace(base, **changes)


def _b(**changes: Any) -> Visit:
    base = Visit("b", _loc(2), 500, (TimeWindow(2000, 4000),), frozenset({"x"}), demand=1)
    return replace(base, **changes)


def _u(**changes: Any) -> Visit:
    return replace(
        Visit("u", _loc(3), 300, (TimeWindow(0, 1),), frozenset({"x"}), demand=1), **changes
    )


def _day(*techs: Technician, visits: tuple[Visit, ...] | None = None) -> DayRoutes:
    problem = Problem(techs or (_tech(),), visits if visits is not None else (_a(), _b()), MATRIX)
    return DayRoutes(problem, {"t1": ("a", "b")})


def _one(day: DayRoutes, visit: Visit, window: TimeWindow) -> Insertion | None:
    return day.best_insertions(visit, [window])[0]


def _checked(day: DayRoutes, visit: Visit, found: Insertion) -> Problem:
    """Apply the insertion, turn the routes into a plan and assert the validator finds nothing."""
    problem = replace(
        day.problem, visits=(*day.problem.visits, replace(visit, windows=(found.window,)))
    )
    plan = sequences_to_plan(problem, day.with_insertion(found, visit.id))
    assert check(problem, plan) == []
    return problem


def test_insertion_cheapest_place_between_two_visits() -> None:
    """The new visit goes between a and b, the cheapest place, adding 50 s of travel."""
    day = _day()
    found = _one(day, _u(), TimeWindow(2000, 3000))
    assert found == Insertion("t1", 1, 50, TimeWindow(2000, 3000))
    _checked(day, _u(), found)


def test_insertion_keeps_later_visit_in_its_window() -> None:
    """Serving u between a and b would make b start after 2500: u goes after b instead."""
    day = _day(visits=(_a(), _b(windows=(TimeWindow(2000, 2500),))))
    u = _u(duration_s=500)
    found = _one(day, u, TimeWindow(2000, 3000))
    assert found == Insertion("t1", 2, 55, TimeWindow(2000, 3000))
    _checked(day, u, found)


def test_insertion_window_too_early_for_any_route_is_refused() -> None:
    """Nobody can be at u before 210 s (the drive from the depot): the window 0-100 fits nowhere."""
    assert _one(_day(), _u(), TimeWindow(0, 100)) is None


def test_insertion_before_first_visit_when_window_is_early() -> None:
    """A window 0-500 is only reachable before a: u first, then a still starts by 2000."""
    day = _day()
    found = _one(day, _u(), TimeWindow(0, 500))
    assert found == Insertion("t1", 0, 165, TimeWindow(0, 500))
    _checked(day, _u(), found)


def test_insertion_past_shift_end_is_refused() -> None:
    """Serving u at 9900 brings t1 back at 10410, after its shift end at 10000."""
    assert _one(_day(), _u(), TimeWindow(9900, 10_000)) is None


def test_insertion_past_shift_end_fits_with_overtime() -> None:
    """With 500 s of overtime allowed the same window fits after b."""
    day = _day(_tech(max_overtime_s=500))
    found = _one(day, _u(), TimeWindow(9900, 10_000))
    assert found == Insertion("t1", 2, 55, TimeWindow(9900, 10_000))
    _checked(day, _u(), found)


def test_insertion_without_skilled_technician_is_refused() -> None:
    """u needs skill y, which t1 lacks."""
    assert _one(_day(), _u(skills=frozenset({"y"})), TimeWindow(2000, 3000)) is None


def test_insertion_goes_to_the_skilled_technician() -> None:
    """t2 has skill y: u goes to t2's empty route (210 there and 210 back)."""
    day = _day(_tech(), _tech("t2", skills=frozenset({"y"})))
    u = _u(skills=frozenset({"y"}))
    found = _one(day, u, TimeWindow(2000, 3000))
    assert found == Insertion("t2", 0, 420, TimeWindow(2000, 3000))
    _checked(day, u, found)


def test_insertion_pinned_visit_goes_to_its_technician() -> None:
    """Pinned to t2, u goes there although t1 would add less travel."""
    day = _day(_tech(), _tech("t2"))
    u = _u(pinned_technician="t2")
    found = _one(day, u, TimeWindow(2000, 3000))
    assert found is not None and found.technician == "t2"
    _checked(day, u, found)


def test_insertion_full_capacity_is_refused() -> None:
    """t1 carries two visits and has capacity 2: a third does not fit."""
    assert _one(_day(_tech(capacity=2)), _u(), TimeWindow(2000, 3000)) is None


def test_insertion_capacity_left_is_used() -> None:
    """With capacity 3 the third visit fits."""
    assert _one(_day(_tech(capacity=3)), _u(), TimeWindow(2000, 3000)) is not None


def _lunch_day(lunch_end_s: int) -> DayRoutes:
    """t1 serves a (ends 2000) and takes a 400 s lunch starting in [2000, lunch_end_s]."""
    lunch = Break(windows=(TimeWindow(2000, lunch_end_s),), duration_s=400)
    problem = Problem((_tech(breaks=(lunch,)),), (_a(),), MATRIX)
    return DayRoutes(problem, {"t1": ("a",)})


def test_insertion_that_would_push_lunch_out_of_its_window_is_refused() -> None:
    """u in 2000-2200 before lunch makes lunch start at 2155 > 2100; after lunch u starts 2455."""
    assert _one(_lunch_day(2100), _u(duration_s=100), TimeWindow(2000, 2200)) is None


def test_insertion_before_lunch_when_lunch_can_wait() -> None:
    """With lunch allowed to start until 2500, u goes between a and lunch."""
    day = _lunch_day(2500)
    assert day.sequences == {"t1": ("a", 0)}
    u = _u(duration_s=100)
    found = _one(day, u, TimeWindow(2000, 2200))
    assert found == Insertion("t1", 1, 165, TimeWindow(2000, 2200))
    assert day.with_insertion(found, "u") == {"t1": ("a", "u", 0)}
    _checked(day, u, found)


def test_insertion_of_routed_visit_is_invalid() -> None:
    """Asking where to put a visit already on a route is a mistake of the caller."""
    with pytest.raises(InvalidProblem, match="already routed"):
        _day().best_insertions(_a(), [TimeWindow(0, 100)])


def test_day_routes_unknown_or_twice_routed_visit_is_invalid() -> None:
    """Sequences naming a visit outside the problem, or one visit twice, are refused."""
    problem = Problem((_tech(), _tech("t2")), (_a(), _b()), MATRIX)
    with pytest.raises(InvalidProblem, match="not in the problem"):
        DayRoutes(problem, {"t1": ("a", "zz")})
    with pytest.raises(InvalidProblem, match="routed twice"):
        DayRoutes(problem, {"t1": ("a",), "t2": ("a",)})


def test_day_routes_infeasible_route_is_reported_and_not_extended() -> None:
    """b before a cannot keep a's window: the route is reported and takes no new visit."""
    problem = Problem((_tech(),), (_a(), _b(windows=(TimeWindow(2000, 2100),))), MATRIX)
    day = DayRoutes(problem, {"t1": ("b", "a")})
    assert day.infeasible == ("t1",)
    assert _one(day, _u(), TimeWindow(0, 10_000)) is None


def test_without_removes_visits_and_empty_routes() -> None:
    """Taking visits out keeps breaks and drops technicians left with no visit."""
    sequences = {"t1": ("a", 0, "b"), "t2": ("c",)}
    assert without(sequences, ["b", "c"]) == {"t1": ("a", 0)}
    assert technician_of(sequences, "c") == "t2"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_forward_and_backward_are_mirrors(seed: int) -> None:
    """backward(A) is the latest moment from which forward still arrives by A (brute force)."""
    rng = random.Random(seed)
    for _ in range(200):
        breaks = [
            BreakSpans(((lo, lo + rng.randint(0, 40)),), rng.randint(1, 30))
            for lo in sorted(rng.sample(range(0, 200), rng.randint(0, 2)))
        ]
        travel_s, arrive_by_s = rng.randint(0, 60), rng.randint(0, 300)
        latest = backward(arrive_by_s, travel_s, breaks)
        ok = [
            d
            for d in range(-400, 301)
            if (a := forward(d, travel_s, breaks)) is not None and a <= arrive_by_s
        ]
        assert latest == (max(ok) if ok else None)


def test_build_rows_equals_build_table() -> None:
    """The rectangular table gives exactly the square table's entries, both travel models."""
    problem = generate_day(8, 40, seed=4)
    places = [t.start for t in problem.technicians] + [v.location for v in problem.visits]
    square = build_table(problem.travel, places)
    rows = build_rows(problem.travel, places[3:4], places)
    cols = build_rows(problem.travel, places, places[3:4])
    assert np.array_equal(rows.durations_s[0], square.durations_s[3])
    assert np.array_equal(cols.durations_s[:, 0], square.durations_s[:, 3])
    assert np.array_equal(rows.distances_m[0], square.distances_m[3])
    m = [_loc(i) for i in range(4)]
    assert build_rows(MATRIX, m[1:2], m).durations_s.tolist() == [list(DUR[1])]


def test_place_greedy_day_passes_the_validator() -> None:
    """Greedy placement of a generated day gives routes whose plan the validator accepts."""
    problem = generate_day(10, 70, seed=5)
    placed = place(problem, {}, [v.id for v in problem.visits])
    plan = sequences_to_plan(problem, placed.sequences)
    assert check(problem, plan) == []
    assert plan.totals.assigned == 70 - len(placed.unplaced) > 50
    assert {u.visit for u in plan.unassigned} == set(placed.unplaced)


def test_place_visit_without_skilled_technician_stays_unplaced() -> None:
    """A visit needing a skill nobody has is left out with the reason the plan gives."""
    problem = Problem(
        (_tech(),),
        (_a(), _b(), _u(skills=frozenset({"y"}), windows=(TimeWindow(0, 9000),))),
        MATRIX,
    )
    placed = place(problem, {"t1": ("a", "b")}, ["u"])
    assert placed.unplaced == ("u",)
    assert placed.sequences == {"t1": ("a", "b")}
    plan = sequences_to_plan(problem, placed.sequences)
    assert [u.reason.value for u in plan.unassigned] == ["no_skilled_technician"]


def _with_prayer_break(problem: Problem) -> Problem:
    """Every technician also takes 15 minutes for the afternoon prayer, starting 15:00-15:45."""
    asr = Break(windows=(TimeWindow(15 * 3600, 15 * 3600 + 2700),), duration_s=900)
    techs = tuple(replace(t, breaks=(*t.breaks, asr)) for t in problem.technicians)
    return replace(problem, technicians=techs)


@pytest.mark.parametrize(("seed", "two_breaks"), [(11, False), (12, False), (13, True)])
def test_insertions_into_generated_day_pass_the_validator(seed: int, two_breaks: bool) -> None:
    """Random new visits inserted one after another: every plan checks, travel adds up (also
    with two breaks a day)."""
    problem = generate_day(10, 60, seed=seed)
    problem = _with_prayer_break(problem) if two_breaks else problem
    sequences = place(problem, {}, [v.id for v in problem.visits]).sequences
    rng = random.Random(seed)
    for n in range(15):
        day = DayRoutes(problem, sequences)
        before = sequences_to_plan(problem, sequences).totals.travel_s
        template = problem.visits[rng.randrange(len(problem.visits))]
        new = replace(
            template,
            id=f"new{n}",
            location=Location(template.location.lat + 0.01, template.location.lon),
        )
        found = [f for f in day.best_insertions(new, SLOTS) if f is not None]
        if not found:
            continue
        best = min(found, key=lambda f: f.added_travel_s)
        problem = _checked(day, new, best)
        sequences = day.with_insertion(best, new.id)
        after = sequences_to_plan(problem, sequences).totals.travel_s
        assert after - before == best.added_travel_s


@pytest.mark.parametrize("two_breaks", [False, True])
def test_insertion_is_the_cheapest_of_all_valid_places(two_breaks: bool) -> None:
    """Brute force: trying every index of every sequence, the cheapest plan the validator
    accepts adds exactly the travel best_insertions reports, for every slot."""
    problem = generate_day(3, 12, seed=21)
    problem = _with_prayer_break(problem) if two_breaks else problem
    sequences = place(problem, {}, [v.id for v in problem.visits]).sequences
    day = DayRoutes(problem, sequences)
    base = sequences_to_plan(problem, sequences).totals.travel_s
    # Every technician's sequence, breaks included (an empty route is its breaks alone).
    full = {
        t.id: day.with_insertion(Insertion(t.id, 0, 0, SLOTS[0]), "x")[t.id][1:]
        for t in problem.technicians
    }
    for template in problem.visits[:4]:
        new = replace(template, id="new", priority=1)
        for window, found in zip(SLOTS, day.best_insertions(new, SLOTS), strict=True):
            trial = replace(problem, visits=(*problem.visits, replace(new, windows=(window,))))
            costs = []
            for tech_id, items in full.items():
                for pos in range(len(items) + 1):
                    routes = dict(sequences) | {tech_id: (*items[:pos], "new", *items[pos:])}
                    try:
                        plan = sequences_to_plan(trial, routes)
                    except InvalidProblem:
                        continue
                    if not check(trial, plan):
                        costs.append(plan.totals.travel_s - base)
            assert (found.added_travel_s if found else None) == (min(costs) if costs else None)


def test_best_insertions_with_given_legs_equals_the_matrix() -> None:
    """A new place outside the matrix, its drive times given as legs in the order of
    DayRoutes.locations, is inserted as if the matrix had it; legs of the wrong length raise."""
    day, window = _day(), TimeWindow(0, 4000)
    assert [loc.index for loc in day.locations] == [0, 0, 1, 2]
    column = [DUR[loc.index or 0][3] for loc in day.locations]
    row = [DUR[3][loc.index or 0] for loc in day.locations]
    outside = _u(location=Location(-6.3, 106.9))
    given = day.best_insertions(outside, [window], Legs(into_s=column, out_of_s=row))
    assert given == [_one(day, _u(), window)] == [Insertion("t1", 1, 50, window)]
    with pytest.raises(InvalidProblem, match="legs must give 4"):
        day.best_insertions(outside, [window], Legs(into_s=column[:3], out_of_s=row))
