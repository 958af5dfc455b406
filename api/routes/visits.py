"""Visits in the field: read one, pin it to a technician or unpin it, and report its events."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import (
    DispatchVisitDep,
    EndpointDep,
    FieldVisitDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
)
from dispatch.field import service as field_service
from dispatch.field.models import VisitEventCreate, VisitEventResult
from dispatch.planning import pins
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitPin, VisitPublic

router = APIRouter(prefix="/visits", tags=["visits"])


@router.get("/{visit_id}", response_model=VisitPublic)
def read_visit(visit: FieldVisitDep) -> Visit:
    """One visit, for a dispatcher of its region or the technician planned on it."""
    return visit


@router.post("/{visit_id}/pin", response_model=VisitPublic)
def pin_visit(session: SessionDep, visit: DispatchVisitDep, pin: VisitPin) -> Visit:
    """Only this technician may serve the visit in the next plan (same region, with the
    skills); 409 pin_breaks_promise, with the reason, when the technician cannot keep the
    visit's window together with the visits already pinned to it."""
    return pins.pin(session=session, visit=visit, technician_id=pin.technician_id)


@router.delete("/{visit_id}/pin", response_model=VisitPublic)
def unpin_visit(session: SessionDep, visit: DispatchVisitDep) -> Visit:
    """Any suitable technician may serve the visit again."""
    return visit_service.unpin(session=session, visit=visit)


@router.post("/{visit_id}/events", response_model=VisitEventResult)
def create_visit_event(
    session: SessionDep,
    settings: SettingsDep,
    visit: FieldVisitDep,
    scope: ScopeDep,
    endpoint: EndpointDep,
    event_in: VisitEventCreate,
) -> VisitEventResult:
    """en_route, arrived, completed or failed (with a reason): moves the visit's lifecycle,
    records the time, and answers with the route's new ETAs; 409 when the step is not allowed."""
    visit = field_service.record_event(
        session=session, visit=visit, event_in=event_in, settings=settings
    )
    route = field_service.route_of_visit(
        session=session, visit=visit, viewer=scope, endpoint=endpoint
    )
    return VisitEventResult(
        visit=VisitPublic.model_validate(visit, from_attributes=True), route=route
    )
