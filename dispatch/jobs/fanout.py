"""Fan-out: one solve job per region, handed to a runner (threads or Celery workers), then
watched through the job rows until every region has ended (`purna plan-all`, the nightly run).

Nothing here knows where the jobs run; a region whose day already has an open job is reported
as refused instead of being planned twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dispatch.config import Settings
from dispatch.db import session_scope
from dispatch.errors import Conflict
from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.jobs.runner import JobRunner, ThreadRunner, build_runner
from dispatch.localtime import utc_now
from dispatch.planning.models import Plan
from dispatch.region.models import Region

POLL_S = 0.5  # how often the job rows are read while waiting
ABANDONED = "the fan-out was interrupted before this region's job ran; start it again."


@dataclass(frozen=True)
class RegionJob:
    """A region's day handed out: its job, or why none was made (a job already open)."""

    region_id: int
    code: str
    day: date
    job_id: int | None
    refused: str | None = None


@dataclass(frozen=True)
class RegionResult:
    """How a region's job ended, with its draft's figures when it succeeded."""

    code: str
    day: date
    job_id: int | None
    status: str  # a JobStatus, or "refused"
    assigned: int | None = None
    unassigned: int | None = None
    travel_s: int | None = None
    overtime_s: int | None = None
    elapsed_s: float | None = None
    plan_id: int | None = None
    error: str | None = None


def local_runner(settings: Settings, engine: Engine) -> JobRunner:
    """A runner for a process that is not the API (a command, the scheduler process): Celery as
    the settings say, else threads that leave other processes' open jobs alone (not started)."""
    if settings.job_runner == "celery":
        return build_runner(settings, engine)
    return ThreadRunner(engine, workers=settings.job_workers, threads=settings.solver_threads)


def regions(*, engine: Engine, codes: Sequence[str] | None = None) -> list[Region]:
    """Every region by code, or the named ones (unknown codes are left out)."""
    with session_scope(engine) as session:
        query = select(Region).order_by(col(Region.code))
        if codes:
            query = query.where(col(Region.code).in_(list(codes)))
        found = list(session.exec(query).all())
        for region in found:
            session.expunge(region)
        return found


def submit(
    *,
    engine: Engine,
    runner: JobRunner,
    days: Sequence[tuple[Region, date]],
    time_limit_s: float,
    created_by_id: int | None = None,
) -> list[RegionJob]:
    """Create a plan job per region and day, then hand them all to the runner."""
    handed: list[RegionJob] = []
    for region, day in days:
        with session_scope(engine) as session:
            try:
                job = job_service.create(
                    session=session,
                    region=region,
                    day=day,
                    kind=JobKind.PLAN,
                    time_limit_s=time_limit_s,
                    created_by_id=created_by_id,
                )
            except Conflict as exc:
                handed.append(RegionJob(region.id or 0, region.code, day, None, exc.msg))
                continue
            handed.append(RegionJob(region.id or 0, region.code, day, job.id))
    for item in handed:  # all created first: a fast runner never sees half the batch
        if item.job_id is not None:
            runner.submit(item.job_id)
    return handed


def finished_as_they_end(
    *,
    engine: Engine,
    handed: Sequence[RegionJob],
    max_s: float,
    poll_s: float = POLL_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[RegionJob]:
    """Each handed-out region once its job has ended (refused ones at once), until all have
    or max_s have passed; one short session per look."""
    waiting = {h.job_id: h for h in handed if h.job_id is not None}
    yield from (h for h in handed if h.job_id is None)
    deadline_s = clock() + max_s
    while waiting:
        with session_scope(engine) as session:
            rows = session.exec(
                select(col(SolveJob.id), col(SolveJob.status)).where(
                    col(SolveJob.id).in_(list(waiting))
                )
            ).all()
        for job_id, status in rows:
            if job_id is not None and status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                yield waiting.pop(job_id)
        if not waiting or clock() >= deadline_s:
            return
        sleep(poll_s)


def results(*, engine: Engine, handed: Sequence[RegionJob]) -> list[RegionResult]:
    """Per region, in the order handed out: the job's end and its draft's figures."""
    out = []
    with session_scope(engine) as session:
        for item in handed:
            if item.job_id is None:
                out.append(RegionResult(item.code, item.day, None, "refused", error=item.refused))
                continue
            job = job_service.get_or_raise(session=session, job_id=item.job_id)
            plan = session.get(Plan, job.plan_id) if job.plan_id is not None else None
            out.append(_result(item, job, plan))
    return out


def _result(item: RegionJob, job: SolveJob, plan: Plan | None) -> RegionResult:
    return RegionResult(
        code=item.code,
        day=item.day,
        job_id=job.id,
        status=str(job.status),
        assigned=plan.assigned if plan else job.assigned,
        unassigned=plan.unassigned if plan else None,
        travel_s=plan.travel_s if plan else None,
        overtime_s=plan.overtime_s if plan else None,
        elapsed_s=job.elapsed_s,
        plan_id=job.plan_id,
        error=job.error,
    )


def abandon(*, engine: Engine, handed: Sequence[RegionJob]) -> int:
    """Fail the handed-out jobs still queued or running (the runner's threads died with this
    process), so that they do not keep their region's day blocked; how many there were."""
    failed = 0
    with session_scope(engine) as session:
        for item in handed:
            if item.job_id is not None:
                at = utc_now()
                failed += job_service.fail(
                    session=session, job_id=item.job_id, reason=ABANDONED, at=at
                )
    return failed


def release(runner: JobRunner) -> None:
    """Let a local_runner go: its threads end (rows untouched), or its broker connections."""
    if isinstance(runner, ThreadRunner):
        runner.close()
    else:
        runner.stop()
