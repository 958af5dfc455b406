"""Planning for dispatchers: start a solve job (plan or re-plan), follow it, stop it, and
read or publish the plans it stores.

POST .../plans answers 202 with the job; GET /solve-jobs/{job_id} gives its progress and, once
it has succeeded, the draft plan; GET /solve-jobs/{job_id}/events streams the same progress as
server-sent events until the job ends; DELETE /solve-jobs/{job_id} cancels it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine

from api.deps import (
    DispatcherUser,
    DispatchRegionDep,
    JobRunnerDep,
    PlanDep,
    SessionDep,
    SettingsDep,
    SolveJobDep,
    get_engine,
)
from dispatch.jobs import service as job_service
from dispatch.jobs.models import (
    OPEN_STATUSES,
    JobKind,
    ReplanRequest,
    SolveJob,
    SolveJobPublic,
    SolveJobsPublic,
    SolveJobWithPlan,
    SolveRequest,
)
from dispatch.localtime import utc_now
from dispatch.planning import compare as plan_compare
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanPublic

router = APIRouter(tags=["plans"])
DAY_PATH = "/regions/{region}/days/{day}"
STREAM_MARGIN_S = 120.0  # a stream outlives its job's time limit by this much at most


@router.post(DAY_PATH + "/plans", response_model=SolveJobPublic, status_code=202)
def create_plan_job(
    session: SessionDep,
    settings: SettingsDep,
    user: DispatcherUser,
    runner: JobRunnerDep,
    region: DispatchRegionDep,
    day: date,
    response: Response,
    solve_in: Annotated[SolveRequest | None, Body()] = None,
) -> SolveJob:
    """Start planning the day from scratch; the draft plan comes with the finished job. With
    `days` > 1 the day and the days after it are planned together (movable visits go to any
    day of their due range) and each day gets a draft (`plan_ids`); with 1, the other days'
    plans and the movable visits they route stay as they are. 409 while another job covering
    one of the days is open."""
    job = job_service.create(
        session=session,
        region=region,
        day=day,
        kind=JobKind.PLAN,
        time_limit_s=_time_limit_s(solve_in, settings.solve_time_limit_s),
        created_by_id=user.id,
        days=solve_in.days if solve_in else 1,
    )
    runner.submit(job.id or 0)
    response.headers["Location"] = f"/v1/solve-jobs/{job.id}"
    return job


@router.post(DAY_PATH + "/replans", response_model=SolveJobPublic, status_code=202)
def create_replan_job(
    session: SessionDep,
    settings: SettingsDep,
    user: DispatcherUser,
    runner: JobRunnerDep,
    region: DispatchRegionDep,
    day: date,
    response: Response,
    replan_in: Annotated[ReplanRequest | None, Body()] = None,
) -> SolveJob:
    """Start re-planning the rest of the day from now (or the given moment): visits started or
    done stay where they are, each technician goes on from where it is."""
    job = job_service.create(
        session=session,
        region=region,
        day=day,
        kind=JobKind.REPLAN,
        time_limit_s=_time_limit_s(replan_in, settings.solve_time_limit_s),
        replan_from=(replan_in.now if replan_in else None) or utc_now(),
        created_by_id=user.id,
        days=replan_in.days if replan_in else 1,
    )
    runner.submit(job.id or 0)
    response.headers["Location"] = f"/v1/solve-jobs/{job.id}"
    return job


@router.get(DAY_PATH + "/solve-jobs", response_model=SolveJobsPublic)
def read_day_jobs(session: SessionDep, region: DispatchRegionDep, day: date) -> SolveJobsPublic:
    """The day's solve jobs, newest first."""
    jobs = job_service.list_for_day(session=session, region_id=region.id or 0, day=day)
    data = [SolveJobPublic.model_validate(j, from_attributes=True) for j in jobs]
    return SolveJobsPublic(data=data, count=len(data))


@router.get("/solve-jobs/{job_id}", response_model=SolveJobWithPlan)
def read_job(session: SessionDep, job: SolveJobDep) -> SolveJobWithPlan:
    """The job's status and progress (best objective, assigned, elapsed), with the draft plan
    once it has succeeded, or the reason it failed."""
    result = SolveJobWithPlan.model_validate(job, from_attributes=True)
    if job.plan_id is not None:
        plan = planning_service.get_or_raise(session=session, plan_id=job.plan_id)
        result.plan = PlanPublic.model_validate(plan, from_attributes=True)
    return result


@router.delete("/solve-jobs/{job_id}", response_model=SolveJobPublic)
def cancel_job(session: SessionDep, runner: JobRunnerDep, job: SolveJobDep) -> SolveJob:
    """Cancel a queued or running job (409 once it has finished); no plan is stored."""
    job = job_service.cancel(session=session, job=job)
    runner.cancel(job.id or 0)
    return job


@router.get(
    "/solve-jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "progress events"}},
)
def stream_job_events(
    session: SessionDep, engine: Annotated[Engine, Depends(get_engine)], job: SolveJobDep
) -> StreamingResponse:
    """Server-sent events: `progress` each time the job changes, then one `end` with the
    finished job; the stream closes when the job ends, or with a `timeout` event after the
    job's time limit and a margin."""
    job_id, max_s = job.id or 0, job.time_limit_s + STREAM_MARGIN_S
    # Release the request's transaction now: on SQLite it would hold the write lock (and so
    # block the job's progress writes) for as long as the stream lasts.
    session.close()
    snapshots = job_service.watch(engine=engine, job_id=job_id, max_s=max_s)
    return StreamingResponse(
        _sse(snapshots),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/plans/{plan_id}", response_model=PlanPublic)
def read_plan(plan: PlanDep) -> Plan:
    """A stored plan: routes with their stops and times, unassigned visits with reasons."""
    return plan


@router.get("/plans/{plan_id}/comparison", response_model=plan_compare.PlanComparison)
def read_plan_comparison(session: SessionDep, plan: PlanDep) -> plan_compare.PlanComparison:
    """The plan beside the day's published plan: both plans' figures, and each visit that goes
    to another technician, is newly routed or left out, or starts 30 minutes earlier or later."""
    return plan_compare.compare(session=session, plan=plan)


@router.post("/plans/{plan_id}/publish", response_model=PlanPublic)
def publish_plan(session: SessionDep, plan: PlanDep) -> Plan:
    """Make a draft the day's plan: visits get their technician and times, the previous
    published plan is superseded; 409 when the plan is not a draft or is out of date."""
    return planning_service.publish(session=session, plan=plan)


def _time_limit_s(solve_in: SolveRequest | None, default_s: float) -> float:
    return solve_in.time_limit_s if solve_in and solve_in.time_limit_s else default_s


def _sse(snapshots: Iterator[SolveJobPublic]) -> Iterator[str]:
    """Each snapshot as an SSE event: `progress` while open, `end` for the finished job, and
    `timeout` when the stream gives up first."""
    n, event = 0, "timeout"
    for n, snapshot in enumerate(snapshots):  # noqa: B007  (n is the last id after the loop)
        event = "progress" if snapshot.status in OPEN_STATUSES else "end"
        yield _event(n, event, json.dumps(snapshot.model_dump(mode="json")))
    if event != "end":
        yield _event(n + 1, "timeout", json.dumps({"msg": "the job is still open; poll it."}))


def _event(n: int, event: str, data: str) -> str:
    return f"id: {n}\nevent: {event}\ndata: {data}\n\n"
