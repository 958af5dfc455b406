"""Plan tables and schemas: a plan per region and day, its routes, stops and unassigned visits.

A plan is stored as rows (for queries: a technician's route, where a visit is planned) and as
the optimizer's full JSON (for audit). Reason and solver status codes are the optimizer's
values kept as plain strings, so that only planning/convert.py, travel.py and solving.py know the
optimizer.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter
from pydantic import Field as PydanticField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from dispatch.columns import PydanticJSON, UTCDateTime, enum_type, json_type
from dispatch.config import MAX_TIME_LIMIT_S
from dispatch.localtime import utc_now


class PlanState(StrEnum):
    """draft -> published -> superseded (by the next published plan for the same day)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class TravelSource(StrEnum):
    """Where a plan's drive times came from: the region's OSRM server, or the estimate."""

    OSRM = "osrm"
    GREAT_CIRCLE = "great_circle"


MAX_TRAVEL_NOTE = 500


class PlannedBreak(BaseModel):
    """A break on a route, in UTC."""

    model_config = ConfigDict(frozen=True)

    start_at: AwareDatetime
    end_at: AwareDatetime


PLANNED_BREAKS: TypeAdapter[list[PlannedBreak]] = TypeAdapter(list[PlannedBreak])


class PlanBase(SQLModel):
    region_id: int = Field(foreign_key="region.id")
    day: date
    status: PlanState = Field(default=PlanState.DRAFT, sa_type=enum_type(PlanState, "plan_state"))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    supersedes_id: int | None = Field(default=None, foreign_key="plan.id")
    # Set on a re-plan: the moment it starts from (visits started or done by then stay put).
    replanned_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    solver_status: str = Field(max_length=20)
    objective: int = Field(sa_type=sa.BigInteger)
    wall_s: float = Field(ge=0)
    travel_s: int = Field(ge=0)
    distance_m: int = Field(ge=0, sa_type=sa.BigInteger)
    overtime_s: int = Field(ge=0)
    assigned: int = Field(ge=0)
    unassigned: int = Field(ge=0)
    travel_source: str = Field(
        default=TravelSource.GREAT_CIRCLE, max_length=20, description="osrm or great_circle"
    )
    travel_note: str | None = Field(
        default=None,
        max_length=MAX_TRAVEL_NOTE,
        description="why great-circle estimates stand in for the region's road times",
    )


class Plan(PlanBase, table=True):
    __table_args__ = (
        Index("ix_plan_region_id_day", "region_id", "day"),
        # At most one published plan per region and day: publishing supersedes the last one.
        Index(
            "uq_plan_published_region_id_day",
            "region_id",
            "day",
            unique=True,
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_json: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    routes: list["PlanRoute"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "PlanRoute.technician_id",
        }
    )
    unassigned_visits: list["PlanUnassigned"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "PlanUnassigned.visit_id",
        }
    )


class PlanStopBase(SQLModel):
    visit_id: int = Field(foreign_key="visit.id", index=True)
    technician_id: int = Field(foreign_key="technician.id")
    sequence: int = Field(ge=0, description="0 = first stop of the route")
    arrival_at: datetime = Field(sa_type=UTCDateTime)
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)


class PlanStop(PlanStopBase, table=True):
    __tablename__ = "plan_stop"
    __table_args__ = (
        # A crew visit is a stop on each crew member's route; once per technician and plan.
        UniqueConstraint("plan_id", "visit_id", "technician_id"),
        UniqueConstraint("route_id", "sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # plan_id repeats the route's plan so that "each visit at most once per technician and plan"
    # is a constraint.
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    route_id: int = Field(foreign_key="plan_route.id", ondelete="CASCADE")


class PlanRouteBase(SQLModel):
    technician_id: int = Field(foreign_key="technician.id")
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)
    travel_s: int = Field(ge=0)
    distance_m: int = Field(ge=0)
    overtime_s: int = Field(ge=0)
    breaks: list[PlannedBreak] = Field(default_factory=list, sa_type=PydanticJSON(PLANNED_BREAKS))


class PlanRoute(PlanRouteBase, table=True):
    __tablename__ = "plan_route"
    __table_args__ = (UniqueConstraint("plan_id", "technician_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    stops: list[PlanStop] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "PlanStop.sequence",
        }
    )


class PlanUnassignedBase(SQLModel):
    visit_id: int = Field(foreign_key="visit.id")
    reason: str = Field(max_length=40, description="the optimizer's reason code")
    message: str = Field(max_length=300)


class PlanUnassigned(PlanUnassignedBase, table=True):
    __tablename__ = "plan_unassigned"
    __table_args__ = (UniqueConstraint("plan_id", "visit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")


class PlanStopPublic(PlanStopBase):
    id: int


class PlanRoutePublic(PlanRouteBase):
    id: int
    stops: list[PlanStopPublic]


class PlanUnassignedPublic(PlanUnassignedBase):
    id: int


class PlanPublic(PlanBase):
    id: int
    routes: list[PlanRoutePublic]
    unassigned_visits: list[PlanUnassignedPublic]


class PlansPublic(SQLModel):
    data: list[PlanPublic]
    count: int


class PlanOptions(BaseModel):
    """How to search for a day's plan, built once where a solve starts (API endpoint and its job,
    scheduler, CLI) from the settings and carried unchanged to the optimizer's SolveParams.
    deterministic gives the same plan for the same day; threads are VROOM's, for a first plan;
    seed is PyVRP's (SolveParams)."""

    model_config = ConfigDict(frozen=True)

    time_limit_s: float = PydanticField(default=10.0, gt=0, le=MAX_TIME_LIMIT_S)
    deterministic: bool = False
    threads: int = PydanticField(default=1, ge=1, le=64)
    seed: int = PydanticField(default=0, ge=0)


class PlanFigures(BaseModel):
    """A plan's day in figures; utilisation = service time / available shift time. Work is a
    technician's travel plus service that day (an idle technician on shift works 0 s); its
    spread (max - min) is what a fair plan keeps small."""

    model_config = ConfigDict(frozen=True)

    assigned: int
    unassigned: int
    travel_s: int
    distance_m: int
    overtime_s: int
    service_s: int
    available_s: int
    utilisation: float
    work_min_s: int = 0
    work_avg_s: int = 0
    work_max_s: int = 0
    work_spread_s: int = 0
