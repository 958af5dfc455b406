"""Register a customer, geocoding the address when no coordinates are given."""

from __future__ import annotations

from sqlmodel import Session

from dispatch.access import directory as customer_directory
from dispatch.access.scope import Scope
from dispatch.config import Settings
from dispatch.customer import service as customer_service
from dispatch.customer.models import Customer, CustomerCreate
from dispatch.geocoding import service as geocoding_service


def register_customer(
    *, session: Session, settings: Settings, customer_in: CustomerCreate, scope: Scope | None = None
) -> Customer:
    """A new customer, registered in a region of the scope's (see
    directory.registering_region_id; no scope: none); without lat/lon the address is geocoded
    (InvalidInput when that fails)."""
    region_id = None
    if scope is not None:
        region_id = customer_directory.registering_region_id(
            session=session, scope=scope, code=customer_in.region
        )
    if customer_in.lat is None:
        point = geocoding_service.geocode(
            session=session, settings=settings, address=customer_in.address, field="lat"
        )
        customer_in = customer_in.model_copy(update={"lat": point.lat, "lon": point.lon})
    return customer_service.create(session=session, customer_in=customer_in, region_id=region_id)
