"""Solve job services: create, look up, cancel, and the guarded state changes a runner makes.

Every state change is one guarded UPDATE (... WHERE status IN (...)), so that a runner and a
dispatcher cancelling at the same moment cannot both win: a cancelled job is never marked
succeeded, and a finished job is never cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from dispatch.db import integrity_as_conflict, session_scope
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.jobs.models import (
    MAX_DAYS,
    MAX_ERROR_LENGTH,
    MAX_WORKER_LENGTH,
    OPEN_STATUSES,
    JobKind,
    JobStatus,
    SolveJob,
    SolveJobPublic,
)
from dispatch.localtime import require_aware, utc_now
from dispatch.planning.models import MAX_TRAVEL_NOTE
from dispatch.region.models import Region


def get(*, session: Session, job_id: int) -> SolveJob | None:
    """The job with this id, or None."""
    return session.get(SolveJob, job_id)


def get_or_raise(*, session: Session, job_id: int) -> SolveJob:
    """The job with this id; raises NotFound."""
    job = session.get(SolveJob, job_id)
    if job is None:
        raise NotFound(f"solve job {job_id} does not exist.", loc=("job_id",))
    return job


def list_for_day(*, session: Session, region_id: int, day: date) -> list[SolveJob]:
    """The region's jobs for day, newest first."""
    query = (
        select(SolveJob)
        .where(SolveJob.region_id == region_id, SolveJob.day == day)
        .order_by(col(SolveJob.id).desc())
    )
    return list(session.exec(query).all())


def open_job(*, session: Session, region_id: int, day: date, days: int = 1) -> SolveJob | None:
    """The queued or running job of the region that plans one of the days from day on (a job
    over several days covers each of them), or None."""
    last = day + timedelta(days=days - 1)
    query = select(SolveJob).where(
        SolveJob.region_id == region_id,
        col(SolveJob.day) <= last,
        col(SolveJob.day) > day - timedelta(days=MAX_DAYS),
        col(SolveJob.status).in_(list(OPEN_STATUSES)),
    )
    jobs = session.exec(query.order_by(col(SolveJob.day))).all()
    return next((j for j in jobs if j.day + timedelta(days=j.days - 1) >= day), None)


def create(
    *,
    session: Session,
    region: Region,
    day: date,
    kind: JobKind,
    time_limit_s: float,
    replan_from: datetime | None = None,
    created_by_id: int | None = None,
    days: int = 1,
) -> SolveJob:
    """A queued job over `days` days from day; raises Conflict while another job of the region
    covering one of them is open, InvalidInput for a re-plan over several days."""
    if kind is JobKind.REPLAN and days != 1:
        raise InvalidInput(
            "a re-plan from now covers its day only; plan the days after it with a plan job "
            "(days > 1) once it is done.",
            loc=("body", "days"),
        )
    running = open_job(session=session, region_id=region.id or 0, day=day, days=days)
    if running is not None:
        msg = f"solve job {running.id} is still {running.status} for {region.code} on {running.day}"
        msg += "." if running.days == 1 else f" (+{running.days - 1} days)."
        raise Conflict(msg, loc=("day",))
    job = SolveJob(
        region_id=region.id or 0,
        day=day,
        days=days,
        kind=kind,
        time_limit_s=time_limit_s,
        replan_from=require_aware(replan_from, "now") if replan_from is not None else None,
        created_by_id=created_by_id,
    )
    session.add(job)
    with integrity_as_conflict(session, f"a solve job is already open for {region.code} on {day}."):
        session.commit()  # the partial unique index catches a second POST racing this one
    session.refresh(job)
    return job


def cancel(*, session: Session, job: SolveJob, at: datetime | None = None) -> SolveJob:
    """Stop a queued or running job; raises Conflict when it has already finished."""
    at = at or utc_now()
    changed = _set(session, job.id or 0, OPEN_STATUSES, status=JobStatus.CANCELLED, finished_at=at)
    session.commit()
    session.refresh(job)
    if not changed:
        raise Conflict(f"solve job {job.id} has already ended: {job.status}.", loc=("status",))
    return job


def claim(
    *, session: Session, job_id: int, at: datetime, worker: str | None = None
) -> SolveJob | None:
    """Runner: queued -> running as attempt 1; None when the job was cancelled (or taken) first."""
    claimed = _set(session, job_id, {JobStatus.QUEUED}, **_started(at, worker))
    session.commit()
    return session.get(SolveJob, job_id) if claimed else None


class Take(StrEnum):
    """What a worker given a job id finds: take it, leave it (ended), wait (another live
    attempt holds it), or it has used up its attempts and has just been failed."""

    TAKEN = "taken"
    ENDED = "ended"
    HELD = "held"
    EXHAUSTED = "exhausted"


def take(
    *, session: Session, job_id: int, at: datetime, worker: str, lease_s: float, max_attempts: int
) -> tuple[Take, SolveJob | None]:
    """Worker: claim a queued job, or take over a running one whose worker has gone silent
    (no heartbeat for its time limit + lease_s: VROOM's first phase holds the GIL, so even a
    live worker can be silent that long); after max_attempts lost workers, fail it instead."""
    job = session.exec(
        select(SolveJob).where(SolveJob.id == job_id).execution_options(populate_existing=True)
    ).first()
    if job is None or job.finished:
        return Take.ENDED, None
    if job.status is JobStatus.QUEUED:
        claimed = claim(session=session, job_id=job_id, at=at, worker=worker)
        return (Take.TAKEN, claimed) if claimed else (Take.HELD, None)
    last = job.heartbeat_at or job.started_at or at
    if (at - last).total_seconds() <= job.time_limit_s + lease_s:
        return Take.HELD, None
    if job.attempts >= max_attempts:
        reason = (
            f"the job's worker was lost {job.attempts} time(s) while it ran (killed, or out of"
            " memory); it is not tried again."
        )
        fail(session=session, job_id=job_id, reason=reason, at=at)
        return Take.EXHAUSTED, None
    taken = _set(session, job_id, {JobStatus.RUNNING}, attempt=job.attempts, **_started(at, worker))
    session.commit()
    return (Take.TAKEN, session.get(SolveJob, job_id)) if taken else (Take.HELD, None)


def heartbeat(*, session: Session, job_id: int, attempt: int, at: datetime) -> bool:
    """Worker: this attempt is alive; False once the job is no longer its own (cancelled,
    ended, or taken over by another worker)."""
    alive = _set(session, job_id, {JobStatus.RUNNING}, attempt=attempt, heartbeat_at=at)
    session.commit()
    return alive


def _started(at: datetime, worker: str | None) -> dict[str, Any]:
    return {
        "status": JobStatus.RUNNING,
        "attempts": col(SolveJob.attempts) + 1,
        "started_at": at,
        "updated_at": at,
        "heartbeat_at": at,
        "worker": worker[:MAX_WORKER_LENGTH] if worker else None,
    }


def report_progress(
    *,
    session: Session,
    job_id: int,
    best_objective: int,
    assigned: int,
    elapsed_s: float,
    at: datetime,
) -> bool:
    """Runner: record the search's best so far; False when the job is no longer running."""
    still_running = _set(
        session,
        job_id,
        {JobStatus.RUNNING},
        best_objective=best_objective,
        assigned=assigned,
        elapsed_s=elapsed_s,
        updated_at=at,
    )
    session.commit()
    return still_running


def set_size(
    *,
    session: Session,
    job_id: int,
    visits: int,
    travel_source: str | None = None,
    travel_note: str | None = None,
) -> None:
    """Runner: how many visits the solve plans (for "assigned n of m"), and on which travel
    (the note says why great-circle estimates stand in for road times)."""
    note = None if travel_note is None else travel_note[:MAX_TRAVEL_NOTE]
    _set(
        session,
        job_id,
        {JobStatus.RUNNING},
        visits=visits,
        travel_source=travel_source,
        travel_note=note,
    )
    session.commit()


def mark_succeeded(
    *,
    session: Session,
    job_id: int,
    plan_id: int,
    elapsed_s: float,
    at: datetime,
    attempt: int | None = None,
    **figures: Any,
) -> bool:
    """Step, without committing: running -> succeeded with its plan; False when the job was
    cancelled (or failed, or taken over from this attempt) first, and the caller should then
    drop the plan it stored."""
    return _set(
        session,
        job_id,
        {JobStatus.RUNNING},
        attempt=attempt,
        status=JobStatus.SUCCEEDED,
        plan_id=plan_id,
        elapsed_s=elapsed_s,
        updated_at=at,
        finished_at=at,
        **figures,
    )


def fail(*, session: Session, job_id: int, reason: str, at: datetime) -> bool:
    """Runner: an open job -> failed with the reason; False when it had already finished."""
    failed = _set(
        session,
        job_id,
        OPEN_STATUSES,
        status=JobStatus.FAILED,
        error=_clip(reason),
        updated_at=at,
        finished_at=at,
    )
    session.commit()
    return failed


def fail_interrupted(*, session: Session, at: datetime, reason: str) -> int:
    """Mark every open job failed (its process is gone); returns how many there were."""
    result = session.execute(
        update(SolveJob)
        .where(col(SolveJob.status).in_(list(OPEN_STATUSES)))
        .values(status=JobStatus.FAILED, error=_clip(reason), updated_at=at, finished_at=at)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def watch(
    *,
    engine: Engine,
    job_id: int,
    max_s: float,
    poll_s: float = 0.25,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[SolveJobPublic]:
    """The job each time it changes, until it has finished or max_s have passed.

    Each look is a short session of its own, so that watching holds no lock between looks.
    """
    deadline_s, last = clock() + max_s, None
    while True:
        with session_scope(engine) as session:
            job = SolveJobPublic.model_validate(
                get_or_raise(session=session, job_id=job_id), from_attributes=True
            )
        seen = (
            job.status,
            job.updated_at,
            job.best_objective,
            job.assigned,
            job.visits,
            job.travel_source,
        )
        if seen != last:
            last = seen
            yield job
        if job.status not in OPEN_STATUSES or clock() >= deadline_s:
            return
        sleep(poll_s)


def _set(
    session: Session,
    job_id: int,
    when: Collection[JobStatus],
    *,
    attempt: int | None = None,
    **values: Any,
) -> bool:
    """One guarded UPDATE: change the job only while its status is one of `when` (and, given
    an attempt, while that attempt is still the job's latest)."""
    query = update(SolveJob).where(col(SolveJob.id) == job_id, col(SolveJob.status).in_(list(when)))
    if attempt is not None:
        query = query.where(col(SolveJob.attempts) == attempt)
    result = session.execute(query.values(**values).execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _clip(reason: str) -> str:
    reason = reason.strip() or "the solve failed without a message."
    return reason if len(reason) <= MAX_ERROR_LENGTH else reason[: MAX_ERROR_LENGTH - 1] + "…"
