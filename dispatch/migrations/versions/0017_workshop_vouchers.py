"""vouchers redeemed at partner workshops, and the training offer message (issue 17)

A voucher may be redeemed on a bay booking (workshop_booking_id), once per booking (unique),
as on a visit. The outbox learns the message kind training_offered (its CHECK constraint is
replaced, as 0012-0014 did).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The outbox's message kinds before this revision (0014's list); training_offered joins them.
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
)


def _message_kinds(kinds: tuple[str, ...]) -> None:
    """The CHECK constraint of outbox_message.kind, allowing these kinds."""
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_message_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_message_kind"), sa.text(f"kind IN ({allowed})")
        )


def upgrade() -> None:
    with op.batch_alter_table("voucher", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workshop_booking_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_voucher_workshop_booking_id_workshop_booking"),
            "workshop_booking",
            ["workshop_booking_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_voucher_workshop_booking_id"), ["workshop_booking_id"]
        )
    _message_kinds(MESSAGE_KINDS + ("training_offered",))


def downgrade() -> None:
    op.execute("DELETE FROM outbox_message WHERE kind = 'training_offered'")
    _message_kinds(MESSAGE_KINDS)
    with op.batch_alter_table("voucher", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_voucher_workshop_booking_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_voucher_workshop_booking_id_workshop_booking"), type_="foreignkey"
        )
        batch_op.drop_column("workshop_booking_id")
