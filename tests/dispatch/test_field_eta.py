"""ETAs along a route: the plan while nothing has happened, then carried forward from events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.field.eta import Eta, StopFacts, etas, planned_leg
from dispatch.visit.models import VisitStatus as S

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def stop(
    status: S,
    ready: int,
    arrival: int,
    start: int,
    duration: int = 60,
    window: int = 0,
    **kw: object,
) -> StopFacts:
    """A stop planned to set off at `ready`, arrive at `arrival`, start at `start` (minutes)."""
    return StopFacts(
        status=status,
        duration_s=duration * 60,
        window_start=at(window),
        planned_ready=at(ready),
        planned_arrival=at(arrival),
        planned_start=at(start),
        planned_end=at(start + duration),
        **kw,  # type: ignore[arg-type]
    )


def test_etas_are_the_plan_while_nothing_has_happened() -> None:
    """With every stop still planned, each ETA is its planned arrival, start and end."""
    plan = [stop(S.PLANNED, 0, 20, 30), stop(S.PLANNED, 90, 110, 110)]
    assert etas(plan, []) == [Eta(at(20), at(30), at(90)), Eta(at(110), at(110), at(170))]


def test_etas_late_departure_pushes_the_rest_of_the_day() -> None:
    """Setting off 40 min late: arrival 40 min late, service starts on arrival, and the next
    stop follows after the planned 20 min drive."""
    plan = [
        stop(S.EN_ROUTE, 0, 20, 30, en_route_at=at(40)),
        stop(S.PLANNED, 90, 110, 110),
    ]
    assert etas(plan, []) == [Eta(at(60), at(60), at(120)), Eta(at(140), at(140), at(200))]


def test_etas_early_finish_never_starts_before_the_window() -> None:
    """Done 30 min early, the technician arrives early at the next stop but waits for its window."""
    plan = [
        stop(S.COMPLETED, 0, 20, 30, arrived_at=at(20), started_at=at(20), ended_at=at(60)),
        stop(S.PLANNED, 90, 110, 120, window=115),
    ]
    assert etas(plan, []) == [Eta(at(20), at(20), at(60)), Eta(at(80), at(115), at(175))]


def test_etas_keep_a_planned_break_on_the_way() -> None:
    """A lunch break planned between two stops is still taken: the drive is the gap less it."""
    lunch = (at(100), at(160))
    plan = [
        stop(S.ON_SITE, 0, 20, 30, duration=60, arrived_at=at(45), started_at=at(45)),
        stop(S.PLANNED, 90, 180, 180),
    ]
    # planned: free at 90, lunch 100-160, 30 min drive -> 180; on site from 45: free at 105.
    assert etas(plan, [lunch]) == [Eta(at(45), at(45), at(105)), Eta(at(195), at(195), at(255))]


def test_etas_of_a_failed_stop_are_its_actual_times() -> None:
    """A failed visit shows when it happened; the next stop goes on from its end."""
    plan = [
        stop(S.FAILED, 0, 20, 30, arrived_at=at(25), started_at=at(25), ended_at=at(35)),
        stop(S.PLANNED, 90, 110, 110),
    ]
    assert etas(plan, []) == [Eta(at(25), at(25), at(35)), Eta(at(55), at(55), at(115))]


def test_planned_leg_is_the_drive_less_the_breaks_on_the_way() -> None:
    """Set off at 0, arrive at 90 with a 60-minute lunch from 20 to 80 on the way: a 30-minute
    drive and a 60-minute pause; a break outside the leg, or an unknown start, counts nothing."""
    lunch, later = (at(20), at(80)), (at(100), at(130))
    assert planned_leg(at(0), at(90), [lunch, later]) == (
        timedelta(minutes=30),
        timedelta(minutes=60),
    )
    assert planned_leg(None, at(90), [lunch]) == (timedelta(0), timedelta(0))
    assert planned_leg(at(90), at(90), [lunch]) == (timedelta(0), timedelta(0))
