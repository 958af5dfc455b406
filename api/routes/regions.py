"""Regions and their days, for dispatchers: which regions, and a day's visits, plan and figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, DispatchRegionDep, SessionDep, require_roles
from dispatch.account import service as account_service
from dispatch.account.models import Role, User
from dispatch.day import service as day_service
from dispatch.day.models import DayPublic
from dispatch.region import service as region_service
from dispatch.region.models import RegionPublic, RegionsPublic, RegionUpdate

router = APIRouter(prefix="/regions", tags=["regions"])

AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.get("", response_model=RegionsPublic)
def read_regions(session: SessionDep, user: DispatcherUser) -> RegionsPublic:
    """The regions the caller dispatches, by code."""
    codes = account_service.dispatched_regions(user)
    regions = region_service.list_by_codes(session=session, codes=codes)
    data = [RegionPublic.model_validate(r, from_attributes=True) for r in regions]
    return RegionsPublic(data=data, count=len(data))


@router.get("/{region}", response_model=RegionPublic)
def read_region(region: DispatchRegionDep) -> RegionPublic:
    """One region: time zone and travel settings."""
    return RegionPublic.model_validate(region, from_attributes=True)


@router.patch("/{region}", response_model=RegionPublic)
def update_region(
    session: SessionDep, user: AdminUser, region: DispatchRegionDep, region_in: RegionUpdate
) -> RegionPublic:
    """Change a region's settings (admin): its routing server (`osrm_url`, null for none),
    whose road times then serve plans, re-plans, slot offers and ETAs alike, and the others."""
    updated = region_service.update(session=session, region=region, region_in=region_in)
    return RegionPublic.model_validate(updated, from_attributes=True)


@router.get("/{region}/days/{day}", response_model=DayPublic)
def read_day(
    session: SessionDep,
    region: DispatchRegionDep,
    day: date,
    plan_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="a plan of the day; default: current")
    ] = None,
) -> DayPublic:
    """The day's visits, a plan (the one named, else published, else the latest draft), the
    visits it leaves out with reasons, and its figures: travel, overtime, utilisation."""
    return day_service.view(session=session, region=region, day=day, plan_id=plan_id)
