"""Service requests for customers: ask for a repair or an inspection, see the warranty's answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    BookingUser,
    ScopeDep,
    ServiceRequestDep,
    SessionDep,
    customer_scope,
    reachable_region_ids,
    serving_region,
)
from dispatch.access import directory as customer_directory
from dispatch.booking import requests as booking_requests
from dispatch.booking import service as booking_service
from dispatch.booking.models import ServiceRequestOpen
from dispatch.errors import InvalidInput, NotFound
from dispatch.request.models import ServiceRequest, ServiceRequestPublic, ServiceRequestsPublic

router = APIRouter(prefix="/service-requests", tags=["service requests"])


@router.post("", response_model=ServiceRequestPublic, status_code=status.HTTP_201_CREATED)
def create_service_request(
    session: SessionDep, user: BookingUser, reach: ScopeDep, request_in: ServiceRequestOpen
) -> ServiceRequest:
    """Open the request (201); coverage and coverage_reason give the warranty's decision."""
    scope = customer_scope(user)
    if scope is not None and request_in.priority is not None:
        raise InvalidInput("only a dispatcher sets the priority.", loc=("body", "priority"))
    asset = booking_service.own_asset(
        session=session, asset_id=request_in.asset_id, customer_id=scope, scope=reach
    )
    region = serving_region(session, user, asset, request_in.region)
    return booking_requests.open_request(
        session=session,
        asset=asset,
        region=region,
        kind=request_in.kind,
        description=request_in.description,
        priority=request_in.priority,
    )


@router.get("", response_model=ServiceRequestsPublic)
def read_service_requests(
    session: SessionDep,
    user: BookingUser,
    reach: ScopeDep,
    customer_id: Annotated[int | None, Query(description="dispatchers: whose requests")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ServiceRequestsPublic:
    """The caller's requests (a dispatcher names the customer), newest first."""
    own = customer_scope(user)
    if own is not None and customer_id not in (None, own):
        raise NotFound(f"customer {customer_id} does not exist.", loc=("query", "customer_id"))
    whose = own or customer_id
    if whose is None:
        raise InvalidInput("give customer_id.", loc=("query", "customer_id"))
    if customer_directory.get_in_reach(session=session, scope=reach, customer_id=whose) is None:
        raise NotFound(f"customer {whose} does not exist.", loc=("query", "customer_id"))
    rows, count = booking_requests.list_for_customer(
        session=session,
        customer_id=whose,
        region_ids=reachable_region_ids(reach),
        offset=offset,
        limit=limit,
    )
    data = [ServiceRequestPublic.model_validate(r, from_attributes=True) for r in rows]
    return ServiceRequestsPublic(data=data, count=count)


@router.get("/{request_id}", response_model=ServiceRequestPublic)
def read_service_request(request: ServiceRequestDep) -> ServiceRequest:
    """One of the caller's requests (a dispatcher: one of its regions)."""
    return request
