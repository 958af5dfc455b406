"""Complaint services: file, read within reach, move through the lifecycle, assign an owner,
spawn a repair, configure SLA targets, and sweep for missed deadlines.
"""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.access.scope import Scope, record_condition
from dispatch.account.models import Role, User
from dispatch.asset.models import Asset
from dispatch.complaint import lifecycle, notices
from dispatch.complaint.models import (
    DEFAULT_TARGETS,
    Complaint,
    ComplaintCategory,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintRepair,
    ComplaintSla,
    ComplaintSlaPublic,
    ComplaintStatus,
    FiledBy,
    SlaTargets,
)
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import RequestStatus, ServiceRequest, ServiceRequestCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate

S = ComplaintStatus
REPAIR_PRIORITY = 4  # a repair that answers a complaint outranks an ordinary one


def get_or_raise(*, session: Session, complaint_id: int) -> Complaint:
    """The complaint with this id; raises NotFound."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} does not exist.", loc=("complaint_id",))
    return complaint


def in_reach(*, session: Session, scope: Scope, complaint_id: int) -> Complaint:
    """The complaint when the scope reaches it (the customer's own, a dispatcher's region);
    raises NotFound otherwise, so ids cannot be probed."""
    query = select(Complaint).where(col(Complaint.id) == complaint_id, _reach(scope))
    complaint = session.exec(query).first()
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} does not exist.", loc=("complaint_id",))
    return complaint


def list_in_reach(
    *,
    session: Session,
    scope: Scope,
    status: ComplaintStatus | None = None,
    category: ComplaintCategory | None = None,
    visit_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Complaint], int]:
    """A page of the complaints the scope reaches (about one visit, when given), newest first,
    and how many there are."""
    where = [_reach(scope)]
    if visit_id is not None:
        where.append(col(Complaint.visit_id) == visit_id)
    if status is not None:
        where.append(col(Complaint.status) == status)
    if category is not None:
        where.append(col(Complaint.category) == category)
    count = session.exec(select(func.count()).select_from(Complaint).where(*where)).one()
    query = (
        select(Complaint)
        .where(*where)
        .order_by(col(Complaint.created_at).desc(), col(Complaint.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all()), count


def _reach(scope: Scope) -> ColumnElement[bool]:
    """True for the complaints the scope reaches."""
    return record_condition(scope, col(Complaint.customer_id), col(Complaint.region_id))


def public(*, session: Session, complaint: Complaint) -> ComplaintPublic:
    """The complaint with the repair requests and visits opened for it."""
    requests = session.exec(
        select(ServiceRequest.id)
        .where(col(ServiceRequest.complaint_id) == complaint.id)
        .order_by(col(ServiceRequest.id))
    ).all()
    visits = session.exec(
        select(Visit.id).where(col(Visit.request_id).in_(list(requests))).order_by(col(Visit.id))
    ).all()
    return ComplaintPublic.model_validate(
        complaint,
        update={
            "repair_request_ids": [i for i in requests if i is not None],
            "repair_visit_ids": [i for i in visits if i is not None],
        },
    )


def targets_for(*, session: Session, category: ComplaintCategory) -> SlaTargets:
    """The category's configured SLA targets, or the built-in default."""
    row = session.get(ComplaintSla, category)
    if row is None:
        return DEFAULT_TARGETS[category]
    return SlaTargets(response_hours=row.response_hours, resolution_days=row.resolution_days)


def list_slas(*, session: Session) -> list[ComplaintSlaPublic]:
    """The SLA targets of every category, configured or default."""
    configured = {r.category: r for r in session.exec(select(ComplaintSla)).all()}
    return [
        ComplaintSlaPublic(
            category=category,
            configured=category in configured,
            **targets_for(session=session, category=category).model_dump(),
        )
        for category in ComplaintCategory
    ]


def set_sla(
    *, session: Session, category: ComplaintCategory, targets: SlaTargets
) -> ComplaintSlaPublic:
    """Configure a category's targets; complaints filed from now on get them."""
    row = session.get(ComplaintSla, category) or ComplaintSla(
        category=category, **targets.model_dump()
    )
    row.sqlmodel_update(targets.model_dump() | {"updated_at": localtime.utc_now()})
    session.add(row)
    session.commit()
    return ComplaintSlaPublic(category=category, configured=True, **targets.model_dump())


def region_id_for(*, session: Session, complaint_in: ComplaintCreate, region: Region) -> int:
    """The region a complaint belongs to: its visit's, else the one serving the asset.

    Raises NotFound for an unknown asset and InvalidInput for a visit of another asset."""
    asset = session.get(Asset, complaint_in.asset_id)
    if asset is None:
        raise NotFound(f"asset {complaint_in.asset_id} does not exist.", loc=("body", "asset_id"))
    if complaint_in.visit_id is None:
        return region.id or 0
    visit = session.get(Visit, complaint_in.visit_id)
    if visit is None or visit.request.asset_id != asset.id:
        raise InvalidInput(
            f"visit {complaint_in.visit_id} is not a visit of asset {asset.id}.",
            loc=("body", "visit_id"),
        )
    return visit.region_id


def file(
    *,
    session: Session,
    complaint_in: ComplaintCreate,
    region: Region,
    filed_by: FiledBy,
    user_id: int | None = None,
    notify: bool = True,
) -> Complaint:
    """A new open complaint with its SLA deadlines; the customer is told it is received
    (notify=False: a complaint recorded after the fact, such as demo history)."""
    complaint = add(
        session=session,
        complaint_in=complaint_in,
        region=region,
        filed_by=filed_by,
        user_id=user_id,
        notify=notify,
    )
    session.commit()
    session.refresh(complaint)
    return complaint


def add(
    *,
    session: Session,
    complaint_in: ComplaintCreate,
    region: Region,
    filed_by: FiledBy,
    user_id: int | None = None,
    notify: bool = True,
) -> Complaint:
    """Step: file (see file) without committing."""
    region_id = region_id_for(session=session, complaint_in=complaint_in, region=region)
    asset = session.get(Asset, complaint_in.asset_id)
    assert asset is not None  # region_id_for checked it
    created_at = localtime.require_aware(complaint_in.created_at or localtime.utc_now())
    targets = targets_for(session=session, category=complaint_in.category)
    complaint = Complaint(
        asset_id=asset.id or 0,
        visit_id=complaint_in.visit_id,
        category=complaint_in.category,
        text=complaint_in.text,
        customer_id=asset.customer_id,
        region_id=region_id,
        filed_by=filed_by,
        filed_by_user_id=user_id,
        created_at=created_at,
        response_due_at=created_at + timedelta(hours=targets.response_hours),
        resolution_due_at=created_at + timedelta(days=targets.resolution_days),
    )
    session.add(complaint)
    session.flush()
    if notify:
        notices.queue_received(session, notices.facts_of(session, complaint), localtime.utc_now())
    return complaint


def transition(
    *,
    session: Session,
    complaint: Complaint,
    to: ComplaintStatus,
    at: datetime,
    note: str | None = None,
    by_customer: bool = False,
    notify: bool = True,
) -> Complaint:
    """Move the complaint along its lifecycle; a resolution is told to the customer (unless
    notify=False: a move recorded after the fact).

    Raises InvalidTransition (a move the lifecycle forbids) or InvalidInput (a customer asking
    for anything but closing or reopening).
    """
    if by_customer:
        lifecycle.check_customer_may(to)
    lifecycle.apply_transition(session=session, complaint=complaint, to=to, at=at, note=note)
    if to is S.RESOLVED and notify:
        notices.queue_resolved(session, notices.facts_of(session, complaint), at)
    session.commit()
    session.refresh(complaint)
    return complaint


def assign(*, session: Session, complaint: Complaint, owner_user_id: int | None) -> Complaint:
    """Give the complaint to a staff member (an admin or dispatcher), or to nobody."""
    if owner_user_id is not None:
        owner = session.get(User, owner_user_id)
        if owner is None or not owner.active or owner.role not in (Role.ADMIN, Role.DISPATCHER):
            raise InvalidInput(
                f"user {owner_user_id} is not an active admin or dispatcher.",
                loc=("body", "owner_user_id"),
            )
    complaint.owner_user_id = owner_user_id
    session.add(complaint)
    session.commit()
    session.refresh(complaint)
    return complaint


def spawn_repair(
    *, session: Session, complaint: Complaint, repair_in: ComplaintRepair, at: datetime
) -> ServiceRequest:
    """Open a repair request and visit for the complaint's unit (booked when a window is given);
    the complaint goes in progress. Raises Conflict while an earlier repair is still open."""
    if complaint.status not in lifecycle.UNRESOLVED:
        raise Conflict(
            f"complaint {complaint.id} is {complaint.status}; reopen it first.", loc=("status",)
        )
    pending = select(ServiceRequest.id).where(
        col(ServiceRequest.complaint_id) == complaint.id,
        col(ServiceRequest.status) == RequestStatus.OPEN,
    )
    if (open_id := session.exec(pending).first()) is not None:
        raise Conflict(
            f"repair request {open_id} of complaint {complaint.id} is still open.",
            loc=("complaint_id",),
        )
    request = request_service.add(
        session=session,
        request_in=ServiceRequestCreate(
            asset_id=complaint.asset_id,
            region_id=complaint.region_id,
            kind=VisitKind.REPAIR,
            description=repair_in.description
            or f"complaint {complaint.id}: {complaint.text}"[:2000],
            priority=REPAIR_PRIORITY,
            created_at=at,
        ),
    )
    request.complaint_id = complaint.id
    session.add(request)
    visit_service.add(
        session=session,
        visit_in=VisitCreate(
            request_id=request.id or 0,
            window_start=repair_in.window_start,
            window_end=repair_in.window_end,
        ),
    )
    if complaint.status is not S.IN_PROGRESS:
        lifecycle.apply_transition(
            session=session, complaint=complaint, to=S.IN_PROGRESS, at=at, note=None
        )
    session.commit()
    session.refresh(request)
    return request


def sweep_breaches(
    *, session: Session, now: datetime, alert_email: str | None = None
) -> Counter[str]:
    """Alert the dispatchers of every complaint past a deadline it has not met (each once);
    counts by deadline."""
    now = localtime.require_aware(now, "now")
    unanswered = select(Complaint).where(
        col(Complaint.first_response_at).is_(None), col(Complaint.response_due_at) <= now
    )
    unresolved = select(Complaint).where(
        col(Complaint.status).in_(list(lifecycle.UNRESOLVED)),
        col(Complaint.resolution_due_at) <= now,
    )
    alerted: Counter[str] = Counter()
    for deadline, query in (("response", unanswered), ("resolution", unresolved)):
        for complaint in session.exec(query.order_by(col(Complaint.id))).all():
            facts = notices.facts_of(session, complaint)
            owner = _owner_name(session, complaint)
            if notices.queue_breach(session, facts, deadline, owner, now, alert_email):  # type: ignore[arg-type]
                alerted[deadline] += 1
    session.commit()
    return alerted


def _owner_name(session: Session, complaint: Complaint) -> str:
    owner = session.get(User, complaint.owner_user_id) if complaint.owner_user_id else None
    return owner.name if owner else "-"
