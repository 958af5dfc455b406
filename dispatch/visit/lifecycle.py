"""The visit lifecycle: one table of legal transitions, and the services that follow it.

requested -> booked -> planned -> en_route -> on_site -> completed
                                                      -> failed     (opens a follow-up visit)
any status before on_site -> cancelled                  (gives the entitlement back)
planned -> booked      a new plan no longer holds it, or the customer moved the window
planned -> on_site     the technician arrived without marking "en route"
en_route -> failed     the customer is not there, found before arriving
"""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select, update

from dispatch import localtime
from dispatch.errors import Conflict, InvalidInput, InvalidTransition
from dispatch.request import service as request_service
from dispatch.visit import crew
from dispatch.visit.models import FailureReason, Visit, VisitStatus

S = VisitStatus

TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    S.REQUESTED: frozenset({S.BOOKED, S.CANCELLED}),
    S.BOOKED: frozenset({S.PLANNED, S.CANCELLED}),
    S.PLANNED: frozenset({S.BOOKED, S.EN_ROUTE, S.ON_SITE, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SITE, S.FAILED, S.CANCELLED}),
    S.ON_SITE: frozenset({S.COMPLETED, S.FAILED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Still to be served: counted as the request's open work.
ACTIVE: frozenset[VisitStatus] = frozenset(
    {S.REQUESTED, S.BOOKED, S.PLANNED, S.EN_ROUTE, S.ON_SITE}
)
# Have a promised window and go into a day's plan.
PLANNABLE: frozenset[VisitStatus] = frozenset({S.BOOKED, S.PLANNED})
# The technician is on the way or there: a re-plan must keep them where they are.
LOCKED: frozenset[VisitStatus] = frozenset({S.EN_ROUTE, S.ON_SITE})
TERMINAL: frozenset[VisitStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

# The timestamp each status records when it is entered.
TIMESTAMP_OF: dict[VisitStatus, str] = {
    S.EN_ROUTE: "en_route_at",
    S.ON_SITE: "arrived_at",
    S.COMPLETED: "ended_at",
    S.FAILED: "ended_at",
    S.CANCELLED: "cancelled_at",
}


def can_transition(current: VisitStatus, to: VisitStatus) -> bool:
    """True when the lifecycle allows current -> to."""
    return to in TRANSITIONS[current]


def check_transition(current: VisitStatus, to: VisitStatus, *, visit_id: int | None) -> None:
    """Raises InvalidTransition unless the lifecycle allows current -> to."""
    if can_transition(current, to):
        return
    allowed = ", ".join(sorted(TRANSITIONS[current])) or "none, it is final"
    raise InvalidTransition(
        f"visit {visit_id} cannot go from {current} to {to} (allowed: {allowed}).",
        loc=("status",),
    )


def transition(
    *,
    session: Session,
    visit: Visit,
    to: VisitStatus,
    at: datetime,
    failure_reason: FailureReason | None = None,
    note: str | None = None,
) -> Visit:
    """Move the visit to status `to` at time `at`; raises InvalidTransition when not allowed.

    A failed visit needs a failure_reason and opens a follow-up visit; a cancelled one gives
    the request's entitlement back when nothing else is left of the request.
    """
    apply_transition(
        session=session, visit=visit, to=to, at=at, failure_reason=failure_reason, note=note
    )
    session.commit()
    session.refresh(visit)
    return visit


def cancel(*, session: Session, visit: Visit, at: datetime, note: str | None = None) -> Visit:
    """Cancel the visit; the entitlement comes back when the request has nothing else left."""
    return transition(session=session, visit=visit, to=S.CANCELLED, at=at, note=note)


def apply_transition(
    *,
    session: Session,
    visit: Visit,
    to: VisitStatus,
    at: datetime,
    failure_reason: FailureReason | None = None,
    note: str | None = None,
    open_follow_up: bool = True,
) -> None:
    """Step: transition (see transition) without committing. open_follow_up=False leaves a
    failed visit's follow-up to the caller (one waiting for a part opens it when it comes)."""
    at = localtime.require_aware(at, "at")
    check_transition(visit.status, to, visit_id=visit.id)
    _check_ready(visit, to, failure_reason)
    _compare_and_set(session, visit, to)
    if to in TIMESTAMP_OF:
        setattr(visit, TIMESTAMP_OF[to], at)
    if to is S.ON_SITE:
        visit.started_at = at  # service starts on arrival unless start_work says later
    if note is not None:
        visit.note = note
    session.add(visit)
    _apply_effects(session, visit, to, at, failure_reason, open_follow_up)


def set_planned(
    *, session: Session, visit: Visit, technician_id: int, start: datetime, end: datetime
) -> None:
    """Step: a plan gives the visit to a technician from start to end (booked -> planned)."""
    if visit.status not in PLANNABLE:
        check_transition(visit.status, S.PLANNED, visit_id=visit.id)
    if visit.pinned_technician_id not in (None, technician_id):
        raise Conflict(
            f"visit {visit.id} is pinned to technician {visit.pinned_technician_id}.",
            loc=("technician_id",),
        )
    visit.planned_technician_id = technician_id
    crew.clear(session=session, visit=visit)
    visit.planned_start = localtime.require_aware(start, "start")
    visit.planned_end = localtime.require_aware(end, "end")
    session.add(visit)
    if visit.status is S.BOOKED:
        apply_transition(session=session, visit=visit, to=S.PLANNED, at=visit.planned_start)


def start_work(*, session: Session, visit: Visit, at: datetime) -> Visit:
    """Record when work started at the customer (arrival and start can differ)."""
    at = localtime.require_aware(at, "at")
    if visit.status is not S.ON_SITE:
        raise InvalidTransition(
            f"visit {visit.id} is {visit.status}, not on_site.", loc=("status",)
        )
    if visit.arrived_at is not None and at < visit.arrived_at:
        raise InvalidInput("work cannot start before arrival.", loc=("at",))
    visit.started_at = at
    session.add(visit)
    session.commit()
    session.refresh(visit)
    return visit


def _check_ready(visit: Visit, to: VisitStatus, failure_reason: FailureReason | None) -> None:
    """What a status needs before the visit may enter it."""
    if to is S.BOOKED and visit.window_start is None and visit.due_from is None:
        raise InvalidInput(f"visit {visit.id} needs a window to be booked.", loc=("window_start",))
    if to is S.PLANNED and (visit.planned_technician_id is None or visit.planned_start is None):
        raise InvalidInput(f"visit {visit.id} needs a technician and a start.", loc=("status",))
    if to is S.FAILED and failure_reason is None:
        raise InvalidInput("a failed visit needs a failure_reason.", loc=("failure_reason",))
    if to is not S.FAILED and failure_reason is not None:
        raise InvalidInput("only a failed visit has a failure_reason.", loc=("failure_reason",))


def _compare_and_set(session: Session, visit: Visit, to: VisitStatus) -> None:
    """Change the status only if nobody else changed it since we read it (one guarded UPDATE)."""
    result = session.execute(
        update(Visit)
        .where(col(Visit.id) == visit.id, col(Visit.status) == visit.status)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(
            f"visit {visit.id} changed while going from {visit.status} to {to}; reload it.",
            loc=("status",),
        )
    set_committed_value(visit, "status", to)


def _apply_effects(
    session: Session,
    visit: Visit,
    to: VisitStatus,
    at: datetime,
    reason: FailureReason | None,
    open_follow_up: bool,
) -> None:
    """What entering a status does beyond the visit: request KPIs, follow-ups, entitlements."""
    request = visit.request
    if to is S.BOOKED:
        visit.planned_technician_id = visit.planned_start = visit.planned_end = None
        crew.clear(session=session, visit=visit)
        request_service.mark_responded(request=request, at=at)
    elif to is S.COMPLETED:
        request_service.mark_resolved(request=request, at=at)
    elif to is S.FAILED:
        visit.failure_reason = reason
        if open_follow_up:
            session.add(follow_up(visit, at))
    elif to is S.CANCELLED and not _request_has_other_work(session, visit):
        request_service.release(session=session, request=request, at=at)
    session.add(request)


def follow_up(failed: Visit, at: datetime) -> Visit:
    """A new visit for what the failed one left undone, preferring the same technician."""
    return Visit(
        request_id=failed.request_id,
        region_id=failed.region_id,
        lat=failed.lat,
        lon=failed.lon,
        address=failed.address,
        duration_s=failed.duration_s,
        required_skills=list(failed.required_skills),
        priority=failed.priority,
        preferred_technician_id=failed.planned_technician_id,
        follow_up_of_id=failed.id,
        created_at=at,
    )


def _request_has_other_work(session: Session, visit: Visit) -> bool:
    """True when another visit of the request is still to be served, or was completed."""
    query = (
        select(func.count())
        .select_from(Visit)
        .where(
            Visit.request_id == visit.request_id,
            col(Visit.id) != visit.id,
            col(Visit.status).in_([*ACTIVE, S.COMPLETED]),
        )
    )
    return session.exec(query).one() > 0
