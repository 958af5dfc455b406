"""vouchers redeemed on a paid service at a partner workshop (issue 17)

A voucher may be redeemed on a bay booking (workshop_booking_id), once per booking (unique),
as on a visit.

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


def downgrade() -> None:
    with op.batch_alter_table("voucher", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_voucher_workshop_booking_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_voucher_workshop_booking_id_workshop_booking"), type_="foreignkey"
        )
        batch_op.drop_column("workshop_booking_id")
