"""Register a customer, geocoding the address when no coordinates are given."""

from __future__ import annotations

from sqlmodel import Session

from dispatch.config import Settings
from dispatch.customer import service as customer_service
from dispatch.customer.models import Customer, CustomerCreate
from dispatch.geocoding import service as geocoding_service


def register_customer(
    *, session: Session, settings: Settings, customer_in: CustomerCreate
) -> Customer:
    """A new customer; without lat/lon the address is geocoded (InvalidInput when that fails)."""
    if customer_in.lat is None:
        point = geocoding_service.geocode(
            session=session, settings=settings, address=customer_in.address, field="lat"
        )
        customer_in = customer_in.model_copy(update={"lat": point.lat, "lon": point.lon})
    return customer_service.create(session=session, customer_in=customer_in)
