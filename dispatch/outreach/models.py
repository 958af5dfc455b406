"""Outbox table: every message once, by idempotency key, with its delivery state and attempts.

A message is rendered when it is queued (subject and body in the customer's language) and
delivered later by dispatch.outreach.delivery: queued -> sending (claimed) -> sent | queued
again after a failed attempt, with backoff | failed after the last attempt. skipped: the
message no longer applies when its turn came (the visit was cancelled).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type, json_type
from dispatch.customer.models import Language
from dispatch.localtime import utc_now

KEY_LENGTH = 160


class MessageKind(StrEnum):
    """What a message is about; each has a template per language (dispatch.outreach.templates)."""

    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    BOOKING_CANCELLED = "booking_cancelled"
    VISIT_REMINDER = "visit_reminder"
    ON_THE_WAY = "on_the_way"
    SURVEY = "survey"
    FOLLOW_UP = "follow_up"
    DISPATCHER_ALERT = "dispatcher_alert"
    SERVICE_DUE = "service_due"
    ENTITLEMENT_EXPIRING = "entitlement_expiring"
    WARRANTY_ENDING = "warranty_ending"
    PART_ARRIVED = "part_arrived"
    VOUCHER_ISSUED = "voucher_issued"
    COMPLAINT_RECEIVED = "complaint_received"
    COMPLAINT_RESOLVED = "complaint_resolved"
    COMPLAINT_SLA_BREACH = "complaint_sla_breach"
    WARRANTY_OUTCOME = "warranty_outcome"
    TRAINING_OFFERED = "training_offered"
    BAY_BOOKED = "bay_booked"
    BAY_MOVED = "bay_moved"
    BAY_CANCELLED = "bay_cancelled"
    BAY_REMINDER = "bay_reminder"


class MessageState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Audience(StrEnum):
    CUSTOMER = "customer"
    DISPATCHER = "dispatcher"


class OutboxMessageBase(SQLModel):
    kind: MessageKind = Field(sa_type=enum_type(MessageKind, "message_kind"))
    idempotency_key: str = Field(max_length=KEY_LENGTH, unique=True, index=True)
    audience: Audience = Field(sa_type=enum_type(Audience, "audience"))
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    region_id: int | None = Field(default=None, foreign_key="region.id")
    language: Language = Field(sa_type=enum_type(Language, "language"))
    recipient_name: str = Field(max_length=120)
    recipient_phone: str | None = Field(default=None, max_length=32)
    recipient_email: str | None = Field(default=None, max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    state: MessageState = Field(
        default=MessageState.QUEUED, sa_type=enum_type(MessageState, "message_state")
    )
    attempts: int = Field(default=0, ge=0)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, description="not sent before this")
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=20, description="the channel that sent")
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OutboxMessage(OutboxMessageBase, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The delivery query: due messages by state and time.
        Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


class OutboxMessagePublic(OutboxMessageBase):
    id: int
    data: dict[str, Any]
