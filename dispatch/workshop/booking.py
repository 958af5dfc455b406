"""Bay bookings: book a slot at a partner workshop, cancel, complete, read back.

book() opens the service request first (its coverage decided, an entitlement consumed exactly
as for a home visit), then takes the lowest free bay of the slot under the workshop's row lock
(PostgreSQL SELECT ... FOR UPDATE; on SQLite every transaction holds the write lock), and
commits once. The partial unique index on (workshop, slot, bay) refuses a double-held bay even
without the lock. cancel() gives the entitlement back through the request (a guarded UPDATE:
two cancellations give it back once). Idempotency-Key as for visit bookings: the same key and
body return the same booking, another body is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from dispatch import events, idempotency, localtime
from dispatch.asset.models import Asset
from dispatch.errors import Conflict, InvalidInput, NotFound, WorkshopFull
from dispatch.product.models import VisitKind
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from dispatch.workshop import service as workshop_service
from dispatch.workshop import slots
from dispatch.workshop.models import (
    Workshop,
    WorkshopBooking,
    WorkshopBookingCreate,
    WorkshopBookingIdempotency,
    WorkshopBookingPublic,
    WorkshopBookingStatus,
    WorkshopService,
)

B = WorkshopBookingStatus
HOME_BOOKED = frozenset(
    {VisitStatus.BOOKED, VisitStatus.PLANNED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE}
)

# A bay booking request's key names the bay booking it made.
KEYS = idempotency.Keys(WorkshopBookingIdempotency, WorkshopBooking, "booking_id")


def book(
    *,
    session: Session,
    user_id: int,
    idempotency_key: str,
    booking_in: WorkshopBookingCreate,
    asset: Asset,
    now: datetime | None = None,
) -> tuple[WorkshopBooking, bool]:
    """Book a bay (see the module docstring); the booking, and True when it is a replay."""
    now = now or localtime.utc_now()
    claim = idempotency.claim(
        session, KEYS, user_id=user_id, key=idempotency_key,
        fingerprint=idempotency.fingerprint(booking_in),
    )  # fmt: skip
    if isinstance(claim, WorkshopBooking):
        return claim, True
    session.exec(select(Asset.id).where(Asset.id == asset.id).with_for_update()).one()
    workshop = lock_offering(session, booking_in.workshop_id, booking_in.kind)
    slot = offered_slot(session, workshop, booking_in.slot_start, now)
    _ensure_no_other_booking(session, asset, booking_in)
    request = _open_request(session, asset, workshop, booking_in, now)
    bay = free_bay(session, workshop, slot.start)
    booking = WorkshopBooking(
        workshop_id=workshop.id or 0,
        asset_id=asset.id or 0,
        customer_id=asset.customer_id,
        request_id=request.id or 0,
        kind=booking_in.kind,
        slot_start=slot.start,
        slot_end=slot.end,
        bay=bay,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    claim.booking_id = booking.id
    session.add(claim)
    events.publish_bay_changed(events.BayChanged(session, booking.id or 0, "booked", now))
    session.commit()
    session.refresh(booking)
    return booking, False


def cancel(
    *, session: Session, booking: WorkshopBooking, now: datetime | None = None
) -> WorkshopBooking:
    """Cancel a booked bay: the bay is free again and the entitlement comes back."""
    now = now or localtime.utc_now()
    _move(session, booking, to=B.CANCELLED, column="cancelled_at", at=now)
    request = request_service.get_or_raise(session=session, request_id=booking.request_id)
    request_service.release(session=session, request=request, at=now)
    events.publish_bay_changed(events.BayChanged(session, booking.id or 0, "cancelled", now))
    session.commit()
    session.refresh(booking)
    return booking


def complete(
    *, session: Session, booking: WorkshopBooking, now: datetime | None = None
) -> WorkshopBooking:
    """The workshop served the vehicle: the booking is completed and its request resolved; a
    paid service earns the after_paid_visit vouchers, as a paid visit does."""
    now = now or localtime.utc_now()
    _move(session, booking, to=B.COMPLETED, column="completed_at", at=now)
    request = request_service.get_or_raise(session=session, request_id=booking.request_id)
    request_service.mark_resolved(request=request, at=now)
    session.add(request)
    events.publish_service_done(events.ServiceDone(session, request, f"workshop:{booking.id}", now))
    session.commit()
    session.refresh(booking)
    return booking


def get_or_raise(*, session: Session, booking_id: int) -> WorkshopBooking:
    """The bay booking with this id; raises NotFound."""
    booking = session.get(WorkshopBooking, booking_id)
    if booking is None:
        raise NotFound(f"workshop booking {booking_id} does not exist.", loc=("booking_id",))
    return booking


def holding(*, session: Session, request_id: int) -> WorkshopBooking | None:
    """The active bay booking made with this service request, or None."""
    query = select(WorkshopBooking).where(
        WorkshopBooking.request_id == request_id, WorkshopBooking.status == B.BOOKED
    )
    return session.exec(query).first()


def list_for(
    *,
    session: Session,
    customer_id: int | None = None,
    region_ids: Collection[int] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[WorkshopBooking], int]:
    """A page of bay bookings (of a customer, at workshops of these regions, when given),
    latest slot first, and how many there are."""
    where = []
    if customer_id is not None:
        where.append(col(WorkshopBooking.customer_id) == customer_id)
    if region_ids is not None:
        in_regions = select(Workshop.id).where(col(Workshop.region_id).in_(list(region_ids)))
        where.append(col(WorkshopBooking.workshop_id).in_(in_regions))
    count = session.exec(select(func.count()).select_from(WorkshopBooking).where(*where)).one()
    query = select(WorkshopBooking).where(*where)
    query = query.order_by(col(WorkshopBooking.slot_start).desc(), col(WorkshopBooking.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)).all()), count


def public(*, session: Session, booking: WorkshopBooking) -> WorkshopBookingPublic:
    """The booking with its workshop, slot and who pays."""
    workshop = workshop_service.get_or_raise(session=session, workshop_id=booking.workshop_id)
    region = workshop_service.region_of(session=session, workshop=workshop)
    request = request_service.get_or_raise(session=session, request_id=booking.request_id)
    return WorkshopBookingPublic(
        **booking.model_dump(exclude={"created_at", "cancelled_at", "completed_at"}),
        workshop_name=workshop.name,
        address=workshop.address,
        timezone=region.timezone,
        coverage=request.coverage,
        coverage_reason=request.coverage_reason,
        price=request.price,
    )


# --- steps ----------------------------------------------------------------------------------------


def lock_offering(session: Session, workshop_id: int, kind: VisitKind) -> Workshop:
    """Step: the active workshop offering kind, its row locked (bookings of one workshop
    queue here); raises NotFound or InvalidInput."""
    workshop = session.exec(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update()
    ).first()
    if workshop is None or not workshop.active:
        msg = f"workshop {workshop_id} does not exist."
        raise NotFound(msg, loc=("body", "workshop_id"))
    offers = session.exec(
        select(WorkshopService.id).where(
            WorkshopService.workshop_id == workshop.id, WorkshopService.kind == kind
        )
    ).first()
    if offers is None:
        msg = f"workshop {workshop.name} does not offer {kind}."
        raise InvalidInput(msg, loc=("body", "kind"))
    return workshop


def offered_slot(
    session: Session, workshop: Workshop, start: datetime, now: datetime
) -> slots.Slot:
    """Step: the workshop's slot starting at start; raises InvalidInput when there is none."""
    region = workshop_service.region_of(session=session, workshop=workshop)
    day = localtime.local_day(localtime.require_aware(start, "slot_start"), region.zone)
    hours = workshop_service.hours_of(session=session, workshop_id=workshop.id or 0)
    found = next(
        (
            s
            for s in slots.day_slots(workshop, hours.get(day.weekday()), day, region)
            if s.start == start
        ),
        None,
    )
    if found is None:
        msg = f"{start.isoformat()} is not a slot of workshop {workshop.name}; ask for slots."
        raise InvalidInput(msg, loc=("body", "slot_start"))
    if not slots.bookable(found, now):
        msg = f"the slot {start.isoformat()} is too soon or too far ahead to book."
        raise InvalidInput(msg, loc=("body", "slot_start"))
    return found


def _ensure_no_other_booking(
    session: Session, asset: Asset, booking_in: WorkshopBookingCreate
) -> None:
    """An asset has one booking of a kind at a time, at a workshop or at home."""
    kind = booking_in.kind
    for request in request_service.list_open(session=session, asset_id=asset.id or 0, kind=kind):
        held = holding(session=session, request_id=request.id or 0)
        visits = visit_service.list_for_request(session=session, request_id=request.id or 0)
        if held is not None or any(v.status in HOME_BOOKED for v in visits):
            msg = f"asset {asset.id} already has a {kind} booking; move or cancel it first."
            raise Conflict(msg, loc=("body", "asset_id"))


def _open_request(
    session: Session,
    asset: Asset,
    workshop: Workshop,
    booking_in: WorkshopBookingCreate,
    now: datetime,
) -> ServiceRequest:
    """A new request for the service, its coverage decided (an entitlement consumed), answered
    by this booking."""
    request_in = ServiceRequestCreate(
        asset_id=asset.id or 0,
        region_id=workshop.region_id,
        kind=booking_in.kind,
        description=f"at partner workshop {workshop.name}",
        created_at=now,
    )
    request = request_service.add(session=session, request_in=request_in)
    request_service.mark_responded(request=request, at=now)
    session.add(request)
    return request


def free_bay(session: Session, workshop: Workshop, start: datetime) -> int:
    """Step: the lowest bay free in the slot; raises WorkshopFull when every bay is held."""
    held = slots.taken_bays(
        session=session, workshop_ids=[workshop.id or 0], first=start, last=start
    ).get((workshop.id or 0, start), set())
    free = [bay for bay in range(1, workshop.bays + 1) if bay not in held]
    if not free:
        msg = f"every bay of {workshop.name} is booked at {start.isoformat()}; ask for slots again."
        raise WorkshopFull(msg, loc=("body", "slot_start"))
    return free[0]


def _move(
    session: Session,
    booking: WorkshopBooking,
    *,
    to: WorkshopBookingStatus,
    column: str,
    at: datetime,
) -> None:
    """Step: booked -> to, as a guarded UPDATE (two racing changes: one wins, one Conflict)."""
    result = session.execute(
        update(WorkshopBooking)
        .where(col(WorkshopBooking.id) == booking.id, col(WorkshopBooking.status) == B.BOOKED)
        .values({"status": to, column: at})
        .execution_options(synchronize_session=False)
    )
    session.refresh(booking)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        msg = f"workshop booking {booking.id} is {booking.status}; it cannot be {to} now."
        raise Conflict(msg, loc=("status",))
