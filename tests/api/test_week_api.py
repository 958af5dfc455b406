"""Solve jobs over several days: one draft per day, the days a job covers kept from a second
job, re-plans kept to one day, and bad day counts refused with the field named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind
from dispatch.planning import solving
from dispatch.planning.models import Plan
from dispatch.region.models import Region
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, wait_for
from tests.dispatch.week_world import movable
from tests.factories import DAY

api_template, world = support.api_template, support.world  # fixtures


def _plans(world: World, day: object = DAY) -> str:
    return f"/v1/regions/{world.region_a.code}/days/{day}/plans"


def _finished(world: World, job_id: int) -> dict[str, Any] | None:
    job = world.get("disp_a", f"/v1/solve-jobs/{job_id}").json()
    return job if job["status"] not in ("queued", "running") else None


def test_plan_job_over_three_days_stores_a_draft_per_day(world: World) -> None:
    """days 3 from Tuesday: the job lists three drafts, Tuesday's first; the movable service
    due Wednesday-Thursday is routed on Wednesday's; every draft passes the validator."""
    with world.session() as session:
        region = session.get(Region, world.region_a.id)
        assert region is not None
        due = movable(session, region, DAY + timedelta(days=1), DAY + timedelta(days=2))
        due_id = due.id
    started = world.post("disp_a", _plans(world), json={"time_limit_s": 2, "days": 3})
    assert started.status_code == 202
    assert started.json()["days"] == 3
    done = wait_for(lambda: _finished(world, started.json()["id"]))
    assert done["status"] == "succeeded", done["error"]
    assert len(done["plan_ids"]) == 3 and done["plan_id"] == done["plan_ids"][0]
    plans = [world.get("disp_a", f"/v1/plans/{p}").json() for p in done["plan_ids"]]
    assert [p["day"] for p in plans] == [str(DAY + timedelta(days=k)) for k in range(3)]
    routed = {p["day"]: {s["visit_id"] for r in p["routes"] for s in r["stops"]} for p in plans}
    assert routed[str(DAY)] == {v.id for v in world.visits_a}
    assert due_id in routed[str(DAY + timedelta(days=1))]
    with world.session() as session:
        for plan_id in done["plan_ids"]:
            stored = session.get(Plan, plan_id)
            assert stored is not None and solving.check_stored(stored) == []
    wednesday = DAY + timedelta(days=1)
    view = world.get("disp_a", f"/v1/regions/{world.region_a.code}/days/{wednesday}").json()
    [shown] = [v for v in view["visits"] if v["id"] == due_id]  # on the board, though windowless
    assert (shown["window_start"], shown["due_from"]) == (None, str(wednesday))
    assert view["unassigned"] == []


def test_plan_job_over_days_another_job_covers_is_refused(world: World) -> None:
    """A job open for Wednesday makes a three-day job from Tuesday a 409 naming it."""
    with world.session() as session:
        region = session.get(Region, world.region_a.id)
        assert region is not None
        open_job = job_service.create(
            session=session,
            region=region,
            day=DAY + timedelta(days=1),
            kind=JobKind.PLAN,
            time_limit_s=1,
        )
    refused = world.post("disp_a", _plans(world), json={"days": 3})
    assert refused.status_code == 409
    assert f"solve job {open_job.id} is still queued" in refused.json()["detail"][0]["msg"]
    single = world.post("disp_a", _plans(world), json={"time_limit_s": 1})
    assert single.status_code == 202  # Tuesday alone is not covered by Wednesday's job


def test_replan_job_over_several_days_is_refused(world: World) -> None:
    """A re-plan from now covers its day only: days 2 is a 422 naming body.days."""
    url = f"/v1/regions/{world.region_a.code}/days/{DAY}/replans"
    refused = world.post("disp_a", url, json={"days": 2})
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["loc"] == ["body", "days"]


def test_plan_job_over_too_many_days_is_refused(world: World) -> None:
    """days 15 breaks the schema: 422 on body.days, no job created."""
    refused = world.post("disp_a", _plans(world), json={"days": 15})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "days"]
    jobs = world.get("disp_a", f"/v1/regions/{world.region_a.code}/days/{DAY}/solve-jobs")
    assert jobs.json()["count"] == 0
