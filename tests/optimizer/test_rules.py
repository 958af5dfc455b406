"""Each rule of the model, when it holds and when it rules a visit out (Timefold-style pairs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimizer.plan import Plan, Reason
from optimizer.problem import Break, Technician, Visit

from .conftest import H, M, lunch, make_problem, make_technician, make_visit, window

Solver = Callable[..., Plan]


def reason_of(plan: Plan, visit_id: str) -> Reason:
    """The reason the plan gives for leaving this visit out."""
    return next(u.reason for u in plan.unassigned if u.visit == visit_id)


# --- time windows -------------------------------------------------------------------------------


def test_time_window_respected(solve_valid: Solver) -> None:
    """Service starts inside the window, as early as it can."""
    plan = solve_valid(make_problem([make_technician()], [make_visit(windows=(window(10, 10.5),))]))
    assert plan.route_of("t1").stops[0].start_s == 10 * H  # type: ignore[union-attr]


def test_time_window_unreachable_is_unassigned(solve_valid: Solver) -> None:
    """A window that closes before the technician can get there leaves the visit out."""
    visit = make_visit(place=3, windows=(window(8, 8 + 20 / 60),))  # 30 min away, closes 08:20
    plan = solve_valid(make_problem([make_technician()], [visit]))
    assert plan.totals.assigned == 0
    assert reason_of(plan, "v1") is Reason.NO_WINDOW_REACHABLE


def test_multiple_windows_use_a_reachable_one(solve_valid: Solver) -> None:
    """With an unreachable morning window and an afternoon one, service starts at 14:00."""
    visit = make_visit(place=3, windows=(window(8, 8 + 20 / 60), window(14, 15)))
    plan = solve_valid(make_problem([make_technician()], [visit]))
    assert plan.route_of("t1").stops[0].start_s == 14 * H  # type: ignore[union-attr]


def test_multiple_windows_serve_two_visits_that_share_one(solve_valid: Solver) -> None:
    """Two 2-hour visits wanting 08:00-10:00; one can also do 13:00: both are served."""
    a = make_visit("a", place=1, duration_s=2 * H, windows=(window(8, 8.5),))
    b = make_visit("b", place=1, duration_s=2 * H, windows=(window(8, 8.5), window(13, 14)))
    plan = solve_valid(make_problem([make_technician()], [a, b]))
    assert plan.totals.assigned == 2
    stops = {s.visit: s for s in plan.routes[0].stops}
    assert stops["b"].start_s >= 13 * H


# --- shifts and overtime ------------------------------------------------------------------------


def test_shift_respected(solve_valid: Solver) -> None:
    """Routes start after the shift starts and end by its end."""
    tech = make_technician(shift=window(9, 12))
    plan = solve_valid(make_problem([tech], [make_visit("a"), make_visit("b", place=2)]))
    (route,) = plan.routes
    assert route.start_s >= 9 * H and route.end_s <= 12 * H


def test_shift_too_short_is_unassigned(solve_valid: Solver) -> None:
    """A visit longer than the whole shift cannot be served."""
    tech = make_technician(shift=window(8, 9))
    plan = solve_valid(make_problem([tech], [make_visit(duration_s=2 * H)]))
    assert reason_of(plan, "v1") is Reason.NO_WINDOW_REACHABLE


def test_shift_end_leaves_visits_unassigned_for_lack_of_time(solve_valid: Solver) -> None:
    """One hour holds 10 + 30 + 10 minutes: one of three visits; the others lack capacity."""
    tech = make_technician(shift=window(8, 9))
    visits = [make_visit(f"v{i}") for i in range(3)]
    plan = solve_valid(make_problem([tech], visits))
    assert plan.totals.assigned == 1
    assert {u.reason for u in plan.unassigned} == {Reason.NO_CAPACITY}


def test_overtime_used_when_it_serves_more_visits(solve_valid: Solver) -> None:
    """Two 30-minute visits in a one-hour shift: 20 minutes of overtime serve both."""
    tech = make_technician(shift=window(8, 9), max_overtime_s=3600, overtime_cost=2)
    plan = solve_valid(make_problem([tech], [make_visit("a"), make_visit("b")]))
    assert plan.totals.assigned == 2
    assert plan.totals.overtime_s == 20 * M


def test_overtime_unused_when_not_needed(solve_valid: Solver) -> None:
    """A visit that fits in the shift causes no overtime, even if its window runs later."""
    tech = make_technician(shift=window(8, 9), max_overtime_s=3600)
    plan = solve_valid(make_problem([tech], [make_visit(windows=(window(8, 9.5),))]))
    assert plan.totals.overtime_s == 0
    assert plan.routes[0].end_s == 8 * H + 50 * M


def test_overtime_beyond_the_maximum_is_unassigned(solve_valid: Solver) -> None:
    """A visit needing 50 minutes of overtime when 30 are allowed is left out."""
    tech = make_technician(shift=window(8, 9), max_overtime_s=30 * M)
    plan = solve_valid(make_problem([tech], [make_visit(duration_s=90 * M)]))
    assert reason_of(plan, "v1") is Reason.NO_WINDOW_REACHABLE


# --- breaks -------------------------------------------------------------------------------------


def test_break_inside_its_window_not_overlapping_service(solve_valid: Solver) -> None:
    """Lunch (start 12:00-12:30, 1 h) goes between a visit ending 12:30 and one after it."""
    tech = make_technician(breaks=(lunch(12, 12.5),))
    morning = make_visit("morning", duration_s=H, windows=(window(11.5, 11.5),))
    afternoon = make_visit("afternoon", windows=(window(13, 14),))
    plan = solve_valid(make_problem([tech], [morning, afternoon]))
    (route,) = plan.routes
    (brk,) = route.breaks
    assert (brk.start_s, brk.end_s) == (12 * H + 30 * M, 13 * H + 30 * M)
    assert [s.visit for s in route.stops] == ["morning", "afternoon"]
    assert route.stops[1].start_s == 13 * H + 30 * M
    for stop in route.stops:
        assert stop.end_s <= brk.start_s or stop.start_s >= brk.end_s


def test_break_is_taken_on_every_route(solve_valid: Solver) -> None:
    """Each technician with stops takes each of its breaks once, inside its window."""
    coffee = Break(windows=(window(9.5, 10),), duration_s=15 * M)
    tech = make_technician(breaks=(coffee, lunch()))
    visits = [
        make_visit(f"v{i}", place=1 + i % 3, windows=(window(8 + i, 9 + i),)) for i in range(6)
    ]
    plan = solve_valid(make_problem([tech], visits))
    (route,) = plan.routes
    assert len(route.breaks) == 2
    assert plan.totals.assigned == 6


def test_break_that_leaves_no_room_is_unassigned(solve_valid: Solver) -> None:
    """A break fixed at 08:00-09:00 makes a visit that must start by 08:20 unreachable."""
    fixed = Break(windows=(window(8, 8),), duration_s=H)
    tech = make_technician(shift=window(8, 10), breaks=(fixed,))
    plan = solve_valid(make_problem([tech], [make_visit(windows=(window(8, 8 + 20 / 60),))]))
    assert reason_of(plan, "v1") is Reason.NO_WINDOW_REACHABLE


def test_break_outside_the_shift_keeps_the_technician_home(solve_valid: Solver) -> None:
    """A break that cannot fit in the shift means the technician takes no visit."""
    late = Break(windows=(window(18, 19),), duration_s=H)
    techs = [make_technician("t1", breaks=(late,)), make_technician("t2", home=10)]
    plan = solve_valid(make_problem(techs, [make_visit(place=1)]))
    assert plan.technician_of("v1") == "t2"


# --- skills and pins ----------------------------------------------------------------------------


def test_skills_respected(solve_valid: Solver) -> None:
    """A visit needing a skill goes to the technician who has it, though the other is nearer."""
    techs = [make_technician("near"), make_technician("far", home=10, skills=frozenset({"ac"}))]
    plan = solve_valid(make_problem(techs, [make_visit(place=1, skills=frozenset({"ac"}))]))
    assert plan.technician_of("v1") == "far"


def test_skills_missing_is_unassigned(solve_valid: Solver) -> None:
    """A visit needing a skill nobody has is left out with no_skilled_technician."""
    tech = make_technician(skills=frozenset({"ac"}))
    plan = solve_valid(make_problem([tech], [make_visit(skills=frozenset({"ac", "gas"}))]))
    assert reason_of(plan, "v1") is Reason.NO_SKILLED_TECHNICIAN


def test_pinned_technician_respected(solve_valid: Solver) -> None:
    """A pinned visit goes to its technician, though another is nearer."""
    techs = [make_technician("near"), make_technician("far", home=10)]
    plan = solve_valid(make_problem(techs, [make_visit(place=1, pinned_technician="far")]))
    assert plan.technician_of("v1") == "far"


def test_pinned_technician_lacking_skill_is_unassigned(solve_valid: Solver) -> None:
    """Pinned to a technician without the skill: left out, though another has it."""
    techs = [make_technician("a"), make_technician("b", skills=frozenset({"ac"}))]
    visit = make_visit(skills=frozenset({"ac"}), pinned_technician="a")
    plan = solve_valid(make_problem(techs, [visit]))
    assert reason_of(plan, "v1") is Reason.PINNED_TECHNICIAN_UNAVAILABLE


def test_pinned_technician_out_of_reach_is_unassigned(solve_valid: Solver) -> None:
    """Pinned to a technician whose shift misses the window: left out."""
    techs = [make_technician("early", shift=window(6, 9)), make_technician("late")]
    visit = make_visit(windows=(window(12, 13),), pinned_technician="early")
    plan = solve_valid(make_problem(techs, [visit]))
    assert reason_of(plan, "v1") is Reason.PINNED_TECHNICIAN_UNAVAILABLE


# --- preference and stability -------------------------------------------------------------------


def two_homes_and_a_visit(**visit: Any) -> tuple[list[Technician], list[Visit]]:
    """t1 20 min and t2 60 min round trip from the visit: t2 costs 40 minutes more."""
    techs = [make_technician("t1", home=0), make_technician("t2", home=4)]
    return techs, [make_visit(place=1, **visit)]


def test_preferred_technician_worth_a_small_detour(solve_valid: Solver) -> None:
    """Preference cost (50 min) above the detour (40 min): the preferred technician serves."""
    techs, visits = two_homes_and_a_visit(preferred_technician="t2")
    plan = solve_valid(make_problem(techs, visits, preference_cost=50 * M))
    assert plan.technician_of("v1") == "t2"


def test_preferred_technician_not_worth_a_long_detour(solve_valid: Solver) -> None:
    """Preference cost (15 min) below the detour (40 min): the nearer technician serves."""
    techs, visits = two_homes_and_a_visit(preferred_technician="t2")
    plan = solve_valid(make_problem(techs, visits, preference_cost=15 * M))
    assert plan.technician_of("v1") == "t1"


def test_stability_keeps_the_previous_technician(solve_valid: Solver) -> None:
    """A stability cost above the saving keeps the visit with its previous technician."""
    techs, visits = two_homes_and_a_visit(previous_technician="t2")
    plan = solve_valid(make_problem(techs, visits, stability_cost=60 * M))
    assert plan.technician_of("v1") == "t2"


def test_stability_off_moves_the_visit(solve_valid: Solver) -> None:
    """Without a stability cost the visit moves to the nearer technician."""
    techs, visits = two_homes_and_a_visit(previous_technician="t2")
    plan = solve_valid(make_problem(techs, visits, stability_cost=0))
    assert plan.technician_of("v1") == "t1"


# --- capacity -----------------------------------------------------------------------------------


def test_capacity_respected(solve_valid: Solver) -> None:
    """A technician carrying 2 units serves two of three 1-unit visits."""
    tech = make_technician(capacity=2)
    plan = solve_valid(make_problem([tech], [make_visit(f"v{i}", demand=1) for i in range(3)]))
    assert plan.totals.assigned == 2
    assert {u.reason for u in plan.unassigned} == {Reason.NO_CAPACITY}


def test_demand_exceeding_capacity_is_unassigned(solve_valid: Solver) -> None:
    """A visit with more demand than any technician carries is left out."""
    techs = [make_technician("a", capacity=2), make_technician("b", capacity=3)]
    plan = solve_valid(make_problem(techs, [make_visit(demand=5)]))
    assert reason_of(plan, "v1") is Reason.DEMAND_EXCEEDS_CAPACITY


def test_capacity_unbounded_without_a_capacity(solve_valid: Solver) -> None:
    """A technician without a capacity carries any demand."""
    plan = solve_valid(make_problem([make_technician()], [make_visit(demand=1000)]))
    assert plan.totals.assigned == 1


# --- unassigned penalty and priority ------------------------------------------------------------


def test_far_visit_is_served_rather_than_left_out(solve_valid: Solver) -> None:
    """Serving a visit beats any travel saving: 200 minutes of driving for one visit."""
    plan = solve_valid(make_problem([make_technician()], [make_visit(place=10)]))
    assert plan.totals.assigned == 1
    assert plan.totals.travel_s == 200 * M


def test_priority_outweighs_travel(solve_valid: Solver) -> None:
    """When only one of two visits fits, the higher priority one is served, though far."""
    tech = make_technician(shift=window(8, 12))
    near = make_visit("near", place=1, duration_s=90 * M, windows=(window(8, 9),))
    far = make_visit("far", place=5, duration_s=90 * M, windows=(window(8, 9),), priority=2)
    plan = solve_valid(make_problem([tech], [near, far]))
    assert plan.technician_of("far") == "t1"
    assert reason_of(plan, "near") is Reason.NO_CAPACITY
