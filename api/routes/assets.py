"""Sold units: staff register them (entitlements granted); owners read them with the warranty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    AssetDep,
    BookingUser,
    DispatcherUser,
    ScopeDep,
    SessionDep,
    SettingsDep,
    customer_scope,
)
from dispatch.access import directory as customer_directory
from dispatch.asset import onboarding
from dispatch.asset import service as asset_service
from dispatch.asset.models import AssetCreate, AssetDetail, AssetsPublic
from dispatch.errors import InvalidInput, NotFound

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=AssetsPublic)
def read_assets(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    customer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="staff only")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AssetsPublic:
    """A customer's own assets; staff name a customer of their regions (others: 404). A list
    item has no address: the single read has it."""
    own = customer_scope(user)
    if own is not None and customer_id not in (None, own):
        raise NotFound(f"customer {customer_id} does not exist.", loc=("query", "customer_id"))
    owner = own or customer_id
    if owner is None:
        raise InvalidInput("Name the customer whose assets to list.", loc=("query", "customer_id"))
    if customer_directory.get_in_reach(session=session, scope=scope, customer_id=owner) is None:
        raise NotFound(f"customer {owner} does not exist.", loc=("query", "customer_id"))
    rows, count = asset_service.list_for_customer(
        session=session, customer_id=owner, offset=offset, limit=limit
    )
    return AssetsPublic.model_validate({"data": rows, "count": count})


@router.post("", response_model=AssetDetail, status_code=status.HTTP_201_CREATED)
def create_asset(
    session: SessionDep,
    settings: SettingsDep,
    user: DispatcherUser,
    scope: ScopeDep,
    asset_in: AssetCreate,
) -> AssetDetail:
    """Register a sold unit of a customer of the caller's regions (others: 404); its
    entitlements come from the product's service policy."""
    reached = customer_directory.get_in_reach(
        session=session, scope=scope, customer_id=asset_in.customer_id
    )
    if reached is None:
        raise NotFound(
            f"customer {asset_in.customer_id} does not exist.", loc=("body", "customer_id")
        )
    asset = onboarding.register_asset(session=session, settings=settings, asset_in=asset_in)
    return asset_service.detail(asset=asset, zone_name=settings.default_timezone)


@router.get("/{asset_id}", response_model=AssetDetail)
def read_asset(asset: AssetDep, settings: SettingsDep) -> AssetDetail:
    """One asset with its entitlements and today's warranty decision."""
    return asset_service.detail(asset=asset, zone_name=settings.default_timezone)
