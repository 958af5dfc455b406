"""Complaints: customers and staff file them; staff answer, assign, repair and resolve them
within the category's SLA; customers close or reopen their own. SLA targets per category."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    MAX_ID,
    AdminUser,
    BookingUser,
    ComplaintDep,
    DispatcherUser,
    ScopeDep,
    SessionDep,
    customer_scope,
    ensure_region_id,
    ensure_visit_in_reach,
    serving_region,
)
from dispatch import localtime
from dispatch.booking import service as booking_service
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import (
    ComplaintCategory,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintRepair,
    ComplaintSlaPublic,
    ComplaintSlasPublic,
    ComplaintsPublic,
    ComplaintStatus,
    ComplaintTransition,
    ComplaintUpdate,
    FiledBy,
    SlaTargets,
)
from dispatch.errors import InvalidInput

router = APIRouter(tags=["complaints"])


@router.post("/complaints", response_model=ComplaintPublic, status_code=status.HTTP_201_CREATED)
def create_complaint(
    session: SessionDep, user: BookingUser, reach: ScopeDep, complaint_in: ComplaintCreate
) -> ComplaintPublic:
    """File a complaint about a unit, or one of its visits or deliveries (201); its SLA
    deadlines come from the category's targets, and the customer is told it is received."""
    own = customer_scope(user)
    if own is not None and complaint_in.created_at is not None:
        raise InvalidInput("only staff back-date a complaint.", loc=("body", "created_at"))
    asset = booking_service.own_asset(
        session=session, asset_id=complaint_in.asset_id, customer_id=own, scope=reach
    )
    region = serving_region(session, user, asset, complaint_in.region)
    region_id = complaint_service.region_id_for(
        session=session, complaint_in=complaint_in, region=region
    )
    if own is None:
        ensure_region_id(session, user, region_id)
    complaint = complaint_service.file(
        session=session,
        complaint_in=complaint_in,
        region=region,
        filed_by=FiledBy.CUSTOMER if own is not None else FiledBy.STAFF,
        user_id=user.id,
    )
    return complaint_service.public(session=session, complaint=complaint)


@router.get("/complaints", response_model=ComplaintsPublic)
def read_complaints(
    session: SessionDep,
    user: BookingUser,
    reach: ScopeDep,
    status_: Annotated[ComplaintStatus | None, Query(alias="status")] = None,
    category: ComplaintCategory | None = None,
    visit_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="only those about this visit or delivery")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ComplaintsPublic:
    """The caller's complaints (a dispatcher: its regions'), newest first; with visit_id, those
    about that visit (the tracking page shows them; 404 for a visit out of reach)."""
    customer_scope(user)
    if visit_id is not None:
        ensure_visit_in_reach(session, user, visit_id)
    rows, count = complaint_service.list_in_reach(
        session=session,
        scope=reach,
        status=status_,
        category=category,
        visit_id=visit_id,
        offset=offset,
        limit=limit,
    )
    data = [complaint_service.public(session=session, complaint=c) for c in rows]
    return ComplaintsPublic(data=data, count=count)


@router.get("/complaints/{complaint_id}", response_model=ComplaintPublic)
def read_complaint(session: SessionDep, complaint: ComplaintDep) -> ComplaintPublic:
    """One complaint with its deadlines, whether they were kept, and its repairs."""
    return complaint_service.public(session=session, complaint=complaint)


@router.post("/complaints/{complaint_id}/transitions", response_model=ComplaintPublic)
def create_complaint_transition(
    session: SessionDep, user: BookingUser, complaint: ComplaintDep, move: ComplaintTransition
) -> ComplaintPublic:
    """Move the complaint along open -> acknowledged -> in_progress -> resolved -> closed
    (or reopened); 409 invalid_transition names the moves allowed. A customer may only close
    or reopen its own."""
    complaint = complaint_service.transition(
        session=session,
        complaint=complaint,
        to=move.status,
        at=localtime.utc_now(),
        note=move.note,
        by_customer=customer_scope(user) is not None,
    )
    return complaint_service.public(session=session, complaint=complaint)


@router.patch("/complaints/{complaint_id}", response_model=ComplaintPublic)
def update_complaint(
    session: SessionDep, _: DispatcherUser, complaint: ComplaintDep, update: ComplaintUpdate
) -> ComplaintPublic:
    """Give the complaint an owner (an admin or dispatcher), or none."""
    complaint = complaint_service.assign(
        session=session, complaint=complaint, owner_user_id=update.owner_user_id
    )
    return complaint_service.public(session=session, complaint=complaint)


@router.post(
    "/complaints/{complaint_id}/repair",
    response_model=ComplaintPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_complaint_repair(
    session: SessionDep, _: DispatcherUser, complaint: ComplaintDep, repair_in: ComplaintRepair
) -> ComplaintPublic:
    """Open a repair request and visit for the complaint's unit (booked when a window is
    given); the complaint goes in progress and lists the repair. 409 while one is open."""
    complaint_service.spawn_repair(
        session=session, complaint=complaint, repair_in=repair_in, at=localtime.utc_now()
    )
    session.refresh(complaint)
    return complaint_service.public(session=session, complaint=complaint)


@router.get("/complaint-slas", response_model=ComplaintSlasPublic)
def read_complaint_slas(session: SessionDep, _: DispatcherUser) -> ComplaintSlasPublic:
    """The SLA targets of every category: first response within hours, resolution within days."""
    return ComplaintSlasPublic(data=complaint_service.list_slas(session=session))


@router.put("/complaint-slas/{category}", response_model=ComplaintSlaPublic)
def update_complaint_sla(
    session: SessionDep, _: AdminUser, category: ComplaintCategory, targets: SlaTargets
) -> ComplaintSlaPublic:
    """Set a category's targets (admins); complaints filed from now on get them."""
    return complaint_service.set_sla(session=session, category=category, targets=targets)
