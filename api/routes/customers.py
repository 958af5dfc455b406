"""Customers: dispatchers list, find and register those of their regions; each reads and
updates what it may. Lists carry no contact details; single reads by staff are logged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    BookingUser,
    CustomerDep,
    DispatcherUser,
    EndpointDep,
    ReaderUser,
    ScopeDep,
    SessionDep,
    SettingsDep,
    ensure_region,
)
from dispatch.access import directory as customer_directory
from dispatch.access import onboarding
from dispatch.access import service as access_service
from dispatch.customer import service as customer_service
from dispatch.customer.models import (
    Customer,
    CustomerCreate,
    CustomerPublic,
    CustomersPublic,
    CustomerUpdate,
)

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=CustomersPublic)
def read_customers(
    session: SessionDep,
    user: DispatcherUser,
    scope: ScopeDep,
    endpoint: EndpointDep,
    phone: Annotated[str | None, Query(min_length=3, max_length=32)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CustomersPublic:
    """The customers of the caller's regions (name, area, next visit), or those with this
    phone number (how a call-centre agent finds a caller; the look-up is logged)."""
    rows, count = customer_directory.list_in_reach(
        session=session, scope=scope, phone=phone, offset=offset, limit=limit
    )
    if phone is not None and rows:
        access_service.record(
            session=session,
            scope=scope,
            customer_ids=[r.id for r in rows],
            endpoint=f"{endpoint}?phone",
            fields="name (by phone)",
        )
    return CustomersPublic(data=rows, count=count)


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(
    session: SessionDep,
    settings: SettingsDep,
    user: DispatcherUser,
    scope: ScopeDep,
    customer_in: CustomerCreate,
) -> Customer:
    """Register a customer in a region the caller dispatches (`region`; default its only one);
    without lat/lon the address is geocoded where a geocoder is set."""
    if customer_in.region is not None:
        ensure_region(user, customer_in.region)
    return onboarding.register_customer(
        session=session, settings=settings, customer_in=customer_in, scope=scope
    )


@router.get("/{customer_id}", response_model=CustomerPublic)
def read_customer(
    session: SessionDep,
    customer: CustomerDep,
    user: ReaderUser,
    scope: ScopeDep,
    endpoint: EndpointDep,
) -> CustomerPublic:
    """One customer with contact details: a dispatcher's (its regions), a technician's (on
    today's route; no e-mail) or the customer itself; others 404. Staff reads are logged."""
    return customer_directory.read_contact(
        session=session, scope=scope, customer=customer, endpoint=endpoint
    )


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(
    customer: CustomerDep,
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    endpoint: EndpointDep,
    customer_in: CustomerUpdate,
) -> CustomerPublic:
    """Change contact details, language or address: staff of its regions, or the customer."""
    updated = customer_service.update(session=session, customer=customer, customer_in=customer_in)
    return customer_directory.read_contact(
        session=session, scope=scope, customer=updated, endpoint=endpoint
    )
