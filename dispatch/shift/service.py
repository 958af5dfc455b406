"""Shift services: set the weekly pattern, record exceptions, and say who works when.

The rule for a day, in order: an exception for that day wins (leave or sick without hours:
off; with hours: those hours, with its own breaks or else the pattern's breaks that fit);
otherwise the weekly pattern for that weekday; otherwise off.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlmodel import Session, col, select

from dispatch.db import commit_or_conflict
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.shift.models import (
    BreakRule,
    BreakWindow,
    ExceptionKind,
    ShiftException,
    ShiftExceptionCreate,
    WeeklyShift,
    WeeklyShiftCreate,
    WorkingDay,
)
from dispatch.technician.models import Technician

MAX_RANGE_DAYS = 366  # one listing of absences covers at most a year


def weekly_pattern(*, session: Session, technician_id: int) -> list[WeeklyShift]:
    """The technician's weekly shifts, Monday first."""
    query = select(WeeklyShift).where(WeeklyShift.technician_id == technician_id)
    return list(session.exec(query.order_by(col(WeeklyShift.weekday))).all())


def set_weekly_pattern(
    *, session: Session, technician: Technician, shifts: Sequence[WeeklyShiftCreate]
) -> list[WeeklyShift]:
    """Replace the technician's weekly pattern; weekdays not given are days off."""
    weekdays = [s.weekday for s in shifts]
    if len(weekdays) != len(set(weekdays)):
        raise InvalidInput("each weekday may have one shift only.", loc=("shifts",))
    for old in weekly_pattern(session=session, technician_id=technician.id or 0):
        session.delete(old)
    session.flush()
    for shift_in in shifts:
        session.add(WeeklyShift.model_validate(shift_in, update={"technician_id": technician.id}))
    session.commit()
    return weekly_pattern(session=session, technician_id=technician.id or 0)


def list_exceptions(
    *, session: Session, technician_id: int, start: date, end: date
) -> list[ShiftException]:
    """The technician's exceptions from start to end, both included, by day; raises
    InvalidInput when end is before start or more than MAX_RANGE_DAYS after it."""
    if end < start or end - start > timedelta(days=MAX_RANGE_DAYS):
        msg = f"'to' must be on or after 'from', at most {MAX_RANGE_DAYS} days later."
        raise InvalidInput(msg, loc=("query", "to"))
    query = select(ShiftException).where(
        ShiftException.technician_id == technician_id,
        col(ShiftException.day) >= start,
        col(ShiftException.day) <= end,
    )
    return list(session.exec(query.order_by(col(ShiftException.day))).all())


def add_exception(
    *, session: Session, technician: Technician, exception_in: ShiftExceptionCreate
) -> ShiftException:
    """Record leave, sickness or an extra shift for one day (one exception a day)."""
    msg = f"technician {technician.id} already has an exception on {exception_in.day}."
    if _exception_on(session, technician.id or 0, exception_in.day) is not None:
        raise Conflict(msg, loc=("day",))
    exception = ShiftException.model_validate(exception_in, update={"technician_id": technician.id})
    session.add(exception)
    commit_or_conflict(session, msg, loc=("day",))
    session.refresh(exception)
    return exception


def exception_or_raise(*, session: Session, technician: Technician, day: date) -> ShiftException:
    """The technician's exception on day; raises NotFound when there is none."""
    exception = _exception_on(session, technician.id or 0, day)
    if exception is None:
        raise NotFound(f"technician {technician.id} has no exception on {day}.", loc=("day",))
    return exception


def update_exception(
    *,
    session: Session,
    technician: Technician,
    day: date,
    exception_in: ShiftExceptionCreate,
) -> ShiftException:
    """Replace the exception on day by exception_in (which may move it to another free day)."""
    exception = exception_or_raise(session=session, technician=technician, day=day)
    msg = f"technician {technician.id} already has an exception on {exception_in.day}."
    if exception_in.day != day and _exception_on(session, technician.id or 0, exception_in.day):
        raise Conflict(msg, loc=("day",))
    exception.sqlmodel_update(exception_in.model_dump())
    session.add(exception)
    commit_or_conflict(session, msg, loc=("day",))
    session.refresh(exception)
    return exception


def remove_exception(*, session: Session, technician: Technician, day: date) -> None:
    """Delete the technician's exception on day; raises NotFound when there is none."""
    exception = _exception_on(session, technician.id or 0, day)
    if exception is None:
        raise NotFound(f"technician {technician.id} has no exception on {day}.", loc=("day",))
    session.delete(exception)
    session.commit()


def working_day(*, session: Session, technician: Technician, day: date) -> WorkingDay | None:
    """The shift and breaks that apply to the technician on day, or None when off."""
    found = working_days(session=session, technician_ids=[technician.id or 0], day=day)
    return found.get(technician.id or 0)


def working_days(
    *, session: Session, technician_ids: Sequence[int], day: date
) -> dict[int, WorkingDay]:
    """The working day of each technician that works on day (two queries for all of them)."""
    patterns = session.exec(
        select(WeeklyShift).where(
            col(WeeklyShift.technician_id).in_(technician_ids),
            WeeklyShift.weekday == day.weekday(),
        )
    ).all()
    exceptions = session.exec(
        select(ShiftException).where(
            col(ShiftException.technician_id).in_(technician_ids), ShiftException.day == day
        )
    ).all()
    pattern_of = {p.technician_id: p for p in patterns}
    exception_of = {e.technician_id: e for e in exceptions}
    result: dict[int, WorkingDay] = {}
    for technician_id in technician_ids:
        resolved = resolve_day(
            technician_id, day, pattern_of.get(technician_id), exception_of.get(technician_id)
        )
        if resolved is not None:
            result[technician_id] = resolved
    return result


def resolve_day(
    technician_id: int, day: date, pattern: WeeklyShift | None, exception: ShiftException | None
) -> WorkingDay | None:
    """The day's hours from that weekday's pattern and the day's exception (the rule above)."""
    if exception is not None:
        if exception.start_s is None or exception.end_s is None:
            return None  # leave or sick for the whole day (validation keeps extra shifts timed)
        breaks = exception.breaks
        if breaks is None:
            breaks = _fitting(pattern.breaks if pattern else [], exception.start_s, exception.end_s)
        return WorkingDay(
            technician_id=technician_id,
            day=day,
            start_s=exception.start_s,
            end_s=exception.end_s,
            breaks=tuple(breaks),
            exception=ExceptionKind(exception.kind),
        )
    if pattern is None:
        return None
    return WorkingDay(
        technician_id=technician_id,
        day=day,
        start_s=pattern.start_s,
        end_s=pattern.end_s,
        breaks=tuple(pattern.breaks),
    )


def _fitting(breaks: Sequence[BreakRule], start_s: int, end_s: int) -> list[BreakRule]:
    """The pattern's breaks cut to replacement hours: windows clipped, breaks that no longer fit
    dropped (a technician working only the afternoon takes no lunch break at noon)."""
    fitting = []
    for rule in breaks:
        latest_s = end_s - rule.duration_s
        windows = tuple(
            BreakWindow(start_s=max(w.start_s, start_s), end_s=min(w.end_s, latest_s))
            for w in rule.windows
            if max(w.start_s, start_s) <= min(w.end_s, latest_s)
        )
        if windows:
            fitting.append(BreakRule(duration_s=rule.duration_s, windows=windows))
    return fitting


def _exception_on(session: Session, technician_id: int, day: date) -> ShiftException | None:
    query = select(ShiftException).where(
        ShiftException.technician_id == technician_id, ShiftException.day == day
    )
    return session.exec(query).first()
