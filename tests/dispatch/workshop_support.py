"""Test set-up for partner workshops: a region, workshops around South Jakarta, a motorcycle
with 3 free services and 1 free oil change parked at a customer's home."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset
from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.workshop import booking as bay_booking
from dispatch.workshop import service as workshop_service
from dispatch.workshop.models import (
    OpeningHours,
    Workshop,
    WorkshopBooking,
    WorkshopBookingCreate,
    WorkshopCreate,
)
from tests.factories import DAY, local, make_asset, make_customer, make_motorcycle_model

HOME = (-6.2615, 106.8106)  # Kebayoran Baru
NOW: datetime = local(DAY, 7)  # Tuesday 07:00 in Jakarta: DAY's 09:00 slot is bookable
WEEKDAYS_8_TO_12 = [OpeningHours(weekday=d, opens=time(8), closes=time(12)) for d in range(6)]


def make_workshop(session: Session, region: Region, **overrides: Any) -> Workshop:
    """A workshop near HOME, open Monday to Saturday 08-12 in 1-hour slots, 2 bays."""
    data: dict[str, Any] = {
        "name": "Bengkel Gesit Blok M",
        "address": "Jl. Melawai 10, Jakarta Selatan",
        "lat": -6.2443,
        "lon": 106.8005,
        "bays": 2,
        "region": region.code,
        "hours": WEEKDAYS_8_TO_12,
        "services": [VisitKind.PERIODIC_SERVICE, VisitKind.OIL_CHANGE],
    } | overrides
    return workshop_service.create(session=session, workshop_in=WorkshopCreate(**data))


def motorcycle(session: Session) -> Asset:
    """A motorcycle at HOME: 3 free services and 1 free oil change, bought 2026-03-02."""
    customer = make_customer(session)
    model = make_motorcycle_model(session)
    return make_asset(session, customer=customer, product_model=model, lat=HOME[0], lon=HOME[1])


def staff_user(session: Session) -> int:
    """A new admin's id (an Idempotency-Key belongs to a user)."""
    user, _ = account_service.create(
        session=session, user_in=UserCreate(name=f"d{uuid.uuid4().hex[:6]}", role=Role.ADMIN)
    )
    return user.id or 0


def book_bay(
    session: Session,
    asset_id: int,
    workshop_id: int,
    start: datetime,
    *,
    user_id: int | None = None,
    kind: VisitKind = VisitKind.PERIODIC_SERVICE,
) -> WorkshopBooking:
    """A bay booked at NOW for the asset in the slot starting at start."""
    asset = asset_service.get_or_raise(session=session, asset_id=asset_id)
    booking_in = WorkshopBookingCreate(
        workshop_id=workshop_id, asset_id=asset_id, kind=kind, slot_start=start
    )
    booking, _ = bay_booking.book(
        session=session,
        user_id=user_id or staff_user(session),
        idempotency_key=uuid.uuid4().hex,
        booking_in=booking_in,
        asset=asset,
        now=NOW,
    )
    return booking


def free_services_used(session: Session, asset_id: int) -> int:
    """How many of the asset's free services are used."""
    row = session.exec(
        select(Entitlement).where(
            Entitlement.asset_id == asset_id, Entitlement.kind == EntitlementKind.FREE_SERVICE
        )
    ).one()
    session.refresh(row)
    return row.used
