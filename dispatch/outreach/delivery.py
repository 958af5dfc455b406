"""Deliver due outbox messages through a channel: claim, send outside any transaction, record.

A flow, not a service: it commits after the claim and after each message, so that a slow or
hanging channel never holds a database lock, and a crash loses at most the message in hand
(it is claimed again once its lease runs out).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from dispatch.config import Settings
from dispatch.outreach import bay, outbox
from dispatch.outreach.channels import Channel, DeliveryError, Envelope
from dispatch.outreach.models import MessageKind, MessageState, OutboxMessage
from dispatch.outreach.outbox import RetryPolicy
from dispatch.visit.models import Visit, VisitStatus

log = logging.getLogger("purna.outbox")

# Messages about a coming visit that must not go out once the visit is cancelled.
VOID_WHEN_CANCELLED = frozenset(
    {
        MessageKind.BOOKING_CONFIRMED,
        MessageKind.BOOKING_RESCHEDULED,
        MessageKind.VISIT_REMINDER,
        MessageKind.ON_THE_WAY,
    }
)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


def policy_from(settings: Settings) -> RetryPolicy:
    """The retry policy the settings describe."""
    return RetryPolicy(
        max_attempts=settings.outbox_max_attempts,
        base_s=settings.outbox_backoff_base_s,
        max_s=settings.outbox_backoff_max_s,
        lease_s=settings.outbox_lease_s,
    )


def deliver_due(
    *, session: Session, channel: Channel, now: datetime, policy: RetryPolicy, limit: int = 50
) -> DeliveryReport:
    """Send every message due at `now` (up to limit) once; failures are retried with backoff."""
    counts = {state: 0 for state in MessageState}
    for message in outbox.claim_due(session=session, now=now, policy=policy, limit=limit):
        counts[_deliver_one(session, channel, message, now, policy)] += 1
    return DeliveryReport(
        sent=counts[MessageState.SENT],
        retried=counts[MessageState.QUEUED],
        failed=counts[MessageState.FAILED],
        skipped=counts[MessageState.SKIPPED],
    )


def _deliver_one(
    session: Session, channel: Channel, message: OutboxMessage, now: datetime, policy: RetryPolicy
) -> MessageState:
    why_void = _void_reason(session, message)
    if why_void is not None:
        outbox.mark_skipped(session=session, message=message, why=why_void)
        return MessageState.SKIPPED
    session.rollback()  # no transaction stays open while the channel talks to the network
    try:
        channel.send(envelope_of(message))
    except DeliveryError as exc:
        state = outbox.mark_attempt_failed(
            session=session,
            message=message,
            error=str(exc),
            now=now,
            policy=policy,
            permanent=exc.permanent,
        )
        log.warning("message %s attempt %d: %s", message.id, message.attempts, exc)
        return state
    outbox.mark_sent(session=session, message=message, channel=channel.name, now=now)
    return MessageState.SENT


def _void_reason(session: Session, message: OutboxMessage) -> str | None:
    """Why the message no longer applies, or None."""
    if message.kind in bay.ABOUT_A_SLOT:
        return bay.void_reason(session, message)
    if message.kind not in VOID_WHEN_CANCELLED or message.visit_id is None:
        return None
    visit = session.get(Visit, message.visit_id)
    if visit is not None and visit.status is VisitStatus.CANCELLED:
        return f"visit {visit.id} was cancelled before the message went out."
    return None


def envelope_of(message: OutboxMessage) -> Envelope:
    """The channel's view of an outbox row."""
    return Envelope(
        message_id=message.id or 0,
        idempotency_key=message.idempotency_key,
        kind=str(message.kind),
        audience=str(message.audience),
        language=str(message.language),
        recipient_name=message.recipient_name,
        recipient_phone=message.recipient_phone,
        recipient_email=message.recipient_email,
        subject=message.subject,
        body=message.body,
        created_at=message.created_at,
        data=dict(message.data),
    )
