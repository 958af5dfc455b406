"""The visit lifecycle: legal and illegal transitions, what each records, follow-ups, refunds."""

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.entitlement import service as entitlement_service
from dispatch.errors import Conflict, InvalidInput, InvalidTransition
from dispatch.region import service as region_service
from dispatch.request.models import RequestStatus
from dispatch.visit import lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, VisitCreate, VisitStatus
from tests.factories import DAY, local, make_request, make_technician, make_visit

S = VisitStatus
AT = local(DAY, 10)

# Legal transitions that go through visit_service.transition (booking and planning have their
# own services, tested below).
VIA_TRANSITION = [
    (S.REQUESTED, S.CANCELLED),
    (S.BOOKED, S.CANCELLED),
    (S.PLANNED, S.BOOKED),
    (S.PLANNED, S.EN_ROUTE),
    (S.PLANNED, S.ON_SITE),
    (S.PLANNED, S.CANCELLED),
    (S.EN_ROUTE, S.ON_SITE),
    (S.EN_ROUTE, S.FAILED),
    (S.EN_ROUTE, S.CANCELLED),
    (S.ON_SITE, S.COMPLETED),
    (S.ON_SITE, S.FAILED),
]
ILLEGAL = [
    (a, b) for a, b in product(VisitStatus, VisitStatus) if b not in lifecycle.TRANSITIONS[a]
]


def _reason(to: VisitStatus) -> FailureReason | None:
    return FailureReason.CUSTOMER_ABSENT if to is S.FAILED else None


def test_lifecycle_table_covers_every_status_and_ends_in_terminals() -> None:
    """Every status has a row; completed, failed and cancelled are the only final ones."""
    assert set(lifecycle.TRANSITIONS) == set(VisitStatus)
    assert {S.COMPLETED, S.FAILED, S.CANCELLED} == lifecycle.TERMINAL


@pytest.mark.parametrize(("current", "to"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_check_transition_refuses_illegal(current: VisitStatus, to: VisitStatus) -> None:
    """Every pair missing from the table raises InvalidTransition, a Conflict."""
    with pytest.raises(InvalidTransition, match=f"from {current} to {to}") as info:
        lifecycle.check_transition(current, to, visit_id=7)
    assert isinstance(info.value, Conflict)


@pytest.mark.parametrize(
    ("current", "to"), VIA_TRANSITION, ids=[f"{a}->{b}" for a, b in VIA_TRANSITION]
)
def test_transition_legal_moves_status(
    session: Session, current: VisitStatus, to: VisitStatus
) -> None:
    """A legal transition changes the stored status."""
    visit = make_visit(session, status=current)
    visit_service.transition(session=session, visit=visit, to=to, at=AT, failure_reason=_reason(to))
    session.expire_all()
    assert visit_service.get_or_raise(session=session, visit_id=visit.id or 0).status is to


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (S.BOOKED, S.COMPLETED),
        (S.REQUESTED, S.EN_ROUTE),
        (S.COMPLETED, S.CANCELLED),
        (S.ON_SITE, S.CANCELLED),
    ],
)
def test_transition_illegal_leaves_visit_unchanged(
    session: Session, current: VisitStatus, to: VisitStatus
) -> None:
    """An illegal transition raises InvalidTransition and stores nothing."""
    visit = make_visit(session, status=current)
    with pytest.raises(InvalidTransition):
        visit_service.transition(session=session, visit=visit, to=to, at=AT)
    session.rollback()
    assert visit_service.get_or_raise(session=session, visit_id=visit.id or 0).status is current


def test_book_moves_requested_visit_into_window(session: Session) -> None:
    """Booking sets the window, the status, and the request's first response time."""
    visit = make_visit(session, status=S.REQUESTED)
    visit_service.book(
        session=session, visit=visit, window_start=local(DAY, 13), window_end=local(DAY, 16), at=AT
    )
    assert (visit.status, visit.window_start, visit.window_end) == (
        S.BOOKED,
        local(DAY, 13),
        local(DAY, 16),
    )
    assert visit.request.first_response_at == AT


def test_transition_to_booked_without_window_is_invalid(session: Session) -> None:
    """A visit is booked into a window; without one the transition is refused."""
    visit = make_visit(session, status=S.REQUESTED)
    with pytest.raises(InvalidInput, match="needs a window"):
        visit_service.transition(session=session, visit=visit, to=S.BOOKED, at=AT)


def test_book_planned_visit_moves_it_back_to_booked(session: Session) -> None:
    """Rescheduling a planned visit drops it from the plan: booked, planned fields cleared."""
    visit = make_visit(session, status=S.PLANNED)
    visit_service.book(
        session=session, visit=visit, window_start=local(DAY, 13), window_end=local(DAY, 16), at=AT
    )
    assert visit.status is S.BOOKED
    assert (visit.planned_technician_id, visit.planned_start, visit.planned_end) == (
        None,
        None,
        None,
    )


def test_book_completed_visit_is_invalid_transition(session: Session) -> None:
    """A completed visit cannot be booked again."""
    visit = make_visit(session, status=S.COMPLETED)
    with pytest.raises(InvalidTransition):
        visit_service.book(
            session=session,
            visit=visit,
            window_start=local(DAY, 13),
            window_end=local(DAY, 16),
            at=AT,
        )


def test_set_planned_moves_booked_to_planned(session: Session) -> None:
    """A plan gives the visit a technician and times."""
    visit = make_visit(session, status=S.BOOKED)
    technician = make_technician(session)
    visit_service.set_planned(
        session=session,
        visit=visit,
        technician_id=technician.id or 0,
        start=AT,
        end=AT + timedelta(hours=2),
    )
    session.commit()
    assert (visit.status, visit.planned_technician_id, visit.planned_start) == (
        S.PLANNED,
        technician.id,
        AT,
    )


def test_set_planned_for_other_than_pinned_is_conflict(session: Session) -> None:
    """A visit pinned to one technician cannot be planned for another."""
    visit = make_visit(session, status=S.BOOKED)
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    pinned = make_technician(session, region=region)
    visit_service.pin(session=session, visit=visit, technician_id=pinned.id or 0)
    other = make_technician(session, region=region)
    with pytest.raises(Conflict, match="pinned"):
        visit_service.set_planned(
            session=session,
            visit=visit,
            technician_id=other.id or 0,
            start=AT,
            end=AT + timedelta(hours=1),
        )


def test_transitions_record_actual_times(session: Session) -> None:
    """En route, arrival, start and end times are recorded as the visit moves."""
    visit = make_visit(session, status=S.PLANNED)
    times = {
        S.EN_ROUTE: local(DAY, 9, 10),
        S.ON_SITE: local(DAY, 9, 40),
        S.COMPLETED: local(DAY, 11, 45),
    }
    for to, at in times.items():
        visit_service.transition(session=session, visit=visit, to=to, at=at)
    assert (visit.en_route_at, visit.arrived_at, visit.started_at, visit.ended_at) == (
        times[S.EN_ROUTE],
        times[S.ON_SITE],
        times[S.ON_SITE],
        times[S.COMPLETED],
    )


def test_start_work_records_start_after_arrival(session: Session) -> None:
    """Work may start after arrival; not before it, and only on site."""
    visit = make_visit(session, status=S.ON_SITE)
    later = (visit.arrived_at or AT) + timedelta(minutes=10)
    visit_service.start_work(session=session, visit=visit, at=later)
    assert visit.started_at == later
    with pytest.raises(InvalidInput, match="before arrival"):
        visit_service.start_work(session=session, visit=visit, at=later - timedelta(hours=1))
    booked = make_visit(session, status=S.BOOKED)
    with pytest.raises(InvalidTransition, match="not on_site"):
        visit_service.start_work(session=session, visit=booked, at=later)


def test_completed_visit_resolves_request(session: Session) -> None:
    """Completing the visit resolves its request at that time (average resolution time KPI)."""
    visit = make_visit(session, status=S.COMPLETED)
    assert visit.request.status is RequestStatus.RESOLVED
    assert visit.request.resolved_at == visit.ended_at


def test_failed_visit_opens_follow_up(session: Session) -> None:
    """A failed visit records why and opens a new requested visit for the same request."""
    visit = make_visit(session, status=S.ON_SITE)
    visit_service.transition(
        session=session,
        visit=visit,
        to=S.FAILED,
        at=AT,
        failure_reason=FailureReason.PART_MISSING,
        note="no capacitor",
    )
    follow_up = visit_service.follow_up_of(session=session, visit=visit)
    assert follow_up is not None
    assert (visit.failure_reason, visit.note, visit.ended_at) == (
        FailureReason.PART_MISSING,
        "no capacitor",
        AT,
    )
    assert (follow_up.status, follow_up.request_id, follow_up.follow_up_of_id) == (
        S.REQUESTED,
        visit.request_id,
        visit.id,
    )
    assert follow_up.preferred_technician_id == visit.planned_technician_id
    assert (follow_up.duration_s, follow_up.required_skills) == (
        visit.duration_s,
        visit.required_skills,
    )
    assert visit.request.status is RequestStatus.OPEN


def test_failed_without_reason_is_invalid(session: Session) -> None:
    """A visit cannot fail without saying why, and nothing changes."""
    visit = make_visit(session, status=S.ON_SITE)
    with pytest.raises(InvalidInput, match="failure_reason"):
        visit_service.transition(session=session, visit=visit, to=S.FAILED, at=AT)
    assert visit_service.follow_up_of(session=session, visit=visit) is None


def test_failure_reason_on_completion_is_invalid(session: Session) -> None:
    """Only a failed visit carries a failure reason."""
    visit = make_visit(session, status=S.ON_SITE)
    with pytest.raises(InvalidInput, match="only a failed visit"):
        visit_service.transition(
            session=session, visit=visit, to=S.COMPLETED, at=AT, failure_reason=FailureReason.OTHER
        )


def test_cancel_gives_entitlement_back_and_cancels_request(session: Session) -> None:
    """Cancelling the only visit of a free installation restores the entitlement."""
    visit = make_visit(session, status=S.BOOKED)
    entitlement_id = visit.request.entitlement_id or 0
    visit_service.cancel(session=session, visit=visit, at=AT)
    assert (
        entitlement_service.get_or_raise(session=session, entitlement_id=entitlement_id).used == 0
    )
    assert (visit.request.status, visit.request.cancelled_at) == (RequestStatus.CANCELLED, AT)


def test_cancel_keeps_entitlement_while_request_has_another_visit(session: Session) -> None:
    """Cancelling one of two visits of a request leaves the entitlement used."""
    request = make_request(session)
    first = make_visit(session, request=request)
    make_visit(session, request=request)
    visit_service.cancel(session=session, visit=first, at=AT)
    entitlement = entitlement_service.get_or_raise(
        session=session, entitlement_id=request.entitlement_id or 0
    )
    assert entitlement.used == 1
    assert request.status is RequestStatus.OPEN


def test_cancel_follow_up_of_failed_visit_gives_entitlement_back(session: Session) -> None:
    """When the follow-up of a failed visit is cancelled nothing was served: refund."""
    failed = make_visit(session, status=S.FAILED)
    follow_up = visit_service.follow_up_of(session=session, visit=failed)
    assert follow_up is not None
    visit_service.cancel(session=session, visit=follow_up, at=AT)
    entitlement_id = failed.request.entitlement_id or 0
    assert (
        entitlement_service.get_or_raise(session=session, entitlement_id=entitlement_id).used == 0
    )


def test_transition_of_stale_visit_is_refused(engine: Engine) -> None:
    """Two clerks act on the same visit: the second, holding an old copy, gets InvalidTransition."""
    with Session(engine) as setup:
        visit_id = make_visit(setup, status=S.BOOKED).id or 0
    stale_session = Session(engine, expire_on_commit=False)
    stale = visit_service.get_or_raise(session=stale_session, visit_id=visit_id)
    stale_session.commit()  # ends its transaction (SQLite would hold the write lock)
    with Session(engine) as first:
        visit_service.cancel(
            session=first, visit=visit_service.get_or_raise(session=first, visit_id=visit_id), at=AT
        )
    with pytest.raises(InvalidTransition, match="changed while"):
        visit_service.transition(session=stale_session, visit=stale, to=S.CANCELLED, at=AT)
    stale_session.close()


def test_create_visit_with_window_is_booked(session: Session) -> None:
    """A visit created with a window is booked at once."""
    request = make_request(session)
    visit = visit_service.create(
        session=session,
        visit_in=VisitCreate(
            request_id=request.id or 0, window_start=local(DAY, 9), window_end=local(DAY, 12)
        ),
    )
    assert visit.status is S.BOOKED
