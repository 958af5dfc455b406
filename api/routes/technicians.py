"""Technicians for dispatchers: list, create, read, update, and a technician's route for a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import (
    DispatcherUser,
    DispatchTechnicianDep,
    EndpointDep,
    ScopeDep,
    SessionDep,
    ensure_region,
    ensure_region_id,
)
from dispatch.account import service as account_service
from dispatch.field import service as field_service
from dispatch.field.models import RoutePublic
from dispatch.technician import service as technician_service
from dispatch.technician.models import (
    Technician,
    TechnicianCreate,
    TechnicianPublic,
    TechniciansPublic,
    TechnicianUpdate,
)

router = APIRouter(prefix="/technicians", tags=["technicians"])


@router.get("", response_model=TechniciansPublic)
def read_technicians(
    session: SessionDep,
    user: DispatcherUser,
    region: Annotated[str | None, Query(max_length=40, description="region code")] = None,
    active: Annotated[bool, Query(description="only active technicians")] = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TechniciansPublic:
    """The technicians of the regions the caller dispatches (of one region with ?region=)."""
    if region is not None:
        ensure_region(user, region)
    codes = [region] if region is not None else account_service.dispatched_regions(user)
    rows, count = technician_service.list_all(
        session=session, region_codes=codes, active_only=active, offset=offset, limit=limit
    )
    return TechniciansPublic(
        data=[TechnicianPublic.model_validate(t, from_attributes=True) for t in rows], count=count
    )


@router.post("", response_model=TechnicianPublic, status_code=201)
def create_technician(
    session: SessionDep, user: DispatcherUser, technician_in: TechnicianCreate
) -> Technician:
    """Add a technician to a region the caller dispatches."""
    ensure_region_id(session, user, technician_in.region_id)
    return technician_service.create(session=session, technician_in=technician_in)


@router.get("/{technician_id}", response_model=TechnicianPublic)
def read_technician(technician: DispatchTechnicianDep) -> Technician:
    """One technician."""
    return technician


@router.patch("/{technician_id}", response_model=TechnicianPublic)
def update_technician(
    session: SessionDep,
    user: DispatcherUser,
    technician: DispatchTechnicianDep,
    technician_in: TechnicianUpdate,
) -> Technician:
    """Change a technician; moving it to another region needs that region too."""
    if technician_in.region_id is not None:
        ensure_region_id(session, user, technician_in.region_id)
    return technician_service.update(
        session=session, technician=technician, technician_in=technician_in
    )


@router.get("/{technician_id}/route", response_model=RoutePublic)
def read_technician_route(
    session: SessionDep,
    technician: DispatchTechnicianDep,
    scope: ScopeDep,
    endpoint: EndpointDep,
    day: Annotated[date | None, Query(description="YYYY-MM-DD; today in the region")] = None,
) -> RoutePublic:
    """The technician's stops for the day, as the technician sees them but without the
    customers' phone numbers (GET /v1/customers/{customer_id} has them)."""
    day = day or field_service.today_for(session=session, technician=technician)
    return field_service.route_for_day(
        session=session, technician=technician, day=day, viewer=scope, endpoint=endpoint
    )
