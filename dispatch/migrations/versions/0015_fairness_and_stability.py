"""region plan settings: fair workload weight and the prices of plan stability (issue 16)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 15:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("region", schema=None) as batch_op:
        # The defaults keep the plans of existing regions as they were: no fair-workload cost,
        # half an hour of driving per reassigned visit (the constant used before), starts free.
        batch_op.add_column(
            sa.Column("fairness_weight", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("reassign_cost_s", sa.Integer(), nullable=False, server_default="1800")
        )
        batch_op.add_column(
            sa.Column("start_move_cost", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_column("start_move_cost")
        batch_op.drop_column("reassign_cost_s")
        batch_op.drop_column("fairness_weight")
