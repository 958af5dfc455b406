"""Solve job table and schemas: what to solve, how far the search is, and how it ended.

The job's state lives here, not in the runner, so that any process can report on a job and
the Celery runner's workers can take the thread runner's place behind the same interface.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import AwareDatetime
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime, enum_type, json_type
from dispatch.config import MAX_TIME_LIMIT_S
from dispatch.localtime import utc_now
from dispatch.planning.models import MAX_TRAVEL_NOTE, PlanPublic


class JobKind(StrEnum):
    """plan: the whole day from scratch; replan: from a moment on, keeping what has started."""

    PLAN = "plan"
    REPLAN = "replan"


class JobStatus(StrEnum):
    """queued -> running -> succeeded | failed | cancelled (queued may be cancelled directly)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
MAX_DAYS = 14  # the longest horizon one solve job plans
MAX_ERROR_LENGTH = 1000
MAX_WORKER_LENGTH = 200  # host:pid of the process running the job


class SolveJobBase(SQLModel):
    region_id: int = Field(foreign_key="region.id")
    day: date
    kind: JobKind = Field(sa_type=enum_type(JobKind, "job_kind"))
    time_limit_s: float = Field(gt=0, le=MAX_TIME_LIMIT_S)
    replan_from: AwareDatetime | None = Field(
        default=None, sa_type=UTCDateTime, description="re-plan: the moment to plan from"
    )
    days: int = Field(
        default=1,
        ge=1,
        le=MAX_DAYS,
        sa_column_kwargs={"server_default": "1"},
        description="how many days from `day` the job plans together (one draft per day)",
    )


class SolveJob(SolveJobBase, table=True):
    __tablename__ = "solve_job"
    __table_args__ = (
        Index("ix_solve_job_region_id_day", "region_id", "day"),
        # One open job per region and day: a second solve would race the first to the draft.
        Index(
            "uq_solve_job_open_region_id_day",
            "region_id",
            "day",
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'running')"),
            sqlite_where=sa.text("status IN ('queued', 'running')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: JobStatus = Field(
        default=JobStatus.QUEUED, sa_type=enum_type(JobStatus, "job_status"), index=True
    )
    best_objective: int | None = Field(default=None, sa_type=sa.BigInteger)
    assigned: int | None = Field(default=None, ge=0)
    visits: int | None = Field(default=None, ge=0, description="visits the solve plans")
    elapsed_s: float | None = Field(default=None, ge=0)
    error: str | None = Field(default=None, max_length=MAX_ERROR_LENGTH)
    travel_source: str | None = Field(default=None, max_length=20)
    travel_note: str | None = Field(default=None, max_length=MAX_TRAVEL_NOTE)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    # A job over several days stores one draft per day: their ids, first day first.
    plan_ids: list[int] | None = Field(default=None, sa_type=json_type())
    # Each start of the job counts: a worker killed mid-job leaves it running with a heartbeat
    # that stops, and the next worker takes it as attempt n+1 (dispatch.jobs.service.take).
    attempts: int = Field(default=0, ge=0, sa_column_kwargs={"server_default": "0"})
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    worker: str | None = Field(default=None, max_length=MAX_WORKER_LENGTH)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def finished(self) -> bool:
        """True once the job can change no more."""
        return self.status not in OPEN_STATUSES


class SolveRequest(SQLModel):
    """The body of POST .../plans: how long to search (the deployment's default when absent);
    days > 1 plans the path's day and the days after it together, movable visits free to
    move between them (each day gets its own draft). With days = 1 the other days' plans stay
    as they are, and so do the movable visits they route."""

    time_limit_s: float | None = Field(default=None, gt=0, le=MAX_TIME_LIMIT_S)
    days: int = Field(default=1, ge=1, le=MAX_DAYS)


class ReplanRequest(SolveRequest):
    """The body of POST .../replans: the moment to re-plan from (now when absent)."""

    now: AwareDatetime | None = None


class SolveJobPublic(SolveJobBase):
    id: int
    status: JobStatus
    best_objective: int | None
    assigned: int | None
    visits: int | None
    elapsed_s: float | None
    error: str | None
    travel_source: str | None = Field(description="osrm or great_circle, once the day is built")
    travel_note: str | None = Field(
        description="why great-circle estimates stand in for the region's road times"
    )
    plan_id: int | None
    plan_ids: list[int] | None = Field(description="a job over several days: each day's draft")
    attempts: int = Field(description="how many times a runner has started the job")
    worker: str | None = Field(description="host:pid of the process running it last")
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    finished_at: datetime | None


class SolveJobWithPlan(SolveJobPublic):
    """A job with its draft plan once it has succeeded (the first day's, for several days)."""

    plan: PlanPublic | None = None


class SolveJobsPublic(SQLModel):
    data: list[SolveJobPublic]
    count: int
