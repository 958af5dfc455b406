"""Messages about bay bookings at partner workshops: booked, moved, cancelled, and a reminder
the day before, in the customer's language.

A notice is keyed by the booking and its slot (`bay:12:slot:20261208T0200Z`), so a move gets
its own and a replayed booking none; a notice or reminder for a slot the booking no longer
holds is skipped at delivery (void_reason), as a visit's are once it is cancelled.
"""

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dispatch import events, localtime
from dispatch.asset.models import Asset
from dispatch.customer.models import Customer, Language
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.compose import window_stamp
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.workshop.models import Workshop, WorkshopBooking, WorkshopBookingStatus

log = logging.getLogger("purna.outreach")

K = MessageKind
B = WorkshopBookingStatus
# Messages that speak of one slot: void once the booking is cancelled or holds another slot.
ABOUT_A_SLOT = frozenset({K.BAY_BOOKED, K.BAY_MOVED, K.BAY_REMINDER})


def on_bay_changed(change: events.BayChanged) -> None:
    """Queue the customer's notice of a bay booked, moved or cancelled (subscribed to events);
    in a savepoint, so that a message that cannot be built never fails the booking."""
    session = change.session
    try:
        with session.begin_nested():
            booking = session.get(WorkshopBooking, change.booking_id)
            if booking is not None:
                _notice(session, booking, change.name, change.at)
    except Exception:  # the booking stands; the message is logged as lost
        log.exception("could not queue a message for bay booking %s", change.booking_id)


events.subscribe_bay_changed(on_bay_changed)


def _notice(session: Session, booking: WorkshopBooking, name: str, at: datetime) -> bool:
    """Step: queue the notice the change calls for; True when one was queued."""
    if name == "cancelled":
        if booking.status is not B.CANCELLED or booking.slot_start <= at:
            return False  # cancelled after its slot began: nothing left to tell
        return _queue(session, booking, K.BAY_CANCELLED, f"bay:{booking.id}:cancelled", at)
    if booking.status is not B.BOOKED:
        return False
    kind = K.BAY_MOVED if name == "moved" else K.BAY_BOOKED
    return _queue(session, booking, kind, slot_key(booking), at)


def slot_key(booking: WorkshopBooking) -> str:
    """`bay:<id>:slot:<slot start>`: one notice per slot the booking holds."""
    return f"bay:{booking.id}:slot:{window_stamp(booking.slot_start)}"


def queue_bay_reminders(*, session: Session, now: datetime) -> int:
    """Step: queue a reminder for every bay booked for tomorrow (its region's local tomorrow);
    the number queued (each once, whoever runs it)."""
    queued = 0
    regions = session.exec(select(Region).order_by(col(Region.id))).all()
    for region in regions:
        tomorrow = localtime.local_day(now, region.zone) + timedelta(days=1)
        start = localtime.to_utc(tomorrow, 0, region.zone)
        end = localtime.to_utc(tomorrow + timedelta(days=1), 0, region.zone)
        booked = session.exec(
            select(WorkshopBooking)
            .join(Workshop, col(Workshop.id) == WorkshopBooking.workshop_id)
            .where(
                Workshop.region_id == region.id,
                WorkshopBooking.status == B.BOOKED,
                col(WorkshopBooking.slot_start) >= start,
                col(WorkshopBooking.slot_start) < end,
            )
            .order_by(col(WorkshopBooking.id))
        ).all()
        for booking in booked:
            key = f"bay:{booking.id}:reminder:{tomorrow.isoformat()}"
            queued += _queue(session, booking, K.BAY_REMINDER, key, now)
    return queued


def void_reason(session: Session, message: OutboxMessage) -> str | None:
    """Why a bay message about a slot no longer applies (the booking cancelled or moved), or
    None; None for any other message."""
    if message.kind not in ABOUT_A_SLOT:
        return None
    booking = session.get(WorkshopBooking, message.data.get("workshop_booking_id", 0))
    if booking is None:
        return None
    if booking.status is B.CANCELLED:
        return f"bay booking {booking.id} was cancelled before the message went out."
    if message.data.get("slot_start") != booking.slot_start.isoformat():
        return f"bay booking {booking.id} moved to another slot before the message went out."
    return None


def _queue(
    session: Session, booking: WorkshopBooking, kind: MessageKind, key: str, at: datetime
) -> bool:
    """Step: queue one message about the booking to its customer (once per key)."""
    if outbox.exists(session=session, idempotency_key=key):
        return False
    customer = session.get(Customer, booking.customer_id)
    asset = session.get(Asset, booking.asset_id)
    workshop = session.get(Workshop, booking.workshop_id)
    request = session.get(ServiceRequest, booking.request_id)
    if customer is None or asset is None or workshop is None or request is None:
        raise LookupError(f"bay booking {booking.id} lacks its customer, asset or workshop.")
    region = session.get(Region, workshop.region_id)
    assert region is not None  # a workshop's region is a foreign key
    context = _context(booking, workshop, request, region, customer.language)
    data = {"workshop_booking_id": booking.id, "slot_start": booking.slot_start.isoformat()}
    draft = compose.for_asset(
        customer, asset, kind, key, at, context, region_id=region.id, data=data
    )
    return outbox.enqueue(session=session, draft=draft)


def _context(
    booking: WorkshopBooking,
    workshop: Workshop,
    request: ServiceRequest,
    region: Region,
    language: Language,
) -> dict[str, str]:
    """The fields of a bay message, in the customer's language and the workshop's time."""
    tz = region.zone
    return {
        "what": texts.VISIT_KINDS[language][request.kind],
        "workshop": workshop.name,
        "address": workshop.address,
        "phone": workshop.phone or "-",
        "date": texts.day_text(booking.slot_start.astimezone(tz).date(), language),
        "window": texts.window_text(booking.slot_start, booking.slot_end, tz, language),
    }
