"""Demo accounts for `purna run`: one user per role, bound to real rows of the demo data, each
with a fresh token (tokens are stored hashed, so an old one cannot be shown again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.customer.models import Customer
from dispatch.errors import NotFound
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit, VisitStatus

TOKEN_LABEL = "purna run"


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo account (plain values, usable after the session) and the token issued now."""

    name: str
    role: Role
    token: str
    about: str


def ensure_demo_users(*, session: Session) -> list[DemoUser]:
    """An admin, a dispatcher of one region, a technician of it and a customer with a visit
    there: created on first use, each given a new token."""
    region = session.exec(select(Region).order_by(Region.code)).first()
    if region is None:
        raise NotFound("There is no region yet: load the demo data first.", loc=("region",))
    technician = _technician_with_a_route(session, region)
    customer_id = _customer_with_a_visit(session, region)
    specs: list[tuple[str, Role, dict[str, Any], str]] = [
        ("demo-admin", Role.ADMIN, {}, "every endpoint"),
        (
            "demo-dispatcher",
            Role.DISPATCHER,
            {"region_codes": [region.code]},
            f"region {region.code}",
        ),
    ]
    if technician is not None:
        binding = {"technician_id": technician.id}
        specs.append(("demo-technician", Role.TECHNICIAN, binding, f"route of {technician.name}"))
    if customer_id is not None:
        binding = {"customer_id": customer_id}
        specs.append(("demo-customer", Role.CUSTOMER, binding, "own assets and bookings"))
    return [_ensure(session, name, role, binding, about) for name, role, binding, about in specs]


def _ensure(
    session: Session, name: str, role: Role, binding: dict[str, Any], about: str
) -> DemoUser:
    user = account_service.get_by_name(session=session, name=name)
    if user is None:
        user_in = UserCreate.model_validate({"name": name, "role": role, **binding})
        user, token = account_service.create(
            session=session, user_in=user_in, token_label=TOKEN_LABEL
        )
    else:
        token = account_service.issue_token(session=session, user=user, label=TOKEN_LABEL)
    return DemoUser(user.name, user.role, token, about)


def _technician_with_a_route(session: Session, region: Region) -> Technician | None:
    """The technician with the most planned visits in the region (else its first active one),
    so that the demo technician's route has stops."""
    busiest = session.exec(
        select(Visit.planned_technician_id)
        .where(Visit.region_id == region.id, Visit.status == VisitStatus.PLANNED)
        .where(col(Visit.planned_technician_id).is_not(None))
        .group_by(col(Visit.planned_technician_id))
        .order_by(func.count().desc(), col(Visit.planned_technician_id))
    ).first()
    if busiest is not None:
        return session.get(Technician, busiest)
    query = select(Technician).where(
        Technician.region_id == region.id, col(Technician.active).is_(True)
    )
    return session.exec(query.order_by(col(Technician.id))).first()


def _customer_with_a_visit(session: Session, region: Region) -> int | None:
    """A customer with a visit in the region (else any customer), so their endpoints show data."""
    query = (
        select(ServiceRequest.customer_id)
        .join(Visit, col(Visit.request_id) == col(ServiceRequest.id))
        .where(Visit.region_id == region.id)
        .order_by(col(Visit.id))
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    return session.exec(select(Customer.id).order_by(col(Customer.id))).first()
