"""Slot offers and bookings through the services, on SQLite and PostgreSQL: each rule kept and
broken, idempotency, entitlements, and the day's ledger checked by the independent validator.

The day is tests.factories.DAY (Tuesday 2026-03-10); "now" is the Monday before, 10:00 Jakarta.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.booking import ledger
from dispatch.booking import service as booking_service
from dispatch.booking import slots as slot_service
from dispatch.booking.models import SlotReason, SlotsPublic
from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    SlotUnavailable,
)
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.planning import service as planning_service
from dispatch.planning.models import PlanOptions
from dispatch.product.models import VisitKind
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.booking_day import (
    HOURS,
    BookingDay,
    booked_elsewhere,
    booking_day,
    booking_in,
    customer_asset,
    ledger_violations,
    window,
)
from tests.factories import DAY, REQUESTED_AT, make_asset, make_motorcycle_model

NOW = REQUESTED_AT


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts without parsed ledgers (PostgreSQL ids restart between tests)."""
    ledger.drop_cached()


def _offer(
    session: Session,
    day: BookingDay,
    asset: Asset,
    kind: VisitKind = VisitKind.INSTALLATION,
    **kw: Any,
) -> SlotsPublic:
    return slot_service.offer_slots(
        session=session, asset=asset, kind=kind, region=day.region, now=NOW, **kw
    )


def _book(
    session: Session, day: BookingDay, asset: Asset, hour: int, key: str = "k1", **kw: Any
) -> tuple[Visit, bool]:
    return booking_service.book(
        session=session,
        user_id=_user(session),
        idempotency_key=key,
        booking_in=booking_in(asset, DAY, hour, **kw),
        asset=asset,
        region=day.region,
        now=NOW,
    )


def _user(session: Session) -> int:
    found = account_service.get_by_name(session=session, name="agent")
    if found is not None:
        return found.id or 0
    user, _ = account_service.create(
        session=session, user_in=UserCreate(name="agent", role=Role.ADMIN)
    )
    return user.id or 0


def _full_day(session: Session, day: BookingDay) -> None:
    """Fill the technician's DAY with four installations booked through the visit service."""
    for hour in HOURS:
        booked_elsewhere(session, day, DAY, hour)


def test_offer_slots_ranks_every_window_of_an_empty_day(session: Session) -> None:
    """An empty Tuesday offers its four windows, cheapest first, with the local times."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    offer = _offer(session, day, asset, first=DAY, last=DAY)
    assert offer.reason is None and offer.count == 4
    assert [s.local_window for s in offer.data] == [
        "08:00-10:00",
        "10:00-12:00",
        "13:00-15:00",
        "15:00-17:00",
    ]
    travel = [s.added_travel_s for s in offer.data]
    assert travel == sorted(travel) and travel[0] > 0
    assert (offer.kind, offer.duration_s, offer.skill) == (
        VisitKind.INSTALLATION,
        7200,
        "ac_install",
    )


def test_offer_slots_full_day_says_days_full(session: Session) -> None:
    """With four installations already promised, a fifth fits nowhere on that day."""
    day = booking_day(session)
    _full_day(session, day)
    offer = _offer(session, day, customer_asset(session, day), first=DAY, last=DAY)
    assert offer.data == []
    assert offer.reason is SlotReason.DAYS_FULL
    assert [(u.day, u.reason) for u in offer.unavailable] == [(DAY, SlotReason.DAYS_FULL)]


def test_offer_slots_counts_what_is_left_of_the_day(session: Session) -> None:
    """Three installations leave one window for a fourth; four leave none, not even for a
    one-hour service."""
    day = booking_day(session)
    for hour in HOURS[:3]:
        booked_elsewhere(session, day, DAY, hour)
    asset = customer_asset(session, day)
    assert _offer(session, day, asset, first=DAY, last=DAY).count == 1  # 15-17 is still free
    booked_elsewhere(session, day, DAY, 15)
    assert _offer(session, day, asset, VisitKind.PERIODIC_SERVICE, first=DAY, last=DAY).count == 0
    assert _offer(session, day, asset, VisitKind.INSTALLATION, first=DAY, last=DAY).count == 0


def test_offer_slots_without_skilled_technician_says_why(session: Session) -> None:
    """Nobody in the region services motorcycles: no window, and the reason says so."""
    day = booking_day(session)
    asset = make_asset(session, product_model=make_motorcycle_model(session))
    offer = _offer(session, day, asset, VisitKind.PERIODIC_SERVICE)
    assert offer.data == [] and offer.reason is SlotReason.NO_SKILLED_TECHNICIAN
    assert "motorcycle_service" in (offer.message or "")


def test_offer_slots_day_off_says_no_working_technician(session: Session) -> None:
    """The technician is on leave on DAY: that day has no window, the next one does."""
    day = booking_day(session)
    shift_service.add_exception(
        session=session,
        technician=day.technician,
        exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.LEAVE),
    )
    offer = _offer(
        session, day, customer_asset(session, day), first=DAY, last=DAY + timedelta(days=1)
    )
    assert {s.day for s in offer.data} == {DAY + timedelta(days=1)}
    assert [(u.day, u.reason) for u in offer.unavailable] == [
        (DAY, SlotReason.NO_WORKING_TECHNICIAN)
    ]


def test_offer_slots_notice_a_sick_day_recorded_after_they_were_stored(session: Session) -> None:
    """The day's routes are stored by a first query; the technician then calls in sick for that
    day: the next query offers nothing there."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    assert _offer(session, day, asset, first=DAY, last=DAY).count == 4
    shift_service.add_exception(
        session=session,
        technician=day.technician,
        exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.SICK),
    )
    offer = _offer(session, day, asset, first=DAY, last=DAY)
    assert offer.data == [] and offer.reason is SlotReason.NO_WORKING_TECHNICIAN


def test_offer_slots_today_is_outside_the_booking_horizon(session: Session) -> None:
    """Today's routes are running: a query for today only answers outside_booking_horizon."""
    day = booking_day(session)
    today = DAY - timedelta(days=1)
    offer = _offer(session, day, customer_asset(session, day), first=today, last=today)
    assert offer.data == [] and offer.reason is SlotReason.OUTSIDE_BOOKING_HORIZON


def test_offer_slots_too_long_a_range_is_invalid(session: Session) -> None:
    """More than 14 days in one query is refused."""
    day = booking_day(session)
    with pytest.raises(InvalidInput, match="at most 14 days"):
        _offer(session, day, customer_asset(session, day), first=DAY, last=DAY + timedelta(days=20))


def test_book_consumes_entitlement_and_keeps_the_plan_valid(session: Session) -> None:
    """A booking opens a request covered by the free installation, books the visit in the
    window, and the day's routes with it pass the validator."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    visit, replayed = _book(session, day, asset, 10)
    assert not replayed
    assert visit.status is VisitStatus.BOOKED
    assert (visit.window_start, visit.window_end) == window(DAY, 10)
    assert visit.request.coverage is Coverage.ENTITLEMENT and visit.request.price == 0
    assert _used(session, asset.id) == 1
    state = ledger.read_days(session=session, region=day.region, days=[DAY])[DAY]
    assert str(visit.id) in state.routes.routed
    assert ledger_violations(session, day.region, DAY) == []


def test_book_move_and_cancel_queue_the_customers_notices(session: Session) -> None:
    """Booking, moving and cancelling each queue their message to the customer at once."""
    day = booking_day(session)
    visit, _ = _book(session, day, customer_asset(session, day), 10)
    start, end = window(DAY, 13)
    booking_service.reschedule(
        session=session, visit=visit, window_start=start, window_end=end, now=NOW
    )
    booking_service.cancel(session=session, visit=visit, now=NOW)
    kinds = session.exec(select(OutboxMessage.kind).where(OutboxMessage.visit_id == visit.id)).all()
    assert sorted(kinds) == sorted(
        [
            MessageKind.BOOKING_CONFIRMED,
            MessageKind.BOOKING_RESCHEDULED,
            MessageKind.BOOKING_CANCELLED,
        ]
    )


def test_book_last_place_twice_is_slot_unavailable(session: Session) -> None:
    """Three windows are taken; the first customer gets 15-17, the second is refused and its
    entitlement stays unused."""
    day = booking_day(session)
    for hour in HOURS[:3]:
        booked_elsewhere(session, day, DAY, hour)
    first, second = customer_asset(session, day), customer_asset(session, day)
    _book(session, day, first, 15, key="a")
    with pytest.raises(SlotUnavailable, match="no longer possible"):
        _book(session, day, second, 15, key="b")
    session.rollback()
    assert _used(session, second.id) == 0
    assert ledger_violations(session, day.region, DAY) == []


def test_book_window_not_offered_is_invalid(session: Session) -> None:
    """09:00-11:00 is not one of the windows offered."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    start, end = window(DAY, 9)
    with pytest.raises(InvalidInput, match="not an offered window"):
        _book(session, day, asset, 8, window_start=start, window_end=end)


def test_book_replay_with_same_key_returns_same_booking(session: Session) -> None:
    """The same key and body give the same visit back; nothing is booked or consumed twice."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    first, _ = _book(session, day, asset, 10, key="same")
    again, replayed = _book(session, day, asset, 10, key="same")
    assert replayed and again.id == first.id
    assert _used(session, asset.id) == 1
    assert len(session.exec(_visits_of(asset.id)).all()) == 1


def test_book_same_key_with_another_body_is_refused(session: Session) -> None:
    """Reusing a key for another window is a client error, not a second booking."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    _book(session, day, asset, 10, key="same")
    with pytest.raises(IdempotencyKeyReused):
        _book(session, day, asset, 13, key="same")


def test_book_second_installation_of_one_asset_is_a_conflict(session: Session) -> None:
    """An asset has one booking of a kind at a time: move or cancel the first."""
    day = booking_day(session)
    asset = customer_asset(session, day)
    _book(session, day, asset, 10, key="a")
    with pytest.raises(Conflict, match="already has a installation booking"):
        _book(session, day, asset, 13, key="b")


def test_cancel_gives_entitlement_back_and_frees_the_place(session: Session) -> None:
    """Cancelling the last booking of a full day offers its window again and restores the
    free installation."""
    day = booking_day(session)
    for hour in HOURS[:3]:
        booked_elsewhere(session, day, DAY, hour)
    asset = customer_asset(session, day)
    visit, _ = _book(session, day, asset, 15)
    other = customer_asset(session, day)
    assert _offer(session, day, other, first=DAY, last=DAY).count == 0
    cancelled = booking_service.cancel(session=session, visit=visit, now=NOW)
    assert cancelled.status is VisitStatus.CANCELLED
    assert _used(session, asset.id) == 0
    assert [s.local_window for s in _offer(session, day, other, first=DAY, last=DAY).data] == [
        "15:00-17:00"
    ]


def test_reschedule_moves_the_booking_and_frees_the_old_place(session: Session) -> None:
    """Moving 15-17 to the next day frees 15-17 on DAY; the entitlement stays consumed once."""
    day = booking_day(session)
    for hour in HOURS[:3]:
        booked_elsewhere(session, day, DAY, hour)
    asset = customer_asset(session, day)
    visit, _ = _book(session, day, asset, 15)
    start, end = window(DAY + timedelta(days=1), 8)
    moved = booking_service.reschedule(
        session=session, visit=visit, window_start=start, window_end=end, now=NOW
    )
    assert (moved.window_start, moved.status) == (start, VisitStatus.BOOKED)
    assert _used(session, asset.id) == 1
    other = customer_asset(session, day)
    assert _offer(session, day, other, first=DAY, last=DAY).count == 1
    assert ledger_violations(session, day.region, DAY + timedelta(days=1)) == []


def test_reschedule_into_a_full_window_is_slot_unavailable(session: Session) -> None:
    """A move into a day that is full changes nothing."""
    day = booking_day(session)
    _full_day(session, day)
    asset = customer_asset(session, day)
    visit, _ = _book(session, day, asset, 8, **_next_day(8))
    start, end = window(DAY, 10)
    with pytest.raises(SlotUnavailable):
        booking_service.reschedule(
            session=session, visit=visit, window_start=start, window_end=end, now=NOW
        )
    session.rollback()
    session.refresh(visit)
    assert visit.window_start == window(DAY + timedelta(days=1), 8)[0]


def test_ledger_follows_the_published_plan(session: Session) -> None:
    """Once a plan is stored, the day's routes are the plan's, and bookings go on from them."""
    day = booking_day(session)
    for hour in (8, 13):
        booked_elsewhere(session, day, DAY, hour)
    plan = planning_service.plan_day(
        session=session,
        region=day.region,
        day=DAY,
        options=PlanOptions(time_limit_s=1.0, deterministic=True),
    )
    planning_service.publish(session=session, plan=plan, at=NOW)
    state = ledger.read_days(session=session, region=day.region, days=[DAY])[DAY]
    assert state.plan_id == plan.id
    planned = [str(s.visit_id) for r in plan.routes for s in r.stops]
    routed = [x for x in state.routes.sequences[str(day.technician.id)] if isinstance(x, str)]
    assert routed == planned
    visit, _ = _book(session, day, customer_asset(session, day), 10)
    assert ledger_violations(session, day.region, DAY) == []
    assert visit.status is VisitStatus.BOOKED


def _next_day(hour: int) -> dict[str, Any]:
    start, end = window(DAY + timedelta(days=1), hour)
    return {"window_start": start, "window_end": end}


def _used(session: Session, asset_id: int | None) -> int:
    session.expire_all()
    row = session.exec(
        select(Entitlement).where(
            Entitlement.asset_id == asset_id,
            Entitlement.kind == EntitlementKind.FREE_INSTALLATION,
        )
    ).one()
    assert row is not None
    return row.used


def _visits_of(asset_id: int | None) -> Any:
    return select(Visit).where(
        col(Visit.request_id).in_(
            select(ServiceRequest.id).where(ServiceRequest.asset_id == asset_id)
        )
    )
