"""bay booking messages: booked, moved, cancelled and the day-before reminder

The outbox learns four message kinds about bay bookings at partner workshops (its CHECK
constraint is replaced, as 0012-0017 did). No table changes: a bay message names its booking
and slot in the message's data.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The outbox's message kinds before this revision (0017's list); the bay kinds join them.
MESSAGE_KINDS = (
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "visit_reminder",
    "on_the_way",
    "survey",
    "follow_up",
    "dispatcher_alert",
    "service_due",
    "entitlement_expiring",
    "warranty_ending",
    "complaint_received",
    "complaint_resolved",
    "complaint_sla_breach",
    "warranty_outcome",
    "part_arrived",
    "voucher_issued",
    "training_offered",
)
BAY_KINDS = ("bay_booked", "bay_moved", "bay_cancelled", "bay_reminder")


def _message_kinds(kinds: tuple[str, ...]) -> None:
    """The CHECK constraint of outbox_message.kind, allowing these kinds."""
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_message_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_message_kind"), sa.text(f"kind IN ({allowed})")
        )


def upgrade() -> None:
    _message_kinds(MESSAGE_KINDS + BAY_KINDS)


def downgrade() -> None:
    allowed = ", ".join(f"'{k}'" for k in BAY_KINDS)
    op.execute(f"DELETE FROM outbox_message WHERE kind IN ({allowed})")
    _message_kinds(MESSAGE_KINDS)
