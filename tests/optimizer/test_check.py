"""The independent validator: for each rule, a plan that keeps it and one that breaks it.

All instances are hand-built on a 3-location matrix small enough to check by hand:

    travel (s)   0    1    2        distance (m) = travel * 10
    0 (depot)    0  100  200        visit a at 1, visit b at 2
    1          100    0   50
    2          200   50    0

The base plan: t1 leaves at 1000, serves a 1100-2100 and b 2150-2650, is back at 2850 and takes
its lunch at base 3000-3600; travel 100 + 50 + 200 = 350 s.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from optimizer.checker import RULES, Violation, check, is_valid
from optimizer.plan import (
    BreakTime,
    Plan,
    PlanStatus,
    Reason,
    Route,
    SolverInfo,
    Stop,
    Totals,
    Unassigned,
)
from optimizer.problem import Break, Location, Matrix, Problem, Technician, TimeWindow, Visit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"

MATRIX = Matrix(
    durations_s=((0, 100, 200), (100, 0, 50), (200, 50, 0)),
    distances_m=((0, 1000, 2000), (1000, 0, 500), (2000, 500, 0)),
)
LUNCH = Break(windows=(TimeWindow(3000, 4000),), duration_s=600)


def _t1(**changes: Any) -> Technician:
    tech = Technician(
        id="t1",
        start=Location(-6.2, 106.8, 0),
        shift=TimeWindow(0, 10_000),
        max_overtime_s=500,
        breaks=(LUNCH,),
        skills=frozenset({"x"}),
        capacity=2,
    )
    return replace(tech, **changes)


def _t2(**changes: Any) -> Technician:
    return replace(
        Technician(id="t2", start=Location(-6.2, 106.8, 0), shift=TimeWindow(0, 10_000)), **changes
    )


def _a(**changes: Any) -> Visit:
    visit = Visit(
        id="a",
        location=Location(-6.1, 106.8, 1),
        duration_s=1000,
        windows=(TimeWindow(0, 5000),),
        skills=frozenset({"x"}),
        demand=1,
    )
    return replace(visit, **changes)


def _b(**changes: Any) -> Visit:
    visit = Visit(
        id="b",
        location=Location(-6.0, 106.8, 2),
        duration_s=500,
        windows=(TimeWindow(2000, 9000),),
        demand=1,
    )
    return replace(visit, **changes)


def _problem(
    t1: Technician | None = None,
    t2: Technician | None = None,
    a: Visit | None = None,
    b: Visit | None = None,
) -> Problem:
    return Problem(
        technicians=(t1 or _t1(), t2 or _t2()), visits=(a or _a(), b or _b()), travel=MATRIX
    )


T1_AB = Route(
    technician="t1",
    stops=(Stop("a", 1100, 1100, 2100), Stop("b", 2150, 2150, 2650)),
    breaks=(BreakTime(3000, 3600),),
    start_s=1000,
    end_s=2850,
    travel_s=350,
    distance_m=3500,
    overtime_s=0,
)
T1_A = Route(
    "t1", (Stop("a", 1100, 1100, 2100),), (BreakTime(3000, 3600),), 1000, 2200, 200, 2000, 0
)
T2_A = Route("t2", (Stop("a", 1100, 1100, 2100),), (), 1000, 2200, 200, 2000, 0)
T2_B = Route("t2", (Stop("b", 2000, 2000, 2500),), (), 1800, 2700, 400, 4000, 0)


def _with_stop(route: Route, k: int, **changes: Any) -> Route:
    stops = list(route.stops)
    stops[k] = replace(stops[k], **changes)
    return replace(route, stops=tuple(stops))


def _plan(*routes: Route, unassigned: tuple[str, ...] = ()) -> Plan:
    """A plan whose totals are summed by hand here, so only the fault under test shows (each
    visit counted once in assigned, as a crew visit is)."""
    dropped = tuple(Unassigned(v, Reason.NO_WINDOW_REACHABLE, "test") for v in unassigned)
    totals = Totals(
        assigned=len({s.visit for r in routes for s in r.stops}),
        unassigned=len(dropped),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        overtime_s=sum(r.overtime_s for r in routes),
    )
    return Plan(routes, dropped, totals, SolverInfo(PlanStatus.FEASIBLE, 0.0, 0))


def _codes(problem: Problem, plan: Plan) -> set[str]:
    return {v.code for v in check(problem, plan)}


# --- the base plan ---------------------------------------------------------------------------


def test_check_base_plan_is_valid() -> None:
    """The hand-computed base plan breaks no rule."""
    assert check(_problem(), _plan(T1_AB)) == []
    assert is_valid(_problem(), _plan(T1_AB))


def test_check_split_plan_is_valid() -> None:
    """Two technicians each serving one visit is valid."""
    assert check(_problem(), _plan(T1_A, T2_B)) == []


def test_check_is_valid_false_on_violation() -> None:
    """is_valid is False as soon as one rule is broken."""
    assert not is_valid(_problem(), _plan(T1_A))


def test_check_violation_names_technician_and_visit() -> None:
    """A violation carries the technician and visit it concerns and a sentence."""
    problem = _problem(b=_b(windows=(TimeWindow(2300, 9000),)))
    [violation] = check(problem, _plan(T1_AB))
    assert violation == Violation(violation.code, violation.message, "t1", "b")
    assert violation.code == "window_missed"
    assert "0:35:50" in violation.message  # 2150 s, the planned start


# --- who serves what -------------------------------------------------------------------------


def test_check_visit_once_respected() -> None:
    """Each visit served once across routes is fine."""
    assert check(_problem(), _plan(T1_A, T2_B)) == []


def test_check_visit_routed_twice() -> None:
    """A visit on two routes is a duplicate_visit."""
    assert _codes(_problem(), _plan(T1_AB, T2_B)) == {"duplicate_visit"}


def test_check_visit_routed_and_unassigned() -> None:
    """A visit both routed and unassigned is flagged."""
    assert _codes(_problem(), _plan(T1_AB, unassigned=("b",))) == {"routed_and_unassigned"}


def test_check_visit_unassigned_twice() -> None:
    """A visit listed twice as unassigned is flagged."""
    assert _codes(_problem(), _plan(T1_A, unassigned=("b", "b"))) == {"duplicate_unassigned"}


def test_check_every_visit_accounted_respected() -> None:
    """A visit left out of the routes but listed as unassigned is accounted for."""
    assert check(_problem(), _plan(T1_A, unassigned=("b",))) == []


def test_check_every_visit_accounted_missing() -> None:
    """A visit neither routed nor unassigned is a missing_visit."""
    violations = check(_problem(), _plan(T1_A))
    assert [(v.code, v.visit) for v in violations] == [("missing_visit", "b")]


def test_check_unknown_visit() -> None:
    """Naming a visit the problem lacks is an unknown_visit."""
    assert _codes(_problem(), _plan(T1_AB, unassigned=("zz",))) == {"unknown_visit"}


def test_check_unknown_visit_on_route() -> None:
    """A stop at a visit the problem lacks is an unknown_visit."""
    route = replace(T2_B, stops=(*T2_B.stops, Stop("zz", 2600, 2600, 2700)))
    assert _codes(_problem(), _plan(T1_A, route)) == {"unknown_visit"}


def test_check_unknown_technician() -> None:
    """A route of a technician the problem lacks is an unknown_technician."""
    assert _codes(_problem(), _plan(T1_A, replace(T2_B, technician="t9"))) == {"unknown_technician"}


def test_check_one_route_per_technician_respected() -> None:
    """Two technicians with one route each is fine."""
    assert check(_problem(), _plan(T1_A, T2_B)) == []


def test_check_one_route_per_technician_twice() -> None:
    """A technician with two routes is a duplicate_route."""
    assert "duplicate_route" in _codes(_problem(), _plan(T1_A, replace(T2_B, technician="t1")))


def test_check_empty_route() -> None:
    """A route without stops is an empty_route: technicians without stops get no route."""
    empty = Route("t2", (), (), 0, 0, 0, 0, 0)
    assert _codes(_problem(), _plan(T1_AB, empty)) == {"empty_route"}


def test_check_skills_respected() -> None:
    """A technician with the visit's skill may serve it."""
    assert check(_problem(), _plan(T1_A, unassigned=("b",))) == []


def test_check_skills_missing() -> None:
    """A technician without the visit's skill is a missing_skill."""
    violations = check(_problem(), _plan(T2_A, unassigned=("b",)))
    assert [(v.code, v.technician, v.visit) for v in violations] == [("missing_skill", "t2", "a")]


def test_check_pinned_respected() -> None:
    """A pinned visit served by its pinned technician is fine."""
    assert check(_problem(b=_b(pinned_technician="t2")), _plan(T1_A, T2_B)) == []


def test_check_pinned_served_by_other() -> None:
    """A pinned visit served by another technician is flagged."""
    assert _codes(_problem(b=_b(pinned_technician="t2")), _plan(T1_AB)) == {"pinned_technician"}


def test_check_capacity_respected() -> None:
    """Demand exactly equal to capacity is fine."""
    assert check(_problem(t1=_t1(capacity=2)), _plan(T1_AB)) == []


def test_check_capacity_exceeded() -> None:
    """Demand above capacity is capacity_exceeded."""
    assert _codes(_problem(t1=_t1(capacity=1)), _plan(T1_AB)) == {"capacity_exceeded"}


# --- time ------------------------------------------------------------------------------------


def test_check_window_respected() -> None:
    """A start exactly at the window's opening is inside it."""
    assert check(_problem(b=_b(windows=(TimeWindow(2150, 9000),))), _plan(T1_AB)) == []


def test_check_window_second_respected() -> None:
    """A start inside the second of two windows is fine."""
    windows = (TimeWindow(0, 1000), TimeWindow(2100, 2200))
    assert check(_problem(b=_b(windows=windows)), _plan(T1_AB)) == []


def test_check_window_missed() -> None:
    """A start outside every window is window_missed."""
    windows = (TimeWindow(0, 1000), TimeWindow(2151, 3000))
    assert _codes(_problem(b=_b(windows=windows)), _plan(T1_AB)) == {"window_missed"}


def test_check_wait_before_start_respected() -> None:
    """Arriving early and waiting for the start is fine."""
    route = replace(_with_stop(T1_AB, 1, start_s=2200, end_s=2700), end_s=2900)
    assert check(_problem(), _plan(route)) == []


def test_check_arrival_after_start() -> None:
    """An arrival after the service start is arrival_after_start."""
    route = _with_stop(T1_AB, 1, arrival_s=2160)
    assert _codes(_problem(), _plan(route)) == {"arrival_after_start"}


def test_check_service_duration_mismatch() -> None:
    """A service shorter than the visit's duration is flagged."""
    route = _with_stop(T1_AB, 1, end_s=2600)
    assert _codes(_problem(), _plan(route)) == {"service_duration_mismatch"}


def test_check_travel_between_stops_too_short() -> None:
    """Less time between services than the travel takes is travel_time_short."""
    route = _with_stop(T1_AB, 1, arrival_s=2140, start_s=2140, end_s=2640)
    assert _codes(_problem(), _plan(route)) == {"travel_time_short", "arrival_too_early"}


def test_check_arrival_too_early() -> None:
    """An arrival before the previous end plus travel is arrival_too_early."""
    route = _with_stop(T1_AB, 1, arrival_s=2120)
    assert _codes(_problem(), _plan(route)) == {"arrival_too_early"}


def test_check_travel_from_start_too_short() -> None:
    """Leaving the depot too late to reach the first stop is travel_time_short."""
    assert "travel_time_short" in _codes(_problem(), _plan(replace(T1_AB, start_s=1050)))


def test_check_travel_back_too_short() -> None:
    """Being back at the end location sooner than the travel allows is travel_time_short."""
    assert _codes(_problem(), _plan(replace(T1_AB, end_s=2800))) == {"travel_time_short"}


def test_check_break_in_gap_respected() -> None:
    """A break between two stops that the gap also covers is fine."""
    problem = _problem(t1=_t1(breaks=(Break((TimeWindow(2000, 4000),), 600),)))
    route = replace(
        _with_stop(T1_AB, 1, arrival_s=2750, start_s=2750, end_s=3250),
        breaks=(BreakTime(2100, 2700),),
        end_s=3450,
    )
    assert check(problem, _plan(route)) == []


def test_check_break_in_gap_leaves_too_little_travel() -> None:
    """A break in a gap too short for both break and travel is travel_time_short."""
    problem = _problem(t1=_t1(breaks=(Break((TimeWindow(2000, 4000),), 600),)))
    route = replace(
        _with_stop(T1_AB, 1, arrival_s=2700, start_s=2700, end_s=3200),
        breaks=(BreakTime(2100, 2700),),
        end_s=3400,
    )
    assert _codes(problem, _plan(route)) == {"travel_time_short"}


def test_check_shift_start_respected() -> None:
    """Leaving exactly at shift start is fine."""
    assert check(_problem(t1=_t1(shift=TimeWindow(1000, 10_000))), _plan(T1_AB)) == []


def test_check_shift_start_too_early() -> None:
    """Leaving before the shift starts is route_starts_before_shift."""
    problem = _problem(t1=_t1(shift=TimeWindow(1001, 10_000)))
    assert _codes(problem, _plan(T1_AB)) == {"route_starts_before_shift"}


def test_check_overtime_within_limit_respected() -> None:
    """Ending after the shift but within max overtime, with overtime stated, is fine."""
    problem = _problem(t1=_t1(shift=TimeWindow(0, 2500), max_overtime_s=350, breaks=()))
    route = replace(T1_AB, breaks=(), overtime_s=350)
    assert check(problem, _plan(route)) == []


def test_check_shift_end_exceeded() -> None:
    """Ending after shift end plus max overtime is route_ends_after_shift."""
    problem = _problem(t1=_t1(shift=TimeWindow(0, 2500), max_overtime_s=349, breaks=()))
    route = replace(T1_AB, breaks=(), overtime_s=350)
    assert _codes(problem, _plan(route)) == {"route_ends_after_shift"}


def test_check_overtime_mismatch() -> None:
    """Stating no overtime on a route that ends after the shift is overtime_mismatch."""
    problem = _problem(t1=_t1(shift=TimeWindow(0, 2500), max_overtime_s=500, breaks=()))
    route = replace(T1_AB, breaks=())
    assert _codes(problem, _plan(route)) == {"overtime_mismatch"}


# --- breaks ----------------------------------------------------------------------------------


def test_check_break_longer_than_needed_respected() -> None:
    """A break longer than its duration is fine."""
    route = replace(T1_AB, breaks=(BreakTime(3000, 3700),))
    assert check(_problem(), _plan(route)) == []


def test_check_break_missing() -> None:
    """A route with stops that skips the technician's break is break_missing."""
    assert _codes(_problem(), _plan(replace(T1_AB, breaks=()))) == {"break_missing"}


def test_check_break_not_needed_without_route() -> None:
    """A technician without a route takes no break."""
    problem = _problem(t2=_t2(skills=frozenset({"x"})))
    assert check(problem, _plan(T2_A, unassigned=("b",))) == []


def test_check_break_extra() -> None:
    """A break beyond the technician's breaks is break_extra."""
    route = replace(T1_AB, breaks=(BreakTime(3000, 3600), BreakTime(5000, 5600)))
    assert _codes(_problem(), _plan(route)) == {"break_extra"}


def test_check_break_too_short() -> None:
    """A break shorter than its duration is break_too_short."""
    route = replace(T1_AB, breaks=(BreakTime(3000, 3500),))
    assert _codes(_problem(), _plan(route)) == {"break_too_short"}


def test_check_break_window_missed() -> None:
    """A break starting outside its windows is break_window_missed."""
    route = replace(T1_AB, breaks=(BreakTime(4001, 4601),))
    assert _codes(_problem(), _plan(route)) == {"break_window_missed"}


def test_check_breaks_paired_in_any_order() -> None:
    """Two breaks listed out of time order are matched to the right break rules."""
    tea = Break((TimeWindow(5000, 6000),), 300)
    problem = _problem(t1=_t1(breaks=(LUNCH, tea)))
    route = replace(T1_AB, breaks=(BreakTime(5000, 5300), BreakTime(3000, 3600)))
    assert check(problem, _plan(route)) == []


def test_check_break_inside_shift_respected() -> None:
    """A break ending exactly at shift end is fine."""
    problem = _problem(t1=_t1(shift=TimeWindow(0, 3600), max_overtime_s=0))
    assert check(problem, _plan(T1_AB)) == []


def test_check_break_outside_shift() -> None:
    """A break running past shift end plus overtime is break_outside_shift."""
    problem = _problem(t1=_t1(shift=TimeWindow(0, 3500), max_overtime_s=0))
    assert _codes(problem, _plan(T1_AB)) == {"break_outside_shift"}


def test_check_break_overlaps_visit() -> None:
    """A break during a service is break_overlaps_visit."""
    problem = _problem(t1=_t1(breaks=(Break((TimeWindow(1000, 4000),), 600),)))
    route = replace(T1_AB, breaks=(BreakTime(1500, 2100),))
    violations = check(problem, _plan(route))
    assert [(v.code, v.visit) for v in violations] == [("break_overlaps_visit", "a")]


def test_check_breaks_back_to_back_respected() -> None:
    """Two breaks that touch but do not overlap are fine."""
    prayer = Break((TimeWindow(3000, 4000),), 300)
    problem = _problem(t1=_t1(breaks=(LUNCH, prayer)))
    route = replace(T1_AB, breaks=(BreakTime(3000, 3600), BreakTime(3600, 3900)))
    assert check(problem, _plan(route)) == []


def test_check_breaks_overlap() -> None:
    """Two breaks at the same time is break_overlaps_break."""
    prayer = Break((TimeWindow(3000, 4000),), 300)
    problem = _problem(t1=_t1(breaks=(LUNCH, prayer)))
    route = replace(T1_AB, breaks=(BreakTime(3000, 3600), BreakTime(3500, 3800)))
    assert _codes(problem, _plan(route)) == {"break_overlaps_break"}


# --- what the plan states about itself -------------------------------------------------------


def test_check_route_travel_mismatch() -> None:
    """A route travel_s that differs from the table sum is route_travel_mismatch."""
    assert _codes(_problem(), _plan(replace(T1_AB, travel_s=300))) == {"route_travel_mismatch"}


def test_check_route_distance_mismatch() -> None:
    """A route distance_m that differs from the table sum is route_distance_mismatch."""
    assert _codes(_problem(), _plan(replace(T1_AB, distance_m=3000))) == {"route_distance_mismatch"}


def test_check_totals_mismatch() -> None:
    """Totals that do not sum the routes are totals_mismatch, one per wrong field."""
    plan = _plan(T1_AB)
    plan = replace(plan, totals=replace(plan.totals, travel_s=999, assigned=1))
    violations = check(_problem(), plan)
    assert [v.code for v in violations] == ["totals_mismatch", "totals_mismatch"]
    assert {m.split(" ")[0] for m in (v.message for v in violations)} == {
        "totals.assigned",
        "totals.travel_s",
    }


def test_check_codes_documented() -> None:
    """Every violation code the validator emits is listed in docs/formats.md."""
    sources = [Path(m.__code__.co_filename).read_text() for m in RULES]
    codes = {c for text in sources for c in re.findall(r'Violation\(\s*"([a-z_]+)"', text)}
    codes |= {c for text in sources for c in re.findall(r'\("(break_[a-z_]+)", msg\)', text)}
    assert len(codes) >= 25
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text(encoding="utf-8")))
    assert codes <= documented, codes - documented
