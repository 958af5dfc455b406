"""after-sales (issue 17): complaints with SLA targets, repairs linked to their complaint,
warranty outcomes, replacement policy of products, retired assets, new message kinds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "late_visit",
    "late_delivery",
    "workmanship",
    "product_defect",
    "technician_conduct",
    "billing",
    "other",
)
STATUSES = ("open", "acknowledged", "in_progress", "resolved", "closed", "reopened")
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
)
VISIT_KINDS = ("installation", "periodic_service", "repair", "inspection", "oil_change")
NEW_VISIT_KINDS = ("training", "delivery")
NEW_MESSAGE_KINDS = (
    "complaint_received",
    "complaint_resolved",
    "complaint_sla_breach",
    "warranty_outcome",
)


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _message_kinds(kinds: Sequence[str]) -> None:
    """Replace the CHECK constraint of outbox_message.kind with one listing these kinds."""
    name = "ck_outbox_message_message_kind"
    listed = ", ".join(f"'{k}'" for k in kinds)
    # SQLite cannot alter a constraint: its table is copied (batch mode); PostgreSQL alters.
    recreate: Literal["always", "auto"] = (
        "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    )
    with op.batch_alter_table("outbox_message", schema=None, recreate=recreate) as batch_op:
        batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.create_check_constraint(op.f(name), f"kind IN ({listed})")


def _visit_kinds(kinds: Sequence[str]) -> None:
    """Replace the CHECK constraints of the visit kinds of requests and product policies."""
    listed = ", ".join(f"'{k}'" for k in kinds)
    recreate: Literal["always", "auto"] = (
        "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    )
    for table in ("service_request", "visit_kind_policy"):
        name = f"ck_{table}_visit_kind"
        with op.batch_alter_table(table, schema=None, recreate=recreate) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
            batch_op.create_check_constraint(op.f(name), f"kind IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "complaint_sla",
        sa.Column("response_hours", sa.Integer(), nullable=False),
        sa.Column("resolution_days", sa.Integer(), nullable=False),
        sa.Column("category", _enum(CATEGORIES, "complaint_category"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_complaint_sla")),
    )
    op.create_table(
        "complaint",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("category", _enum(CATEGORIES, "complaint_category"), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum(STATUSES, "complaint_status"), nullable=False),
        sa.Column("filed_by", _enum(("customer", "staff", "system"), "filed_by"), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_complaint_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_complaint_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_complaint_filed_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["app_user.id"], name=op.f("fk_complaint_owner_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_complaint_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_complaint_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        for column in (
            "asset_id",
            "visit_id",
            "customer_id",
            "region_id",
            "status",
            "owner_user_id",
            "created_at",
            "resolution_due_at",
        ):
            batch_op.create_index(batch_op.f(f"ix_complaint_{column}"), [column], unique=False)

    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complaint_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_service_request_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_service_request_complaint_id_complaint"),
            "complaint",
            ["complaint_id"],
            ["id"],
        )

    with op.batch_alter_table("product_model", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replacement_days", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "replacement_warranty",
                _enum(("transfer", "renew"), "replacement_warranty"),
                nullable=False,
                server_default="transfer",
            )
        )
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("training_completed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "warranty_outcome",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            _enum(("repair_again", "replace", "refund"), "warranty_decision"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("refund_amount", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column(
            "grounds", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "evidence", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("repair_request_id", sa.Integer(), nullable=True),
        sa.Column("replacement_asset_id", sa.Integer(), nullable=True),
        sa.Column("installation_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_warranty_outcome_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_warranty_outcome_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_warranty_outcome_decided_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["installation_request_id"],
            ["service_request.id"],
            name=op.f("fk_warranty_outcome_installation_request_id_service_request"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_warranty_outcome_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["repair_request_id"],
            ["service_request.id"],
            name=op.f("fk_warranty_outcome_repair_request_id_service_request"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_asset_id"],
            ["asset.id"],
            name=op.f("fk_warranty_outcome_replacement_asset_id_asset"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_outcome")),
    )
    with op.batch_alter_table("warranty_outcome", schema=None) as batch_op:
        for column in ("asset_id", "customer_id", "region_id", "decided_at"):
            batch_op.create_index(
                batch_op.f(f"ix_warranty_outcome_{column}"), [column], unique=False
            )

    _message_kinds((*MESSAGE_KINDS, *NEW_MESSAGE_KINDS))
    _visit_kinds((*VISIT_KINDS, *NEW_VISIT_KINDS))


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM outbox_message WHERE kind IN ('" + "', '".join(NEW_MESSAGE_KINDS) + "')"
        )
    )
    _message_kinds(MESSAGE_KINDS)
    op.execute(sa.text("DELETE FROM visit_kind_policy WHERE kind IN ('training', 'delivery')"))
    _visit_kinds(VISIT_KINDS)
    op.drop_table("warranty_outcome")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_column("training_completed_at")
        batch_op.drop_column("retired_on")
    with op.batch_alter_table("product_model", schema=None) as batch_op:
        batch_op.drop_column("replacement_warranty")
        batch_op.drop_column("replacement_days")
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_service_request_complaint_id_complaint"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_service_request_complaint_id"))
        batch_op.drop_column("complaint_id")
    op.drop_table("complaint")
    op.drop_table("complaint_sla")
