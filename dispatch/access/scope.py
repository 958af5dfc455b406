"""Whose personal data a user may read, as SQL conditions (UU PDP purpose limitation,
OWASP API1): every list and every load of a customer, asset, request or booking filters by them.

- admin: everyone.
- dispatcher: customers tied to one of its regions by a service request or a visit (a booking
  is a visit) in that region, or registered there; a dispatcher without region codes
  dispatches every region. Requests and bookings: those in its regions.
- technician: the customers of the visits planned on it today (the local day of its region).
- customer: itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from dispatch import localtime
from dispatch.account import service as account_service
from dispatch.account.models import Role, User
from dispatch.asset.models import Asset
from dispatch.customer.models import Customer
from dispatch.region import service as region_service
from dispatch.request.models import ServiceRequest
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit, VisitStatus

# The statuses under which a visit is on a technician's route (as visit_service.route_for_day).
ON_ROUTE = (
    VisitStatus.PLANNED,
    VisitStatus.EN_ROUTE,
    VisitStatus.ON_SITE,
    VisitStatus.COMPLETED,
    VisitStatus.FAILED,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """A user's reach over personal data; built once per request by scope_for."""

    user_id: int
    role: Role
    region_ids: tuple[int, ...] | None = None  # dispatcher; None: every region
    technician_id: int | None = None
    customer_id: int | None = None
    today: tuple[datetime, datetime] | None = None  # technician: [start, end) of its local day

    @property
    def is_staff(self) -> bool:
        """Admins, dispatchers and technicians: their reads of contact details are logged."""
        return self.role is not Role.CUSTOMER

    @property
    def sees_all(self) -> bool:
        """Admins, and dispatchers of every region."""
        return self.role is Role.ADMIN or (self.role is Role.DISPATCHER and self.region_ids is None)


def scope_for(*, session: Session, user: User, now: datetime | None = None) -> Scope:
    """The scope of this user at this moment (now: the current time)."""
    base = Scope(user_id=user.id or 0, role=user.role)
    if user.role is Role.DISPATCHER:
        codes = account_service.dispatched_regions(user)
        if codes is None:
            return base
        regions = region_service.list_by_codes(session=session, codes=codes)
        return Scope(base.user_id, base.role, region_ids=tuple(r.id or 0 for r in regions))
    if user.role is Role.TECHNICIAN:
        technician = session.get(Technician, user.technician_id) if user.technician_id else None
        if technician is None:
            return Scope(base.user_id, base.role, region_ids=())
        region = region_service.get_or_raise(session=session, region_id=technician.region_id)
        day = localtime.local_day(now or localtime.utc_now(), region.zone)
        return Scope(
            base.user_id,
            base.role,
            region_ids=(),
            technician_id=technician.id,
            today=localtime.day_bounds(day, region.zone),
        )
    if user.role is Role.CUSTOMER:
        return Scope(base.user_id, base.role, region_ids=(), customer_id=user.customer_id)
    return base


def customer_condition(scope: Scope) -> ColumnElement[bool]:
    """True for the customers (rows of Customer) the scope reaches."""
    if scope.sees_all:
        return true()
    if scope.role is Role.CUSTOMER:
        return col(Customer.id) == scope.customer_id if scope.customer_id else false()
    if scope.role is Role.TECHNICIAN:
        return col(Customer.id).in_(todays_customer_ids(scope))
    regions = list(scope.region_ids or ())
    by_request = select(ServiceRequest.customer_id).where(
        col(ServiceRequest.region_id).in_(regions)
    )
    by_visit = (
        select(ServiceRequest.customer_id)
        .join(Visit, col(Visit.request_id) == col(ServiceRequest.id))
        .where(col(Visit.region_id).in_(regions))
    )
    return or_(
        col(Customer.region_id).in_(regions),
        col(Customer.id).in_(by_request),
        col(Customer.id).in_(by_visit),
    )


def todays_customer_ids(scope: Scope) -> SelectOfScalar[int]:
    """The customers of the visits on the technician's route today, a crew partner's
    included (a subquery)."""
    start, end = scope.today or (localtime.utc_now(), localtime.utc_now())
    return (
        select(ServiceRequest.customer_id)
        .join(Visit, col(Visit.request_id) == col(ServiceRequest.id))
        .where(
            or_(
                col(Visit.planned_technician_id) == scope.technician_id,
                col(Visit.id).in_(crew.visits_of(scope.technician_id or 0)),
            ),
            col(Visit.planned_start) >= start,
            col(Visit.planned_start) < end,
            col(Visit.status).in_(ON_ROUTE),
        )
    )


def region_condition(scope: Scope, region_id: Any) -> ColumnElement[bool]:
    """True for rows whose region (a request's, a visit's) a dispatcher reaches; admins all;
    customers through customer_condition, technicians never (they read visits, not requests)."""
    if scope.sees_all or scope.role is Role.CUSTOMER:
        return true()
    condition: ColumnElement[bool] = region_id.in_(list(scope.region_ids or ()))
    return condition


def record_condition(scope: Scope, customer_id: Any, region_id: Any) -> ColumnElement[bool]:
    """True for a customer's records (complaints, warranty outcomes) the scope reaches: the
    customer's own, those in a dispatcher's regions; never a technician's."""
    if scope.role is Role.CUSTOMER:
        return customer_id == scope.customer_id if scope.customer_id else false()
    if scope.role is Role.TECHNICIAN:
        return false()
    return region_condition(scope, region_id)


def customer_in_reach(*, session: Session, scope: Scope, customer_id: int) -> Customer | None:
    """The customer when the scope reaches it, else None (the caller answers 404)."""
    query = select(Customer).where(col(Customer.id) == customer_id, customer_condition(scope))
    return session.exec(query).first()


def asset_condition(scope: Scope) -> ColumnElement[bool]:
    """True for the assets of the customers the scope reaches."""
    if scope.sees_all:
        return true()
    reached = select(Customer.id).where(customer_condition(scope))
    return col(Asset.customer_id).in_(reached)


def asset_in_reach(*, session: Session, scope: Scope, asset_id: int) -> Asset | None:
    """The asset when the scope reaches its customer, else None (the caller answers 404)."""
    query = select(Asset).where(col(Asset.id) == asset_id, asset_condition(scope))
    return session.exec(query).first()


def request_in_reach(scope: Scope, request: ServiceRequest) -> bool:
    """A loaded request: the customer's own, or in a region the dispatcher reaches."""
    if scope.role is Role.CUSTOMER:
        return request.customer_id == scope.customer_id
    if scope.role is Role.TECHNICIAN:
        return False
    return scope.sees_all or request.region_id in (scope.region_ids or ())
