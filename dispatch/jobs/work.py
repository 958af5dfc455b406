"""The body of a solve job: build the day's problem, solve it reporting progress, store a draft.

Three short steps, each with its own session, so that no transaction stays open while the
solver runs (on SQLite an open transaction would hold the write lock all that time). The job
only ever stores a draft: the published plan changes when a dispatcher publishes, never here.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.engine import Engine

from dispatch.db import session_scope
from dispatch.errors import DomainError
from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, SolveJob
from dispatch.localtime import utc_now
from dispatch.planning import service as planning_service
from dispatch.planning import travel as planning_travel
from dispatch.planning import week as week_planning
from dispatch.planning.convert import DayProblem, DaySolution
from dispatch.planning.models import PlanOptions
from dispatch.region import service as region_service
from dispatch.telemetry import logs
from optimizer import Progress

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.5  # the search improves many times a second; the database hears less often
# RowWatch: how often a job in another process writes its heartbeat and looks for its cancel.
HEARTBEAT_EVERY_S = 0.5


class JobStopped(Exception):
    """The job was cancelled (or failed by someone else) while it ran."""


def _never() -> bool:
    return False


def run(
    engine: Engine, job_id: int, *, should_stop: Callable[[], bool] = _never, threads: int = 1
) -> None:
    """Run one queued job to its end: succeeded with a draft plan, failed with a reason, or
    cancelled; a job cancelled before it starts is left as it is. The job's options are its
    time limit (set by the route from the request or SOLVE_TIME_LIMIT_S) and the runner's
    solver threads. Every line it logs carries the job's id, region and day."""
    with logs.bound(job_id=job_id):
        with session_scope(engine) as session:
            job = job_service.claim(
                session=session, job_id=job_id, at=utc_now(), worker=worker_name()
            )
            if job is None:
                return
            session.expunge(job)  # plain values from here on: no session stays open while solving
        run_taken(engine, job, should_stop=should_stop, threads=threads)


def run_taken(
    engine: Engine, job: SolveJob, *, should_stop: Callable[[], bool] = _never, threads: int = 1
) -> None:
    """Run a job this process has claimed or taken over (job: detached, with its attempt); every
    line it logs carries the job's id, region and day."""
    with session_scope(engine) as session:
        region = region_service.get_or_raise(session=session, region_id=job.region_id).code
    with logs.bound(job_id=job.id or 0, region=region, day=job.day.isoformat()):
        _run_logged(engine, job, should_stop, threads)


def _run_logged(
    engine: Engine, job: SolveJob, should_stop: Callable[[], bool], threads: int
) -> None:
    job_id = job.id or 0
    log.info("solve job %d started (attempt %d)", job_id, job.attempts)
    try:
        options = PlanOptions(time_limit_s=job.time_limit_s, threads=threads)
        _run_claimed(engine, job, options, should_stop)
    except JobStopped:
        log.info("solve job %d stopped before it finished", job_id)
    except Exception as exc:  # a job must end failed with its reason, whatever went wrong
        if not isinstance(exc, DomainError):
            log.exception("solve job %d failed", job_id)
        with session_scope(engine) as session:
            job_service.fail(session=session, job_id=job_id, reason=_reason(exc), at=utc_now())


def _run_claimed(
    engine: Engine, job: SolveJob, options: PlanOptions, should_stop: Callable[[], bool]
) -> None:
    started_s = time.perf_counter()
    day_problem = planning_travel.apply(_build(engine, job))  # road times, outside a session
    with session_scope(engine) as session:
        visits = len(day_problem.problem.visits) + len(day_problem.excluded)
        job_service.set_size(
            session=session,
            job_id=job.id or 0,
            visits=visits,
            travel_source=str(day_problem.travel_source),
            travel_note=day_problem.travel_note,
        )
    reporter = _Reporter(engine, job.id or 0, should_stop)
    solution = planning_service.solve_problem(
        day_problem,
        options=options,
        on_progress=reporter,
        should_stop=should_stop,  # a cancel ends the search at once, not at its next report
    )
    if should_stop():
        raise JobStopped()
    _store(engine, job, solution, time.perf_counter() - started_s)


def _build(engine: Engine, job: SolveJob) -> DayProblem:
    with session_scope(engine) as session:
        region = region_service.get_or_raise(session=session, region_id=job.region_id)
        if job.kind is JobKind.REPLAN:
            return planning_service.build_replan_problem(
                session=session,
                region=region,
                day=job.day,
                now=job.replan_from or utc_now(),
            )
        if job.days > 1:
            return week_planning.build_problem(
                session=session, region=region, first=job.day, days=job.days
            )
        return planning_service.build_problem(session=session, region=region, day=job.day)


def _store(engine: Engine, job: SolveJob, solution: DaySolution, elapsed_s: float) -> None:
    """Store the draft and mark the job succeeded in one transaction: a job cancelled meanwhile
    keeps no draft, and no draft is ever seen without its succeeded job."""
    job_id = job.id or 0
    with session_scope(engine) as session:
        if solution.day_problem.days > 1:
            plans = week_planning.add_plans(session=session, solution=solution)
        else:
            plans = [planning_service.add_plan(session=session, solution=solution)]
        plan = plans[0]
        done = job_service.mark_succeeded(
            session=session,
            job_id=job_id,
            plan_id=plan.id or 0,
            elapsed_s=elapsed_s,
            at=utc_now(),
            attempt=job.attempts,  # a worker taken over while it was silent stores nothing
            best_objective=solution.plan.solver.objective,
            assigned=solution.plan.totals.assigned,
            plan_ids=[p.id or 0 for p in plans] if len(plans) > 1 else None,
        )
        if not done:  # cancelled (or failed) meanwhile: the draft goes with the rollback
            raise JobStopped()
        plan_id = plan.id
        session.commit()
    log.info("solve job %d succeeded in %.1f s: draft plan %s", job_id, elapsed_s, plan_id)


class _Reporter:
    """SolveParams.on_progress for a job: writes progress now and then, and stops the search
    (by raising, which the solver passes on after the search) once the job is cancelled."""

    def __init__(self, engine: Engine, job_id: int, should_stop: Callable[[], bool]) -> None:
        self._engine, self._job_id, self._should_stop = engine, job_id, should_stop
        self._written_s = -PROGRESS_EVERY_S

    def __call__(self, progress: Progress) -> None:
        if self._should_stop():
            raise JobStopped()
        now_s = time.perf_counter()
        if now_s - self._written_s < PROGRESS_EVERY_S:
            return
        self._written_s = now_s
        with session_scope(self._engine) as session:
            running = job_service.report_progress(
                session=session,
                job_id=self._job_id,
                best_objective=progress.objective,
                assigned=progress.assigned,
                elapsed_s=progress.elapsed_s,
                at=utc_now(),
            )
        if not running:
            raise JobStopped()


def take(
    engine: Engine,
    job_id: int,
    *,
    lease_s: float,
    max_attempts: int,
    poll_s: float = HEARTBEAT_EVERY_S,
    sleep: Callable[[float], None] = time.sleep,
) -> SolveJob | None:
    """A worker given a job id (perhaps again, after a worker died with it): the job, claimed
    or taken over, detached; None when there is nothing to run. While another live attempt
    holds the job (a message delivered twice), wait for it to end or to fall silent."""
    while True:
        with session_scope(engine) as session:
            outcome, job = job_service.take(
                session=session,
                job_id=job_id,
                at=utc_now(),
                worker=worker_name(),
                lease_s=lease_s,
                max_attempts=max_attempts,
            )
            if outcome is job_service.Take.TAKEN and job is not None:
                session.expunge(job)
                return job
        if outcome is not job_service.Take.HELD:
            log.info("solve job %d: %s, nothing to run", job_id, outcome)
            return None
        sleep(poll_s)


def worker_name() -> str:
    """host:pid of this process, as the job row records who runs it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RowWatch:
    """should_stop for a job run away from the API (a Celery worker): a thread writes the
    attempt's heartbeat every poll_s and says stop once the job is no longer this attempt's
    to run (cancelled, or taken over by another worker after this one fell silent)."""

    def __init__(
        self, engine: Engine, job_id: int, attempt: int, *, poll_s: float = HEARTBEAT_EVERY_S
    ) -> None:
        self._engine, self._job_id, self._attempt, self._poll_s = engine, job_id, attempt, poll_s
        self._stop, self._done = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._poll, name=f"job-{job_id}-watch", daemon=True)

    def __enter__(self) -> Callable[[], bool]:
        self._thread.start()
        return self._stop.is_set

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._done.wait(self._poll_s):
            try:
                with session_scope(self._engine) as session:
                    alive = job_service.heartbeat(
                        session=session, job_id=self._job_id, attempt=self._attempt, at=utc_now()
                    )
            except Exception:  # a database hiccup: the next beat may get through
                log.warning(
                    "solve job %d: could not write its heartbeat", self._job_id, exc_info=True
                )
                continue
            if not alive:
                self._stop.set()
                return


def _reason(exc: Exception) -> str:
    """A sentence for the dispatcher: the domain error's message, else the exception's."""
    text = exc.msg if isinstance(exc, DomainError) else str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
