"""The customer hears of a bay booking: booked, moved, cancelled, and reminded the day before,
in their language; a notice about a slot the booking no longer holds is never sent."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from dispatch.asset import service as asset_service
from dispatch.config import Settings
from dispatch.customer.models import Customer, Language
from dispatch.outreach import outbox
from dispatch.outreach.delivery import deliver_due
from dispatch.outreach.models import MessageKind, MessageState, OutboxMessage
from dispatch.outreach.outbox import RetryPolicy
from dispatch.outreach.service import queue_reminders
from dispatch.workshop import booking as bay_booking
from dispatch.workshop import reschedule as bay_reschedule
from dispatch.workshop.models import WorkshopBooking, WorkshopBookingCreate, WorkshopBookingMove
from tests.dispatch.test_outreach_delivery import RecordingChannel
from tests.dispatch.workshop_support import NOW, book_bay, make_workshop, motorcycle, staff_user
from tests.factories import DAY, local, make_region

K = MessageKind
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
POLICY = RetryPolicy(max_attempts=3, base_s=60, max_s=3600, lease_s=300)


def _messages(session: Session, booking: WorkshopBooking) -> list[OutboxMessage]:
    """The outbox rows about the booking, oldest first."""
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [m for m in rows if m.data.get("workshop_booking_id") == booking.id]


def _kinds(session: Session, booking: WorkshopBooking) -> list[MessageKind]:
    return [m.kind for m in _messages(session, booking)]


def test_a_booked_bay_is_confirmed_once_with_the_workshop_and_its_time(session: Session) -> None:
    """Booking 09:00 queues one notice naming the workshop, its address and 09.00-10.00 in
    Indonesian; replaying the same request (same Idempotency-Key) queues nothing more."""
    region = make_region(session)
    workshop = make_workshop(session, region, phone="021 555 0101")
    asset = motorcycle(session)
    user_id = staff_user(session)
    booking_in = WorkshopBookingCreate(
        workshop_id=workshop.id or 0,
        asset_id=asset.id or 0,
        kind="periodic_service",
        slot_start=local(DAY, 9),
    )
    key = uuid.uuid4().hex
    booked, _ = bay_booking.book(
        session=session, user_id=user_id, idempotency_key=key, booking_in=booking_in,
        asset=asset, now=NOW,
    )  # fmt: skip
    _, replay = bay_booking.book(
        session=session, user_id=user_id, idempotency_key=key, booking_in=booking_in,
        asset=asset_service.get_or_raise(session=session, asset_id=asset.id or 0), now=NOW,
    )  # fmt: skip
    assert replay
    [notice] = _messages(session, booked)
    assert notice.kind is K.BAY_BOOKED and notice.language is Language.ID
    assert "Bengkel Gesit Blok M" in notice.body and "Jl. Melawai 10" in notice.body
    assert "09.00" in notice.body and "021 555 0101" in notice.body
    customer = session.get(Customer, asset.customer_id)
    assert customer is not None and notice.recipient_phone == customer.phone


def test_a_move_gets_its_own_notice_and_the_old_one_is_not_sent(session: Session) -> None:
    """Booked for 09:00, moved to 11:00 before anything went out: the 09:00 notice is skipped
    at delivery, the customer receives only the 11:00 one."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    booking = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    move = WorkshopBookingMove(slot_start=local(DAY, 11))
    bay_reschedule.reschedule(session=session, booking=booking, move_in=move, now=NOW)
    assert _kinds(session, booking) == [K.BAY_BOOKED, K.BAY_MOVED]
    channel = RecordingChannel()
    report = deliver_due(session=session, channel=channel, now=NOW, policy=POLICY)
    assert (report.sent, report.skipped) == (1, 1)
    [sent] = channel.sent
    assert sent.kind == K.BAY_MOVED and "11.00" in sent.body
    old = _messages(session, booking)[0]
    assert old.state is MessageState.SKIPPED and "moved" in (old.last_error or "")


def test_moving_to_the_slot_held_queues_nothing(session: Session) -> None:
    """A retried move to the slot the booking already holds is no change: no second notice."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    booking = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    same = WorkshopBookingMove(slot_start=local(DAY, 9))
    bay_reschedule.reschedule(session=session, booking=booking, move_in=same, now=NOW)
    assert _kinds(session, booking) == [K.BAY_BOOKED]


def test_a_cancelled_bay_is_told_once_and_its_queued_notices_are_void(session: Session) -> None:
    """Cancelled before delivery: the customer receives the cancellation and not the booking
    notice; cancelling twice is refused and queues no second message."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    booking = book_bay(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    bay_booking.cancel(session=session, booking=booking, now=NOW)
    assert _kinds(session, booking) == [K.BAY_BOOKED, K.BAY_CANCELLED]
    channel = RecordingChannel()
    deliver_due(session=session, channel=channel, now=NOW, policy=POLICY)
    assert [e.kind for e in channel.sent] == [K.BAY_CANCELLED]
    assert "dibatalkan" in channel.sent[0].body


def test_tomorrows_bays_are_reminded_once_in_the_customers_language(session: Session) -> None:
    """At 18:00 the evening before, the reminder sweep queues one reminder for tomorrow's bay
    (in English for an English-speaking customer), none for the bay two days away, and a
    second sweep queues nothing."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    tomorrow = DAY + timedelta(days=1)
    asset = motorcycle(session)
    customer = session.get(Customer, asset.customer_id)
    assert customer is not None
    customer.language = Language.EN
    session.add(customer)
    session.commit()
    soon = book_bay(session, asset.id or 0, workshop.id or 0, local(tomorrow, 9))
    later = book_bay(
        session, motorcycle(session).id or 0, workshop.id or 0, local(DAY + timedelta(days=2), 9)
    )
    evening = local(DAY, 18)
    assert queue_reminders(session=session, now=evening, settings=SETTINGS) == 1
    assert queue_reminders(session=session, now=evening, settings=SETTINGS) == 0
    reminders = [m for m in _messages(session, soon) if m.kind is K.BAY_REMINDER]
    assert len(reminders) == 1
    assert reminders[0].language is Language.EN and "tomorrow" in reminders[0].body
    assert K.BAY_REMINDER not in _kinds(session, later)
    assert outbox.exists(session=session, idempotency_key=f"bay:{soon.id}:reminder:{tomorrow}")
