"""Test set-up for partner workshops: a region, workshops around South Jakarta, a motorcycle
with 3 free services and 1 free oil change parked at a customer's home."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlmodel import Session

from dispatch.asset.models import Asset
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.workshop import service as workshop_service
from dispatch.workshop.models import OpeningHours, Workshop, WorkshopCreate
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
