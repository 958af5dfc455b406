"""Deliveries: a dispatcher books the goods' delivery in a window, with the installation on the
same trip or later; training after installation and late-delivery complaints follow by
themselves (dispatch.handover)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import DispatcherUser, ScopeDep, SessionDep, serving_region
from dispatch import localtime
from dispatch.booking import service as booking_service
from dispatch.handover import service as handover_service
from dispatch.handover.models import DeliveryCreate, DeliveryPublic

router = APIRouter(prefix="/deliveries", tags=["deliveries"])


@router.post("", response_model=DeliveryPublic, status_code=status.HTTP_201_CREATED)
def create_delivery(
    session: SessionDep, user: DispatcherUser, reach: ScopeDep, delivery_in: DeliveryCreate
) -> DeliveryPublic:
    """Book the delivery of a unit of a customer in the caller's regions (201), and its
    installation when the product is installed: same_trip (in the delivery's window, after it)
    or later (a request whose visit is booked like any other). 422 when the product is not
    delivered (no delivery policy)."""
    asset = booking_service.own_asset(
        session=session, asset_id=delivery_in.asset_id, customer_id=None, scope=reach
    )
    region = serving_region(session, user, asset, delivery_in.region)
    return handover_service.deliver(
        session=session, delivery_in=delivery_in, asset=asset, region=region, at=localtime.utc_now()
    )
