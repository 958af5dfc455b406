"""Pins that keep promises: a visit may be pinned to a technician who can still serve it in
its window alongside the visits already pinned there; otherwise the pin is refused with why."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from dispatch.planning import pins
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from tests.dispatch.planning_day import BLOK_M, CILANDAK, KEMANG, TEBET, add_visit, small_day
from tests.factories import DAY


def test_pin_that_fits_is_stored(session: Session) -> None:
    """The Kemang visit (08:00-10:00) can go to the Tebet technician: it is pinned there."""
    day = small_day(session)
    far = day.technicians[1]
    pinned = pins.pin(session=session, visit=day.visits[0], technician_id=far.id or 0)
    assert pinned.pinned_technician_id == far.id


def test_pin_out_of_reach_of_the_shift_is_refused(session: Session) -> None:
    """A visit promised 06:00-07:00 cannot be reached by a technician starting at 08:00."""
    day = small_day(session)
    early = add_visit(session, day.region, KEMANG, 6, hours=1)
    with pytest.raises(pins.PinRefused, match="within its window 06:00-07:00") as refused:
        pins.pin(session=session, visit=early, technician_id=day.technicians[0].id or 0)
    assert refused.value.type == "pin_breaks_promise"
    session.refresh(early)
    assert early.pinned_technician_id is None


def test_pin_into_a_window_taken_by_pinned_visits_is_refused(session: Session) -> None:
    """Two 2-hour visits both promised to start 08:00-09:00 cannot share one technician: the
    second pin names the first."""
    day = small_day(session)
    tech = day.technicians[0]
    first = add_visit(session, day.region, BLOK_M, 8, hours=1)
    second = add_visit(session, day.region, CILANDAK, 8, hours=1)
    pins.pin(session=session, visit=first, technician_id=tech.id or 0)
    with pytest.raises(pins.PinRefused, match=f"alongside visit\\(s\\) {first.id}"):
        pins.pin(session=session, visit=second, technician_id=tech.id or 0)
    session.refresh(second)
    assert second.pinned_technician_id is None


def test_pin_to_a_technician_on_leave_is_refused(session: Session) -> None:
    """A technician on leave that day takes no pin."""
    day = small_day(session)
    tech = day.technicians[0]
    shift_service.add_exception(
        session=session,
        technician=tech,
        exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.LEAVE),
    )
    with pytest.raises(pins.PinRefused, match="does not work"):
        pins.pin(session=session, visit=day.visits[2], technician_id=tech.id or 0)


def test_pins_of_other_technicians_do_not_count(session: Session) -> None:
    """A visit pinned to the other technician in the same window does not block this pin."""
    day = small_day(session)
    a, b = day.technicians
    first = add_visit(session, day.region, TEBET, 8, hours=1)
    second = add_visit(session, day.region, BLOK_M, 8, hours=1)
    pins.pin(session=session, visit=first, technician_id=b.id or 0)
    assert pins.pin(session=session, visit=second, technician_id=a.id or 0).pinned_technician_id
