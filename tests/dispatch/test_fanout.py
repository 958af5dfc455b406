"""Fan-out: one solve job per region on the thread runner, watched through the job rows."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.jobs import fanout
from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, JobStatus
from dispatch.jobs.runner import ThreadRunner
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.region.models import Region
from tests.dispatch.planning_day import small_day
from tests.factories import DAY


def _regions(engine: Engine, n: int) -> list[Region]:
    with Session(engine) as session:
        codes = [small_day(session).region.code for _ in range(n)]
    return fanout.regions(engine=engine, codes=codes)


def test_fanout_plans_every_region_once_and_refuses_a_day_already_in_hand(engine: Engine) -> None:
    """Three regions, the third with a job already open: two valid drafts come back as their
    jobs end, the third is refused with the open job's reason and its job is left alone."""
    first, second, busy = _regions(engine, 3)
    with Session(engine) as session:
        region = session.get(Region, busy.id)
        assert region is not None
        open_job = job_service.create(
            session=session, region=region, day=DAY, kind=JobKind.PLAN, time_limit_s=1.0
        )
    runner = ThreadRunner(engine, workers=2)
    days = [(first, DAY), (second, DAY), (busy, DAY)]
    handed = fanout.submit(engine=engine, runner=runner, days=days, time_limit_s=1.0)
    try:
        ended = list(fanout.finished_as_they_end(engine=engine, handed=handed, max_s=60.0))
    finally:
        fanout.release(runner)
    assert sorted(r.code for r in ended) == sorted(r.code for r in (first, second, busy))
    results = {r.code: r for r in fanout.results(engine=engine, handed=handed)}
    refused = results[busy.code]
    assert (refused.status, refused.job_id) == ("refused", None)
    assert f"solve job {open_job.id} is still queued" in (refused.error or "")
    with Session(engine) as session:
        for region in (first, second):
            result = results[region.code]
            assert (result.status, result.assigned, result.unassigned) == ("succeeded", 4, 0)
            (plan,) = planning_service.list_for_day(session=session, region=region, day=DAY)
            assert plan.id == result.plan_id and result.travel_s == plan.travel_s
            assert solving.check_stored(plan) == []
        still = job_service.get_or_raise(session=session, job_id=open_job.id or 0)
        assert still.status is JobStatus.QUEUED


def test_abandon_fails_the_jobs_no_runner_will_run(engine: Engine) -> None:
    """Jobs handed to a runner that is gone end failed with the reason, freeing their day."""
    (region,) = _regions(engine, 1)
    closed = ThreadRunner(engine, workers=1)
    closed.close()  # takes no job any more: the job stays queued, as after an interrupted run
    handed = fanout.submit(engine=engine, runner=closed, days=[(region, DAY)], time_limit_s=1.0)
    assert fanout.abandon(engine=engine, handed=handed) == 1
    (result,) = fanout.results(engine=engine, handed=handed)
    assert (result.status, result.error) == ("failed", fanout.ABANDONED)
