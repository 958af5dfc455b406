"""Solve jobs on a real `purna worker` process (JOB_RUNNER=celery) through the local Redis.

Each test starts its own worker on a queue of its own, so parallel test processes never take
each other's jobs. Redis is skipped with a message when unreachable, except with CI=true.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.jobs import fanout
from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import PlanState
from dispatch.region.models import Region
from tests.dispatch.celery_workers import WORKER_UP_S, Worker, Workers
from tests.dispatch.planning_day import small_day
from tests.factories import DAY


@pytest.fixture
def worker(engine: Engine, broker_url: str, tmp_path: Path) -> Iterator[Worker]:
    """`purna worker` on the test's database and a queue of its own; ended at teardown."""
    with Workers(engine, broker_url, tmp_path) as workers:
        yield workers.start()


def _job(engine: Engine, region_id: int, time_limit_s: float) -> int:
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        job = job_service.create(
            session=session, region=region, day=DAY, kind=JobKind.PLAN, time_limit_s=time_limit_s
        )
        return job.id or 0


def _finished(engine: Engine, job_id: int) -> SolveJob | None:
    with Session(engine) as session:
        job = job_service.get_or_raise(session=session, job_id=job_id)
        return job if job.finished else None


def _searching(engine: Engine, job_id: int) -> bool:
    """True once the job runs and has reported a first plan (its search has begun)."""
    with Session(engine) as session:
        job = job_service.get_or_raise(session=session, job_id=job_id)
        return job.status is JobStatus.RUNNING and job.best_objective is not None


def _region(engine: Engine) -> int:
    with Session(engine) as session:
        return small_day(session).region.id or 0


def test_celery_worker_runs_a_job_to_a_valid_stored_draft(engine: Engine, worker: Worker) -> None:
    """A job sent through the Celery runner is run by the worker process to succeeded; its
    draft routes the day's four visits and passes the validator."""
    job_id = _job(engine, _region(engine), time_limit_s=1.0)
    worker.runner.submit(job_id)
    done: SolveJob = worker.wait(lambda: _finished(engine, job_id), WORKER_UP_S)
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert (done.assigned, done.visits, done.error) == (4, 4, None)
    with Session(engine) as session:
        plan = planning_service.get_or_raise(session=session, plan_id=done.plan_id or 0)
        assert (plan.status, plan.assigned) == (PlanState.DRAFT, 4)
        assert solving.check_stored(plan) == []


def test_celery_worker_sees_a_cancel_within_seconds(engine: Engine, worker: Worker) -> None:
    """A job given a minute is cancelled as the API does (the row only) once its search runs:
    the worker drops it within seconds, which the next job on its one slot shows by succeeding
    soon; the cancelled job keeps no draft."""
    region_id = _region(engine)
    long_id = _job(engine, region_id, time_limit_s=60.0)
    worker.runner.submit(long_id)
    worker.wait(lambda: _searching(engine, long_id), WORKER_UP_S)
    with Session(engine) as session:  # as DELETE /v1/solve-jobs/{job_id} does
        job = job_service.get_or_raise(session=session, job_id=long_id)
        job_service.cancel(session=session, job=job)
    worker.runner.cancel(long_id)
    next_id = _job(engine, region_id, time_limit_s=1.0)
    worker.runner.submit(next_id)  # concurrency 1: it runs only once the cancelled job is dropped
    cancelled_at = time.monotonic()
    done: SolveJob = worker.wait(lambda: _finished(engine, next_id), timeout_s=10.0)
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert time.monotonic() - cancelled_at < 10.0
    cancelled = _finished(engine, long_id)
    assert cancelled is not None
    assert (cancelled.status, cancelled.plan_id) == (JobStatus.CANCELLED, None)
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        plans = planning_service.list_for_day(session=session, region=region, day=DAY)
    assert [p.id for p in plans] == [done.plan_id]


def test_fanout_on_the_celery_worker_plans_each_region(engine: Engine, worker: Worker) -> None:
    """plan-all's fan-out with JOB_RUNNER=celery: a job per region goes through the broker to
    the worker, and each region ends with a valid draft."""
    with Session(engine) as session:
        codes = [small_day(session).region.code for _ in range(2)]
    regions = fanout.regions(engine=engine, codes=codes)
    days = [(region, DAY) for region in regions]
    handed = fanout.submit(engine=engine, runner=worker.runner, days=days, time_limit_s=1.0)
    worker.wait(lambda: all(_finished(engine, h.job_id or 0) for h in handed), WORKER_UP_S)
    ended = list(fanout.finished_as_they_end(engine=engine, handed=handed, max_s=0))
    assert sorted(h.code for h in ended) == sorted(codes)
    results = fanout.results(engine=engine, handed=handed)
    assert [(r.status, r.assigned) for r in results] == [("succeeded", 4)] * 2
    with Session(engine) as session:
        for region in regions:
            (plan,) = planning_service.list_for_day(session=session, region=region, day=DAY)
            assert solving.check_stored(plan) == []
