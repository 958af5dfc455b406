"""plan and solve job travel source: road times from the region's OSRM server, or estimates

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03 11:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        # Plans stored before this revision were all solved on great-circle estimates or OSRM
        # without a record of which; great_circle is the default the settings always had.
        batch_op.add_column(
            sa.Column(
                "travel_source",
                sa.String(length=20),
                nullable=False,
                server_default="great_circle",
            )
        )
        batch_op.add_column(sa.Column("travel_note", sa.String(length=500), nullable=True))
    with op.batch_alter_table("solve_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("travel_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("travel_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solve_job", schema=None) as batch_op:
        batch_op.drop_column("travel_note")
        batch_op.drop_column("travel_source")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("travel_note")
        batch_op.drop_column("travel_source")
