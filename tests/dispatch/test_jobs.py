"""Solve jobs: guarded state changes, the thread runner from queued to a stored draft, failures
that keep the published plan, and the watch that feeds the event stream."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.config import Settings
from dispatch.errors import Conflict, InvalidInput
from dispatch.jobs import service as job_service
from dispatch.jobs import work
from dispatch.jobs.celery_app import CeleryRunner
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.jobs.runner import INTERRUPTED, ThreadRunner, build_runner
from dispatch.localtime import utc_now
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import PlanState
from dispatch.region.models import Region
from tests.dispatch.planning_day import FAST, small_day
from tests.factories import DAY, make_region


def _job(session: Session, region: Region, **overrides: Any) -> SolveJob:
    values: dict[str, Any] = {"kind": JobKind.PLAN, "time_limit_s": 1.0} | overrides
    return job_service.create(session=session, region=region, day=DAY, **values)


def _wait(condition: Callable[[], Any], timeout_s: float = 30.0) -> Any:
    deadline_s = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline_s:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(0.05)  # between polls of the condition
    return result


def test_job_create_while_one_is_open_conflicts(session: Session) -> None:
    """A second job for the same region and day is refused while the first is open, and
    accepted once it has ended."""
    region = make_region(session)
    first = _job(session, region)
    with pytest.raises(Conflict, match=f"solve job {first.id} is still queued"):
        _job(session, region)
    job_service.cancel(session=session, job=first)
    assert _job(session, region).status is JobStatus.QUEUED


def test_job_cancel_is_refused_once_finished(session: Session) -> None:
    """A failed job cannot be cancelled; its status and reason stay."""
    job = _job(session, make_region(session))
    assert job_service.fail(session=session, job_id=job.id or 0, reason="boom", at=utc_now())
    with pytest.raises(Conflict, match="has already ended: failed"):
        job_service.cancel(session=session, job=job)
    session.refresh(job)
    assert (job.status, job.error) == (JobStatus.FAILED, "boom")


def test_job_claim_after_cancel_gets_nothing(session: Session) -> None:
    """A job cancelled while queued is never claimed by a runner."""
    job = _job(session, make_region(session))
    job_service.cancel(session=session, job=job)
    assert job_service.claim(session=session, job_id=job.id or 0, at=utc_now()) is None


def test_job_progress_and_success_refused_after_cancel(session: Session) -> None:
    """Once cancelled, a running job's progress and success are not recorded."""
    job = _job(session, make_region(session))
    claimed = job_service.claim(session=session, job_id=job.id or 0, at=utc_now())
    assert claimed is not None and claimed.status is JobStatus.RUNNING
    assert job_service.report_progress(
        session=session, job_id=job.id or 0, best_objective=9, assigned=1, elapsed_s=0.1,
        at=utc_now(),
    )  # fmt: skip
    job_service.cancel(session=session, job=claimed)
    assert not job_service.report_progress(
        session=session, job_id=job.id or 0, best_objective=5, assigned=2, elapsed_s=0.2,
        at=utc_now(),
    )  # fmt: skip
    session.refresh(claimed)
    assert (claimed.status, claimed.best_objective, claimed.assigned) == (
        JobStatus.CANCELLED,
        9,
        1,
    )


def test_thread_runner_start_fails_jobs_left_open_by_a_previous_process(engine: Engine) -> None:
    """A job still queued when the runner starts belongs to a dead process: it ends failed."""
    with Session(engine) as session:
        job = _job(session, make_region(session))
    runner = ThreadRunner(engine)
    runner.start()
    runner.stop()
    done = _finished(engine, job.id or 0)
    assert done is not None
    assert (done.status, done.error) == (JobStatus.FAILED, INTERRUPTED)


def test_build_runner_gives_each_job_the_solver_threads_setting(engine: Engine) -> None:
    """SOLVER_THREADS=2 reaches a solve job: the runner the settings build passes two threads
    to the job body, with the job's own id."""
    seen: list[tuple[int, int]] = []

    def body(_: Engine, job_id: int, *, should_stop: Callable[[], bool], threads: int) -> None:
        seen.append((job_id, threads))

    runner = build_runner(Settings(solver_threads=2), engine)
    assert isinstance(runner, ThreadRunner)
    runner._body = body  # the real body solves a day; this one only records what it is given
    runner.submit(7)
    _wait(lambda: seen)
    runner.stop()
    assert seen == [(7, 2)]


def test_celery_runner_with_the_broker_down_fails_the_job_with_the_reason(
    engine: Engine,
) -> None:
    """JOB_RUNNER=celery builds the Celery runner without reaching the broker; a job it cannot
    send ends failed with why, so it does not block its region and day as a queued job."""
    settings = Settings(job_runner="celery", broker_url="redis://127.0.0.1:1/0")  # nothing there
    runner = build_runner(settings, engine)
    assert isinstance(runner, CeleryRunner)
    with Session(engine) as session:
        job = _job(session, make_region(session))
    try:
        runner.submit(job.id or 0)
    finally:
        runner.stop()
    done = _finished(engine, job.id or 0)
    assert done is not None and done.status is JobStatus.FAILED
    assert (done.error or "").startswith("the job could not be queued, the broker is unreachable")


def test_row_watch_says_stop_once_the_row_is_cancelled(engine: Engine) -> None:
    """The should_stop of a job in another process: False while the job runs, True soon after
    the row is cancelled by someone else."""
    with Session(engine) as session:
        job = _job(session, make_region(session))
        job_id = job.id or 0
        assert job_service.claim(session=session, job_id=job_id, at=utc_now()) is not None
    with work.RowWatch(engine, job_id, 1, poll_s=0.05) as should_stop:
        time.sleep(0.2)  # several looks at the running job's row
        assert not should_stop()
        with Session(engine) as session:
            job_service.cancel(
                session=session, job=job_service.get_or_raise(session=session, job_id=job_id)
            )
        _wait(should_stop, timeout_s=5.0)


def test_fail_interrupted_marks_every_open_job_failed(session: Session) -> None:
    """Open jobs of a dead process are failed with the reason; finished ones are left alone."""
    open_job = _job(session, make_region(session))
    done = _job(session, make_region(session))
    job_service.cancel(session=session, job=done)
    assert job_service.fail_interrupted(session=session, at=utc_now(), reason="restart") == 1
    session.refresh(open_job)
    session.refresh(done)
    assert (open_job.status, open_job.error) == (JobStatus.FAILED, "restart")
    assert done.status is JobStatus.CANCELLED


def test_thread_runner_runs_a_job_to_a_valid_stored_draft(engine: Engine) -> None:
    """A submitted job runs in a worker thread to succeeded; its draft routes the day's four
    visits and passes the validator."""
    runner = ThreadRunner(engine)
    runner.start()  # before the job: start() fails what a previous process left open
    with Session(engine) as session:
        day = small_day(session)
        job = _job(session, day.region)
    try:
        runner.submit(job.id or 0)
        done = _wait(lambda: _finished(engine, job.id or 0))
    finally:
        runner.stop()
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert (done.assigned, done.visits, done.error) == (4, 4, None)
    with Session(engine) as session:
        plan = planning_service.get_or_raise(session=session, plan_id=done.plan_id or 0)
        assert (plan.status, plan.assigned) == (PlanState.DRAFT, 4)
        assert solving.check_stored(plan) == []


def test_thread_runner_failing_build_fails_the_job_keeping_the_published_plan(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job whose problem cannot be built ends failed with the domain error's message, and the
    day's published plan is still the one published."""
    with Session(engine) as session:
        day = small_day(session)
        published = planning_service.plan_day(
            session=session, region=day.region, day=DAY, options=FAST
        )
        planning_service.publish(session=session, plan=published)
        job = _job(session, day.region)
        region_id, published_id = day.region.id, published.id

    def broken(**_: Any) -> Any:
        raise InvalidInput("visit 7 has no promised window.", loc=("visit_id",))

    monkeypatch.setattr(planning_service, "build_problem", broken)
    runner = ThreadRunner(engine)
    try:
        runner.submit(job.id or 0)
        done = _wait(lambda: _finished(engine, job.id or 0))
    finally:
        runner.stop()
    assert (done.status, done.error) == (
        JobStatus.FAILED,
        "InvalidInput: visit 7 has no promised window.",
    )
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        plans = planning_service.list_for_day(session=session, region=region, day=DAY)
    assert [(p.id, p.status) for p in plans] == [(published_id, PlanState.PUBLISHED)]


def test_job_failing_as_it_succeeds_leaves_no_draft(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft and the job's success are one transaction: when marking success fails, the
    job ends failed and no draft plan was stored for the day."""
    with Session(engine) as session:
        day = small_day(session)
        job = _job(session, day.region)
        region_id = day.region.id

    def broken(**_: Any) -> bool:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(job_service, "mark_succeeded", broken)
    work.run(engine, job.id or 0)
    done = _finished(engine, job.id or 0)
    assert done is not None
    assert (done.status, done.error) == (JobStatus.FAILED, "RuntimeError: the database went away")
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        assert planning_service.list_for_day(session=session, region=region, day=DAY) == []


def test_thread_runner_cancel_stops_the_search_at_once(engine: Engine) -> None:
    """A job given a minute is cancelled once its search has reported a plan: its worker is
    done within seconds, though on a day this small no better plan comes to notice the cancel
    at; the job stays cancelled and no draft is stored."""
    runner = ThreadRunner(engine)
    runner.start()
    with Session(engine) as session:
        day = small_day(session)
        job = _job(session, day.region, time_limit_s=60.0)
        region_id, job_id = day.region.id, job.id or 0
    try:
        runner.submit(job_id)
        _wait(lambda: _searching(engine, job_id))
        with Session(engine) as session:  # as DELETE /v1/solve-jobs/{job_id} does
            job = job_service.get_or_raise(session=session, job_id=job_id)
            job_service.cancel(session=session, job=job)
            runner.cancel(job_id)
        _wait(lambda: job_id not in runner.active(), timeout_s=10.0)
    finally:
        runner.stop()
    done = _finished(engine, job_id)
    assert done is not None and done.status is JobStatus.CANCELLED
    assert done.plan_id is None
    with Session(engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        assert planning_service.list_for_day(session=session, region=region, day=DAY) == []


def _searching(engine: Engine, job_id: int) -> bool:
    """True once the job runs and has reported a first plan (its search has begun)."""
    with Session(engine) as session:
        job = job_service.get_or_raise(session=session, job_id=job_id)
        return job.status is JobStatus.RUNNING and job.best_objective is not None


def _finished(engine: Engine, job_id: int) -> SolveJob | None:
    with Session(engine) as session:
        job = job_service.get_or_raise(session=session, job_id=job_id)
        return job if job.finished else None


def test_watch_yields_each_change_and_ends_with_the_job(engine: Engine) -> None:
    """watch gives the queued job, then each change, and stops once the job has ended."""
    with Session(engine) as session:
        job = _job(session, make_region(session))
    job_id = job.id or 0
    steps = iter(
        [
            lambda s: job_service.claim(session=s, job_id=job_id, at=utc_now()),
            lambda s: None,  # nothing changes: no snapshot
            lambda s: job_service.fail(session=s, job_id=job_id, reason="x", at=utc_now()),
        ]
    )

    def advance(_: float) -> None:
        with Session(engine) as session:
            next(steps)(session)

    seen = job_service.watch(engine=engine, job_id=job_id, max_s=60, sleep=advance)
    assert [j.status for j in seen] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED]


def test_watch_gives_up_after_max_s(engine: Engine) -> None:
    """A job that never changes is watched once and then left after max_s (a fake clock)."""
    with Session(engine) as session:
        job = _job(session, make_region(session))
    ticks = iter([0.0, 10.0, 20.0])
    seen = job_service.watch(
        engine=engine, job_id=job.id or 0, max_s=15, clock=lambda: next(ticks), sleep=lambda _: None
    )
    assert [j.status for j in seen] == [JobStatus.QUEUED]


def _take(session: Session, job_id: int, at: datetime, worker: str) -> job_service.Take:
    outcome, _ = job_service.take(
        session=session, job_id=job_id, at=at, worker=worker, lease_s=2.0, max_attempts=2
    )
    return outcome


def test_take_over_a_silent_attempt_then_fail_after_max_attempts(session: Session) -> None:
    """A delivered job is taken as attempt 1; delivered again while its worker beats, it is
    held; once that worker is silent for the time limit + lease, the next worker takes it as
    attempt 2 and the silent attempt can store nothing; silent again, it ends failed."""
    job = _job(session, make_region(session), time_limit_s=1.0)
    job_id, t0 = job.id or 0, utc_now()
    assert _take(session, job_id, t0, "a:1") is job_service.Take.TAKEN
    assert job_service.heartbeat(session=session, job_id=job_id, attempt=1, at=t0)
    assert _take(session, job_id, t0 + timedelta(seconds=3), "b:2") is job_service.Take.HELD
    assert _take(session, job_id, t0 + timedelta(seconds=3.5), "b:2") is job_service.Take.TAKEN
    session.refresh(job)
    assert (job.attempts, job.worker, job.status) == (2, "b:2", JobStatus.RUNNING)
    assert not job_service.heartbeat(session=session, job_id=job_id, attempt=1, at=t0)
    stale = job_service.mark_succeeded(
        session=session, job_id=job_id, plan_id=0, elapsed_s=1.0, at=t0, attempt=1
    )
    assert not stale
    later = t0 + timedelta(seconds=10)
    assert _take(session, job_id, later, "c:3") is job_service.Take.EXHAUSTED
    session.refresh(job)
    assert job.status is JobStatus.FAILED
    assert "worker was lost 2 time(s)" in (job.error or "")
    assert _take(session, job_id, later, "d:4") is job_service.Take.ENDED
