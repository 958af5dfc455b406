"""Movable visits and the horizon's problem: due ranges, shifts per day, windows on each day."""

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from dispatch.planning import service as planning_service
from dispatch.planning import week
from dispatch.visit.models import DayWindow, VisitCreate, VisitStatus
from tests.dispatch.week_world import MORNING, H, day_after, movable, small_week
from tests.factories import DAY, local, make_region, make_request


def test_movable_visit_is_booked_with_a_due_range_and_no_window(session: Session) -> None:
    """A service due Tuesday to Friday is booked, movable, with no promised window yet."""
    region = make_region(session)
    visit = movable(session, region, DAY, day_after(3))
    assert visit.status is VisitStatus.BOOKED
    assert (visit.due_from, visit.due_until) == (DAY, day_after(3))
    assert visit.window_start is None
    assert visit.movable
    assert visit.due_windows == [MORNING]


def test_visit_with_a_window_and_a_due_range_is_refused(session: Session) -> None:
    """A visit is promised a window or due over days, never both."""
    request = make_request(session)
    with pytest.raises(ValidationError, match="either a promised window or a due range"):
        VisitCreate(
            request_id=request.id or 0,
            window_start=local(DAY, 9),
            window_end=local(DAY, 11),
            due_from=DAY,
            due_until=day_after(2),
        )


def test_due_range_ending_before_it_starts_is_refused() -> None:
    """due_until before due_from is a validation error naming the field."""
    with pytest.raises(ValidationError, match="due_until must be on or after due_from"):
        VisitCreate(request_id=1, due_from=day_after(2), due_until=DAY)


def test_due_window_ending_before_it_starts_is_refused() -> None:
    """A day window must end after it starts."""
    with pytest.raises(ValidationError, match="at or before it starts"):
        DayWindow(start_s=12 * H, end_s=8 * H)


def test_day_problem_takes_a_movable_visit_due_that_day(session: Session) -> None:
    """Planning Wednesday alone: the service due Tuesday-Friday is in, with Wednesday's window."""
    region, _, visits = small_week(session)
    due = visits[2]
    problem = planning_service.build_problem(session=session, region=region, day=day_after(1))
    found = {v.id: v for v in problem.problem.visits}
    assert str(due.id) in found
    windows = found[str(due.id)].windows
    assert [(w.start_s, w.end_s) for w in windows] == [(8 * H, 12 * H)]


def test_day_problem_leaves_out_a_movable_visit_not_due_that_day(session: Session) -> None:
    """Planning the Monday after: the service was due by Friday, so it is not in that day."""
    region, _, visits = small_week(session)
    problem = planning_service.build_problem(session=session, region=region, day=day_after(6))
    assert str(visits[2].id) not in {v.id for v in problem.problem.visits}


def test_week_problem_has_one_shift_per_working_day(session: Session) -> None:
    """Tuesday to Monday, Monday-Friday technicians: shifts on days 0-3 and 6, none at the
    weekend, each 08:00-17:00 of its day with its lunch break."""
    region, techs, _ = small_week(session)
    problem = week.build_problem(session=session, region=region, first=DAY, days=7).problem
    assert {t.id for t in problem.technicians} == {str(t.id) for t in techs}
    for technician in problem.technicians:
        assert [s.day for s in technician.shifts] == [0, 1, 2, 3, 6]
        monday = technician.shifts[-1]
        assert (monday.start_s, monday.end_s) == (6 * 24 * H + 8 * H, 6 * 24 * H + 17 * H)
        assert monday.breaks[0].windows[0].start_s == 6 * 24 * H + 41_400


def test_week_problem_gives_a_movable_visit_a_window_on_each_due_day(session: Session) -> None:
    """The service due Tuesday-Friday has a morning window on days 0-3; fixed visits keep
    their one window, Thursday's counted from Tuesday's midnight."""
    region, _, visits = small_week(session)
    problem = week.build_problem(session=session, region=region, first=DAY, days=7).problem
    found = {v.id: v for v in problem.visits}
    due = found[str(visits[2].id)]
    assert [(w.start_s, w.end_s) for w in due.windows] == [
        (d * 24 * H + 8 * H, d * 24 * H + 12 * H) for d in range(4)
    ]
    assert due.movable and not found[str(visits[0].id)].movable
    thursday = found[str(visits[1].id)].windows
    assert [(w.start_s, w.end_s) for w in thursday] == [(2 * 24 * H + 9 * H, 2 * 24 * H + 11 * H)]


def test_week_problem_cuts_a_due_range_at_the_horizon(session: Session) -> None:
    """Planning Thursday and Friday only: the service has windows on those two days alone."""
    region, _, visits = small_week(session)
    problem = week.build_problem(session=session, region=region, first=day_after(2), days=2)
    due = {v.id: v for v in problem.problem.visits}[str(visits[2].id)]
    assert [w.start_s // (24 * H) for w in due.windows] == [0, 1]


def test_week_problem_refuses_more_days_than_allowed(session: Session) -> None:
    """A horizon of 15 days is refused, naming the field."""
    region = make_region(session)
    with pytest.raises(Exception, match="days must be 1 to 14") as caught:
        week.build_problem(session=session, region=region, first=DAY, days=15)
    assert getattr(caught.value, "loc", None) == ("days",)


def test_week_plan_window_of_a_movable_visit_counts_local_days(session: Session) -> None:
    """A due range that starts before the horizon still offers only the horizon's days."""
    region, _, _ = small_week(session)
    early = movable(session, region, DAY - timedelta(days=5), day_after(1))
    problem = week.build_problem(session=session, region=region, first=DAY, days=7)
    due = {v.id: v for v in problem.problem.visits}[str(early.id)]
    assert [w.start_s // (24 * H) for w in due.windows] == [0, 1]
    assert dict(problem.home_days)[str(early.id)] == 0
