"""Where solve jobs run: the JobRunner interface and the thread runner of the embedded shape.

The API only calls submit and cancel; the job's state is in the solve_job table, so the Celery
runner (dispatch/jobs/celery_app.py, JOB_RUNNER=celery) takes the thread runner's place without
the routes noticing.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import Engine

from dispatch.config import Settings
from dispatch.db import session_scope
from dispatch.jobs import service as job_service
from dispatch.jobs import work
from dispatch.localtime import utc_now

log = logging.getLogger(__name__)

# The job body: run job_id on engine, polling should_stop to give up early.
Work = Callable[..., None]
INTERRUPTED = "the server stopped before the job finished; start it again."


class JobRunner(Protocol):
    """Runs queued solve jobs somewhere; the job row says how each one goes."""

    def start(self) -> None:
        """Get ready to run jobs (at application start)."""

    def submit(self, job_id: int) -> None:
        """Run this queued job soon."""

    def cancel(self, job_id: int) -> None:
        """Ask a running job to stop early (its row is already marked cancelled)."""

    def stop(self) -> None:
        """Stop taking jobs (at application shutdown)."""


class ThreadRunner:
    """Jobs in worker threads of the API process (the embedded shape), each with its own session.

    Workers are daemon threads: a cancelled search stops within a fraction of a second, but
    VROOM's first plan cannot be interrupted (up to 70% of the time limit) and the process must
    be able to exit before it ends; the job is marked failed at stop() (and at the next start()
    if the process died), since its state lives in the table, not in the thread. This assumes
    one API process per database, as the embedded shape has: start() and stop() fail every open
    job of the database.
    """

    def __init__(
        self, engine: Engine, *, workers: int = 1, threads: int = 1, body: Work = work.run
    ) -> None:
        self._engine = engine
        self._threads_per_solve = threads  # SOLVER_THREADS: VROOM's, for a day's first plan
        self._workers = workers
        self._body = body
        self._queue: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stops: dict[int, threading.Event] = {}
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Fail the jobs a dead process left open, then accept jobs."""
        with session_scope(self._engine) as session:
            left = job_service.fail_interrupted(session=session, at=utc_now(), reason=INTERRUPTED)
        if left:
            log.warning("marked %d solve jobs of a previous run failed", left)
        self._ensure_workers()

    def submit(self, job_id: int) -> None:
        """Queue the job for a worker thread."""
        with self._lock:
            self._stops[job_id] = threading.Event()
        self._ensure_workers()
        self._queue.put(job_id)

    def cancel(self, job_id: int) -> None:
        """Signal the job's thread; its search stops within a fraction of a second (after
        VROOM's first plan, which cannot be interrupted)."""
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()

    def stop(self) -> None:
        """Signal every job, take no new ones, and mark what is still open failed."""
        self.close()
        with session_scope(self._engine) as session:
            job_service.fail_interrupted(session=session, at=utc_now(), reason=INTERRUPTED)

    def close(self) -> None:
        """Signal every job and end the worker threads, leaving the job rows as they are (a
        runner of a command or the scheduler, beside an API process that owns other jobs)."""
        self._stopping.set()
        with self._lock:
            for event in self._stops.values():
                event.set()
        for _ in self._threads:
            self._queue.put(0)  # wakes a worker, which sees _stopping and ends

    def active(self) -> set[int]:
        """The jobs submitted here whose thread has not finished them yet."""
        with self._lock:
            return set(self._stops)

    def _ensure_workers(self) -> None:
        with self._lock:
            while len(self._threads) < self._workers and not self._stopping.is_set():
                name = f"solve-job-{len(self._threads)}"
                thread = threading.Thread(target=self._work, name=name, daemon=True)
                self._threads.append(thread)
                thread.start()

    def _work(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if self._stopping.is_set():
                return
            self._run(job_id)

    def _run(self, job_id: int) -> None:
        with self._lock:
            stop = self._stops.get(job_id) or threading.Event()
        try:
            threads = self._threads_per_solve
            self._body(self._engine, job_id, should_stop=stop.is_set, threads=threads)
        except Exception:  # the body records failures itself; this is the last resort
            log.exception("solve job %d crashed outside its body", job_id)
        finally:
            with self._lock:
                self._stops.pop(job_id, None)


def build_runner(settings: Settings, engine: Engine) -> JobRunner:
    """The runner the settings ask for (JOB_RUNNER)."""
    if settings.job_runner == "thread":
        return ThreadRunner(engine, workers=settings.job_workers, threads=settings.solver_threads)
    from dispatch.jobs.celery_app import CeleryRunner  # Celery is imported only when used

    return CeleryRunner(settings, engine)
