"""Warranty outcomes: what a unit's history allows, and a dispatcher's decision to repair it
again, replace it or refund it; customers read the decisions on their own units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import (
    MAX_ID,
    AssetDep,
    BookingUser,
    DispatcherUser,
    ScopeDep,
    SessionDep,
    SettingsDep,
    customer_scope,
    serving_region,
)
from dispatch import localtime
from dispatch.access import scope as access_scope
from dispatch.booking import service as booking_service
from dispatch.errors import NotFound
from dispatch.warranty_outcome import service as outcome_service
from dispatch.warranty_outcome.models import (
    Eligibility,
    WarrantyOutcome,
    WarrantyOutcomeCreate,
    WarrantyOutcomePublic,
    WarrantyOutcomesPublic,
)

router = APIRouter(tags=["warranty outcomes"])
OutcomeId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/assets/{asset_id}/warranty-eligibility", response_model=Eligibility)
def read_warranty_eligibility(
    session: SessionDep, settings: SettingsDep, asset: AssetDep
) -> Eligibility:
    """Whether the unit is under warranty today and may be repaired again, replaced or
    refunded (a failed warranty repair, a repeat fault within 30 days, the product's policy),
    with the evidence."""
    zone_name = settings.default_timezone
    today = localtime.local_day(localtime.utc_now(), localtime.zone(zone_name))
    return outcome_service.eligibility(session=session, asset=asset, on=today, zone_name=zone_name)


@router.post(
    "/warranty-outcomes", response_model=WarrantyOutcomePublic, status_code=status.HTTP_201_CREATED
)
def create_warranty_outcome(
    session: SessionDep, user: DispatcherUser, reach: ScopeDep, outcome_in: WarrantyOutcomeCreate
) -> WarrantyOutcome:
    """Decide a unit's warranty case (201): repair_again, replace (replacement_serial_number)
    or refund (refund_amount), with the reason; 422 not_covered when the warranty or the
    unit's history allows none, 409 when the unit is retired or being worked on."""
    asset = booking_service.own_asset(
        session=session, asset_id=outcome_in.asset_id, customer_id=None, scope=reach
    )
    region = serving_region(session, user, asset, outcome_in.region)
    return outcome_service.decide(
        session=session,
        asset=asset,
        outcome_in=outcome_in,
        region=region,
        user_id=user.id,
        at=localtime.utc_now(),
    )


@router.get("/warranty-outcomes", response_model=WarrantyOutcomesPublic)
def read_warranty_outcomes(
    session: SessionDep,
    user: BookingUser,
    reach: ScopeDep,
    asset_id: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> WarrantyOutcomesPublic:
    """The decisions on one of the caller's units (a dispatcher: in its regions), newest first."""
    customer_scope(user)
    if access_scope.asset_in_reach(session=session, scope=reach, asset_id=asset_id) is None:
        raise NotFound(f"asset {asset_id} does not exist.", loc=("query", "asset_id"))
    rows = outcome_service.list_for_asset(session=session, scope=reach, asset_id=asset_id)
    data = [WarrantyOutcomePublic.model_validate(r, from_attributes=True) for r in rows]
    return WarrantyOutcomesPublic(data=data, count=len(data))


@router.get("/warranty-outcomes/{outcome_id}", response_model=WarrantyOutcomePublic)
def read_warranty_outcome(
    session: SessionDep, user: BookingUser, reach: ScopeDep, outcome_id: OutcomeId
) -> WarrantyOutcome:
    """One decision: grounds and evidence, who decided and why, what it set in motion."""
    customer_scope(user)
    try:
        return outcome_service.in_reach(session=session, scope=reach, outcome_id=outcome_id)
    except NotFound as exc:
        raise NotFound(exc.msg, loc=("path", "outcome_id")) from exc
