"""Sold units: staff register them (entitlements granted); owners read them with the warranty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AssetDep, BookingUser, DispatcherUser, SessionDep, SettingsDep, customer_scope
from dispatch.asset import onboarding
from dispatch.asset import service as asset_service
from dispatch.asset.models import AssetCreate, AssetDetail, AssetsPublic
from dispatch.errors import InvalidInput

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=AssetsPublic)
def read_assets(
    session: SessionDep,
    user: BookingUser,
    customer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="staff only")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AssetsPublic:
    """A customer's own assets; staff name the customer."""
    owner = customer_scope(user) or customer_id
    if owner is None:
        raise InvalidInput("Name the customer whose assets to list.", loc=("query", "customer_id"))
    rows, count = asset_service.list_for_customer(
        session=session, customer_id=owner, offset=offset, limit=limit
    )
    return AssetsPublic.model_validate({"data": rows, "count": count})


@router.post("", response_model=AssetDetail, status_code=status.HTTP_201_CREATED)
def create_asset(
    session: SessionDep, settings: SettingsDep, user: DispatcherUser, asset_in: AssetCreate
) -> AssetDetail:
    """Register a sold unit: its entitlements come from the product's service policy."""
    asset = onboarding.register_asset(session=session, settings=settings, asset_in=asset_in)
    return asset_service.detail(asset=asset, zone_name=settings.default_timezone)


@router.get("/{asset_id}", response_model=AssetDetail)
def read_asset(asset: AssetDep, settings: SettingsDep) -> AssetDetail:
    """One asset with its entitlements and today's warranty decision."""
    return asset_service.detail(asset=asset, zone_name=settings.default_timezone)
