"""The complaint lifecycle: one table of legal transitions and what entering a status records.

open -> acknowledged -> in_progress -> resolved -> closed
open -> in_progress | resolved        (answered by acting at once)
resolved -> reopened -> in_progress | resolved
Leaving open for the first time is the first response; closed is final.
"""

from datetime import datetime

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, update

from dispatch import localtime
from dispatch.complaint.models import Complaint, ComplaintStatus
from dispatch.errors import InvalidInput, InvalidTransition

S = ComplaintStatus

TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.OPEN: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset(),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.RESOLVED}),
}
# Still waiting for a resolution: what the resolution SLA watches.
UNRESOLVED: frozenset[ComplaintStatus] = frozenset(
    {S.OPEN, S.ACKNOWLEDGED, S.IN_PROGRESS, S.REOPENED}
)
# What a customer may do with their own complaint: confirm the fix or say it is not fixed.
CUSTOMER_MAY: frozenset[ComplaintStatus] = frozenset({S.CLOSED, S.REOPENED})


def check_transition(
    current: ComplaintStatus, to: ComplaintStatus, *, complaint_id: int | None
) -> None:
    """Raises InvalidTransition unless the lifecycle allows current -> to."""
    if to in TRANSITIONS[current]:
        return
    allowed = ", ".join(sorted(TRANSITIONS[current])) or "none, it is final"
    raise InvalidTransition(
        f"complaint {complaint_id} cannot go from {current} to {to} (allowed: {allowed}).",
        loc=("body", "status"),
    )


def check_customer_may(to: ComplaintStatus) -> None:
    """Raises InvalidInput unless a customer may move their complaint to `to`."""
    if to not in CUSTOMER_MAY:
        allowed = ", ".join(sorted(CUSTOMER_MAY))
        raise InvalidInput(
            f"a customer may only move a complaint to {allowed}.", loc=("body", "status")
        )


def apply_transition(
    *, session: Session, complaint: Complaint, to: ComplaintStatus, at: datetime, note: str | None
) -> None:
    """Step: move the complaint to `to` at `at`, recording the lifecycle's timestamps."""
    at = localtime.require_aware(at, "at")
    check_transition(complaint.status, to, complaint_id=complaint.id)
    _compare_and_set(session, complaint, to)
    if complaint.first_response_at is None:
        complaint.first_response_at = at  # every move out of open answers the customer
    if to is S.RESOLVED:
        complaint.resolved_at = at
    elif to is S.CLOSED:
        complaint.closed_at = at
    elif to is S.REOPENED:
        complaint.reopened_count += 1
        complaint.resolved_at = None
    if note is not None:
        complaint.note = note
    session.add(complaint)


def _compare_and_set(session: Session, complaint: Complaint, to: ComplaintStatus) -> None:
    """Change the status only if nobody changed it since it was read (one guarded UPDATE)."""
    result = session.execute(
        update(Complaint)
        .where(col(Complaint.id) == complaint.id, col(Complaint.status) == complaint.status)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(
            f"complaint {complaint.id} changed while going from {complaint.status} to {to}; "
            "reload it.",
            loc=("body", "status"),
        )
    set_committed_value(complaint, "status", to)
