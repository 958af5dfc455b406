"""Solve jobs on a real `purna worker` process (JOB_RUNNER=celery) through the local Redis.

Each test starts its own worker on a queue of its own, so parallel test processes never take
each other's jobs. Redis is skipped with a message when unreachable, except with CI=true.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.config import Settings
from dispatch.jobs import fanout
from dispatch.jobs import service as job_service
from dispatch.jobs.celery_app import CeleryRunner
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.jobs.runner import build_runner
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import PlanState
from dispatch.region.models import Region
from tests.dispatch.planning_day import small_day
from tests.factories import DAY

BROKER_URL = os.environ.get("PURNA_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
START_HINT = "start it: redis-server --daemonize yes (Debian package redis-server)"
WORKER_UP_S = 60.0  # the worker's start (imports, broker connection) plus a short solve


@pytest.fixture(scope="module")
def broker_url() -> str:
    """The local Redis, reachable; skipped when it is not (failed under CI=true)."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        msg = f"Redis is not reachable at {BROKER_URL} ({exc}); {START_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    finally:
        client.close()
    return BROKER_URL


@dataclass
class Worker:
    """A running `purna worker` process and the runner that sends it jobs."""

    runner: CeleryRunner
    process: subprocess.Popen[bytes]
    log: Path

    def wait(self, condition: Callable[[], Any], timeout_s: float) -> Any:
        """Poll condition until it holds; fail with the worker's log when it does not in time."""
        deadline_s = time.monotonic() + timeout_s
        while not (result := condition()):
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self._tail()}")
            if time.monotonic() > deadline_s:
                pytest.fail(f"condition not met within {timeout_s} s; worker log:\n{self._tail()}")
            time.sleep(0.1)  # between looks at the job's row
        return result

    def _tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture
def worker(engine: Engine, broker_url: str, tmp_path: Path) -> Iterator[Worker]:
    """`purna worker` on the test's database and a queue of its own; ended at teardown."""
    queue = f"purna-test-{uuid.uuid4().hex[:12]}"
    database_url = engine.url.render_as_string(hide_password=False)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        job_runner="celery",
        broker_url=broker_url,
        job_queue=queue,
    )
    runner = build_runner(settings, engine)
    assert isinstance(runner, CeleryRunner)
    env = os.environ | {
        "DATABASE_URL": database_url,
        "JOB_RUNNER": "celery",
        "BROKER_URL": broker_url,
        "JOB_QUEUE": queue,
    }
    log = tmp_path / "worker.log"
    purna = Path(sys.executable).with_name("purna")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(purna), "worker", "--concurrency", "1"],
            cwd=tmp_path,  # no developer's .env is read
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its pool processes are ended with it
        )
    try:
        yield Worker(runner, process, log)
    finally:
        runner.stop()
        _end(process)
        _forget_queue(broker_url, queue)


def _end(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL to the whole group if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any pool process left behind


def _forget_queue(broker_url: str, queue: str) -> None:
    client = redis.Redis.from_url(broker_url)
    try:
        client.delete(
            queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))
        )
    finally:
        client.close()


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
