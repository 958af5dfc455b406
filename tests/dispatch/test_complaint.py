"""Complaints: SLA deadlines per category, the lifecycle (held and broken), the customer's
messages, repairs linked both ways, reach, and the breach alerts of the SLA sweep."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from dispatch.access.scope import Scope
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import (
    ComplaintCategory,
    ComplaintRepair,
    ComplaintStatus,
    SlaTargets,
)
from dispatch.customer.models import Language
from dispatch.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from dispatch.outreach.models import Audience, MessageKind, OutboxMessage
from dispatch.product.models import VisitKind
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from tests.factories import (
    REQUESTED_AT,
    make_asset,
    make_complaint,
    make_customer,
    make_region,
    make_request,
    make_visit,
)

S = ComplaintStatus
H = timedelta(hours=1)


def _messages(session: Session, kind: MessageKind) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def _move(session: Session, complaint, to: S, after: timedelta, **kw):  # type: ignore[no-untyped-def]
    return complaint_service.transition(
        session=session, complaint=complaint, to=to, at=REQUESTED_AT + after, **kw
    )


def test_file_sets_deadlines_from_the_category_and_tells_the_customer(session: Session) -> None:
    """A late-visit complaint: answer within 4 hours, resolve within 2 days (the defaults);
    the customer gets the receipt in Indonesian with both deadlines in Jakarta time."""
    complaint = make_complaint(session, category=ComplaintCategory.LATE_VISIT)
    assert (complaint.status, complaint.first_response_at) == (S.OPEN, None)
    assert complaint.response_due_at == REQUESTED_AT + 4 * H
    assert complaint.resolution_due_at == REQUESTED_AT + timedelta(days=2)
    (receipt,) = _messages(session, MessageKind.COMPLAINT_RECEIVED)
    assert (receipt.audience, receipt.language) == (Audience.CUSTOMER, Language.ID)
    assert receipt.subject == f"Keluhan Anda kami terima (no. {complaint.id})"
    assert "kunjungan terlambat" in receipt.body
    assert "Senin, 9 Maret 2026 14.00 WIB" in receipt.body  # 10:00 + 4 h, local time


def test_file_in_english_for_an_english_customer(session: Session) -> None:
    """The receipt is in the customer's language."""
    asset = make_asset(session, customer=make_customer(session, language=Language.EN))
    make_complaint(session, asset=asset)
    (receipt,) = _messages(session, MessageKind.COMPLAINT_RECEIVED)
    assert receipt.subject.startswith("We have your complaint")
    assert "Monday 9 March 2026 18:00 WIB" in receipt.body  # workmanship: 8 h


def test_configured_targets_apply_to_new_complaints_only(session: Session) -> None:
    """Billing set to 2 h / 1 day: the next billing complaint gets them, an earlier one not."""
    earlier = make_complaint(session, category=ComplaintCategory.BILLING)
    complaint_service.set_sla(
        session=session,
        category=ComplaintCategory.BILLING,
        targets=SlaTargets(response_hours=2, resolution_days=1),
    )
    later = make_complaint(session, category=ComplaintCategory.BILLING)
    assert later.response_due_at - later.created_at == 2 * H
    assert earlier.response_due_at - earlier.created_at == 24 * H
    slas = {s.category: s for s in complaint_service.list_slas(session=session)}
    assert (
        slas[ComplaintCategory.BILLING].configured,
        slas[ComplaintCategory.OTHER].configured,
    ) == (
        True,
        False,
    )
    assert len(slas) == len(ComplaintCategory)


def test_lifecycle_records_response_resolution_and_closing(session: Session) -> None:
    """open -> acknowledged -> in_progress -> resolved -> closed, each with its time; the
    resolution is told to the customer with the staff note."""
    complaint = make_complaint(session)
    complaint = _move(session, complaint, S.ACKNOWLEDGED, H)
    assert complaint.first_response_at == REQUESTED_AT + H
    complaint = _move(session, complaint, S.IN_PROGRESS, 2 * H)
    complaint = _move(session, complaint, S.RESOLVED, 30 * H, note="drain pipe re-laid")
    complaint = _move(session, complaint, S.CLOSED, 50 * H)
    assert complaint.first_response_at == REQUESTED_AT + H  # the first answer counts
    assert (complaint.resolved_at, complaint.closed_at) == (
        REQUESTED_AT + 30 * H,
        REQUESTED_AT + 50 * H,
    )
    (notice,) = _messages(session, MessageKind.COMPLAINT_RESOLVED)
    assert "drain pipe re-laid" in notice.body


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ((), S.CLOSED),
        ((), S.REOPENED),
        ((S.ACKNOWLEDGED,), S.OPEN),
        ((S.IN_PROGRESS,), S.ACKNOWLEDGED),
        ((S.RESOLVED, S.CLOSED), S.REOPENED),
        ((S.RESOLVED,), S.IN_PROGRESS),
    ],
)
def test_invalid_transitions_are_refused(session: Session, path: tuple[S, ...], to: S) -> None:
    """Moves outside the lifecycle raise InvalidTransition naming the allowed ones."""
    complaint = make_complaint(session)
    for step in path:
        complaint = _move(session, complaint, step, H)
    before = complaint.status
    with pytest.raises(InvalidTransition, match=f"cannot go from {before} to {to}"):
        _move(session, complaint, to, 2 * H)
    session.rollback()
    session.refresh(complaint)
    assert complaint.status is before


def test_reopen_clears_the_resolution_and_a_second_one_is_told_again(session: Session) -> None:
    """resolved -> reopened -> resolved: resolved_at is the last resolution, counted twice."""
    complaint = make_complaint(session)
    complaint = _move(session, complaint, S.RESOLVED, H)
    complaint = _move(session, complaint, S.REOPENED, 5 * H)
    assert (complaint.resolved_at, complaint.reopened_count) == (None, 1)
    complaint = _move(session, complaint, S.RESOLVED, 9 * H)
    assert complaint.resolved_at == REQUESTED_AT + 9 * H
    assert len(_messages(session, MessageKind.COMPLAINT_RESOLVED)) == 2


def test_a_customer_may_only_close_or_reopen(session: Session) -> None:
    """A customer cannot acknowledge or resolve its own complaint; closing is fine."""
    complaint = make_complaint(session)
    with pytest.raises(InvalidInput, match="only move a complaint to closed, reopened"):
        _move(session, complaint, S.RESOLVED, H, by_customer=True)
    complaint = _move(session, complaint, S.RESOLVED, H)
    assert _move(session, complaint, S.CLOSED, 2 * H, by_customer=True).status is S.CLOSED


def test_a_complaint_about_a_visit_takes_the_visits_region(session: Session) -> None:
    """A visit of the unit ties the complaint to the visit's region; another unit's visit is
    refused."""
    asset = make_asset(session)
    visit_region = make_region(session)
    visit = make_visit(session, request=make_request(session, asset=asset, region=visit_region))
    complaint = make_complaint(session, asset=asset, visit_id=visit.id)
    assert (complaint.visit_id, complaint.region_id) == (visit.id, visit_region.id)
    with pytest.raises(InvalidInput, match=f"visit {visit.id} is not a visit of asset"):
        make_complaint(session, visit_id=visit.id)


def test_spawned_repair_is_linked_both_ways(session: Session) -> None:
    """The repair request names the complaint; the complaint lists the request and its visit,
    goes in progress and counts as answered. A second repair waits for the first."""
    complaint = make_complaint(session)
    request = complaint_service.spawn_repair(
        session=session,
        complaint=complaint,
        repair_in=ComplaintRepair(),
        at=REQUESTED_AT + H,
    )
    assert (request.kind, request.complaint_id, request.priority) == (
        VisitKind.REPAIR,
        complaint.id,
        4,
    )
    assert request.coverage is Coverage.WARRANTY  # bought a week before, 12-month warranty
    (visit,) = visit_service.list_for_request(session=session, request_id=request.id or 0)
    assert visit.status is VisitStatus.REQUESTED
    public = complaint_service.public(session=session, complaint=complaint)
    assert (public.repair_request_ids, public.repair_visit_ids) == ([request.id], [visit.id])
    assert (public.status, public.first_response_at) == (S.IN_PROGRESS, REQUESTED_AT + H)
    with pytest.raises(Conflict, match=f"repair request {request.id} .* is still open"):
        complaint_service.spawn_repair(
            session=session,
            complaint=complaint,
            repair_in=ComplaintRepair(),
            at=REQUESTED_AT + 2 * H,
        )


def test_no_repair_for_a_resolved_complaint(session: Session) -> None:
    """A resolved complaint must be reopened before a new repair."""
    complaint = _move(session, make_complaint(session), S.RESOLVED, H)
    with pytest.raises(Conflict, match="is resolved; reopen it first"):
        complaint_service.spawn_repair(
            session=session,
            complaint=complaint,
            repair_in=ComplaintRepair(),
            at=REQUESTED_AT + 2 * H,
        )
    session.rollback()
    linked = select(ServiceRequest).where(ServiceRequest.complaint_id == complaint.id)
    assert session.exec(linked).all() == []


def test_sweep_alerts_each_breach_once(session: Session) -> None:
    """Workmanship: 8 h to answer, 5 days to resolve. Before 8 h nothing; after, one response
    alert to the region's dispatchers; after 5 days unresolved, one resolution alert."""
    complaint = make_complaint(session)
    assert complaint_service.sweep_breaches(session=session, now=REQUESTED_AT + 7 * H) == {}
    late = REQUESTED_AT + 9 * H
    assert complaint_service.sweep_breaches(session=session, now=late) == {"response": 1}
    assert complaint_service.sweep_breaches(session=session, now=late + H) == {}
    (alert,) = _messages(session, MessageKind.COMPLAINT_SLA_BREACH)
    assert (alert.audience, alert.region_id) == (Audience.DISPATCHER, complaint.region_id)
    assert (
        alert.subject == f"Keluhan {complaint.id} melewati batas tanggapan ({alert.data['region']})"
    )
    _move(session, complaint, S.IN_PROGRESS, 10 * H)
    days_later = REQUESTED_AT + timedelta(days=5, hours=1)
    assert complaint_service.sweep_breaches(session=session, now=days_later) == {"resolution": 1}


def test_sweep_leaves_complaints_that_kept_their_deadlines(session: Session) -> None:
    """Answered in time and resolved in time: no alert, even long after."""
    complaint = make_complaint(session)
    complaint = _move(session, complaint, S.ACKNOWLEDGED, H)
    complaint = _move(session, complaint, S.RESOLVED, 20 * H)
    far = REQUESTED_AT + timedelta(days=30)
    assert complaint_service.sweep_breaches(session=session, now=far) == {}
    public = complaint_service.public(session=session, complaint=complaint)
    assert (public.response_breached, public.resolution_breached) == (False, False)


def test_assign_only_to_staff(session: Session) -> None:
    """An owner is an active admin or dispatcher; a customer account is refused."""
    complaint = make_complaint(session)
    dispatcher, _ = account_service.create(
        session=session, user_in=UserCreate(name="Dewi", role=Role.DISPATCHER)
    )
    customer_user, _ = account_service.create(
        session=session,
        user_in=UserCreate(name="Siti", role=Role.CUSTOMER, customer_id=complaint.customer_id),
    )
    assigned = complaint_service.assign(
        session=session, complaint=complaint, owner_user_id=dispatcher.id
    )
    assert assigned.owner_user_id == dispatcher.id
    with pytest.raises(InvalidInput, match="not an active admin or dispatcher"):
        complaint_service.assign(
            session=session, complaint=complaint, owner_user_id=customer_user.id
        )


def test_reach_customers_own_and_dispatchers_regions(session: Session) -> None:
    """A customer reads its own complaints; a dispatcher those of its regions; a technician
    none."""
    region_a, region_b = make_region(session), make_region(session)
    mine = make_complaint(session, region=region_a)
    other = make_complaint(session, region=region_b)
    customer = Scope(user_id=1, role=Role.CUSTOMER, region_ids=(), customer_id=mine.customer_id)
    dispatcher_b = Scope(user_id=2, role=Role.DISPATCHER, region_ids=(region_b.id or 0,))
    technician = Scope(user_id=3, role=Role.TECHNICIAN, region_ids=(), technician_id=1)

    def ids(scope: Scope) -> list[int | None]:
        rows, count = complaint_service.list_in_reach(session=session, scope=scope)
        assert count == len(rows)
        return [c.id for c in rows]

    assert ids(customer) == [mine.id]
    assert ids(dispatcher_b) == [other.id]
    assert ids(technician) == []
    assert complaint_service.in_reach(
        session=session, scope=dispatcher_b, complaint_id=other.id or 0
    )
    with pytest.raises(NotFound):
        complaint_service.in_reach(session=session, scope=dispatcher_b, complaint_id=mine.id or 0)
