"""A `purna worker` killed (SIGKILL) in the middle of a job, on Redis and PostgreSQL (the
production shape): the job is finished once by another worker, and a job whose workers keep
dying ends failed after JOB_MAX_ATTEMPTS. Short timeouts make the recovery take seconds."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import Plan
from dispatch.region.models import Region
from tests.dispatch.celery_workers import WORKER_UP_S, Worker, Workers
from tests.dispatch.planning_day import small_day
from tests.factories import DAY

# Redis gives a dead worker's job back after 2 s; the next worker takes it once the dead one's
# heartbeat is older than the time limit + 1 s; a third lost worker fails it.
FAST_RECOVERY = {"job_visibility_timeout_s": "2", "job_lease_s": "1", "job_max_attempts": "2"}
TIME_LIMIT_S = 3.0
RECOVERY_S = 30.0  # visibility timeout + lease + time limit, with room for a busy machine

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


def _job(engine: Engine) -> tuple[int, int]:
    """A small day's region and a queued plan job for it: their ids."""
    with Session(engine) as session:
        region = small_day(session).region
        job = job_service.create(
            session=session, region=region, day=DAY, kind=JobKind.PLAN, time_limit_s=TIME_LIMIT_S
        )
        return region.id or 0, job.id or 0


def _plans(engine: Engine, region_id: int) -> list[Plan]:
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        plans = planning_service.list_for_day(session=session, region=region, day=DAY)
        assert all(solving.check_stored(plan) == [] for plan in plans)
        return plans


def _row(engine: Engine, job_id: int) -> SolveJob:
    with Session(engine) as session:
        job = job_service.get_or_raise(session=session, job_id=job_id)
        session.expunge(job)
        return job


def _running(engine: Engine, job_id: int, attempt: int) -> int | None:
    """The pid running the job's attempt, once that attempt has begun."""
    job = _row(engine, job_id)
    if job.status is not JobStatus.RUNNING or job.attempts != attempt or job.worker is None:
        return None
    return int(job.worker.rsplit(":", 1)[1])


def _ended(engine: Engine, job_id: int) -> SolveJob | None:
    job = _row(engine, job_id)
    return job if job.finished else None


def test_a_worker_killed_mid_job_leaves_it_to_another_that_plans_it_once(
    engine: Engine, broker_url: str, tmp_path: Path
) -> None:
    """Two workers; the one running the job is killed with its pool: the other takes the job
    over as attempt 2 and stores one valid draft; the dead attempt left nothing behind."""
    with Workers(engine, broker_url, tmp_path, **FAST_RECOVERY) as workers:
        first, second = workers.start(), workers.start()
        region_id, job_id = _job(engine)
        first.runner.submit(job_id)
        pid = first.wait(lambda: _running(engine, job_id, attempt=1), WORKER_UP_S)
        (doomed,) = [w for w in (first, second) if w.owns(pid)]
        survivor: Worker = second if doomed is first else first
        os.killpg(doomed.process.pid, signal.SIGKILL)  # the worker and its pool, mid-solve
        done: SolveJob = survivor.wait(lambda: _ended(engine, job_id), RECOVERY_S)
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert done.attempts == 2
        assert survivor.owns(int((done.worker or "").rsplit(":", 1)[1]))
    assert [(p.id, p.assigned) for p in _plans(engine, region_id)] == [(done.plan_id, 4)]


def test_a_job_that_keeps_killing_its_worker_ends_failed_after_the_last_try(
    engine: Engine, broker_url: str, tmp_path: Path
) -> None:
    """The pool process running the job dies at each attempt (as if the job brought it down):
    Celery puts the job back each time, and after two lost workers the job ends failed with
    the reason and without a draft."""
    with Workers(engine, broker_url, tmp_path, **FAST_RECOVERY) as workers:
        worker = workers.start()
        region_id, job_id = _job(engine)
        worker.runner.submit(job_id)
        for attempt in (1, 2):
            pid = worker.wait(lambda a=attempt: _running(engine, job_id, a), WORKER_UP_S)
            assert worker.owns(pid) and pid != worker.process.pid
            os.kill(pid, signal.SIGKILL)
        done: SolveJob = worker.wait(lambda: _ended(engine, job_id), RECOVERY_S)
    assert (done.status, done.attempts, done.plan_id) == (JobStatus.FAILED, 2, None)
    assert "worker was lost 2 time(s)" in (done.error or "")
    assert _plans(engine, region_id) == []
