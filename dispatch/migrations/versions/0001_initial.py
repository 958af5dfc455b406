"""Initial schema: regions, technicians and shifts, customers, products, assets, entitlements,
service requests, visits, plans and the geocode cache.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "language",
            sa.Enum(
                "id", "en", name="language", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    op.create_index(op.f("ix_customer_phone"), "customer", ["phone"], unique=False)
    op.create_table(
        "geocode_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_cache")),
    )
    op.create_index(op.f("ix_geocode_cache_query"), "geocode_cache", ["query"], unique=True)
    op.create_table(
        "product_model",
        sa.Column(
            "category",
            sa.Enum(
                "ac",
                "washing_machine",
                "refrigerator",
                "spring_bed",
                "television",
                "water_heater",
                "motorcycle",
                "car",
                "other",
                name="product_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("free_installation", sa.Boolean(), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("free_services", sa.Integer(), nullable=False),
        sa.Column("free_oil_changes", sa.Integer(), nullable=False),
        sa.Column("service_interval_days", sa.Integer(), nullable=True),
        sa.Column("installation_valid_days", sa.Integer(), nullable=False),
        sa.Column("entitlement_valid_months", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_model")),
        sa.UniqueConstraint("brand", "name", name=op.f("uq_product_model_brand_name")),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("road_factor", sa.Float(), nullable=False),
        sa.Column("osrm_url", sa.String(length=300), nullable=True),
        sa.Column("auto_publish", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
    )
    op.create_index(op.f("ix_region_code"), "region", ["code"], unique=True)
    op.create_table(
        "asset",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_model_id", sa.Integer(), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_asset_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["product_model_id"],
            ["product_model.id"],
            name=op.f("fk_asset_product_model_id_product_model"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint(
            "product_model_id",
            "serial_number",
            name=op.f("uq_asset_product_model_id_serial_number"),
        ),
    )
    op.create_index(op.f("ix_asset_customer_id"), "asset", ["customer_id"], unique=False)
    op.create_index(op.f("ix_asset_product_model_id"), "asset", ["product_model_id"], unique=False)
    op.create_table(
        "plan",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "superseded",
                name="plan_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("solver_status", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=False),
        sa.Column("wall_s", sa.Float(), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.BigInteger(), nullable=False),
        sa.Column("overtime_s", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("unassigned", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "plan_json", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_plan_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["plan.id"], name=op.f("fk_plan_supersedes_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_index("ix_plan_region_id_day", "plan", ["region_id", "day"], unique=False)
    op.create_index(
        "uq_plan_published_region_id_day",
        "plan",
        ["region_id", "day"],
        unique=True,
        postgresql_where=sa.text("status = 'published'"),
        sqlite_where=sa.text("status = 'published'"),
    )
    op.create_table(
        "technician",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("start_lat", sa.Float(), nullable=False),
        sa.Column("start_lon", sa.Float(), nullable=False),
        sa.Column("start_label", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("max_overtime_s", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_technician_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician")),
    )
    op.create_index(op.f("ix_technician_region_id"), "technician", ["region_id"], unique=False)
    op.create_table(
        "visit_kind_policy",
        sa.Column(
            "kind",
            sa.Enum(
                "installation",
                "periodic_service",
                "repair",
                "inspection",
                "oil_change",
                name="visit_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_model_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_model_id"],
            ["product_model.id"],
            name=op.f("fk_visit_kind_policy_product_model_id_product_model"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_kind_policy")),
        sa.UniqueConstraint(
            "product_model_id", "kind", name=op.f("uq_visit_kind_policy_product_model_id_kind")
        ),
    )
    op.create_index(
        op.f("ix_visit_kind_policy_product_model_id"),
        "visit_kind_policy",
        ["product_model_id"],
        unique=False,
    )
    op.create_table(
        "entitlement",
        sa.Column(
            "kind",
            sa.Enum(
                "free_installation",
                "free_service",
                "free_oil_change",
                name="entitlement_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "used >= 0 AND used <= total", name=op.f("ck_entitlement_used_within_total")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_entitlement_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement")),
        sa.UniqueConstraint("asset_id", "kind", name=op.f("uq_entitlement_asset_id_kind")),
    )
    op.create_index(op.f("ix_entitlement_asset_id"), "entitlement", ["asset_id"], unique=False)
    op.create_table(
        "plan_route",
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("overtime_s", sa.Integer(), nullable=False),
        sa.Column(
            "breaks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_route_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_plan_route_technician_id_technician"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_route")),
        sa.UniqueConstraint(
            "plan_id", "technician_id", name=op.f("uq_plan_route_plan_id_technician_id")
        ),
    )
    op.create_index(op.f("ix_plan_route_plan_id"), "plan_route", ["plan_id"], unique=False)
    op.create_table(
        "shift_exception",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "leave",
                "sick",
                "extra_shift",
                name="exception_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_s", sa.Integer(), nullable=True),
        sa.Column("end_s", sa.Integer(), nullable=True),
        sa.Column(
            "breaks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_shift_exception_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_exception")),
        sa.UniqueConstraint(
            "technician_id", "day", name=op.f("uq_shift_exception_technician_id_day")
        ),
    )
    op.create_index(
        op.f("ix_shift_exception_technician_id"), "shift_exception", ["technician_id"], unique=False
    )
    op.create_table(
        "technician_skill",
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_technician_skill_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", "skill", name=op.f("pk_technician_skill")),
    )
    op.create_index(op.f("ix_technician_skill_skill"), "technician_skill", ["skill"], unique=False)
    op.create_table(
        "weekly_shift",
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column(
            "breaks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_s > start_s", name=op.f("ck_weekly_shift_hours_ordered")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_weekly_shift_weekday_range")),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_weekly_shift_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_shift")),
        sa.UniqueConstraint(
            "technician_id", "weekday", name=op.f("uq_weekly_shift_technician_id_weekday")
        ),
    )
    op.create_index(
        op.f("ix_weekly_shift_technician_id"), "weekly_shift", ["technician_id"], unique=False
    )
    op.create_table(
        "service_request",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "installation",
                "periodic_service",
                "repair",
                "inspection",
                "oil_change",
                name="visit_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "resolved",
                "cancelled",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "coverage",
            sa.Enum(
                "entitlement",
                "warranty",
                "paid",
                name="coverage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("coverage_reason", sa.String(length=300), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=True),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_service_request_priority_range")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_service_request_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_service_request_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlement.id"],
            name=op.f("fk_service_request_entitlement_id_entitlement"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_service_request_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request")),
    )
    op.create_index(
        op.f("ix_service_request_asset_id"), "service_request", ["asset_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_request_created_at"), "service_request", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_service_request_customer_id"), "service_request", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_request_region_id"), "service_request", ["region_id"], unique=False
    )
    op.create_index(op.f("ix_service_request_status"), "service_request", ["status"], unique=False)
    op.create_table(
        "visit",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column(
            "required_skills",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("pinned_technician_id", sa.Integer(), nullable=True),
        sa.Column("preferred_technician_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "booked",
                "planned",
                "en_route",
                "on_site",
                "completed",
                "failed",
                "cancelled",
                name="visit_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("planned_technician_id", sa.Integer(), nullable=True),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("en_route_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "failure_reason",
            sa.Enum(
                "part_missing",
                "customer_absent",
                "needs_second_visit",
                "other",
                name="failure_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("follow_up_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name=op.f("ck_visit_priority_range")),
        sa.CheckConstraint(
            "window_end IS NULL OR window_end > window_start", name=op.f("ck_visit_window_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_of_id"], ["visit.id"], name=op.f("fk_visit_follow_up_of_id_visit")
        ),
        sa.ForeignKeyConstraint(
            ["pinned_technician_id"],
            ["technician.id"],
            name=op.f("fk_visit_pinned_technician_id_technician"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_technician_id"],
            ["technician.id"],
            name=op.f("fk_visit_planned_technician_id_technician"),
        ),
        sa.ForeignKeyConstraint(
            ["preferred_technician_id"],
            ["technician.id"],
            name=op.f("fk_visit_preferred_technician_id_technician"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_visit_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_request.id"], name=op.f("fk_visit_request_id_service_request")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    op.create_index(op.f("ix_visit_follow_up_of_id"), "visit", ["follow_up_of_id"], unique=False)
    op.create_index(
        "ix_visit_planned_technician_id_planned_start",
        "visit",
        ["planned_technician_id", "planned_start"],
        unique=False,
    )
    op.create_index(
        "ix_visit_region_id_window_start", "visit", ["region_id", "window_start"], unique=False
    )
    op.create_index(op.f("ix_visit_request_id"), "visit", ["request_id"], unique=False)
    op.create_index(op.f("ix_visit_status"), "visit", ["status"], unique=False)
    op.create_table(
        "plan_stop",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("arrival_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_stop_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["plan_route.id"],
            name=op.f("fk_plan_stop_route_id_plan_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"], ["technician.id"], name=op.f("fk_plan_stop_technician_id_technician")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_plan_stop_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_stop")),
        sa.UniqueConstraint("plan_id", "visit_id", name=op.f("uq_plan_stop_plan_id_visit_id")),
        sa.UniqueConstraint("route_id", "sequence", name=op.f("uq_plan_stop_route_id_sequence")),
    )
    op.create_index(op.f("ix_plan_stop_plan_id"), "plan_stop", ["plan_id"], unique=False)
    op.create_index(op.f("ix_plan_stop_visit_id"), "plan_stop", ["visit_id"], unique=False)
    op.create_table(
        "plan_unassigned",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_unassigned_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_plan_unassigned_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_unassigned")),
        sa.UniqueConstraint(
            "plan_id", "visit_id", name=op.f("uq_plan_unassigned_plan_id_visit_id")
        ),
    )
    op.create_index(
        op.f("ix_plan_unassigned_plan_id"), "plan_unassigned", ["plan_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_unassigned_plan_id"), table_name="plan_unassigned")
    op.drop_table("plan_unassigned")
    op.drop_index(op.f("ix_plan_stop_visit_id"), table_name="plan_stop")
    op.drop_index(op.f("ix_plan_stop_plan_id"), table_name="plan_stop")
    op.drop_table("plan_stop")
    op.drop_index(op.f("ix_visit_status"), table_name="visit")
    op.drop_index(op.f("ix_visit_request_id"), table_name="visit")
    op.drop_index("ix_visit_region_id_window_start", table_name="visit")
    op.drop_index("ix_visit_planned_technician_id_planned_start", table_name="visit")
    op.drop_index(op.f("ix_visit_follow_up_of_id"), table_name="visit")
    op.drop_table("visit")
    op.drop_index(op.f("ix_service_request_status"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_region_id"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_customer_id"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_created_at"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_asset_id"), table_name="service_request")
    op.drop_table("service_request")
    op.drop_index(op.f("ix_weekly_shift_technician_id"), table_name="weekly_shift")
    op.drop_table("weekly_shift")
    op.drop_index(op.f("ix_technician_skill_skill"), table_name="technician_skill")
    op.drop_table("technician_skill")
    op.drop_index(op.f("ix_shift_exception_technician_id"), table_name="shift_exception")
    op.drop_table("shift_exception")
    op.drop_index(op.f("ix_plan_route_plan_id"), table_name="plan_route")
    op.drop_table("plan_route")
    op.drop_index(op.f("ix_entitlement_asset_id"), table_name="entitlement")
    op.drop_table("entitlement")
    op.drop_index(op.f("ix_visit_kind_policy_product_model_id"), table_name="visit_kind_policy")
    op.drop_table("visit_kind_policy")
    op.drop_index(op.f("ix_technician_region_id"), table_name="technician")
    op.drop_table("technician")
    op.drop_index(
        "uq_plan_published_region_id_day",
        table_name="plan",
        postgresql_where=sa.text("status = 'published'"),
        sqlite_where=sa.text("status = 'published'"),
    )
    op.drop_index("ix_plan_region_id_day", table_name="plan")
    op.drop_table("plan")
    op.drop_index(op.f("ix_asset_product_model_id"), table_name="asset")
    op.drop_index(op.f("ix_asset_customer_id"), table_name="asset")
    op.drop_table("asset")
    op.drop_index(op.f("ix_region_code"), table_name="region")
    op.drop_table("region")
    op.drop_table("product_model")
    op.drop_index(op.f("ix_geocode_cache_query"), table_name="geocode_cache")
    op.drop_table("geocode_cache")
    op.drop_index(op.f("ix_customer_phone"), table_name="customer")
    op.drop_table("customer")
