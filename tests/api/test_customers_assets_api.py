"""Customers and their sold units through HTTP: staff register them (entitlements granted, the
address geocoded only when a geocoder is set), owners read them with the warranty's answer, and
nobody reaches another customer's data."""

from __future__ import annotations

from datetime import timedelta

from tests.api import booking_support as support
from tests.api.booking_support import BookingWorld

api_template, booking_world = support.api_template, support.booking_world  # fixtures

NEW_CUSTOMER = {
    "name": "Siti Rahma",
    "phone": "+62 811 555 0101",
    "language": "id",
    "address": "Jl. Kemang Raya No. 5, Jakarta Selatan",
    "lat": -6.2607,
    "lon": 106.8137,
}


def test_customer_registered_by_dispatcher_and_found_by_phone(booking_world: BookingWorld) -> None:
    """A dispatcher registers a caller and finds them again by phone number."""
    created = booking_world.post("disp_s", "/v1/customers", json=NEW_CUSTOMER)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Siti Rahma"
    found = booking_world.get("disp_s", "/v1/customers", params={"phone": "+62 811 555 0101"})
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["data"]] == [created.json()["id"]]


def test_customer_without_coordinates_needs_a_geocoder(booking_world: BookingWorld) -> None:
    """With GEOCODER=none an address alone gets a 422 naming lat, and nothing is stored."""
    body = {k: v for k, v in NEW_CUSTOMER.items() if k not in ("lat", "lon")}
    response = booking_world.post("admin", "/v1/customers", json=body)
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["lat"] and "coordinates" in detail["msg"]
    listed = booking_world.get("admin", "/v1/customers", params={"phone": body["phone"]})
    assert listed.json()["count"] == 0


def test_customer_reads_itself_but_not_another(booking_world: BookingWorld) -> None:
    """A customer reads its own record; another customer's id answers 404 with no data."""
    own = booking_world.people.customer_ids["cust0"]
    other = booking_world.people.customer_ids["cust1"]
    assert booking_world.get("cust0", f"/v1/customers/{own}").json()["id"] == own
    response = booking_world.get("cust0", f"/v1/customers/{other}")
    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "not_found"
    assert booking_world.get("cust0", "/v1/customers").status_code == 403


def test_asset_registered_with_entitlements_and_warranty(booking_world: BookingWorld) -> None:
    """A sold AC registered by staff carries its free installation and an open warranty."""
    owner = booking_world.people.customer_ids["cust1"]
    model_id = booking_world.asset("cust0").product_model_id
    body = {
        "customer_id": owner,
        "product_model_id": model_id,
        "serial_number": "NEW-0001",
        "purchase_date": str(booking_world.day - timedelta(days=3)),
    }
    response = booking_world.post("disp_s", "/v1/assets", json=body)
    assert response.status_code == 201, response.text
    asset = response.json()
    assert asset["warranty"]["covered"] is True
    assert "warranty, valid until" in asset["warranty"]["reason"]
    kinds = {e["kind"] for e in asset["entitlements"]}
    assert "free_installation" in kinds
    again = booking_world.post("disp_s", "/v1/assets", json=body)
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["serial_number"]


def test_customer_lists_only_own_assets(booking_world: BookingWorld) -> None:
    """A customer's asset list holds its own units; naming another customer, or another's
    asset id, answers 404."""
    cust1 = booking_world.people.customer_ids["cust1"]
    other_list = booking_world.get("cust0", "/v1/assets", params={"customer_id": cust1})
    assert other_list.status_code == 404 and "Customer 1" not in other_list.text
    mine = booking_world.get("cust0", "/v1/assets")
    assert mine.status_code == 200
    assert [a["id"] for a in mine.json()["data"]] == [booking_world.asset("cust0").id]
    other = booking_world.asset("cust1").id
    assert booking_world.get("cust0", f"/v1/assets/{other}").status_code == 404
    detail = booking_world.get("cust1", f"/v1/assets/{other}")
    assert detail.status_code == 200 and detail.json()["product_model"]["category"] == "ac"


def test_staff_must_name_the_customer_of_an_asset_list(booking_world: BookingWorld) -> None:
    """Staff listing assets without a customer get a 422 naming the query parameter."""
    response = booking_world.get("admin", "/v1/assets")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "customer_id"]


def test_catalogue_readable_by_everyone_signed_in(booking_world: BookingWorld) -> None:
    """Any signed-in user reads the catalogue; only an admin adds to it."""
    listed = booking_world.get("tech", "/v1/product-models")
    assert listed.status_code == 200 and listed.json()["count"] >= 1
    body = {"category": "ac", "brand": "Dingin", "name": "AC 2 PK", "warranty_months": 24}
    assert booking_world.post("disp_s", "/v1/product-models", json=body).status_code == 403
    assert booking_world.client.get("/v1/product-models").status_code == 401
