"""Slot offers for customers: the windows on which a visit for their asset can be promised."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import (
    BookingUser,
    ScopeDep,
    SessionDep,
    SlotQueryLimit,
    customer_scope,
    serving_region,
)
from dispatch.booking import service as booking_service
from dispatch.booking import slots as slot_service
from dispatch.booking.models import SlotsPublic
from dispatch.product.models import VisitKind

router = APIRouter(tags=["slots"])


@router.get("/slots", response_model=SlotsPublic, dependencies=[SlotQueryLimit])
def read_slots(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    asset_id: int,
    kind: VisitKind,
    from_: Annotated[date | None, Query(alias="from", description="first day; tomorrow")] = None,
    to: Annotated[date | None, Query(description="last day; 6 days after from")] = None,
    region: Annotated[str | None, Query(max_length=40, description="region code (staff)")] = None,
) -> SlotsPublic:
    """The windows from `from` to `to` on which the visit fits into that day's routes with every
    earlier promise kept, cheapest insertion first; when there are none, `reason` says why."""
    asset = booking_service.own_asset(
        session=session, asset_id=asset_id, customer_id=customer_scope(user), scope=scope
    )
    serving = serving_region(session, user, asset, region)
    return slot_service.offer_slots(
        session=session, asset=asset, kind=kind, region=serving, first=from_, last=to
    )
