"""a week of planning and two-technician visits (issue 16)

Visits get a crew size and, for a movable visit, a due range of days with the windows of each
day; a kind of visit's policy gets the crew size it needs. visit_crew lists the technicians a
published plan gives a crew visit to. A plan's stop is unique per visit and technician (a crew
visit is a stop on each member's route). A solve job may plan several days (days, plan_ids).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:55:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:  # JSONB on PostgreSQL, as dispatch.columns
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("crew_size", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("due_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("due_windows", _json(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_visit_crew_size_range"), sa.text("crew_size BETWEEN 1 AND 4")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_visit_due_ordered"),
            sa.text("due_until IS NULL OR due_until >= due_from"),
        )
    with op.batch_alter_table("visit_kind_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("crew_size", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "visit_crew",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_visit_crew_technician_id_technician"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_crew_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "technician_id", name=op.f("pk_visit_crew")),
    )
    with op.batch_alter_table("visit_crew", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_crew_technician_id"), ["technician_id"], unique=False
        )
    with op.batch_alter_table("plan_stop", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_plan_stop_plan_id_visit_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_plan_stop_plan_id_visit_id_technician_id"),
            ["plan_id", "visit_id", "technician_id"],
        )
    with op.batch_alter_table("solve_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("days", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("plan_ids", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solve_job", schema=None) as batch_op:
        batch_op.drop_column("plan_ids")
        batch_op.drop_column("days")
    # A crew visit's second stop cannot survive the old constraint: keep the first technician's.
    op.execute(
        "DELETE FROM plan_stop WHERE id NOT IN "
        "(SELECT MIN(id) FROM plan_stop GROUP BY plan_id, visit_id)"
    )
    with op.batch_alter_table("plan_stop", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_plan_stop_plan_id_visit_id_technician_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_plan_stop_plan_id_visit_id"), ["plan_id", "visit_id"]
        )
    with op.batch_alter_table("visit_crew", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_crew_technician_id"))
    op.drop_table("visit_crew")
    with op.batch_alter_table("visit_kind_policy", schema=None) as batch_op:
        batch_op.drop_column("crew_size")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_visit_due_ordered"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_visit_crew_size_range"), type_="check")
        batch_op.drop_column("due_windows")
        batch_op.drop_column("due_until")
        batch_op.drop_column("due_from")
        batch_op.drop_column("crew_size")
