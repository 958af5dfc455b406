"""Technicians in the field: the route of a day, visit events moving the lifecycle and ETAs,
pinning by dispatchers, and nobody reading or changing another technician's visits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dispatch.localtime import utc_now
from dispatch.outreach import outbox
from dispatch.outreach.models import MessageKind
from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, plan_and_publish
from tests.dispatch.planning_day import BLOK_M, add_visit
from tests.factories import DAY, local

api_template, world = support.api_template, support.world  # fixtures


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _busiest(world: World) -> tuple[str, str, dict[str, Any]]:
    """Publish the day's plan; the technician with the most stops: its user, the other
    technician's user, and its route."""
    plan_and_publish(world)
    routes = {
        who: world.get(who, "/v1/me/route", params={"day": str(DAY)}).json()
        for who in ("tech_a0", "tech_a1")
    }
    busy = max(routes, key=lambda who: len(routes[who]["stops"]))
    other = "tech_a1" if busy == "tech_a0" else "tech_a0"
    return busy, other, routes[busy]


def _event(world: World, who: str, visit_id: int, event: str, at: datetime, **kw: Any) -> Any:
    body = {"event": event, "at": at.isoformat()} | kw
    return world.post(who, f"/v1/visits/{visit_id}/events", json=body)


def test_my_route_lists_ordered_stops_with_what_the_technician_needs(world: World) -> None:
    """Stops come in planned order with customer, address, window, planned times, product,
    kind, coverage and a navigation link (the phone only on the day itself: see
    tests/api/test_personal_data.py); with no event yet the ETAs are the plan's."""
    busy, _, route = _busiest(world)
    assert route["day"] == str(DAY) and route["plan_id"] is not None
    stops = route["stops"]
    assert len(stops) >= 2
    starts = [_iso(s["planned_start"]) for s in stops]
    assert starts == sorted(starts)
    first = stops[0]
    assert (first["customer_name"], first["customer_phone"]) == ("Siti Rahayu", None)
    assert first["product"].startswith("Sejuk AC Split 1 PK")
    assert (first["kind"], first["coverage"], first["status"]) == (
        "installation",
        "entitlement",
        "planned",
    )
    assert first["navigation_url"] == (
        f"https://www.google.com/maps/dir/?api=1&destination={first['lat']:.6f},{first['lon']:.6f}"
    )
    assert first["next_events"] == ["en_route", "arrived"]
    for stop in stops:
        assert _iso(stop["window_start"]) <= _iso(stop["planned_start"]) <= _iso(stop["window_end"])
        assert (stop["eta_arrival"], stop["eta_start"]) == (
            stop["planned_arrival"],
            stop["planned_start"],
        )


def test_visit_events_move_the_lifecycle_and_the_etas_of_the_rest(world: World) -> None:
    """Setting off 30 min late makes the first stop 30 min late; finishing it 15 min over its
    duration moves the next stop's ETA to that end plus the planned drive."""
    busy, _, route = _busiest(world)
    first, second = route["stops"][0], route["stops"][1]
    set_off = _iso(route["start_at"]) + timedelta(minutes=30)
    moved = _event(world, busy, first["visit_id"], "en_route", set_off)
    assert moved.status_code == 200
    assert moved.json()["visit"]["status"] == "en_route"
    assert _iso(moved.json()["visit"]["en_route_at"]) == set_off
    assert moved.json()["route"]["stops"][0]["next_events"] == ["arrived", "failed"]
    with world.session() as session:
        queued = outbox.keys_for_visits(
            session=session, visit_ids=[first["visit_id"]], kinds=[MessageKind.ON_THE_WAY]
        )
    assert len(queued) == 1  # the customer hears "on the way" in the event's transaction
    eta = _iso(moved.json()["route"]["stops"][0]["eta_arrival"])
    assert eta == _iso(first["planned_arrival"]) + timedelta(minutes=30)
    assert _event(world, busy, first["visit_id"], "arrived", eta).json()["visit"]["status"] == (
        "on_site"
    )
    done_at = eta + timedelta(seconds=first["duration_s"], minutes=15)
    done = _event(world, busy, first["visit_id"], "completed", done_at)
    assert done.status_code == 200
    [_, after] = done.json()["route"]["stops"][:2]
    assert done.json()["visit"]["status"] == "completed"
    assert _iso(done.json()["visit"]["ended_at"]) == done_at
    # The planned gap is the drive plus any break on the way: both still lie ahead.
    gap = _iso(second["planned_arrival"]) - _iso(first["planned_end"])
    assert _iso(after["eta_arrival"]) == done_at + gap
    assert _iso(after["eta_start"]) >= _iso(after["eta_arrival"])
    mine = world.get(busy, "/v1/me/route", params={"day": str(DAY)}).json()
    assert mine["stops"][1]["eta_arrival"] == after["eta_arrival"]


def test_visit_event_not_allowed_by_the_lifecycle_is_409(world: World) -> None:
    """Completing a visit nobody has set off for answers 409 invalid_transition, one shape."""
    busy, _, route = _busiest(world)
    visit_id = route["stops"][0]["visit_id"]
    response = _event(world, busy, visit_id, "completed", _iso(route["start_at"]))
    assert response.status_code == 409
    assert response.json() == {
        "detail": [
            {
                "loc": ["status"],
                "msg": f"visit {visit_id} cannot go from planned to completed "
                "(allowed: booked, cancelled, en_route, on_site).",
                "type": "invalid_transition",
            }
        ]
    }


def test_visit_event_failed_needs_a_reason_and_opens_a_follow_up(world: World) -> None:
    """failed without a reason is 422; with one the visit fails and a follow-up is created."""
    busy, _, route = _busiest(world)
    visit_id, at = route["stops"][0]["visit_id"], _iso(route["start_at"])
    assert _event(world, busy, visit_id, "arrived", at).status_code == 200
    missing = _event(world, busy, visit_id, "failed", at + timedelta(minutes=5))
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["msg"].endswith("a failed visit needs a failure_reason")
    failed = _event(
        world, busy, visit_id, "failed", at + timedelta(minutes=5), failure_reason="part_missing"
    )
    assert failed.status_code == 200
    assert (failed.json()["visit"]["status"], failed.json()["visit"]["failure_reason"]) == (
        "failed",
        "part_missing",
    )
    with world.session() as session:
        failed_row = visit_service.get_or_raise(session=session, visit_id=visit_id)
        follow_up = visit_service.follow_up_of(session=session, visit=failed_row)
    assert follow_up is not None and follow_up.status == "requested"


def test_visit_event_before_the_last_one_is_refused(world: World) -> None:
    """Arriving before setting off is 422 invalid_input, and the visit stays en route."""
    busy, _, route = _busiest(world)
    visit_id, at = route["stops"][0]["visit_id"], _iso(route["start_at"])
    assert _event(world, busy, visit_id, "en_route", at).status_code == 200
    early = _event(world, busy, visit_id, "arrived", at - timedelta(minutes=1))
    assert early.status_code == 422
    assert early.json()["detail"][0]["type"] == "invalid_input"
    assert world.get(busy, f"/v1/visits/{visit_id}").json()["status"] == "en_route"


def test_visit_event_in_the_future_is_refused(world: World) -> None:
    """An event dated tomorrow has not happened: 422 invalid_input on body.at, and the visit
    stays planned; one dated a minute ahead (a fast phone clock) is taken."""
    busy, _, route = _busiest(world)
    visit_id = route["stops"][0]["visit_id"]
    ahead = _event(world, busy, visit_id, "en_route", utc_now() + timedelta(days=1))
    assert ahead.status_code == 422
    assert ahead.json()["detail"][0]["type"] == "invalid_input"
    assert ahead.json()["detail"][0]["loc"] == ["body", "at"]
    assert world.get(busy, f"/v1/visits/{visit_id}").json()["status"] == "planned"
    soon = _event(world, busy, visit_id, "en_route", utc_now() + timedelta(minutes=1))
    assert soon.status_code == 200


def test_other_technicians_visits_are_not_found(world: World) -> None:
    """The other technician of the region, and one of another region, get 404 on the busy
    technician's visit, read or event, and the visit does not change."""
    busy, other, route = _busiest(world)
    visit_id, at = route["stops"][0]["visit_id"], _iso(route["start_at"])
    for who in (other, "tech_b"):
        read = world.get(who, f"/v1/visits/{visit_id}")
        assert read.status_code == 404
        assert read.json()["detail"][0]["type"] == "not_found"
        assert "Siti" not in read.text
        assert _event(world, who, visit_id, "en_route", at).status_code == 404
    assert world.get(busy, f"/v1/visits/{visit_id}").json()["status"] == "planned"
    assert world.get("disp_b", f"/v1/visits/{visit_id}").status_code == 404


def test_route_and_events_refuse_customers_and_other_dispatchers(world: World) -> None:
    """A customer gets 403 on /me/route and on events; dispatcher b 404 on a's technician route."""
    busy, _, route = _busiest(world)
    visit_id = route["stops"][0]["visit_id"]
    assert world.get("customer", "/v1/me/route").status_code == 403
    assert _event(world, "customer", visit_id, "en_route", local(DAY, 8)).status_code == 403
    tech_id = route["technician_id"]
    other = world.get("disp_b", f"/v1/technicians/{tech_id}/route", params={"day": str(DAY)})
    assert other.status_code == 404
    own = world.get("disp_a", f"/v1/technicians/{tech_id}/route", params={"day": str(DAY)})
    assert own.status_code == 200
    assert [s["visit_id"] for s in own.json()["stops"]] == [s["visit_id"] for s in route["stops"]]


def test_pin_and_unpin_a_visit(world: World) -> None:
    """A dispatcher pins a booked visit to a technician of its region and unpins it; pinning to
    another region's technician is 422; dispatcher b and technicians are kept out."""
    visit_id, tech_id = world.visits_a[0].id, world.techs_a[1].id
    url = f"/v1/visits/{visit_id}/pin"
    pinned = world.post("disp_a", url, json={"technician_id": tech_id})
    assert pinned.status_code == 200
    assert pinned.json()["pinned_technician_id"] == tech_id
    unpinned = world.client.delete(url, headers=world.auth("disp_a"))
    assert (unpinned.status_code, unpinned.json()["pinned_technician_id"]) == (200, None)
    elsewhere = world.post("disp_a", url, json={"technician_id": world.tech_b.id})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"][0]["loc"] == ["technician_id"]
    assert world.post("disp_b", url, json={"technician_id": tech_id}).status_code == 404
    assert world.post("tech_a0", url, json={"technician_id": tech_id}).status_code == 403


def test_pin_that_breaks_a_window_is_409_with_the_reason(world: World) -> None:
    """Two 2-hour visits promised to start 08:00-09:00 cannot both be pinned to one
    technician: the second pin answers 409 pin_breaks_promise naming the first, and is not
    stored."""
    with world.session() as session:
        region = session.get(Region, world.region_a.id)
        assert region is not None
        first, second = (add_visit(session, region, BLOK_M, 8, hours=1) for _ in range(2))
        ids = (first.id, second.id)
    tech_id = world.techs_a[0].id
    ok = world.post("disp_a", f"/v1/visits/{ids[0]}/pin", json={"technician_id": tech_id})
    assert ok.status_code == 200
    refused = world.post("disp_a", f"/v1/visits/{ids[1]}/pin", json={"technician_id": tech_id})
    assert refused.status_code == 409
    detail = refused.json()["detail"][0]
    assert detail["type"] == "pin_breaks_promise"
    assert detail["loc"] == ["body", "technician_id"]
    assert f"alongside visit(s) {ids[0]}" in detail["msg"]
    assert world.get("disp_a", f"/v1/visits/{ids[1]}").json()["pinned_technician_id"] is None


def test_me_tells_the_technician_who_it_is(world: World) -> None:
    """/me returns the account's role and the technician it is bound to."""
    me = world.get("tech_a0", "/v1/me")
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["technician_id"]) == ("technician", world.techs_a[0].id)
