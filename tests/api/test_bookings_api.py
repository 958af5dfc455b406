"""Customers through HTTP: slots, bookings (idempotent), reschedule, cancel, status with ETA,
service requests with the warranty's answer, and nobody reaching another customer's data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, select

from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate, VisitStatus
from tests.api import booking_support as support
from tests.api.booking_support import BookingWorld, slot_body
from tests.dispatch.booking_day import HOURS, booked_elsewhere, window
from tests.factories import make_asset, make_motorcycle_model, make_request

api_template, booking_world = support.api_template, support.booking_world  # fixtures


def _slots(world: BookingWorld, who: str, **params: object) -> httpx.Response:
    query: dict[str, object] = {"asset_id": world.asset("cust0").id, "kind": "installation"}
    query |= {"from": str(world.day), "to": str(world.day)} | params
    response: httpx.Response = world.get(who, "/v1/slots", params=query)
    return response


def _book(world: BookingWorld, who: str, hour: int, key: str, **extra: object) -> httpx.Response:
    asset = world.asset(who if who.startswith("cust") else "cust0")
    body = slot_body(asset.id or 0, world.day, hour, **extra)
    response: httpx.Response = world.post(who, "/v1/bookings", key=key, json=body)
    return response


def _fill(world: BookingWorld, hours: tuple[int, ...]) -> None:
    with Session(world.engine) as session:
        for hour in hours:
            booked_elsewhere(session, world.people.day, world.day, hour)


def _used(world: BookingWorld, who: str) -> int:
    with Session(world.engine) as session:
        row = session.exec(
            select(Entitlement).where(
                Entitlement.asset_id == world.asset(who).id,
                Entitlement.kind == EntitlementKind.FREE_INSTALLATION,
            )
        ).one()
        return row.used


def _error(response: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    [detail] = response.json()["detail"]
    assert detail["type"] == type_ and detail["msg"]
    return dict(detail)


def test_slots_rank_the_days_windows_by_added_travel(booking_world: BookingWorld) -> None:
    """An empty day offers its four windows with date, UTC bounds and local times."""
    response = _slots(booking_world, "cust0")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["reason"], body["region"]) == (4, None, "jkt-s")
    assert {s["day"] for s in body["data"]} == {str(booking_world.day)}
    travel = [s["added_travel_s"] for s in body["data"]]
    assert travel == sorted(travel)
    start, end = window(booking_world.day, 8)
    first_window = next(s for s in body["data"] if s["local_window"] == "08:00-10:00")
    assert datetime.fromisoformat(first_window["window_start"]) == start
    assert datetime.fromisoformat(first_window["window_end"]) == end


def test_slots_tell_the_coverage_before_booking(booking_world: BookingWorld) -> None:
    """The slots answer says, in the region's time zone, that the free installation would cover
    the visit without using it; the booking then decides the same, and a cancel gives it back."""
    body = _slots(booking_world, "cust0").json()
    assert body["coverage"] == {
        "coverage": "entitlement",
        "coverage_reason": body["coverage"]["coverage_reason"],
        "price": 0,
    }
    assert body["coverage"]["coverage_reason"].startswith("free_installation 1 of 1")
    assert _used(booking_world, "cust0") == 0
    booked = _book(booking_world, "cust0", 10, key="k-1").json()
    assert booked["coverage_reason"] == body["coverage"]["coverage_reason"]
    assert body["timezone"] == booked["timezone"] == "Asia/Jakarta"
    booking_world.post("cust0", f"/v1/bookings/{booked['id']}/cancel")
    assert _slots(booking_world, "cust0").json()["coverage"]["coverage"] == "entitlement"


def test_slots_full_day_answers_why(booking_world: BookingWorld) -> None:
    """A day whose routes are full: no window, reason days_full, per day too."""
    _fill(booking_world, HOURS)
    body = _slots(booking_world, "cust0").json()
    assert body["data"] == [] and body["reason"] == "days_full"
    assert body["unavailable"] == [
        {"day": str(booking_world.day), "reason": "days_full", "message": body["message"]}
    ]


def test_slots_without_skilled_technician_answers_why(booking_world: BookingWorld) -> None:
    """A motorcycle's service needs a skill nobody in the region has."""
    with Session(booking_world.engine) as session:
        customer_id = booking_world.people.customer_ids["cust0"]
        bike = make_asset(
            session, product_model=make_motorcycle_model(session), customer_id=customer_id
        )
        bike_id = bike.id
    body = _slots(booking_world, "cust0", asset_id=bike_id, kind="periodic_service").json()
    assert body["data"] == [] and body["reason"] == "no_skilled_technician"


def test_slots_of_another_customers_asset_is_404(booking_world: BookingWorld) -> None:
    """cust1 asking about cust0's asset learns nothing, not even that it exists."""
    detail = _error(_slots(booking_world, "cust1"), 404, "not_found")
    assert "data" not in detail


def test_customer_may_not_choose_the_region(booking_world: BookingWorld) -> None:
    """The region that serves an asset is decided for customers; naming one is forbidden."""
    _error(_slots(booking_world, "cust0", region="jkt-b"), 403, "forbidden")
    body = _slots(booking_world, "admin", region="jkt-b").json()
    assert (body["region"], body["count"]) == ("jkt-b", 4)


def test_slots_need_a_known_kind(booking_world: BookingWorld) -> None:
    """A kind outside the enumeration is a validation error in the one error shape."""
    detail = _error(_slots(booking_world, "cust0", kind="massage"), 422, "enum")
    assert detail["loc"] == ["query", "kind"]


def test_booking_created_and_read_back(booking_world: BookingWorld) -> None:
    """201 with status, window and coverage; the free installation is consumed; GET agrees."""
    response = _book(booking_world, "cust0", 10, key="k-1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["kind"], body["coverage"], body["price"]) == (
        "booked",
        "installation",
        "entitlement",
        0,
    )
    assert body["technician_first_name"] is None and body["eta"] is None
    assert body["actions"] == ["reschedule", "cancel"]
    assert "Idempotent-Replayed" not in response.headers
    assert _used(booking_world, "cust0") == 1
    again = booking_world.get("cust0", f"/v1/bookings/{body['id']}")
    assert again.status_code == 200 and again.json() == body
    listed = booking_world.get("cust0", "/v1/bookings").json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == body["id"]


def test_booking_retried_with_same_key_books_once(booking_world: BookingWorld) -> None:
    """The same key and body answer the same booking, flagged as a replay."""
    first = _book(booking_world, "cust0", 10, key="k-1").json()
    retry = _book(booking_world, "cust0", 10, key="k-1")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first["id"]
    assert booking_world.get("cust0", "/v1/bookings").json()["count"] == 1
    assert _used(booking_world, "cust0") == 1


def test_booking_same_key_with_another_body_is_422(booking_world: BookingWorld) -> None:
    """A key reused for another window is refused with a clear message."""
    _book(booking_world, "cust0", 10, key="k-1")
    detail = _error(_book(booking_world, "cust0", 13, key="k-1"), 422, "idempotency_key_reused")
    assert detail["loc"] == ["header", "idempotency-key"]


def test_booking_without_idempotency_key_is_422(booking_world: BookingWorld) -> None:
    """The Idempotency-Key header is required."""
    body = slot_body(booking_world.asset("cust0").id or 0, booking_world.day, 10)
    response = booking_world.post("cust0", "/v1/bookings", json=body)
    detail = _error(response, 422, "missing")
    assert detail["loc"] == ["header", "Idempotency-Key"]


def test_booking_full_window_is_409_slot_unavailable(booking_world: BookingWorld) -> None:
    """With the day full, the window is refused and no entitlement is consumed."""
    _fill(booking_world, HOURS)
    _error(_book(booking_world, "cust0", 15, key="k-1"), 409, "slot_unavailable")
    assert _used(booking_world, "cust0") == 0


def test_booking_window_not_offered_is_422(booking_world: BookingWorld) -> None:
    """A window that is not one of the offered ones is refused."""
    asset = booking_world.asset("cust0")
    body = slot_body(asset.id or 0, booking_world.day, 9)
    response = booking_world.post("cust0", "/v1/bookings", key="k-1", json=body)
    assert "not an offered window" in _error(response, 422, "invalid_input")["msg"]


def test_booking_another_customers_asset_is_404(booking_world: BookingWorld) -> None:
    """cust1 cannot book cust0's asset, nor name cust0 as the customer."""
    body = slot_body(booking_world.asset("cust0").id or 0, booking_world.day, 10)
    _error(booking_world.post("cust1", "/v1/bookings", key="k", json=body), 404, "not_found")
    cust0 = booking_world.people.customer_ids["cust0"]
    own = slot_body(booking_world.asset("cust1").id or 0, booking_world.day, 10, customer_id=cust0)
    _error(booking_world.post("cust1", "/v1/bookings", key="k2", json=own), 404, "not_found")
    assert _used(booking_world, "cust0") == 0


def test_booking_of_another_customer_is_404_everywhere(booking_world: BookingWorld) -> None:
    """cust1 can neither read, move nor cancel cust0's booking; it stays as it was."""
    booking = _book(booking_world, "cust0", 10, key="k-1").json()
    url = f"/v1/bookings/{booking['id']}"
    start, end = window(booking_world.day, 13)
    move = {"window_start": start.isoformat(), "window_end": end.isoformat()}
    for response in (
        booking_world.get("cust1", url),
        booking_world.post("cust1", f"{url}/reschedule", json=move),
        booking_world.post("cust1", f"{url}/cancel"),
        booking_world.get("disp_b", url),
        booking_world.get("tech", url),
    ):
        assert response.status_code in (403, 404)
        assert "status" not in response.text
    assert booking_world.get("cust0", url).json() == booking
    assert booking_world.get("cust1", "/v1/bookings").json() == {"data": [], "count": 0}


def test_dispatcher_books_for_a_customer_of_its_region(booking_world: BookingWorld) -> None:
    """A dispatcher of the region books on the customer's behalf; for one of another region
    the asset does not exist (404: ids of other regions cannot be probed)."""
    cust0 = booking_world.people.customer_ids["cust0"]
    asset_id = booking_world.asset("cust0").id or 0
    body = slot_body(asset_id, booking_world.day, 8, customer_id=cust0)
    _error(booking_world.post("disp_b", "/v1/bookings", key="d", json=body), 404, "not_found")
    made = booking_world.post("disp_s", "/v1/bookings", key="d", json=body)
    assert made.status_code == 201 and made.json()["asset_id"] == asset_id
    listed = booking_world.get("disp_s", "/v1/bookings", params={"customer_id": cust0}).json()
    assert [b["id"] for b in listed["data"]] == [made.json()["id"]]


def test_reschedule_then_cancel_gives_the_entitlement_back(booking_world: BookingWorld) -> None:
    """Move 10-12 to 13-15 the next day, then cancel: the free installation comes back and a
    second cancel is an illegal transition."""
    booking = _book(booking_world, "cust0", 10, key="k-1").json()
    url = f"/v1/bookings/{booking['id']}"
    start, end = window(booking_world.day + timedelta(days=1), 13)
    moved = booking_world.post(
        "cust0",
        f"{url}/reschedule",
        json={"window_start": start.isoformat(), "window_end": end.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["window_start"]) == start
    cancelled = booking_world.post("cust0", f"{url}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["request_status"] == "cancelled"
    assert cancelled.json()["actions"] == []
    assert _used(booking_world, "cust0") == 0
    _error(booking_world.post("cust0", f"{url}/cancel"), 409, "invalid_transition")


def test_booking_en_route_shows_first_name_and_eta(booking_world: BookingWorld) -> None:
    """Once planned and en route, the customer sees the technician's first name and an ETA
    after the moment the technician set off."""
    booking = _book(booking_world, "cust0", 8, key="k-1").json()
    start, _ = window(booking_world.day, 8)
    with Session(booking_world.engine) as session:
        visit = session.get(Visit, booking["id"])
        assert visit is not None
        tech = booking_world.people.day.technician
        visit_service.set_planned(
            session=session,
            visit=visit,
            technician_id=tech.id or 0,
            start=start,
            end=start + timedelta(hours=2),
        )
        session.commit()
        visit_service.transition(
            session=session, visit=visit, to=VisitStatus.EN_ROUTE, at=start - timedelta(minutes=20)
        )
    body = booking_world.get("cust0", f"/v1/bookings/{booking['id']}").json()
    assert body["status"] == "en_route"
    assert body["technician_first_name"] == tech.name.split()[0]
    eta = datetime.fromisoformat(body["eta"])
    assert start - timedelta(minutes=20) < eta < start


def test_service_request_repair_under_warranty(booking_world: BookingWorld) -> None:
    """A repair of an AC bought last week is covered by the warranty, and the answer says why."""
    asset_id = booking_world.asset("cust0").id
    response = booking_world.post(
        "cust0",
        "/v1/service-requests",
        json={"asset_id": asset_id, "kind": "repair", "description": "no cold air"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["coverage"], body["price"], body["status"]) == ("warranty", 0, "open")
    assert "valid until" in body["coverage_reason"]
    assert booking_world.get("cust0", f"/v1/service-requests/{body['id']}").json() == body
    _error(booking_world.get("cust1", f"/v1/service-requests/{body['id']}"), 404, "not_found")
    assert booking_world.get("cust1", "/v1/service-requests").json()["count"] == 0


def test_service_request_repair_after_warranty_is_paid(booking_world: BookingWorld) -> None:
    """Two years after purchase the 12-month warranty has ended: the repair is paid."""
    with Session(booking_world.engine) as session:
        old = make_asset(
            session,
            product_model=booking_world.people.day.product,
            customer_id=booking_world.people.customer_ids["cust0"],
            purchase_date=date.today() - timedelta(days=730),
            lat=-6.26,
            lon=106.81,
        )
        old_id = old.id
    body = booking_world.post(
        "cust0", "/v1/service-requests", json={"asset_id": old_id, "kind": "repair"}
    ).json()
    assert (body["coverage"], body["price"]) == ("paid", 250_000)
    assert "expired" in body["coverage_reason"]


def test_service_request_rules_held(booking_world: BookingWorld) -> None:
    """An installation is booked, not requested; another customer's asset is not found."""
    asset_id = booking_world.asset("cust0").id
    detail = _error(
        booking_world.post(
            "cust0", "/v1/service-requests", json={"asset_id": asset_id, "kind": "installation"}
        ),
        422,
        "invalid_input",
    )
    assert "booked directly" in detail["msg"]
    _error(
        booking_world.post(
            "cust1", "/v1/service-requests", json={"asset_id": asset_id, "kind": "repair"}
        ),
        404,
        "not_found",
    )


def test_repair_request_is_booked_by_request_id(booking_world: BookingWorld) -> None:
    """A repair request opened first is then booked into a window: the same request, covered
    by the warranty."""
    asset_id = booking_world.asset("cust0").id or 0
    request = booking_world.post(
        "cust0", "/v1/service-requests", json={"asset_id": asset_id, "kind": "repair"}
    ).json()
    body = slot_body(asset_id, booking_world.day, 13, kind="repair", request_id=request["id"])
    booked = booking_world.post("cust0", "/v1/bookings", key="r-1", json=body)
    assert booked.status_code == 201, booked.text
    assert (booked.json()["request_id"], booked.json()["coverage"]) == (request["id"], "warranty")


def _due_service(world: BookingWorld, days: int = 10) -> int:
    """A free installation of cust0's AC due within `days` days from the booking day, with no
    window yet (as a week plan takes it); its visit id."""
    with Session(world.engine) as session:
        region = world.people.day.region
        asset = world.asset("cust0")
        request = make_request(session, asset=asset, region=region)
        visit = visit_service.create(
            session=session,
            visit_in=VisitCreate(
                request_id=request.id or 0,
                lat=asset.lat,
                lon=asset.lon,
                duration_s=2 * 3600,
                due_from=world.day,
                due_until=world.day + timedelta(days=days),
            ),
        )
        return visit.id or 0


def test_a_visit_still_to_be_scheduled_is_listed_with_its_days(
    booking_world: BookingWorld,
) -> None:
    """A free installation due within ten days is among the customer's bookings, first, with
    its due days and no window; read back by id; another customer does not see it."""
    visit_id = _due_service(booking_world)
    listed = booking_world.get("cust0", "/v1/bookings").json()["data"]
    assert listed[0]["id"] == visit_id and listed[0]["window_start"] is None
    assert listed[0]["due_from"] == str(booking_world.day)
    assert listed[0]["due_until"] == str(booking_world.day + timedelta(days=10))
    assert set(listed[0]["actions"]) == {"reschedule", "cancel"}
    one = booking_world.get("cust0", f"/v1/bookings/{visit_id}")
    assert one.status_code == 200 and one.json()["due_from"] == str(booking_world.day)
    assert booking_world.get("cust1", f"/v1/bookings/{visit_id}").status_code == 404


def test_a_customer_picks_the_window_of_a_visit_to_be_scheduled(
    booking_world: BookingWorld,
) -> None:
    """Choosing an offered window for it makes it an ordinary booking (promised, no longer
    due over days), and booking the unit again is refused: it has that booking."""
    visit_id = _due_service(booking_world)
    start, end = window(booking_world.day, 13)
    moved = booking_world.post(
        "cust0",
        f"/v1/bookings/{visit_id}/reschedule",
        json={"window_start": start.isoformat(), "window_end": end.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert datetime.fromisoformat(body["window_start"]) == start
    assert (body["due_from"], body["due_until"]) == (None, None)
    _error(_book(booking_world, "cust0", 10, key="again"), 409, "conflict")
