"""Partner workshops: register and list them, free bay slots near an asset, bay bookings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status

from api.deps import (
    MAX_ID,
    BookingLimit,
    BookingUser,
    CurrentUser,
    DispatcherUser,
    ScopeDep,
    SessionDep,
    SlotQueryLimit,
    customer_scope,
    ensure_region,
    ensure_region_id,
    reachable_region_ids,
)
from api.errors import Forbidden
from dispatch.account.models import Role, User
from dispatch.booking import service as booking_service
from dispatch.errors import NotFound
from dispatch.product.models import VisitKind
from dispatch.workshop import booking as bay_booking
from dispatch.workshop import reschedule as bay_reschedule
from dispatch.workshop import service as workshop_service
from dispatch.workshop import slots as bay_slots
from dispatch.workshop.models import (
    DEFAULT_DISTANCE_KM,
    MAX_DISTANCE_KM,
    BaySlotsPublic,
    WorkshopBooking,
    WorkshopBookingCreate,
    WorkshopBookingMove,
    WorkshopBookingPublic,
    WorkshopBookingsPublic,
    WorkshopCreate,
    WorkshopPublic,
    WorkshopsPublic,
)

router = APIRouter(tags=["workshops"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="a new random key per booking; a retry with the same key books nothing twice",
    ),
]


@router.post("/workshops", response_model=WorkshopPublic, status_code=status.HTTP_201_CREATED)
def create_workshop(
    session: SessionDep, user: DispatcherUser, workshop_in: WorkshopCreate
) -> WorkshopPublic:
    """Register a partner workshop with its bays, weekly opening hours and services."""
    ensure_region(user, workshop_in.region)
    workshop = workshop_service.create(session=session, workshop_in=workshop_in)
    return workshop_service.public(session=session, workshop=workshop)


@router.get("/workshops", response_model=WorkshopsPublic)
def read_workshops(
    session: SessionDep,
    _: CurrentUser,
    kind: Annotated[VisitKind | None, Query(description="only those offering it")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WorkshopsPublic:
    """The active partner workshops (their addresses and hours are public business data)."""
    found, count = workshop_service.list_offering(
        session=session, kind=kind, offset=offset, limit=limit
    )
    data = [workshop_service.public(session=session, workshop=w) for w in found]
    return WorkshopsPublic(data=data, count=count)


@router.get("/workshops/{workshop_id}", response_model=WorkshopPublic)
def read_workshop(
    session: SessionDep, _: CurrentUser, workshop_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> WorkshopPublic:
    """One workshop with its hours and services."""
    workshop = workshop_service.get_or_raise(session=session, workshop_id=workshop_id)
    return workshop_service.public(session=session, workshop=workshop)


@router.get("/workshop-slots", response_model=BaySlotsPublic, dependencies=[SlotQueryLimit])
def read_bay_slots(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    asset_id: int,
    kind: VisitKind,
    from_: Annotated[date | None, Query(alias="from", description="first day; today")] = None,
    to: Annotated[date | None, Query(description="last day; 6 days after from")] = None,
    max_km: Annotated[float, Query(gt=0, le=MAX_DISTANCE_KM)] = DEFAULT_DISTANCE_KM,
) -> BaySlotsPublic:
    """Slots with a free bay at workshops offering the service within max_km of the asset,
    nearest workshop first; `coverage` says who would pay (a free service entitlement)."""
    asset = booking_service.own_asset(
        session=session, asset_id=asset_id, customer_id=customer_scope(user), scope=scope
    )
    return bay_slots.offer(
        session=session, asset=asset, kind=kind, max_km=max_km, first=from_, last=to
    )


@router.post(
    "/workshop-bookings",
    response_model=WorkshopBookingPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[BookingLimit],
)
def create_bay_booking(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    booking_in: WorkshopBookingCreate,
    idempotency_key: IdempotencyKey,
    response: Response,
) -> WorkshopBookingPublic:
    """Book a bay slot (201); the entitlement is consumed as for a home visit. The same
    Idempotency-Key with the same body returns the same booking; 409 workshop_full."""
    own = customer_scope(user)
    if own is not None and booking_in.customer_id not in (None, own):
        raise NotFound(
            f"customer {booking_in.customer_id} does not exist.", loc=("body", "customer_id")
        )
    asset = booking_service.own_asset(
        session=session,
        asset_id=booking_in.asset_id,
        customer_id=own if own is not None else booking_in.customer_id,
        scope=scope,
    )
    if own is None:
        workshop = workshop_service.get_or_raise(
            session=session, workshop_id=booking_in.workshop_id
        )
        ensure_region_id(session, user, workshop.region_id)
    booking, replayed = bay_booking.book(
        session=session,
        user_id=user.id or 0,
        idempotency_key=idempotency_key,
        booking_in=booking_in,
        asset=asset,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return bay_booking.public(session=session, booking=booking)


@router.get("/workshop-bookings", response_model=WorkshopBookingsPublic)
def read_bay_bookings(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WorkshopBookingsPublic:
    """A customer's own bay bookings; a dispatcher's, those at workshops of its regions."""
    own = customer_scope(user)
    found, count = bay_booking.list_for(
        session=session,
        customer_id=own,
        region_ids=None if own is not None else reachable_region_ids(scope),
        offset=offset,
        limit=limit,
    )
    data = [bay_booking.public(session=session, booking=b) for b in found]
    return WorkshopBookingsPublic(data=data, count=count)


def load_bay_booking(
    workshop_booking_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    user: BookingUser,
) -> WorkshopBooking:
    """The bay booking, if it is the caller's own or at a workshop of a region it dispatches."""
    booking = session.get(WorkshopBooking, workshop_booking_id)
    if booking is None or not _reaches(session, user, booking):
        msg = f"workshop booking {workshop_booking_id} does not exist."
        raise NotFound(msg, loc=("path", "workshop_booking_id"))
    return booking


def _reaches(session: SessionDep, user: User, booking: WorkshopBooking) -> bool:
    own = customer_scope(user)
    if own is not None:
        return booking.customer_id == own
    workshop = workshop_service.get_or_raise(session=session, workshop_id=booking.workshop_id)
    try:
        ensure_region_id(session, user, workshop.region_id)
    except Forbidden:
        return False
    return True


BayBookingDep = Annotated[WorkshopBooking, Depends(load_bay_booking)]


@router.get("/workshop-bookings/{workshop_booking_id}", response_model=WorkshopBookingPublic)
def read_bay_booking(session: SessionDep, booking: BayBookingDep) -> WorkshopBookingPublic:
    """One bay booking: workshop, slot, bay and who pays."""
    return bay_booking.public(session=session, booking=booking)


@router.post(
    "/workshop-bookings/{workshop_booking_id}/cancel",
    response_model=WorkshopBookingPublic,
    dependencies=[BookingLimit],
)
def cancel_bay_booking(session: SessionDep, booking: BayBookingDep) -> WorkshopBookingPublic:
    """Cancel the bay booking; the bay is free again and the entitlement comes back."""
    cancelled = bay_booking.cancel(session=session, booking=booking)
    return bay_booking.public(session=session, booking=cancelled)


@router.post(
    "/workshop-bookings/{workshop_booking_id}/reschedule",
    response_model=WorkshopBookingPublic,
    dependencies=[BookingLimit],
)
def reschedule_bay_booking(
    session: SessionDep, user: BookingUser, booking: BayBookingDep, move_in: WorkshopBookingMove
) -> WorkshopBookingPublic:
    """Move the bay booking to another slot, at its workshop or another one offering the
    service (a dispatcher: of its regions); the entitlement stays consumed once. 409
    workshop_full when every bay of the slot is held; 409 once the slot has begun."""
    if customer_scope(user) is None and move_in.workshop_id is not None:
        workshop = workshop_service.get_or_raise(session=session, workshop_id=move_in.workshop_id)
        ensure_region_id(session, user, workshop.region_id)
    moved = bay_reschedule.reschedule(session=session, booking=booking, move_in=move_in)
    return bay_booking.public(session=session, booking=moved)


@router.post(
    "/workshop-bookings/{workshop_booking_id}/complete", response_model=WorkshopBookingPublic
)
def complete_bay_booking(
    session: SessionDep, user: BookingUser, booking: BayBookingDep
) -> WorkshopBookingPublic:
    """Staff record that the workshop served the vehicle; its request is resolved."""
    if user.role is Role.CUSTOMER:
        raise Forbidden("Only staff record a workshop's service as done.")
    done = bay_booking.complete(session=session, booking=booking)
    return bay_booking.public(session=session, booking=done)
