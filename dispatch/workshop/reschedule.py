"""Move a bay booking to another slot (at the same workshop or another one offering the
service): the booking keeps its request, so the entitlement it consumed is untouched.

The target workshop's row is locked as for a new booking (bookings and moves into one workshop
queue there) and the booking's own row is locked first, so two moves of one booking run one
after the other. The lowest free bay of the new slot is taken; the partial unique index on
(workshop, slot, bay) refuses a double-held bay even without the lock. Moving a booking to the
slot it holds changes nothing (a retried move answers the same).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch import events, localtime
from dispatch.errors import Conflict, WorkshopFull
from dispatch.request import service as request_service
from dispatch.workshop import booking as bay_booking
from dispatch.workshop.models import WorkshopBooking, WorkshopBookingMove, WorkshopBookingStatus


def reschedule(
    *,
    session: Session,
    booking: WorkshopBooking,
    move_in: WorkshopBookingMove,
    now: datetime | None = None,
) -> WorkshopBooking:
    """Move the booked bay to move_in's slot (see the module docstring); committed. Raises
    Conflict when the booking is not booked or its slot has begun, InvalidInput for a slot the
    workshop does not have, WorkshopFull when every bay of it is held."""
    now = now or localtime.utc_now()
    held = _lock_booked(session, booking, now)
    workshop_id = move_in.workshop_id or held.workshop_id
    if (workshop_id, move_in.slot_start) == (held.workshop_id, held.slot_start):
        session.rollback()
        return held
    workshop = bay_booking.lock_offering(session, workshop_id, held.kind)
    slot = bay_booking.offered_slot(session, workshop, move_in.slot_start, now)
    bay = bay_booking.free_bay(session, workshop, slot.start)  # before the row changes
    held.workshop_id, held.slot_start, held.slot_end = workshop.id or 0, slot.start, slot.end
    held.bay = bay
    session.add(held)
    request = request_service.get_or_raise(session=session, request_id=held.request_id)
    if request.region_id != workshop.region_id:  # moved to a workshop of another region
        request.region_id = workshop.region_id
        session.add(request)
    try:
        session.flush()  # the bay index refuses a taken bay here, before the notice is queued
        events.publish_bay_changed(events.BayChanged(session, held.id or 0, "moved", now))
        session.commit()
    except IntegrityError:  # another process took the bay between the read and the write
        session.rollback()
        msg = f"every bay of {workshop.name} is booked at {slot.start.isoformat()}; ask again."
        raise WorkshopFull(msg, loc=("body", "slot_start")) from None
    session.refresh(held)
    return held


def _lock_booked(session: Session, booking: WorkshopBooking, now: datetime) -> WorkshopBooking:
    """Step: the booking's row, locked, when it is booked and its slot has not begun."""
    held = session.exec(
        select(WorkshopBooking)
        .where(WorkshopBooking.id == booking.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if held.status is not WorkshopBookingStatus.BOOKED:
        msg = f"workshop booking {held.id} is {held.status}; only a booked bay can be moved."
        raise Conflict(msg, loc=("status",))
    if held.slot_start <= now:
        msg = f"workshop booking {held.id}'s slot has begun; it can no longer be moved."
        raise Conflict(msg, loc=("slot_start",))
    return held
