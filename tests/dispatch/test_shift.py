"""Working days: the weekly pattern, leave and sickness, extra shifts and partial days."""

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.shift import service as shift_service
from dispatch.shift.models import (
    BreakRule,
    BreakWindow,
    ExceptionKind,
    ShiftExceptionCreate,
    WeeklyShiftCreate,
)
from tests.factories import H, lunch_break, make_technician, make_weekly_pattern

TUESDAY = date(2026, 3, 10)
SATURDAY = date(2026, 3, 14)


def test_working_day_follows_weekly_pattern(session: Session) -> None:
    """On a weekday of the pattern the technician works its hours with its breaks."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    day = shift_service.working_day(session=session, technician=technician, day=TUESDAY)
    assert day is not None
    assert (day.start_s, day.end_s, day.breaks, day.exception) == (
        8 * H,
        17 * H,
        (lunch_break(),),
        None,
    )


def test_working_day_off_outside_pattern(session: Session) -> None:
    """A weekday the pattern does not list is a day off."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician, weekdays=range(5))
    assert shift_service.working_day(session=session, technician=technician, day=SATURDAY) is None


@pytest.mark.parametrize("kind", [ExceptionKind.LEAVE, ExceptionKind.SICK])
def test_working_day_leave_or_sick_is_off(session: Session, kind: ExceptionKind) -> None:
    """Leave or sickness for the whole day takes the technician off the plan."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    shift_service.add_exception(
        session=session,
        technician=technician,
        exception_in=ShiftExceptionCreate(day=TUESDAY, kind=kind),
    )
    assert shift_service.working_day(session=session, technician=technician, day=TUESDAY) is None


def test_working_day_extra_shift_on_day_off(session: Session) -> None:
    """An extra shift on a Saturday gives that day its hours and breaks."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    extra = ShiftExceptionCreate(
        day=SATURDAY, kind=ExceptionKind.EXTRA_SHIFT, start_s=9 * H, end_s=14 * H, breaks=[]
    )
    shift_service.add_exception(session=session, technician=technician, exception_in=extra)
    day = shift_service.working_day(session=session, technician=technician, day=SATURDAY)
    assert day is not None
    assert (day.start_s, day.end_s, day.breaks, day.exception) == (
        9 * H,
        14 * H,
        (),
        ExceptionKind.EXTRA_SHIFT,
    )


def test_working_day_partial_sick_day_keeps_only_breaks_that_fit(session: Session) -> None:
    """Sick in the morning, working 13:30-17:00: lunch (to start 11:30-13:00) no longer fits."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    sick = ShiftExceptionCreate(
        day=TUESDAY, kind=ExceptionKind.SICK, start_s=13 * H + 1800, end_s=17 * H
    )
    shift_service.add_exception(session=session, technician=technician, exception_in=sick)
    day = shift_service.working_day(session=session, technician=technician, day=TUESDAY)
    assert day is not None
    assert (day.start_s, day.end_s, day.breaks) == (13 * H + 1800, 17 * H, ())


def test_working_day_partial_day_clips_break_windows(session: Session) -> None:
    """Working 12:00-17:00, lunch may still start from 12:00 to 13:00."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    leave = ShiftExceptionCreate(
        day=TUESDAY, kind=ExceptionKind.LEAVE, start_s=12 * H, end_s=17 * H
    )
    shift_service.add_exception(session=session, technician=technician, exception_in=leave)
    day = shift_service.working_day(session=session, technician=technician, day=TUESDAY)
    assert day is not None
    assert day.breaks == (
        BreakRule(duration_s=H, windows=(BreakWindow(start_s=12 * H, end_s=13 * H),)),
    )


def test_working_days_answers_for_many_technicians(session: Session) -> None:
    """The batch form returns only the technicians who work that day."""
    works, sick = make_technician(session), make_technician(session)
    for technician in (works, sick):
        make_weekly_pattern(session, technician)
    shift_service.add_exception(
        session=session,
        technician=sick,
        exception_in=ShiftExceptionCreate(day=TUESDAY, kind=ExceptionKind.SICK),
    )
    days = shift_service.working_days(
        session=session, technician_ids=[works.id or 0, sick.id or 0], day=TUESDAY
    )
    assert list(days) == [works.id]


def test_extra_shift_without_hours_is_invalid() -> None:
    """An extra shift must say when it is worked."""
    with pytest.raises(ValidationError, match="extra shift needs its hours"):
        ShiftExceptionCreate(day=SATURDAY, kind=ExceptionKind.EXTRA_SHIFT)


def test_break_outside_shift_is_invalid() -> None:
    """A break window that does not fit in the shift is refused."""
    late_lunch = BreakRule(
        duration_s=H, windows=(BreakWindow(start_s=16 * H + 1800, end_s=17 * H),)
    )
    with pytest.raises(ValidationError, match="does not fit in the shift"):
        WeeklyShiftCreate(weekday=0, start_s=8 * H, end_s=17 * H, breaks=[late_lunch])


def test_set_weekly_pattern_replaces_old_one(session: Session) -> None:
    """Setting the pattern again replaces every old weekday."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician, weekdays=range(5))
    pattern = make_weekly_pattern(
        session, technician, weekdays=(5, 6), start_s=10 * H, end_s=15 * H, breaks=[]
    )
    assert [(s.weekday, s.start_s) for s in pattern] == [(5, 10 * H), (6, 10 * H)]
    assert shift_service.working_day(session=session, technician=technician, day=TUESDAY) is None


def test_set_weekly_pattern_twice_the_same_weekday_is_invalid(session: Session) -> None:
    """One shift per weekday."""
    technician = make_technician(session)
    with pytest.raises(InvalidInput, match="one shift"):
        make_weekly_pattern(session, technician, weekdays=(1, 1))


def test_add_exception_twice_the_same_day_is_conflict(session: Session) -> None:
    """One exception per technician and day."""
    technician = make_technician(session)
    leave = ShiftExceptionCreate(day=TUESDAY, kind=ExceptionKind.LEAVE)
    shift_service.add_exception(session=session, technician=technician, exception_in=leave)
    with pytest.raises(Conflict, match="already has an exception"):
        shift_service.add_exception(session=session, technician=technician, exception_in=leave)


def test_remove_exception_restores_pattern(session: Session) -> None:
    """Removing leave gives the technician the pattern's day back; removing none is NotFound."""
    technician = make_technician(session)
    make_weekly_pattern(session, technician)
    leave = ShiftExceptionCreate(day=TUESDAY, kind=ExceptionKind.LEAVE)
    shift_service.add_exception(session=session, technician=technician, exception_in=leave)
    shift_service.remove_exception(session=session, technician=technician, day=TUESDAY)
    assert (
        shift_service.working_day(session=session, technician=technician, day=TUESDAY) is not None
    )
    with pytest.raises(NotFound):
        shift_service.remove_exception(session=session, technician=technician, day=TUESDAY)


def test_list_exceptions_refuses_a_reversed_or_overlong_range(session: Session) -> None:
    """'to' before 'from', or more than a year after it, is InvalidInput on the query's 'to';
    a year exactly is fine."""
    technician_id = make_technician(session).id or 0
    start = date(2026, 3, 10)
    for end in (date(2026, 3, 9), date(2027, 3, 12)):
        with pytest.raises(InvalidInput, match="on or after 'from'") as info:
            shift_service.list_exceptions(
                session=session, technician_id=technician_id, start=start, end=end
            )
        assert info.value.loc == ("query", "to")
    year = shift_service.list_exceptions(
        session=session, technician_id=technician_id, start=start, end=date(2027, 3, 11)
    )
    assert year == []
