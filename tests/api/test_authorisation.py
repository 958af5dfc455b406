"""Object-level authorisation, endpoint by endpoint: a dispatcher of another region, another
technician and another customer reach nothing of someone else's, change nothing, and learn
nothing but a 403 (a region code they named) or a 404 (an object id) in the one error shape.

The other modules test each resource's own rules; this one sweeps every path with an object in
it, so that a new route without its check fails here.
"""

from __future__ import annotations

from typing import Any

from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind, JobStatus
from dispatch.region.models import Region
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit, VisitStatus
from tests.api import booking_support
from tests.api import dispatch_support as support
from tests.api.booking_support import BookingWorld, slot_body
from tests.api.dispatch_support import World, plan_and_publish
from tests.dispatch.booking_day import window
from tests.factories import DAY

api_template, world = support.api_template, support.world  # fixtures
booking_world = booking_support.booking_world

Call = tuple[str, str, dict[str, Any] | None]


def _refused(response: Any, call: Call) -> None:
    """403 or 404 in the one error shape, with nothing of the object in the body."""
    assert response.status_code in (403, 404), (call, response.status_code, response.text)
    body = response.json()
    assert list(body) == ["detail"], call
    assert body["detail"][0]["type"] in ("forbidden", "not_found"), call


def _sweep(client: Any, headers: dict[str, str], calls: list[Call]) -> None:
    for call in calls:
        method, url, body = call
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        _refused(client.request(method, url, **kwargs), call)


def _region_a_objects(world: World) -> tuple[int, int, int]:
    """A published plan, a queued solve job and an absence in region a: (plan, job, tech)."""
    plan_id = plan_and_publish(world)
    with world.session() as session:
        region = session.get(Region, world.region_a.id)
        technician = session.get(Technician, world.techs_a[0].id)
        assert region is not None and technician is not None
        job = job_service.create(
            session=session, region=region, day=DAY, kind=JobKind.PLAN, time_limit_s=1.0
        )
        leave = ShiftExceptionCreate(day=DAY, kind=ExceptionKind.LEAVE)
        shift_service.add_exception(session=session, technician=technician, exception_in=leave)
        return plan_id, job.id or 0, technician.id or 0


def test_dispatcher_of_another_region_reaches_nothing_of_region_a(world: World) -> None:
    """Dispatcher b on every path naming region a, or one of its plans, jobs, technicians or
    visits: refused, and nothing of region a changed."""
    plan_id, job_id, tech_id = _region_a_objects(world)
    visit_id, code = world.visits_a[0].id, world.region_a.code
    day, tech = f"/v1/regions/{code}/days/{DAY}", f"/v1/technicians/{tech_id}"
    calls: list[Call] = [
        ("GET", f"/v1/regions/{code}", None),
        ("GET", day, None),
        ("POST", f"{day}/plans", None),
        ("POST", f"{day}/replans", None),
        ("GET", f"{day}/solve-jobs", None),
        ("GET", f"/v1/solve-jobs/{job_id}", None),
        ("GET", f"/v1/solve-jobs/{job_id}/events", None),
        ("DELETE", f"/v1/solve-jobs/{job_id}", None),
        ("GET", f"/v1/plans/{plan_id}", None),
        ("POST", f"/v1/plans/{plan_id}/publish", None),
        ("GET", f"/v1/technicians?region={code}", None),
        ("GET", tech, None),
        ("PATCH", tech, {"name": "taken over"}),
        ("GET", f"{tech}/route?day={DAY}", None),
        ("GET", f"{tech}/shifts", None),
        ("PUT", f"{tech}/shifts", []),
        ("GET", f"{tech}/absences?from={DAY}&to={DAY}", None),
        ("POST", f"{tech}/absences", {"day": str(DAY), "kind": "sick"}),
        ("GET", f"{tech}/absences/{DAY}", None),
        ("PUT", f"{tech}/absences/{DAY}", {"day": str(DAY), "kind": "sick"}),
        ("DELETE", f"{tech}/absences/{DAY}", None),
        ("GET", f"/v1/visits/{visit_id}", None),
        ("POST", f"/v1/visits/{visit_id}/pin", {"technician_id": world.tech_b.id}),
        ("DELETE", f"/v1/visits/{visit_id}/pin", None),
        ("POST", f"/v1/visits/{visit_id}/events", {"event": "en_route"}),
        ("GET", f"/v1/kpis?region={code}", None),
    ]
    _sweep(world.client, world.auth("disp_b"), calls)
    with world.session() as session:
        technician = session.get(Technician, tech_id)
        visit = session.get(Visit, visit_id)
        job = job_service.get_or_raise(session=session, job_id=job_id)
        absence = shift_service.working_day(session=session, technician=technician, day=DAY)
        assert technician is not None and visit is not None
        assert technician.name != "taken over"
        assert shift_service.weekly_pattern(session=session, technician_id=tech_id) != []
        assert (visit.status, visit.pinned_technician_id) == (VisitStatus.PLANNED, None)
        assert job.status is JobStatus.QUEUED
        assert absence is None  # still on leave


def test_technician_reaches_only_the_visits_planned_on_it(world: World) -> None:
    """The technician of region b, and a technician of region a not planned on the visit,
    are refused every path of a visit and every dispatcher path of its technician."""
    plan_and_publish(world)
    with world.session() as session:
        visit = session.get(Visit, world.visits_a[0].id)
        assert visit is not None and visit.planned_technician_id is not None
        owner, visit_id = visit.planned_technician_id, visit.id
    others = [k for k, t in (("tech_a0", 0), ("tech_a1", 1)) if world.techs_a[t].id != owner]
    calls: list[Call] = [
        ("GET", f"/v1/visits/{visit_id}", None),
        ("POST", f"/v1/visits/{visit_id}/events", {"event": "en_route"}),
        ("POST", f"/v1/visits/{visit_id}/pin", {"technician_id": owner}),
        ("GET", f"/v1/technicians/{owner}", None),
        ("GET", f"/v1/technicians/{owner}/route?day={DAY}", None),
        ("GET", f"/v1/regions/{world.region_a.code}/days/{DAY}", None),
    ]
    for who in ["tech_b", *others]:
        _sweep(world.client, world.auth(who), calls)
    with world.session() as session:
        after = session.get(Visit, visit_id)
        assert after is not None and after.status is VisitStatus.PLANNED


def _cust0_booking(booking_world: BookingWorld) -> dict[str, Any]:
    """cust0's installation booked at 10:00 on the day, as the API answered."""
    asset_id = booking_world.asset("cust0").id or 0
    body = slot_body(asset_id, booking_world.day, 10)
    made = booking_world.post("cust0", "/v1/bookings", key="cust0-1", json=body)
    assert made.status_code == 201, made.text
    booked: dict[str, Any] = made.json()
    return booked


def test_customer_and_other_dispatchers_reach_nothing_of_another_customer(
    booking_world: BookingWorld,
) -> None:
    """cust1 on cust0's record, asset, request and booking, and dispatcher b on region s's
    request and booking: refused; cust0's booking and record are unchanged."""
    booked = _cust0_booking(booking_world)
    booking_id, request_id = booked["id"], booked["request_id"]
    cust0 = booking_world.people.customer_ids["cust0"]
    asset0 = booking_world.asset("cust0").id or 0
    start, end = window(booking_world.day, 13)
    move = {"window_start": start.isoformat(), "window_end": end.isoformat()}
    booking = f"/v1/bookings/{booking_id}"
    repair = {"asset_id": asset0, "kind": "repair"}
    customer_calls: list[Call] = [
        ("GET", f"/v1/customers/{cust0}", None),
        ("PATCH", f"/v1/customers/{cust0}", {"name": "taken over"}),
        ("GET", f"/v1/assets/{asset0}", None),
        ("GET", f"/v1/slots?asset_id={asset0}&kind=installation", None),
        ("POST", "/v1/service-requests", repair),
        ("GET", f"/v1/service-requests/{request_id}", None),
        ("GET", booking, None),
        ("POST", f"{booking}/reschedule", move),
        ("POST", f"{booking}/cancel", None),
    ]
    _sweep(booking_world.client, booking_world.auth("cust1"), customer_calls)
    dispatcher_calls: list[Call] = [
        ("GET", f"/v1/service-requests/{request_id}", None),
        ("GET", booking, None),
        ("POST", f"{booking}/reschedule", move),
        ("POST", f"{booking}/cancel", None),
        ("POST", "/v1/service-requests", repair),
    ]
    _sweep(booking_world.client, booking_world.auth("disp_b"), dispatcher_calls)
    listed = booking_world.get("disp_b", "/v1/service-requests", params={"customer_id": cust0})
    assert listed.status_code == 404 and listed.json()["detail"][0]["type"] == "not_found"
    assert booking_world.get("cust0", booking).json() == booked
    assert booking_world.get("cust0", f"/v1/customers/{cust0}").json()["name"] == "Customer 0"
