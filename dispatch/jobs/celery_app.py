"""Solve jobs on Celery workers (JOB_RUNNER=celery): the app, its one task, and the CeleryRunner.

The broker only carries job ids; the job's state, progress, cancel and plan stay in the
solve_job table, so there is no result backend. A worker (`purna worker`) runs the same job
body as the thread runner and sees a cancel through the job's row (work.RowWatch).

A worker may die mid-job (SIGKILL, out of memory): the message is acknowledged only once the
job has ended, so it comes back (at once when a pool process dies, after the visibility
timeout when the whole worker does) and the next worker takes the job over from its row as
a new attempt (work.take); the draft and the job's success are one transaction, so a dead
attempt leaves nothing half-written, and a job whose workers keep dying ends failed.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import redis
from celery import Celery
from kombu.exceptions import OperationalError
from sqlalchemy.engine import Engine

from dispatch import db
from dispatch.config import Settings
from dispatch.jobs import service as job_service
from dispatch.jobs import work
from dispatch.localtime import utc_now

log = logging.getLogger(__name__)

RUN_JOB = "purna.run_solve_job"  # the task's name on the wire: stable across module moves


def make_app(settings: Settings) -> Any:
    """A Celery app on settings.broker_url that sends and takes solve jobs on settings.job_queue;
    a message is acknowledged only once its job has ended, one at a time per worker process."""
    app = Celery("purna", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.job_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a pool process killed mid-job: the job goes back
        worker_prefetch_multiplier=1,
        broker_transport_options=transport_options(settings),
        task_ignore_result=True,  # no result backend: the job row is the result
        broker_connection_retry_on_startup=True,
    )
    engines = _ProcessEngine(settings)

    def run_solve_job(job_id: int) -> None:
        """Run one solve job in this worker process until it ends or its row says stop; a job
        delivered again after its worker died is taken over, or failed after too many tries."""
        engine = engines.get()
        job = work.take(
            engine, job_id, lease_s=settings.job_lease_s, max_attempts=settings.job_max_attempts
        )
        if job is None:
            return
        with work.RowWatch(engine, job_id, job.attempts) as should_stop:
            work.run_taken(engine, job, should_stop=should_stop, threads=settings.solver_threads)

    app.task(name=RUN_JOB, ignore_result=True)(run_solve_job)
    return app


def transport_options(settings: Settings) -> dict[str, Any]:
    """Redis: a message taken by a worker that died (no ack) goes back to the queue after the
    visibility timeout, looked for twice per timeout; the bookkeeping keys are the queue's own,
    so another deployment's (or test's) timeout on the same Redis never touches these jobs.
    RabbitMQ ignores these: it requeues a dead consumer's messages when its connection drops."""
    timeout_s = settings.job_visibility_timeout_s
    queue = settings.job_queue
    return {
        "visibility_timeout": timeout_s,
        "unacked_restore_interval": max(1, min(60, timeout_s // 2)),
        "unacked_restore_throttle": 1,
        "unacked_key": f"{queue}.unacked",
        "unacked_index_key": f"{queue}.unacked_index",
        "unacked_mutex_key": f"{queue}.unacked_mutex",
    }


class _ProcessEngine:
    """One engine per worker process, made in the process that uses it (never across a fork)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._engine: Engine | None = None
        self._pid = 0

    def get(self) -> Engine:
        """This process's engine, made on first use."""
        if self._engine is None or self._pid != os.getpid():
            self._engine = db.make_engine(self._settings)
            self._pid = os.getpid()
        return self._engine


class CeleryRunner:
    """The JobRunner of JOB_RUNNER=celery: submit puts the job id on the broker for any worker;
    cancel needs nothing more, since the worker watches the row the API has marked cancelled."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._app = make_app(settings)
        self._queue = settings.job_queue
        self._engine = engine  # only to fail a job the broker would not take

    def start(self) -> None:
        """Nothing to start: the workers are other processes, and open jobs are theirs."""

    def submit(self, job_id: int) -> None:
        """Enqueue the job for the next free worker; with the broker down, the job ends failed
        with that reason rather than staying queued (and blocking its region and day)."""
        try:
            self._app.send_task(RUN_JOB, args=[job_id], queue=self._queue)
        except OperationalError as exc:
            log.error("solve job %d could not be sent to the broker: %s", job_id, exc)
            with db.session_scope(self._engine) as session:
                reason = f"the job could not be queued, the broker is unreachable: {exc}"
                job_service.fail(session=session, job_id=job_id, reason=reason, at=utc_now())
            return
        log.info("solve job %d sent to queue %s", job_id, self._queue)

    def cancel(self, job_id: int) -> None:
        """Nothing to send: the job's worker reads the cancelled row within HEARTBEAT_EVERY_S."""

    def stop(self) -> None:
        """Release the broker connections of this process."""
        self._app.close()


def forget_queue(settings: Settings) -> None:
    """Drop a queue no longer used (a test's, a benchmark's) from Redis: its messages, its
    bindings and the bookkeeping of its unacknowledged messages (other brokers: nothing)."""
    if not settings.broker_url.startswith(("redis://", "rediss://")):
        return
    queue = settings.job_queue
    keys = [queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))]
    options = transport_options(settings)
    keys += [options[k] for k in ("unacked_key", "unacked_index_key", "unacked_mutex_key")]
    client = redis.Redis.from_url(settings.broker_url)
    try:
        client.delete(*keys)
    finally:
        client.close()
