"""Partner workshops through HTTP: staff register one, a customer lists bay slots near a
motorcycle and books one with an Idempotency-Key (the free service used, and given back on
cancel), nobody reaches another customer's booking, and bad input answers 4xx naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from dispatch.entitlement.models import Entitlement, EntitlementKind
from tests.api import booking_support as support
from tests.api.booking_support import BookingWorld
from tests.dispatch.workshop_support import HOME
from tests.factories import make_asset, make_motorcycle_model

api_template, booking_world = support.api_template, support.booking_world  # fixtures

WORKSHOP: dict[str, Any] = {
    "name": "Bengkel Gesit Blok M",
    "address": "Jl. Melawai 10, Jakarta Selatan",
    "lat": -6.2443,
    "lon": 106.8005,
    "bays": 1,
    "region": "jkt-s",
    "hours": [{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(7)],
    "services": ["periodic_service", "oil_change"],
}


def _motorcycle(world: BookingWorld, who: str) -> int:
    with Session(world.engine) as session:
        customer_id = world.people.customer_ids[who]
        model = make_motorcycle_model(session)
        asset = make_asset(session, product_model=model, lat=HOME[0], lon=HOME[1])
        asset.customer_id = customer_id
        session.add(asset)
        session.commit()
        return asset.id or 0


def _free_services_used(world: BookingWorld, asset_id: int) -> int:
    with Session(world.engine) as session:
        return session.exec(
            select(Entitlement.used).where(
                Entitlement.asset_id == asset_id, Entitlement.kind == EntitlementKind.FREE_SERVICE
            )
        ).one()


def _detail(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["detail"][0])


def test_register_list_book_replay_and_cancel(booking_world: BookingWorld) -> None:
    world = booking_world
    created = world.post("disp_s", "/v1/workshops", json=WORKSHOP)
    assert created.status_code == 201, created.text
    workshop = created.json()
    assert workshop["timezone"] == "Asia/Jakarta" and len(workshop["hours"]) == 7
    listed = world.get("cust0", "/v1/workshops", params={"kind": "oil_change"}).json()
    assert [w["id"] for w in listed["data"]] == [workshop["id"]]
    bike = _motorcycle(world, "cust0")
    query = {"asset_id": bike, "kind": "periodic_service", "from": str(world.day)}
    slots = world.get("cust0", "/v1/workshop-slots", params=query | {"to": str(world.day)})
    assert slots.status_code == 200, slots.text
    offer = slots.json()
    assert offer["coverage"]["coverage"] == "entitlement" and offer["home_visit"] is True
    assert [s["local_window"] for s in offer["data"]][:1] == ["08:00-09:00"]
    body = {
        "workshop_id": workshop["id"],
        "asset_id": bike,
        "kind": "periodic_service",
        "slot_start": offer["data"][0]["slot_start"],
    }
    booked = world.post("cust0", "/v1/workshop-bookings", key="bay-1", json=body)
    assert booked.status_code == 201, booked.text
    again = world.post("cust0", "/v1/workshop-bookings", key="bay-1", json=body)
    assert again.json()["id"] == booked.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert booked.json()["coverage"] == "entitlement" and _free_services_used(world, bike) == 1
    other = world.post("cust1", "/v1/workshop-bookings", key="bay-2", json=body)
    _detail(other, 404)  # cust1 does not own the motorcycle
    path = f"/v1/workshop-bookings/{booked.json()['id']}"
    _detail(world.get("cust1", path), 404)
    _detail(world.get("disp_b", path), 404)
    assert world.get("disp_s", path).status_code == 200
    _detail(world.post("cust0", f"{path}/complete"), 403)
    cancelled = world.post("cust0", f"{path}/cancel")
    assert cancelled.json()["status"] == "cancelled" and _free_services_used(world, bike) == 0
    assert _detail(world.post("cust0", f"{path}/cancel"), 409)["type"] == "conflict"


def test_a_full_slot_answers_409_workshop_full(booking_world: BookingWorld) -> None:
    world = booking_world
    workshop = world.post("admin", "/v1/workshops", json=WORKSHOP).json()
    first, second = _motorcycle(world, "cust0"), _motorcycle(world, "cust1")
    query = {"asset_id": first, "kind": "oil_change", "from": str(world.day)}
    start = world.get("cust0", "/v1/workshop-slots", params=query).json()["data"][0]["slot_start"]
    body = {"workshop_id": workshop["id"], "kind": "oil_change", "slot_start": start}
    ok = world.post("cust0", "/v1/workshop-bookings", key="a", json=body | {"asset_id": first})
    assert ok.status_code == 201, ok.text
    full = world.post("cust1", "/v1/workshop-bookings", key="b", json=body | {"asset_id": second})
    detail = _detail(full, 409)
    assert detail["type"] == "workshop_full" and detail["loc"] == ["body", "slot_start"]


def test_bad_input_names_the_field(booking_world: BookingWorld) -> None:
    world = booking_world
    closed = WORKSHOP | {"hours": [{"weekday": 0, "opens": "12:00", "closes": "08:00"}]}
    assert "hours" in _detail(world.post("admin", "/v1/workshops", json=closed), 422)["loc"]
    _detail(world.post("disp_b", "/v1/workshops", json=WORKSHOP), 403)
    assert world.post("admin", "/v1/workshops", json=WORKSHOP).status_code == 201
    twice = _detail(world.post("admin", "/v1/workshops", json=WORKSHOP), 409)
    assert twice["loc"] == ["body", "name"]
    bike = _motorcycle(world, "cust0")
    far = {"asset_id": bike, "kind": "oil_change", "max_km": 500}
    assert "max_km" in _detail(world.get("cust0", "/v1/workshop-slots", params=far), 422)["loc"]
    odd = {"workshop_id": 1, "asset_id": bike, "kind": "oil_change",
           "slot_start": "2030-01-01T08:17:00+07:00"}  # fmt: skip
    detail = _detail(world.post("cust0", "/v1/workshop-bookings", key="x", json=odd), 422)
    assert detail["loc"] == ["body", "slot_start"]


def test_a_customer_moves_a_bay_booking_and_a_full_slot_is_409(booking_world: BookingWorld) -> None:
    """The booking moves to the next slot (same id, the free service used once); into a slot
    another customer holds: 409 workshop_full; another customer or region: 404."""
    world = booking_world
    workshop = world.post("admin", "/v1/workshops", json=WORKSHOP).json()
    mine, theirs = _motorcycle(world, "cust0"), _motorcycle(world, "cust1")
    query = {"asset_id": mine, "kind": "periodic_service", "from": str(world.day)}
    free = world.get("cust0", "/v1/workshop-slots", params=query).json()["data"]
    first, second, third = (s["slot_start"] for s in free[:3])
    body = {"workshop_id": workshop["id"], "kind": "periodic_service"}
    booked = world.post(
        "cust0",
        "/v1/workshop-bookings",
        key="m1",
        json=body | {"asset_id": mine, "slot_start": first},
    ).json()
    world.post(
        "cust1",
        "/v1/workshop-bookings",
        key="t1",
        json=body | {"asset_id": theirs, "slot_start": third},
    )
    path = f"/v1/workshop-bookings/{booked['id']}/reschedule"
    moved = world.post("cust0", path, json={"slot_start": second})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["id"], moved.json()["slot_start"]) == (booked["id"], second)
    assert _free_services_used(world, mine) == 1
    full = _detail(world.post("cust0", path, json={"slot_start": third}), 409)
    assert full["type"] == "workshop_full"
    _detail(world.post("cust1", path, json={"slot_start": first}), 404)
    _detail(world.post("disp_b", path, json={"slot_start": first}), 404)
    assert world.post("disp_s", path, json={"slot_start": first}).status_code == 200


def test_a_paid_bay_service_earns_a_voucher_and_takes_one(booking_world: BookingWorld) -> None:
    """Three free services, then a paid one (120 000): completing it earns the after-paid
    voucher; the customer redeems it on that bay booking (10% off), once."""
    world = booking_world
    workshop = world.post("admin", "/v1/workshops", json=WORKSHOP).json()
    offer = {
        "name": "Terima kasih bengkel", "rule": "after_paid_visit", "discount_kind": "percent",
        "amount": 10, "valid_from": str(world.day - timedelta(days=30)),
        "valid_until": str(world.day + timedelta(days=30)),
    }  # fmt: skip
    assert world.post("admin", "/v1/voucher-offers", json=offer).status_code == 201
    bike = _motorcycle(world, "cust0")
    query = {"asset_id": bike, "kind": "periodic_service", "from": str(world.day)}
    starts = [
        s["slot_start"]
        for s in world.get("cust0", "/v1/workshop-slots", params=query).json()["data"]
    ]
    done = []
    for n, start in enumerate(starts[:4]):
        body = {"workshop_id": workshop["id"], "asset_id": bike, "kind": "periodic_service",
                "slot_start": start}  # fmt: skip
        booked = world.post("cust0", "/v1/workshop-bookings", key=f"paid-{n}", json=body).json()
        done.append(world.post("disp_s", f"/v1/workshop-bookings/{booked['id']}/complete").json())
    assert [b["coverage"] for b in done] == ["entitlement"] * 3 + ["paid"]
    (earned,) = world.get("cust0", "/v1/vouchers").json()["data"]
    assert earned["source"] == f"workshop:{done[3]['id']}"
    redeem = {"code": earned["code"], "workshop_booking_id": done[3]["id"]}
    used = world.post("cust0", "/v1/vouchers/redeem", json=redeem)
    assert used.status_code == 200, used.text
    assert (used.json()["price"], used.json()["discount"], used.json()["price_to_pay"]) == (
        120_000, 12_000, 108_000,
    )  # fmt: skip
    assert _detail(world.post("cust0", "/v1/vouchers/redeem", json=redeem), 409)["type"] == (
        "voucher_unusable"
    )
