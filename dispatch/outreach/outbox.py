"""The outbox itself: queue a message once per idempotency key, claim due ones, record results.

Nothing is sent twice: a message is queued with INSERT ... ON CONFLICT DO NOTHING on its key
(so a hook and a sweep, or a job run twice after a restart, queue it once), and a deliverer
claims it with a guarded UPDATE (state queued -> sending) before it sends; a second deliverer's
UPDATE then matches no row. On PostgreSQL the candidates are read FOR UPDATE SKIP LOCKED, so
concurrent deliverers take different messages instead of waiting for each other.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from dispatch import localtime
from dispatch.customer.models import Language
from dispatch.outreach.models import (
    Audience,
    MessageKind,
    MessageState,
    OutboxMessage,
)

ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Draft:
    """A rendered message ready to queue."""

    kind: MessageKind
    idempotency_key: str
    audience: Audience
    language: Language
    recipient_name: str
    subject: str
    body: str
    next_attempt_at: datetime
    recipient_phone: str | None = None
    recipient_email: str | None = None
    visit_id: int | None = None
    customer_id: int | None = None
    region_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a message is tried: base_s, 2 x base_s, ... up to max_s."""

    max_attempts: int = 5
    base_s: int = 60
    max_s: int = 3600
    lease_s: int = 300

    def backoff_s(self, attempts: int) -> int:
        """The wait after the attempts-th failed attempt (1 -> base_s, 2 -> 2 x base_s, ...)."""
        doublings: int = max(0, attempts - 1)
        return min(self.max_s, self.base_s * (1 << doublings))


def enqueue(*, session: Session, draft: Draft) -> bool:
    """Step: queue the draft unless a message with its key exists; True when it was queued."""
    values = asdict(draft) | {"state": MessageState.QUEUED, "attempts": 0}
    values["created_at"] = localtime.utc_now()
    values["next_attempt_at"] = localtime.require_aware(draft.next_attempt_at)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(OutboxMessage.id))  # the ORM's rowcount is -1 here; a row says inserted
    )
    return session.execute(statement).first() is not None


def exists(*, session: Session, idempotency_key: str) -> bool:
    """True when a message with this key was queued (whatever became of it)."""
    query = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key)
    return session.exec(query).first() is not None


def keys_for_visits(
    *, session: Session, visit_ids: list[int], kinds: list[MessageKind]
) -> set[tuple[int, str]]:
    """(visit_id, idempotency_key) of the messages of these kinds queued for these visits."""
    if not visit_ids:
        return set()
    query = select(OutboxMessage.visit_id, OutboxMessage.idempotency_key).where(
        col(OutboxMessage.visit_id).in_(visit_ids), col(OutboxMessage.kind).in_(kinds)
    )
    return {(v or 0, k) for v, k in session.exec(query).all()}


def state_counts(*, session: Session) -> Counter[tuple[str, str]]:
    """How many messages there are of each (kind, state)."""
    query = select(OutboxMessage.kind, OutboxMessage.state, func.count()).group_by(
        col(OutboxMessage.kind), col(OutboxMessage.state)
    )
    return Counter({(str(kind), str(state)): n for kind, state, n in session.exec(query).all()})


def claim_due(
    *, session: Session, now: datetime, policy: RetryPolicy, limit: int
) -> list[OutboxMessage]:
    """Claim up to limit due messages for this deliverer (queued -> sending) and commit.

    A message left in sending longer than the lease belongs to a deliverer that crashed
    mid-send; it is claimed again (a receiver drops the repeat by its Idempotency-Key).
    """
    due = _due_condition(now, policy)
    candidates = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = [i for i in session.exec(candidates).all() if _claim(session, i, due, now)]
    session.commit()
    if not claimed:
        return []
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(claimed))
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        session.expunge(row)  # detached snapshots: reading them never reopens a transaction
    session.rollback()  # end the read: nothing may hold a lock while a channel sends
    return list(rows)


def _claim(session: Session, message_id: int | None, due: Any, now: datetime) -> bool:
    """queued -> sending, only if the message is still due: False when another deliverer won."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, due)
        .values(
            state=MessageState.SENDING, claimed_at=now, attempts=col(OutboxMessage.attempts) + 1
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _due_condition(now: datetime, policy: RetryPolicy) -> Any:
    stale = now - timedelta(seconds=policy.lease_s)
    return or_(
        (col(OutboxMessage.state) == MessageState.QUEUED)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.state) == MessageState.SENDING)
        & (col(OutboxMessage.claimed_at) < stale),
    )


def mark_sent(*, session: Session, message: OutboxMessage, channel: str, now: datetime) -> None:
    """Record that the claimed message went out."""
    _finish(session, message, state=MessageState.SENT, sent_at=now, channel=channel)


def mark_skipped(*, session: Session, message: OutboxMessage, why: str) -> None:
    """Record that the claimed message no longer applies and was not sent."""
    _finish(session, message, state=MessageState.SKIPPED, last_error=why[:ERROR_LENGTH])


def mark_attempt_failed(
    *,
    session: Session,
    message: OutboxMessage,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    permanent: bool = False,
) -> MessageState:
    """Queue the claimed message again after a backoff, or fail it after its last attempt."""
    if permanent or message.attempts >= policy.max_attempts:
        _finish(session, message, state=MessageState.FAILED, last_error=error[:ERROR_LENGTH])
        return MessageState.FAILED
    retry_at = now + timedelta(seconds=policy.backoff_s(message.attempts))
    _finish(
        session,
        message,
        state=MessageState.QUEUED,
        next_attempt_at=retry_at,
        claimed_at=None,
        last_error=error[:ERROR_LENGTH],
    )
    return MessageState.QUEUED


def _finish(session: Session, message: OutboxMessage, **values: Any) -> None:
    """Update the message only while it is still this deliverer's claim (same attempt)."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.state) == MessageState.SENDING,
            col(OutboxMessage.attempts) == message.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
