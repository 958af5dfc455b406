"""Bookings for customers (and dispatchers acting for them): book, read, reschedule, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from api.deps import (
    BookingDep,
    BookingLimit,
    BookingUser,
    ScopeDep,
    SessionDep,
    customer_scope,
    reachable_region_ids,
    serving_region,
)
from dispatch.access import directory as customer_directory
from dispatch.booking import service as booking_service
from dispatch.booking.models import (
    BookingCreate,
    BookingPublic,
    BookingReschedule,
    BookingsPublic,
)
from dispatch.errors import InvalidInput, NotFound

router = APIRouter(prefix="/bookings", tags=["bookings"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="a new random key per booking; a retry with the same key books nothing twice",
    ),
]


@router.post(
    "",
    response_model=BookingPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[BookingLimit],
)
def create_booking(
    session: SessionDep,
    user: BookingUser,
    reach: ScopeDep,
    booking_in: BookingCreate,
    idempotency_key: IdempotencyKey,
    response: Response,
) -> BookingPublic:
    """Book the visit into an offered window (201). The same Idempotency-Key with the same body
    returns the same booking (201, header Idempotent-Replayed: true); with another body 422.
    409 slot_unavailable when the window is no longer possible."""
    scope = customer_scope(user)
    if scope is not None and booking_in.customer_id not in (None, scope):
        raise NotFound(
            f"customer {booking_in.customer_id} does not exist.", loc=("body", "customer_id")
        )
    owner = scope if scope is not None else booking_in.customer_id
    asset = booking_service.own_asset(
        session=session, asset_id=booking_in.asset_id, customer_id=owner, scope=reach
    )
    region = serving_region(session, user, asset, booking_in.region)
    visit, replayed = booking_service.book(
        session=session,
        user_id=user.id or 0,
        idempotency_key=idempotency_key,
        booking_in=booking_in,
        asset=asset,
        region=region,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return booking_service.public(session=session, visit=visit)


@router.get("", response_model=BookingsPublic)
def read_bookings(
    session: SessionDep,
    user: BookingUser,
    reach: ScopeDep,
    customer_id: Annotated[int | None, Query(description="dispatchers: whose bookings")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> BookingsPublic:
    """The caller's bookings (a dispatcher names the customer), latest window first."""
    own = customer_scope(user)
    if own is not None and customer_id not in (None, own):
        raise NotFound(f"customer {customer_id} does not exist.", loc=("query", "customer_id"))
    whose = own or customer_id
    if whose is None:
        raise InvalidInput("give customer_id.", loc=("query", "customer_id"))
    if customer_directory.get_in_reach(session=session, scope=reach, customer_id=whose) is None:
        raise NotFound(f"customer {whose} does not exist.", loc=("query", "customer_id"))
    visits, count = booking_service.list_for_customer(
        session=session,
        customer_id=whose,
        region_ids=reachable_region_ids(reach),
        offset=offset,
        limit=limit,
    )
    data = [booking_service.public(session=session, visit=v) for v in visits]
    return BookingsPublic(data=data, count=count)


@router.get("/{booking_id}", response_model=BookingPublic)
def read_booking(session: SessionDep, booking: BookingDep) -> BookingPublic:
    """Status, window, coverage, the technician's first name, and the ETA once en route."""
    return booking_service.public(session=session, visit=booking)


@router.post(
    "/{booking_id}/reschedule", response_model=BookingPublic, dependencies=[BookingLimit]
)
def reschedule_booking(
    session: SessionDep, booking: BookingDep, reschedule_in: BookingReschedule
) -> BookingPublic:
    """Move the booking to another offered window; 409 slot_unavailable when it does not fit."""
    visit = booking_service.reschedule(
        session=session,
        visit=booking,
        window_start=reschedule_in.window_start,
        window_end=reschedule_in.window_end,
    )
    return booking_service.public(session=session, visit=visit)


@router.post(
    "/{booking_id}/cancel", response_model=BookingPublic, dependencies=[BookingLimit]
)
def cancel_booking(session: SessionDep, booking: BookingDep) -> BookingPublic:
    """Cancel the booking; its entitlement comes back."""
    visit = booking_service.cancel(session=session, visit=booking)
    return booking_service.public(session=session, visit=visit)
