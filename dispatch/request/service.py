"""Service request services: open a request and decide who pays, record KPI timestamps.

Coverage is decided once, when the request is opened: an installation, periodic service or oil
change uses the asset's entitlement when one is left and valid; a repair or inspection is free
under warranty; anything else is paid at the price of the product's policy for that kind.
quote() gives the same decision before booking, by the same rule (_cover), without using the
entitlement.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from dispatch import localtime
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset
from dispatch.entitlement import service as entitlement_service
from dispatch.entitlement.models import ENTITLEMENT_FOR_KIND, EntitlementKind
from dispatch.errors import Conflict, NotCovered, NotFound
from dispatch.product import service as product_service
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request.models import (
    Coverage,
    CoverageQuote,
    RequestStatus,
    ServiceRequest,
    ServiceRequestCreate,
)
from dispatch.warranty import service as warranty_service

# An urgent repair outranks a routine service; agents may raise a request's priority to 5.
DEFAULT_PRIORITY: dict[VisitKind, int] = {
    VisitKind.REPAIR: 3,
    VisitKind.INSTALLATION: 2,
    VisitKind.INSPECTION: 2,
    VisitKind.PERIODIC_SERVICE: 1,
    VisitKind.OIL_CHANGE: 1,
    VisitKind.TRAINING: 1,
    VisitKind.DELIVERY: 2,
}


@dataclass(frozen=True, slots=True)
class _Cover:
    coverage: Coverage
    reason: str
    price: int
    entitlement_id: int | None = None


def get(*, session: Session, request_id: int) -> ServiceRequest | None:
    """The service request with this id, or None."""
    return session.get(ServiceRequest, request_id)


def get_or_raise(*, session: Session, request_id: int) -> ServiceRequest:
    """The service request with this id; raises NotFound."""
    request = session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound(f"service request {request_id} does not exist.", loc=("request_id",))
    return request


def list_for_customer(
    *, session: Session, customer_id: int, offset: int = 0, limit: int = 100
) -> tuple[list[ServiceRequest], int]:
    """A page of the customer's requests, newest first, and how many there are."""
    where = ServiceRequest.customer_id == customer_id
    count = session.exec(select(func.count()).select_from(ServiceRequest).where(where)).one()
    query = (
        select(ServiceRequest)
        .where(where)
        .order_by(col(ServiceRequest.created_at).desc(), col(ServiceRequest.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all()), count


def list_open(*, session: Session, asset_id: int, kind: VisitKind) -> list[ServiceRequest]:
    """The asset's open requests of this kind, latest first."""
    query = (
        select(ServiceRequest)
        .where(
            ServiceRequest.asset_id == asset_id,
            ServiceRequest.kind == kind,
            ServiceRequest.status == RequestStatus.OPEN,
        )
        .order_by(col(ServiceRequest.created_at).desc(), col(ServiceRequest.id).desc())
    )
    return list(session.exec(query).all())


def latest_region_id(*, session: Session, asset_id: int) -> int | None:
    """The region of the asset's latest request (assets carry no region of their own), or
    None when it has had none; the later id wins between requests made at the same moment."""
    query = (
        select(ServiceRequest.region_id)
        .where(ServiceRequest.asset_id == asset_id)
        .order_by(col(ServiceRequest.created_at).desc(), col(ServiceRequest.id).desc())
    )
    return session.exec(query).first()


def open(
    *, session: Session, request_in: ServiceRequestCreate, allow_paid: bool = True
) -> ServiceRequest:
    """A new request with its coverage decided (an entitlement is consumed when one applies).

    With allow_paid=False a request nothing covers raises NotCovered instead of being paid.
    """
    request = add(session=session, request_in=request_in, allow_paid=allow_paid)
    session.commit()
    session.refresh(request)
    return request


def add(
    *, session: Session, request_in: ServiceRequestCreate, allow_paid: bool = True
) -> ServiceRequest:
    """Step: open (see open) without committing."""
    asset = _in_service(session, request_in.asset_id)
    region = region_service.get_or_raise(session=session, region_id=request_in.region_id)
    policy = product_service.policy_for(product_model=asset.product_model, kind=request_in.kind)
    created_at = localtime.require_aware(request_in.created_at or localtime.utc_now())
    on = localtime.local_day(created_at, region.zone)
    cover = _cover(session, asset, request_in.kind, on, policy.price, use=True)
    if cover.coverage is Coverage.PAID and not allow_paid:
        raise NotCovered(f"not covered: {cover.reason}.", loc=("kind",))
    return _store(session, request_in, asset, created_at, cover)


def add_under_warranty(
    *, session: Session, request_in: ServiceRequestCreate, reason: str
) -> ServiceRequest:
    """Step: a request the warranty pays whatever the entitlements say (a repair decided again,
    the installation of a unit given in replacement); no entitlement is used."""
    asset = _in_service(session, request_in.asset_id)
    region_service.get_or_raise(session=session, region_id=request_in.region_id)
    product_service.policy_for(product_model=asset.product_model, kind=request_in.kind)
    created_at = localtime.require_aware(request_in.created_at or localtime.utc_now())
    cover = _Cover(Coverage.WARRANTY, reason[:300], price=0)
    return _store(session, request_in, asset, created_at, cover)


def _in_service(session: Session, asset_id: int) -> Asset:
    """The asset; raises Conflict when it was retired (replaced or refunded)."""
    asset = asset_service.get_or_raise(session=session, asset_id=asset_id)
    if asset.retired_on is not None:
        raise Conflict(
            f"asset {asset_id} was retired on {asset.retired_on}; it takes no more visits.",
            loc=("asset_id",),
        )
    return asset


def _store(
    session: Session,
    request_in: ServiceRequestCreate,
    asset: Asset,
    created_at: datetime,
    cover: _Cover,
) -> ServiceRequest:
    """Step: the request with its coverage decided, flushed so that it has its id."""
    request = ServiceRequest.model_validate(
        request_in,
        update={
            "customer_id": asset.customer_id,
            "priority": request_in.priority or DEFAULT_PRIORITY[request_in.kind],
            "created_at": created_at,
            "coverage": cover.coverage,
            "coverage_reason": cover.reason,
            "entitlement_id": cover.entitlement_id,
            "price": cover.price,
        },
    )
    session.add(request)
    session.flush()
    return request


def quote(
    *, session: Session, asset: Asset, kind: VisitKind, region: Region, now: datetime | None = None
) -> CoverageQuote:
    """Who would pay for a request of this kind on this asset opened now (in the region's day):
    the decision open() would take, with no entitlement used. Raises InvalidInput when the
    product has no policy for the kind."""
    policy = product_service.policy_for(product_model=asset.product_model, kind=kind)
    on = localtime.local_day(localtime.require_aware(now or localtime.utc_now()), region.zone)
    cover = _cover(session, asset, kind, on, policy.price, use=False)
    return CoverageQuote(coverage=cover.coverage, coverage_reason=cover.reason, price=cover.price)


def respond(*, session: Session, request: ServiceRequest, at: datetime) -> ServiceRequest:
    """Record the first answer to the request (a call back); later answers change nothing."""
    mark_responded(request=request, at=at)
    session.add(request)
    session.commit()
    session.refresh(request)
    return request


def mark_responded(*, request: ServiceRequest, at: datetime) -> None:
    """Step: set first_response_at, unless the request was already answered."""
    if request.first_response_at is None:
        request.first_response_at = localtime.require_aware(at, "at")


def mark_resolved(*, request: ServiceRequest, at: datetime) -> None:
    """Step: an open request is resolved (its visit was completed)."""
    if request.status is RequestStatus.OPEN:
        request.status = RequestStatus.RESOLVED
        request.resolved_at = localtime.require_aware(at, "at")


def release(*, session: Session, request: ServiceRequest, at: datetime) -> bool:
    """Step: cancel an open request and give back its entitlement; False when it was not open.

    A guarded UPDATE, so two cancellations racing give the entitlement back once.
    """
    result = session.execute(
        update(ServiceRequest)
        .where(
            col(ServiceRequest.id) == request.id,
            col(ServiceRequest.status) == RequestStatus.OPEN,
        )
        .values(status=RequestStatus.CANCELLED, cancelled_at=localtime.require_aware(at, "at"))
        .execution_options(synchronize_session=False)
    )
    session.refresh(request)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if request.entitlement_id is not None:
        entitlement_service.restore(session=session, entitlement_id=request.entitlement_id)
    return True


def _cover(
    session: Session, asset: Asset, kind: VisitKind, on: date, price: int, *, use: bool
) -> _Cover:
    """Who pays for a request of this kind on this asset, made on day `on`; with use, the
    entitlement that covers it is consumed, without, only checked (a quote)."""
    entitlement_kind = ENTITLEMENT_FOR_KIND.get(kind)
    if entitlement_kind is not None:
        return _cover_by_entitlement(session, asset, entitlement_kind, on, price, use=use)
    decision = warranty_service.decide(asset=asset, on=on)
    if decision.covered:
        return _Cover(Coverage.WARRANTY, decision.reason, price=0)
    return _Cover(Coverage.PAID, decision.reason, price=price)


def _cover_by_entitlement(
    session: Session, asset: Asset, kind: EntitlementKind, on: date, price: int, *, use: bool
) -> _Cover:
    entitlement = entitlement_service.find(session=session, asset_id=asset.id or 0, kind=kind)
    if entitlement is None:
        product = asset.product_model
        return _Cover(Coverage.PAID, f"{product.brand} {product.name} has no {kind}", price)
    try:
        if use:
            entitlement = entitlement_service.consume(
                session=session, entitlement_id=entitlement.id or 0, on=on
            )
        else:
            entitlement_service.check_usable(entitlement=entitlement, on=on)
    except NotCovered as exc:
        return _Cover(Coverage.PAID, exc.msg.rstrip("."), price)
    nth = entitlement.used if use else entitlement.used + 1  # the one this request takes
    until = f", valid until {entitlement.valid_until}" if entitlement.valid_until else ""
    reason = f"{kind} {nth} of {entitlement.total}{until}"
    return _Cover(Coverage.ENTITLEMENT, reason, price=0, entitlement_id=entitlement.id)
