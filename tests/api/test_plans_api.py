"""Solve jobs through HTTP: 202 and polling to a stored draft, SSE progress, cancel, publish,
re-plan, a crashing solve, and dispatchers of other regions kept out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanState
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitUpdate
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, plan_and_publish, wait_for
from tests.factories import DAY, local

api_template, world = support.api_template, support.world  # fixtures


def _day(world: World, tail: str = "") -> str:
    return f"/v1/regions/{world.region_a.code}/days/{DAY}{tail}"


def _finished(world: World, job_id: int) -> dict[str, Any] | None:
    job = world.get("disp_a", f"/v1/solve-jobs/{job_id}").json()
    return job if job["status"] not in ("queued", "running") else None


def test_plan_job_runs_to_a_stored_draft_plan(world: World) -> None:
    """POST answers 202 with a queued job and its Location; polled, the job succeeds with the
    draft plan routing all four visits and its progress figures filled in."""
    started = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 1})
    assert started.status_code == 202
    job = started.json()
    assert (job["status"], job["kind"], job["day"]) == ("queued", "plan", str(DAY))
    assert started.headers["location"] == f"/v1/solve-jobs/{job['id']}"
    done = wait_for(lambda: _finished(world, job["id"]))
    assert done["status"] == "succeeded", done["error"]
    assert (done["assigned"], done["visits"]) == (4, 4)
    assert done["elapsed_s"] > 0 and done["best_objective"] is not None
    plan = done["plan"]
    assert (plan["id"], plan["status"], plan["assigned"]) == (done["plan_id"], "draft", 4)
    routed = sorted(s["visit_id"] for r in plan["routes"] for s in r["stops"])
    assert routed == sorted(v.id for v in world.visits_a)


def test_plan_job_publish_then_day_view_shows_plan_and_figures(world: World) -> None:
    """Publishing the job's draft plans the visits; the day view shows it with its figures."""
    job = world.post("disp_a", _day(world, "/plans")).json()
    done = wait_for(lambda: _finished(world, job["id"]))
    published = world.post("disp_a", f"/v1/plans/{done['plan_id']}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    day = world.get("disp_a", _day(world)).json()
    assert day["plan"]["id"] == done["plan_id"]
    assert {v["status"] for v in day["visits"]} == {"planned"}
    assert day["unassigned"] == []
    figures = day["figures"]
    assert figures["assigned"] == 4 and figures["travel_s"] > 0
    assert 0 < figures["utilisation"] < 1
    assert [j["id"] for j in day["jobs"]] == [job["id"]]
    again = world.post("disp_a", f"/v1/plans/{done['plan_id']}/publish")
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "conflict"


def test_day_view_lists_unassigned_visits_with_reasons(world: World) -> None:
    """A visit needing a skill nobody has shows up unassigned with the optimizer's reason."""
    visit = world.visits_a[0]
    with world.session() as session:
        row = visit_service.get_or_raise(session=session, visit_id=visit.id or 0)
        visit_service.update(
            session=session, visit=row, visit_in=VisitUpdate(required_skills=["car_repair"])
        )
    before = world.get("disp_a", _day(world)).json()
    assert {u["reason"] for u in before["unassigned"]} == {"not_in_plan"}
    job = world.post("disp_a", _day(world, "/plans")).json()
    wait_for(lambda: _finished(world, job["id"]))
    after = world.get("disp_a", _day(world)).json()
    assert [(u["visit_id"], u["reason"]) for u in after["unassigned"]] == [
        (visit.id, "no_skilled_technician")
    ]


def test_plan_job_second_while_open_conflicts(world: World) -> None:
    """While a job of the day is open (its 2 s search), another POST answers 409."""
    first = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 2}).json()
    second = world.post("disp_a", _day(world, "/plans"))
    assert second.status_code == 409
    [detail] = second.json()["detail"]
    assert (detail["loc"], detail["type"]) == (["day"], "conflict")
    assert detail["msg"].startswith(f"solve job {first['id']} is still ")
    assert detail["msg"].endswith(f" for {world.region_a.code} on {DAY}.")
    assert wait_for(lambda: _finished(world, first["id"]))["status"] == "succeeded"


def test_plan_job_cancel_stores_no_plan(world: World) -> None:
    """DELETE cancels an open job: once its thread is done it is still cancelled, with no plan
    stored; a second DELETE is 409."""
    job = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 2}).json()
    cancelled = world.client.delete(f"/v1/solve-jobs/{job['id']}", headers=world.auth("disp_a"))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    runner = world.client.app.state.job_runner  # type: ignore[attr-defined]
    wait_for(lambda: not runner.active())
    final = world.get("disp_a", f"/v1/solve-jobs/{job['id']}").json()
    assert (final["status"], final["plan_id"], final["plan"]) == ("cancelled", None, None)
    with world.session() as session:
        plans = planning_service.list_for_day(session=session, region=world.region_a, day=DAY)
    assert plans == []
    again = world.client.delete(f"/v1/solve-jobs/{job['id']}", headers=world.auth("disp_a"))
    assert again.status_code == 409
    assert (
        again.json()["detail"][0]["msg"] == f"solve job {job['id']} has already ended: cancelled."
    )


def test_plan_job_events_stream_progress_and_end(world: World) -> None:
    """The SSE stream sends progress events while the job runs and ends with its final state."""
    job = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 1}).json()
    url = f"/v1/solve-jobs/{job['id']}/events"
    with world.client.stream("GET", url, headers=world.auth("disp_a")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _read_events(response.iter_lines())
    names = [name for name, _ in events]
    assert names[-1] == "end" and set(names[:-1]) <= {"progress"}
    assert events[-1][1]["status"] == "succeeded"
    assert events[-1][1]["plan_id"] is not None


def _read_events(lines: Any) -> list[tuple[str, dict[str, Any]]]:
    events, name = [], ""
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def test_plan_job_whose_solve_raises_is_failed_and_published_plan_kept(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A solver crash marks the job failed with the reason; the published plan stays as it was."""
    published_id = plan_and_publish(world)

    def crash(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the solver ran out of memory")

    monkeypatch.setattr(planning_service, "solve_problem", crash)
    job = world.post("disp_a", _day(world, "/plans")).json()
    done = wait_for(lambda: _finished(world, job["id"]))
    assert done["status"] == "failed"
    assert done["error"] == "RuntimeError: the solver ran out of memory"
    with world.session() as session:
        plans = planning_service.list_for_day(session=session, region=world.region_a, day=DAY)
    assert [(p.id, p.status) for p in plans] == [(published_id, PlanState.PUBLISHED)]
    day = world.get("disp_a", _day(world)).json()
    assert day["plan"]["id"] == published_id
    assert {v["status"] for v in day["visits"]} == {"planned"}


def test_replan_job_keeps_started_visits_in_place(world: World) -> None:
    """Re-planning from 10:00 after a visit was started keeps it with its technician; the job
    stores a draft re-plan of the open visits."""
    plan_and_publish(world)
    with world.session() as session:
        plan = session.get(Plan, world.get("disp_a", _day(world)).json()["plan"]["id"])
        assert plan is not None
        first = plan.routes[0].stops[0]
    event = {"event": "en_route", "at": local(DAY, 8, 30).isoformat()}
    assert world.post("admin", f"/v1/visits/{first.visit_id}/events", json=event).status_code == 200
    body = {"now": local(DAY, 10).isoformat(), "time_limit_s": 1}
    job = world.post("disp_a", _day(world, "/replans"), json=body).json()
    assert job["kind"] == "replan"
    done = wait_for(lambda: _finished(world, job["id"]))
    assert done["status"] == "succeeded", done["error"]
    routed = {s["visit_id"] for r in done["plan"]["routes"] for s in r["stops"]}
    assert first.visit_id not in routed
    assert done["plan"]["replanned_from"] is not None
    started = world.get("disp_a", f"/v1/visits/{first.visit_id}").json()
    assert (started["status"], started["planned_technician_id"]) == (
        "en_route",
        first.technician_id,
    )


def test_plans_of_another_region_are_forbidden_or_not_found(world: World) -> None:
    """Dispatcher b: 403 on region a's day, plans and replans; 404 on its jobs and plans."""
    for method, tail in (("get", ""), ("post", "/plans"), ("post", "/replans")):
        response = getattr(world.client, method)(_day(world, tail), headers=world.auth("disp_b"))
        assert response.status_code == 403, tail
        assert response.json()["detail"][0]["type"] == "forbidden"
    job = world.post("disp_a", _day(world, "/plans")).json()
    done = wait_for(lambda: _finished(world, job["id"]))
    for url in (f"/v1/solve-jobs/{job['id']}", f"/v1/plans/{done['plan_id']}"):
        response = world.get("disp_b", url)
        assert response.status_code == 404
        assert "routes" not in response.text
    assert world.post("disp_b", f"/v1/plans/{done['plan_id']}/publish").status_code == 404
    cancel = world.client.delete(f"/v1/solve-jobs/{job['id']}", headers=world.auth("disp_b"))
    assert cancel.status_code == 404
    assert world.get("tech_a0", _day(world)).status_code == 403


def test_day_of_an_unknown_region_is_not_found_for_admin(world: World) -> None:
    """An admin asking for a region that does not exist gets 404 in the one error shape."""
    response = world.get("admin", f"/v1/regions/nowhere/days/{DAY}")
    assert response.status_code == 404
    assert response.json()["detail"] == [
        {"loc": ["path", "region"], "msg": "region 'nowhere' does not exist.", "type": "not_found"}
    ]


def test_day_view_shows_the_plan_asked_for_and_names_the_published_one(world: World) -> None:
    """?plan_id= shows that plan of the day; published_plan_id names the published one; a plan
    of another day or region answers 404."""
    published_id = plan_and_publish(world)
    job = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 1}).json()
    draft_id = wait_for(lambda: _finished(world, job["id"]))["plan_id"]
    shown = world.get("disp_a", _day(world), params={"plan_id": draft_id}).json()
    assert (shown["plan"]["id"], shown["plan"]["status"]) == (draft_id, "draft")
    assert shown["published_plan_id"] == published_id
    assert {"kind", "product", "customer_name"} <= shown["visits"][0].keys()
    current = world.get("disp_a", _day(world)).json()
    assert current["plan"]["id"] == published_id
    other_day = f"/v1/regions/{world.region_a.code}/days/2026-03-11"
    missing = world.get("disp_a", other_day, params={"plan_id": draft_id})
    assert missing.status_code == 404
    assert missing.json()["detail"][0]["loc"] == ["query", "plan_id"]


def test_plan_comparison_against_the_published_plan(world: World) -> None:
    """GET /plans/{id}/comparison gives both plans' figures and the visits that change; a
    dispatcher of another region gets 404."""
    published_id = plan_and_publish(world)
    job = world.post("disp_a", _day(world, "/plans"), json={"time_limit_s": 1}).json()
    draft_id = wait_for(lambda: _finished(world, job["id"]))["plan_id"]
    answer = world.get("disp_a", f"/v1/plans/{draft_id}/comparison")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["plan_id"], body["published_plan_id"]) == (draft_id, published_id)
    assert body["plan"]["assigned"] == body["published"]["assigned"] == 4
    assert isinstance(body["changes"], list)
    for change in body["changes"]:  # every technician of a visit, a crew's all; the first apart
        assert change["before_technician_ids"][:1] == [change["before_technician_id"]] * (
            change["before_technician_id"] is not None
        )
        assert change["after_technician_ids"][:1] == [change["after_technician_id"]] * (
            change["after_technician_id"] is not None
        )
    assert "reordered" in body["stability"]
    schema = world.client.get("/openapi.json").json()["components"]["schemas"]
    assert {"before_technician_ids", "after_technician_ids"} <= set(
        schema["VisitChange"]["properties"]
    )
    assert "reordered" in schema["Change"]["enum"]
    assert world.get("disp_b", f"/v1/plans/{draft_id}/comparison").status_code == 404
