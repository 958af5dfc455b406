"""Warranty outcome services: what a unit's history allows (eligibility), and the decision.

A unit under warranty may be decided on when a warranty repair visit failed (not for the
customer's absence), when a repair was asked for again within REPEAT_FAULT_DAYS of the last
one being resolved, or when its product replaces units within replacement_days of purchase.
- repair again: the open warranty repair's pending visit (the follow-up of a failed one), or a
  new repair the warranty pays;
- replace: a new unit of the same product for the customer, the old one retired; the warranty
  and entitlements carried over or renewed as the product's policy says; an installation the
  warranty pays when the product is installed;
- refund: the amount recorded, the unit retired, its entitlements ended.
The pending visits of a unit replaced or refunded are cancelled. One transaction.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.access.scope import Scope, record_condition
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.errors import Conflict, NotCovered, NotFound
from dispatch.product.models import ReplacementWarranty, VisitKind
from dispatch.region.models import Region
from dispatch.request.models import Coverage, RequestStatus, ServiceRequest, ServiceRequestCreate
from dispatch.request.service import add_under_warranty
from dispatch.visit import service as visit_service
from dispatch.visit.lifecycle import ACTIVE
from dispatch.visit.models import FailureReason, Visit, VisitCreate, VisitStatus
from dispatch.warranty import service as warranty_service
from dispatch.warranty_outcome import notices
from dispatch.warranty_outcome.models import (
    REPEAT_FAULT_DAYS,
    Decision,
    Eligibility,
    Ground,
    WarrantyOutcome,
    WarrantyOutcomeCreate,
)

RETIRED_NOTE = "unit {how} under warranty outcome {id}"


def in_reach(*, session: Session, scope: Scope, outcome_id: int) -> WarrantyOutcome:
    """The outcome when the scope reaches it (the customer's own, a dispatcher's region);
    raises NotFound otherwise, so ids cannot be probed."""
    query = select(WarrantyOutcome).where(col(WarrantyOutcome.id) == outcome_id, _reach(scope))
    outcome = session.exec(query).first()
    if outcome is None:
        raise NotFound(f"warranty outcome {outcome_id} does not exist.", loc=("outcome_id",))
    return outcome


def list_for_asset(*, session: Session, scope: Scope, asset_id: int) -> list[WarrantyOutcome]:
    """The unit's outcomes that the scope reaches, newest first."""
    query = select(WarrantyOutcome).where(WarrantyOutcome.asset_id == asset_id, _reach(scope))
    order = (col(WarrantyOutcome.decided_at).desc(), col(WarrantyOutcome.id).desc())
    return list(session.exec(query.order_by(*order)).all())


def _reach(scope: Scope) -> ColumnElement[bool]:
    return record_condition(scope, col(WarrantyOutcome.customer_id), col(WarrantyOutcome.region_id))


def eligibility(*, session: Session, asset: Asset, on: date, zone_name: str) -> Eligibility:
    """What the unit's warranty and history allow on that local day, with the evidence."""
    warranty = warranty_service.decide(asset=asset, on=on)
    found = [
        *_failed_repairs(session, asset, zone_name),
        *_repeat_faults(session, asset),
        *_policy(asset, on),
    ]
    return Eligibility(
        asset_id=asset.id or 0,
        on=on,
        under_warranty=warranty.covered,
        warranty_reason=warranty.reason,
        grounds=sorted({ground for ground, _ in found}),
        evidence=[text for _, text in found],
    )


def _failed_repairs(session: Session, asset: Asset, zone_name: str) -> list[tuple[Ground, str]]:
    rows = session.exec(
        select(Visit)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(
            ServiceRequest.asset_id == asset.id,
            ServiceRequest.kind == VisitKind.REPAIR,
            ServiceRequest.coverage == Coverage.WARRANTY,
            Visit.status == VisitStatus.FAILED,
            col(Visit.failure_reason) != FailureReason.CUSTOMER_ABSENT,
        )
        .order_by(col(Visit.id))
    ).all()
    zone = localtime.zone(zone_name)
    return [
        (
            Ground.FAILED_REPAIR,
            f"warranty repair visit {v.id} failed on "
            f"{localtime.local_day(v.ended_at, zone) if v.ended_at else '-'} ({v.failure_reason})",
        )
        for v in rows
    ]


def _repeat_faults(session: Session, asset: Asset) -> list[tuple[Ground, str]]:
    repairs = session.exec(
        select(ServiceRequest)
        .where(
            ServiceRequest.asset_id == asset.id,
            ServiceRequest.kind == VisitKind.REPAIR,
            ServiceRequest.status != RequestStatus.CANCELLED,
        )
        .order_by(col(ServiceRequest.created_at), col(ServiceRequest.id))
    ).all()
    found = []
    for earlier, later in zip(repairs, repairs[1:], strict=False):
        resolved = earlier.resolved_at
        if resolved is not None and timedelta(0) <= later.created_at - resolved <= timedelta(
            days=REPEAT_FAULT_DAYS
        ):
            days = (later.created_at - resolved).days
            found.append(
                (
                    Ground.REPEAT_FAULT,
                    f"repair request {later.id} came {days} days after repair request "
                    f"{earlier.id} was resolved",
                )
            )
    return found


def _policy(asset: Asset, on: date) -> list[tuple[Ground, str]]:
    product = asset.product_model
    last_day = asset.purchase_date + timedelta(days=product.replacement_days)
    if product.replacement_days and on <= last_day:
        return [
            (
                Ground.POLICY,
                f"bought {asset.purchase_date}; {product.brand} {product.name} is replaced "
                f"within {product.replacement_days} days of purchase (until {last_day})",
            )
        ]
    return []


def decide(
    *,
    session: Session,
    asset: Asset,
    outcome_in: WarrantyOutcomeCreate,
    region: Region,
    user_id: int | None,
    at: datetime,
    notify: bool = True,
) -> WarrantyOutcome:
    """Decide the unit's case and tell the customer (unless notify=False: a decision recorded
    after the fact); raises NotCovered when its warranty or history allows none, Conflict when
    the unit is retired, being worked on, or the new serial number exists."""
    at = localtime.require_aware(at, "at")
    on = localtime.local_day(at, region.zone)
    if asset.retired_on is not None:
        raise Conflict(f"asset {asset.id} was retired on {asset.retired_on}.", loc=("asset_id",))
    allowed = eligibility(session=session, asset=asset, on=on, zone_name=region.timezone)
    _check_allowed(allowed, outcome_in.decision)
    outcome = WarrantyOutcome.model_validate(
        outcome_in,
        update={
            "customer_id": asset.customer_id,
            "region_id": region.id,
            "grounds": allowed.grounds,
            "evidence": allowed.evidence,
            "decided_by_user_id": user_id,
            "decided_at": at,
        },
    )
    session.add(outcome)
    session.flush()
    if outcome.decision is Decision.REPAIR_AGAIN:
        outcome.repair_request_id = _repair_again(session, asset, outcome, at)
    else:
        _stop_pending_work(session, asset, outcome, at)
        asset.retired_on = on
        _end_entitlements(asset.entitlements, on)
        session.add(asset)
    if outcome.decision is Decision.REPLACE:
        _replace(session, asset, outcome, outcome_in.replacement_serial_number or "", on, at)
    session.add(outcome)
    if notify:
        notices.queue_decided(session, outcome, asset, at)
    session.commit()
    session.refresh(outcome)
    return outcome


def _check_allowed(allowed: Eligibility, decision: Decision) -> None:
    if not allowed.under_warranty:
        raise NotCovered(f"not under warranty: {allowed.warranty_reason}.", loc=("asset_id",))
    if not allowed.grounds:
        raise NotCovered(
            f"no {decision} for asset {allowed.asset_id}: no failed warranty repair, no repair "
            f"again within {REPEAT_FAULT_DAYS} days, and its product replaces no unit on "
            f"{allowed.on}.",
            loc=("decision",),
        )


def _repair_again(session: Session, asset: Asset, outcome: WarrantyOutcome, at: datetime) -> int:
    """The open warranty repair with a visit still to come (the follow-up of a failed one), or
    a new repair the warranty pays, with its visit to be booked."""
    pending = session.exec(
        select(ServiceRequest.id)
        .join(Visit, col(Visit.request_id) == col(ServiceRequest.id))
        .where(
            ServiceRequest.asset_id == asset.id,
            ServiceRequest.kind == VisitKind.REPAIR,
            ServiceRequest.status == RequestStatus.OPEN,
            col(Visit.status).in_(list(ACTIVE)),
        )
        .order_by(col(ServiceRequest.id).desc())
    ).first()
    if pending is not None:
        return pending
    request = add_under_warranty(
        session=session,
        request_in=ServiceRequestCreate(
            asset_id=asset.id or 0,
            region_id=outcome.region_id,
            kind=VisitKind.REPAIR,
            description=f"repair again: {outcome.reason}"[:2000],
            priority=4,
            created_at=at,
        ),
        reason=f"repair again under warranty outcome {outcome.id}",
    )
    visit_service.add(session=session, visit_in=VisitCreate(request_id=request.id or 0))
    return request.id or 0


def _stop_pending_work(
    session: Session, asset: Asset, outcome: WarrantyOutcome, at: datetime
) -> None:
    """Cancel the unit's visits still to come; one under way makes the decision wait."""
    how = "replaced" if outcome.decision is Decision.REPLACE else "refunded"
    visits = session.exec(
        select(Visit)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(ServiceRequest.asset_id == asset.id, col(Visit.status).in_(list(ACTIVE)))
        .order_by(col(Visit.id))
    ).all()
    for visit in visits:
        if visit.status in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE):
            raise Conflict(
                f"visit {visit.id} of asset {asset.id} is {visit.status}; decide once it ends.",
                loc=("asset_id",),
            )
        visit_service.apply_transition(
            session=session,
            visit=visit,
            to=VisitStatus.CANCELLED,
            at=at,
            note=RETIRED_NOTE.format(how=how, id=outcome.id),
        )


def _end_entitlements(entitlements: list[Entitlement], on: date) -> None:
    """Nothing more may be used from the day of the decision."""
    yesterday = on - timedelta(days=1)
    for entitlement in entitlements:
        if entitlement.valid_until is None or entitlement.valid_until > yesterday:
            entitlement.valid_until = yesterday


def _replace(
    session: Session,
    old: Asset,
    outcome: WarrantyOutcome,
    serial_number: str,
    on: date,
    at: datetime,
) -> None:
    """A new unit of the same product for the customer, and its installation when needed."""
    product = old.product_model
    renew = product.replacement_warranty is ReplacementWarranty.RENEW
    new = asset_service.add(
        session=session,
        asset_in=AssetCreate(
            customer_id=old.customer_id,
            product_model_id=old.product_model_id,
            serial_number=serial_number,
            purchase_date=on if renew else old.purchase_date,
            address=old.address,
            lat=old.lat,
            lon=old.lon,
        ),
    )
    if not renew:
        _carry_over(old.entitlements, new.entitlements)
    outcome.replacement_asset_id = new.id
    if product.policy_for(VisitKind.INSTALLATION) is None:
        return
    _use_free_installation(new.entitlements)  # this installation is the one it was owed
    session.flush()
    request = add_under_warranty(
        session=session,
        request_in=ServiceRequestCreate(
            asset_id=new.id or 0,
            region_id=outcome.region_id,
            kind=VisitKind.INSTALLATION,
            description=f"installation of the replacement for asset {old.id}",
            created_at=at,
        ),
        reason=f"replacement under warranty outcome {outcome.id}",
    )
    visit_service.add(session=session, visit_in=VisitCreate(request_id=request.id or 0))
    outcome.installation_request_id = request.id


def _carry_over(old: list[Entitlement], new: list[Entitlement]) -> None:
    """The new unit has what the old one had left (transfer policy); its grants run from the
    old purchase date, so they end on the same days."""
    used = {e.kind: e.used for e in old}
    for entitlement in new:
        entitlement.used = used.get(entitlement.kind, 0)


def _use_free_installation(entitlements: list[Entitlement]) -> None:
    for entitlement in entitlements:
        if entitlement.kind is EntitlementKind.FREE_INSTALLATION:
            entitlement.used = entitlement.total
