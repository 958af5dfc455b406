"""The customers a user may read: lists filtered in the query, with what a list needs only
(name, area, next visit), and the single records behind them (see dispatch.access.scope)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.access import scope as access_scope
from dispatch.access import service as access_service
from dispatch.access.scope import Scope
from dispatch.account.models import Role
from dispatch.customer.models import Customer, CustomerPublic, CustomerSummary
from dispatch.errors import InvalidInput, NotFound
from dispatch.localtime import utc_now
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.visit import lifecycle
from dispatch.visit.models import Visit


def list_in_reach(
    *,
    session: Session,
    scope: Scope,
    phone: str | None = None,
    offset: int = 0,
    limit: int = 100,
    now: datetime | None = None,
) -> tuple[list[CustomerSummary], int]:
    """A page of the customers the scope reaches (those with this phone number, when given),
    ordered by id, and how many there are."""
    where = [access_scope.customer_condition(scope)]
    if phone is not None:
        where.append(col(Customer.phone) == phone)
    count = session.exec(select(func.count()).select_from(Customer).where(*where)).one()
    query = (
        select(Customer.id, Customer.name, _area(scope), _next_visit(scope, now or utc_now()))
        .where(*where)
        .order_by(col(Customer.id))
        .offset(offset)
        .limit(limit)
    )
    rows = session.exec(query).all()
    data = [
        CustomerSummary(id=cid or 0, name=name, area=area, next_visit=_aware(next_visit))
        for cid, name, area, next_visit in rows
    ]
    return data, count


def get_in_reach(*, session: Session, scope: Scope, customer_id: int) -> Customer | None:
    """The customer when the scope reaches it, else None (a foreign id answers 404)."""
    return access_scope.customer_in_reach(session=session, scope=scope, customer_id=customer_id)


def contact_view(*, scope: Scope, customer: Customer) -> CustomerPublic:
    """The single record as this reader may see it: whole for the customer itself, admins and
    dispatchers; a technician (on today's route) gets no e-mail."""
    shown = CustomerPublic.model_validate(customer, from_attributes=True)
    if scope.role is Role.TECHNICIAN:
        shown.email = None
    return shown


def read_contact(
    *, session: Session, scope: Scope, customer: Customer, endpoint: str
) -> CustomerPublic:
    """The customer's contact view for the scope, with the read logged when staff made it."""
    shown = contact_view(scope=scope, customer=customer)
    access_service.record(
        session=session,
        scope=scope,
        customer_ids=[customer.id or 0],
        endpoint=endpoint,
        fields=shown_fields(shown),
    )
    return shown


def shown_fields(shown: CustomerPublic) -> str:
    """The contact details a record shows, for the access log."""
    fields = ["name", "phone", "address"] + (["email"] if shown.email else [])
    return ",".join(fields)


def registering_region_id(*, session: Session, scope: Scope, code: str | None) -> int | None:
    """The region a new customer is registered in: the one named, else a dispatcher's only
    region; None for admins and dispatchers of every region naming none. InvalidInput when a
    dispatcher of several regions names none (it could not read the customer afterwards)."""
    if code is not None:
        region = region_service.get_by_code(session=session, code=code)
        if region is None:
            raise NotFound(f"region {code!r} does not exist.", loc=("body", "region"))
        return region.id
    if scope.sees_all:
        return None
    if scope.region_ids is not None and len(scope.region_ids) == 1:
        return scope.region_ids[0]
    raise InvalidInput("name the region registering the customer.", loc=("body", "region"))


def _area(scope: Scope) -> Any:
    """The region of the customer's latest request the scope reaches, else where it was
    registered."""
    latest = (
        select(Region.name)
        .join(ServiceRequest, col(ServiceRequest.region_id) == col(Region.id))
        .where(col(ServiceRequest.customer_id) == col(Customer.id))
        .where(access_scope.region_condition(scope, col(ServiceRequest.region_id)))
        .order_by(col(ServiceRequest.created_at).desc(), col(ServiceRequest.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    registered = select(Region.name).where(col(Region.id) == col(Customer.region_id))
    return func.coalesce(latest, registered.scalar_subquery()).label("area")


def _next_visit(scope: Scope, now: datetime) -> Any:
    """The start of the earliest promised window still ahead, in regions the scope reaches."""
    return (
        select(func.min(Visit.window_start))
        .join(ServiceRequest, col(Visit.request_id) == col(ServiceRequest.id))
        .where(col(ServiceRequest.customer_id) == col(Customer.id))
        .where(col(Visit.window_start) >= now, col(Visit.status).in_(list(lifecycle.ACTIVE)))
        .where(access_scope.region_condition(scope, col(Visit.region_id)))
        .scalar_subquery()
        .label("next_visit")
    )


def _aware(moment: datetime | None) -> datetime | None:
    """min() over a UTC column comes back naive on SQLite: make it aware again."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
