"""Vouchers through HTTP: an admin creates an offer, a dispatcher grants a voucher to a customer
of its region, the customer sees it and redeems it once; bad input names the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api import booking_support as support
from tests.api.booking_support import BookingWorld

api_template, booking_world = support.api_template, support.booking_world  # fixtures


def _offer(world: BookingWorld, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Terima kasih 10%",
        "rule": "staff",
        "discount_kind": "percent",
        "amount": 10,
        "max_discount": 50_000,
        "min_price": 100_000,
        "valid_from": str(world.day - timedelta(days=30)),
        "valid_until": str(world.day + timedelta(days=30)),
    } | overrides
    response = world.post("admin", "/v1/voucher-offers", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _detail(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["detail"][0])


def test_grant_list_and_redeem_once(booking_world: BookingWorld) -> None:
    world = booking_world
    offer = _offer(world)
    customer = world.people.customer_ids["cust0"]
    grant = {"offer_id": offer["id"], "customer_id": customer}
    granted = world.post("disp_s", "/v1/vouchers", json=grant)
    assert granted.status_code == 201, granted.text
    code = granted.json()["code"]
    _detail(world.post("disp_b", "/v1/vouchers", json=grant), 404)  # not its region's customer
    mine = world.get("cust0", "/v1/vouchers").json()
    assert [v["code"] for v in mine["data"]] == [code]
    assert world.get("cust1", "/v1/vouchers").json()["count"] == 0
    part = {"code": code, "amount": 800_000, "part_reference": "KOMPRESOR-1PK"}
    _detail(world.post("cust1", "/v1/vouchers/redeem", json=part), 404)
    redeemed = world.post("cust0", "/v1/vouchers/redeem", json=part)
    assert redeemed.status_code == 200, redeemed.text
    assert (redeemed.json()["discount"], redeemed.json()["price_to_pay"]) == (50_000, 750_000)
    again = _detail(world.post("cust0", "/v1/vouchers/redeem", json=part), 409)
    assert again["type"] == "voucher_unusable" and again["loc"] == ["body", "code"]
    offers = world.get("disp_s", "/v1/voucher-offers").json()
    assert offers["data"][0]["issued"] == 1


def test_limits_and_bad_input_name_the_field(booking_world: BookingWorld) -> None:
    world = booking_world
    offer = _offer(world, total_limit=1)
    grant = {"offer_id": offer["id"], "customer_id": world.people.customer_ids["cust0"]}
    assert world.post("admin", "/v1/vouchers", json=grant).status_code == 201
    full = _detail(world.post("admin", "/v1/vouchers", json=grant), 409)
    assert full["type"] == "voucher_limit_reached"
    bad = _detail(world.post("admin", "/v1/voucher-offers", json={"name": "x"}), 422)
    assert bad["loc"][0] == "body"
    over = {"name": "y", "rule": "staff", "discount_kind": "percent", "amount": 150,
            "valid_from": str(world.day), "valid_until": str(world.day)}  # fmt: skip
    assert (
        "at most 100" in _detail(world.post("admin", "/v1/voucher-offers", json=over), 422)["msg"]
    )
    _detail(world.post("disp_s", "/v1/voucher-offers", json=over), 403)
    half = {"code": "ABCDEFGH", "amount": 1000}
    assert (
        "part_reference"
        in _detail(world.post("cust0", "/v1/vouchers/redeem", json=half), 422)["msg"]
    )
    unknown = {"code": "ZZZZZZZZ", "amount": 1000, "part_reference": "x"}
    assert _detail(world.post("cust0", "/v1/vouchers/redeem", json=unknown), 404)["loc"] == [
        "body", "code",
    ]  # fmt: skip
