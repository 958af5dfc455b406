"""Customers: dispatchers list, find and register them; each reads and updates what it may."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import BookingUser, CustomerDep, DispatcherUser, SessionDep, SettingsDep
from dispatch.customer import onboarding
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
    phone: Annotated[str | None, Query(min_length=3, max_length=32)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CustomersPublic:
    """Customers, or those with this phone number (how a call-centre agent finds a caller)."""
    if phone is not None:
        found = customer_service.find_by_phone(session=session, phone=phone)
        return CustomersPublic.model_validate({"data": found, "count": len(found)})
    rows, count = customer_service.list_all(session=session, offset=offset, limit=limit)
    return CustomersPublic.model_validate({"data": rows, "count": count})


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(
    session: SessionDep, settings: SettingsDep, user: DispatcherUser, customer_in: CustomerCreate
) -> Customer:
    """Register a customer; without lat/lon the address is geocoded where a geocoder is set."""
    return onboarding.register_customer(session=session, settings=settings, customer_in=customer_in)


@router.get("/{customer_id}", response_model=CustomerPublic)
def read_customer(customer: CustomerDep, user: BookingUser) -> Customer:
    """One customer: any for staff, only itself for a customer (others: 404)."""
    return customer


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(
    customer: CustomerDep, session: SessionDep, user: BookingUser, customer_in: CustomerUpdate
) -> Customer:
    """Change contact details, language or address: staff for anyone, a customer for itself."""
    return customer_service.update(session=session, customer=customer, customer_in=customer_in)
