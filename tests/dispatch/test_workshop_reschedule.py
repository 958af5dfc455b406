"""Moving a bay booking: to another slot or workshop, the old bay freed, the entitlement
untouched, a full slot refused, and racing moves never over-booking a slot."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dispatch.errors import Conflict, InvalidInput, WorkshopFull
from dispatch.workshop import booking as bay_booking
from dispatch.workshop import reschedule as bay_reschedule
from dispatch.workshop.models import WorkshopBooking, WorkshopBookingMove
from tests.dispatch.workshop_support import (
    NOW,
    book_bay,
    free_services_used,
    make_workshop,
    motorcycle,
    staff_user,
)
from tests.factories import DAY, local, make_region

THREADS = 8


def _move(session: Session, booking: WorkshopBooking, **move: object) -> WorkshopBooking:
    return bay_reschedule.reschedule(
        session=session, booking=booking, move_in=WorkshopBookingMove(**move), now=NOW
    )


def test_a_move_frees_the_old_bay_and_keeps_the_entitlement(session: Session) -> None:
    """09:00 -> 10:00 at the same workshop, then to another workshop: same booking and request,
    one free service used throughout, the 09:00 bay free for someone else."""
    region = make_region(session)
    workshop = make_workshop(session, region, bays=1)
    other = make_workshop(session, region, name="Bengkel Prima Kemang", bays=1)
    asset = motorcycle(session)
    booking = book_bay(session, asset.id or 0, workshop.id or 0, local(DAY, 9))
    request_id = booking.request_id
    moved = _move(session, booking, slot_start=local(DAY, 10))
    assert (moved.id, moved.request_id, moved.slot_start, moved.slot_end, moved.bay) == (
        booking.id, request_id, local(DAY, 10), local(DAY, 11), 1,
    )  # fmt: skip
    assert free_services_used(session, asset.id or 0) == 1
    taker = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    assert taker.bay == 1
    elsewhere = _move(session, moved, slot_start=local(DAY, 11), workshop_id=other.id)
    assert (elsewhere.workshop_id, elsewhere.slot_start) == (other.id, local(DAY, 11))
    assert free_services_used(session, asset.id or 0) == 1
    assert _move(session, elsewhere, slot_start=local(DAY, 11), workshop_id=other.id).bay == 1


def test_a_full_slot_or_a_time_that_is_no_slot_is_refused_and_nothing_moves(
    session: Session,
) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region, bays=1)
    mine = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 10))
    with pytest.raises(WorkshopFull) as full:
        _move(session, mine, slot_start=local(DAY, 10))
    assert full.value.loc == ("body", "slot_start")
    session.rollback()
    with pytest.raises(InvalidInput, match="is not a slot"):
        _move(session, mine, slot_start=local(DAY, 10, 30))
    session.rollback()
    session.refresh(mine)
    assert (mine.slot_start, mine.bay) == (local(DAY, 9), 1)


def test_a_cancelled_booking_or_a_slot_begun_cannot_move(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    early = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    with pytest.raises(Conflict, match="slot has begun"):
        bay_reschedule.reschedule(
            session=session,
            booking=early,
            move_in=WorkshopBookingMove(slot_start=local(DAY, 11)),
            now=local(DAY, 9, 5),
        )
    session.rollback()
    cancelled = bay_booking.cancel(session=session, booking=early, now=NOW)
    with pytest.raises(Conflict, match="only a booked bay can be moved"):
        _move(session, cancelled, slot_start=local(DAY, 10))


def test_racing_moves_never_over_book_a_slot(engine: Engine) -> None:
    """Eight bookings race into one slot of 3 bays the next day: 3 move, 5 are refused and
    keep their slot; each bay held once; every asset still uses exactly one free service."""
    with Session(engine) as session:
        region = make_region(session)
        workshop_id = make_workshop(session, region, bays=3).id or 0
        user_id = staff_user(session)
        assets = [motorcycle(session).id or 0 for _ in range(THREADS)]
        hours = [9, 9, 9, 10, 10, 10, 11, 11]
        bookings = [
            book_bay(session, a, workshop_id, local(DAY, h), user_id=user_id).id or 0
            for a, h in zip(assets, hours, strict=True)
        ]
    target = local(DAY + timedelta(days=1), 9)
    barrier = threading.Barrier(THREADS)

    def one(booking_id: int) -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                booking = bay_booking.get_or_raise(session=session, booking_id=booking_id)
                _move(session, booking, slot_start=target)
            except WorkshopFull:
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(one, bookings))
    assert results.count(True) == 3
    with Session(engine) as session:
        rows = session.exec(
            select(WorkshopBooking).where(WorkshopBooking.workshop_id == workshop_id)
        ).all()
        assert sorted(r.bay for r in rows if r.slot_start == target) == [1, 2, 3]
        stayed = sorted(r.slot_start for r in rows if r.slot_start != target)
        assert len(stayed) == 5 and all(s.date() == local(DAY, 9).date() for s in stayed)
        assert [free_services_used(session, a) for a in assets] == [1] * THREADS
