"""Service requests customers open themselves: a repair or an inspection of one of their assets.

The warranty decides coverage when the request is opened (request_service); the answer carries
the decision and its reason. Installations, periodic services and oil changes are booked
directly (POST /v1/bookings), since they use an entitlement.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.asset.models import Asset
from dispatch.errors import InvalidInput
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate

REQUESTABLE = frozenset({VisitKind.REPAIR, VisitKind.INSPECTION})


def open_request(
    *,
    session: Session,
    asset: Asset,
    region: Region,
    kind: VisitKind,
    description: str = "",
    priority: int | None = None,
) -> ServiceRequest:
    """A repair or inspection request for the asset, with the warranty's decision."""
    if kind not in REQUESTABLE:
        raise InvalidInput(
            f"a {kind} is booked directly: POST /v1/bookings with a window from GET /v1/slots.",
            loc=("body", "kind"),
        )
    request_in = ServiceRequestCreate(
        asset_id=asset.id or 0,
        region_id=region.id or 0,
        kind=kind,
        description=description,
        priority=priority,
    )
    return request_service.open(session=session, request_in=request_in)


def list_for_customer(
    *,
    session: Session,
    customer_id: int,
    region_ids: Collection[int] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[ServiceRequest], int]:
    """A page of the customer's requests (in these regions only, when given), newest first."""
    where = [col(ServiceRequest.customer_id) == customer_id]
    if region_ids is not None:
        where.append(col(ServiceRequest.region_id).in_(list(region_ids)))
    count = session.exec(select(func.count()).select_from(ServiceRequest).where(*where)).one()
    query = (
        select(ServiceRequest)
        .where(*where)
        .order_by(col(ServiceRequest.created_at).desc(), col(ServiceRequest.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all()), count
