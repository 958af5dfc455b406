"""Customer services: create, update and look up customers."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.customer.models import Customer, CustomerCreate, CustomerUpdate
from dispatch.db import changes
from dispatch.errors import InvalidInput, NotFound


def get(*, session: Session, customer_id: int) -> Customer | None:
    """The customer with this id, or None."""
    return session.get(Customer, customer_id)


def get_or_raise(*, session: Session, customer_id: int) -> Customer:
    """The customer with this id; raises NotFound."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist.", loc=("customer_id",))
    return customer


def list_all(*, session: Session, offset: int = 0, limit: int = 100) -> tuple[list[Customer], int]:
    """A page of customers ordered by id, and how many there are in all."""
    count = session.exec(select(func.count()).select_from(Customer)).one()
    query = select(Customer).order_by(col(Customer.id)).offset(offset).limit(limit)
    return list(session.exec(query).all()), count


def find_by_phone(*, session: Session, phone: str) -> list[Customer]:
    """The customers with this phone number (agents look customers up by phone)."""
    return list(session.exec(select(Customer).where(Customer.phone == phone)).all())


def create(
    *, session: Session, customer_in: CustomerCreate, region_id: int | None = None
) -> Customer:
    """A new customer, registered in the region (see dispatch.access.scope) when given."""
    customer = add(session=session, customer_in=customer_in, region_id=region_id)
    session.commit()
    session.refresh(customer)
    return customer


def add(
    *, session: Session, customer_in: CustomerCreate, region_id: int | None = None
) -> Customer:
    """Step: create (see create) without committing."""
    customer = Customer.model_validate(
        customer_in.model_dump(exclude={"region"}), update={"region_id": region_id}
    )
    session.add(customer)
    session.flush()
    return customer


def update(*, session: Session, customer: Customer, customer_in: CustomerUpdate) -> Customer:
    """The customer with the given fields changed (email, lat and lon may be cleared)."""
    data = changes(customer_in, clearable={"email", "lat", "lon"})
    lat, lon = data.get("lat", customer.lat), data.get("lon", customer.lon)
    if (lat is None) != (lon is None):
        raise InvalidInput("give both lat and lon, or neither.", loc=("lat",))
    customer.sqlmodel_update(data)
    session.add(customer)
    session.commit()
    session.refresh(customer)
    return customer
