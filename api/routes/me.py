"""The caller's own things: who they are, and for a technician the route of a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, EndpointDep, OwnTechnicianDep, ScopeDep, SessionDep
from dispatch.account.models import User, UserPublic
from dispatch.field import service as field_service
from dispatch.field.models import RoutePublic

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserPublic)
def read_me(user: CurrentUser) -> User:
    """The account behind the bearer token: role, regions, technician or customer it is bound to."""
    return user


@router.get("/route", response_model=RoutePublic)
def read_my_route(
    session: SessionDep,
    technician: OwnTechnicianDep,
    scope: ScopeDep,
    endpoint: EndpointDep,
    day: Annotated[date | None, Query(description="YYYY-MM-DD; today in the region")] = None,
) -> RoutePublic:
    """The technician's stops in order: customer, address, window, planned times and ETAs,
    what the visit is (product, kind, coverage) and a navigation link; the customers' phone
    numbers on today's route only (that read is logged)."""
    day = day or field_service.today_for(session=session, technician=technician)
    return field_service.route_for_day(
        session=session, technician=technician, day=day, viewer=scope, endpoint=endpoint
    )
