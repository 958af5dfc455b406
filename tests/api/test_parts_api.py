"""Spare parts over HTTP: the catalogue, a region's stock, receipts and transfers, the parts a
visit needs, and a failed visit's follow-up opened when its part is received."""

from __future__ import annotations

from typing import Any

from dispatch.asset import service as asset_service
from dispatch.visit import service as visit_service
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, plan_and_publish
from tests.factories import DAY, local

api_template, world = support.api_template, support.world  # fixtures


def _product_model_id(world: World) -> int:
    with world.session() as session:
        visit = visit_service.get_or_raise(session=session, visit_id=world.visits_a[0].id or 0)
        asset = asset_service.get_or_raise(session=session, asset_id=visit.request.asset_id)
        return asset.product_model_id


def _part(world: World, number: str = "SJK-CMP-1PK") -> dict[str, Any]:
    body = {
        "part_number": number,
        "name": "compressor",
        "name_id": "kompresor",
        "product_model_id": _product_model_id(world),
        "price": 1_250_000,
    }
    response = world.post("admin", "/v1/parts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _locations(world: World) -> tuple[int, int]:
    """A warehouse of region a and the van of its first technician: their ids."""
    url = f"/v1/regions/{world.region_a.code}/stock-locations"
    warehouse = world.post("admin", url, json={"kind": "warehouse", "name": "Gudang Blok M"})
    van = world.post("admin", url, json={"kind": "van", "technician_id": world.techs_a[0].id})
    assert (warehouse.status_code, van.status_code) == (201, 201), van.text
    return warehouse.json()["id"], van.json()["id"]


def _receive(
    world: World, location_id: int, part_id: int, quantity: int, who: str = "disp_a"
) -> Any:
    body = {"location_id": location_id, "part_id": part_id, "quantity": quantity}
    return world.post(who, f"/v1/regions/{world.region_a.code}/stock/receipts", json=body)


def test_the_catalogue_is_read_by_anyone_and_written_by_admins(world: World) -> None:
    part = _part(world)
    listed = world.get(
        "tech_a0", "/v1/parts", params={"product_model_id": part["product_model_id"]}
    )
    assert [p["part_number"] for p in listed.json()["data"]] == ["SJK-CMP-1PK"]
    again = world.post("admin", "/v1/parts", json={k: v for k, v in part.items() if k != "id"})
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["part_number"]
    assert world.post("disp_a", "/v1/parts", json=part).status_code == 403
    rule = {"product_model_id": part["product_model_id"], "kind": "repair", "part_id": part["id"]}
    assert world.post("admin", "/v1/part-needs", json=rule).status_code == 201
    rules = world.get(
        "customer", "/v1/part-needs", params={"product_model_id": part["product_model_id"]}
    )
    assert [(r["kind"], r["quantity"]) for r in rules.json()] == [("repair", 1)]


def test_receipts_and_transfers_keep_the_balance_and_refuse_what_is_not_there(world: World) -> None:
    part = _part(world)
    warehouse, van = _locations(world)
    received = _receive(world, warehouse, part["id"], 3)
    assert received.status_code == 200, received.text
    assert received.json()["level"]["on_hand"] == 3
    url = f"/v1/regions/{world.region_a.code}/stock/transfers"
    body = {"from_location_id": warehouse, "to_location_id": van, "part_id": part["id"]}
    loaded = world.post("disp_a", url, json=body | {"quantity": 2})
    assert (loaded.json()["location_id"], loaded.json()["available"]) == (van, 2)
    too_many = world.post("disp_a", url, json=body | {"quantity": 5})
    assert too_many.status_code == 409
    assert too_many.json()["detail"][0]["type"] == "out_of_stock"
    assert "has 1 of part SJK-CMP-1PK free, 5 asked" in too_many.json()["detail"][0]["msg"]
    view = world.get("disp_a", f"/v1/regions/{world.region_a.code}/stock").json()
    assert (view["stock_outs"], view["warehouse_stock_outs"]) == (0, 0)
    stock = view["data"]
    assert {s["id"]: [lvl["on_hand"] for lvl in s["levels"]] for s in stock} == {
        warehouse: [1],
        van: [2],
    }
    van_stock = world.get("tech_a0", "/v1/me/van").json()
    assert [(lvl["part_number"], lvl["available"]) for lvl in van_stock] == [("SJK-CMP-1PK", 2)]
    ledger = world.get(
        "disp_a",
        f"/v1/regions/{world.region_a.code}/stock/movements",
        params={"location_id": warehouse},
    ).json()
    assert [m["kind"] for m in ledger] == ["transfer_out", "receipt"]


def test_bad_stock_input_names_the_field(world: World) -> None:
    part = _part(world)
    warehouse, _ = _locations(world)
    zero = _receive(world, warehouse, part["id"], 0)
    assert zero.status_code == 422 and zero.json()["detail"][0]["loc"][-1] == "quantity"
    elsewhere = _receive(world, warehouse, part["id"], 1, who="disp_b")
    assert elsewhere.status_code == 403
    unknown = _receive(world, 999_999, part["id"], 1)
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["loc"] == ["location_id"]


def test_a_part_of_another_model_is_refused_on_a_visit(world: World) -> None:
    visit_id = world.visits_a[0].id
    response = world.client.put(
        f"/v1/visits/{visit_id}/parts",
        headers=world.auth("disp_a"),
        json={"parts": [{"part_id": 999_999, "quantity": 1}]},
    )
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["parts", 0, "part_id"]


def test_a_visit_failed_for_a_part_gets_its_follow_up_when_the_part_arrives(world: World) -> None:
    """The technician names the compressor on site and fails the visit for it; the dispatcher
    sees the backorder; the receipt opens the follow-up."""
    part = _part(world)
    warehouse, _ = _locations(world)
    plan_and_publish(world)
    route = world.get("tech_a0", "/v1/me/route", params={"day": str(DAY)}).json()
    visit_id = route["stops"][0]["visit_id"]
    for k, event in enumerate(("en_route", "arrived")):
        body = {"event": event, "at": local(DAY, 8, 10 * k).isoformat()}
        assert world.post("tech_a0", f"/v1/visits/{visit_id}/events", json=body).status_code == 200
    needs = world.client.put(
        f"/v1/visits/{visit_id}/parts",
        headers=world.auth("tech_a0"),
        json={"parts": [{"part_id": part["id"], "quantity": 1}]},
    )
    assert needs.status_code == 200, needs.text
    assert [(n["part_number"], n["reserved_at"]) for n in needs.json()] == [("SJK-CMP-1PK", None)]
    failed = {
        "event": "failed",
        "at": local(DAY, 8, 30).isoformat(),
        "failure_reason": "part_missing",
    }
    assert world.post("tech_a0", f"/v1/visits/{visit_id}/events", json=failed).status_code == 200
    waits = world.get("disp_a", f"/v1/regions/{world.region_a.code}/backorders").json()
    assert [(w["visit_id"], w["part_id"]) for w in waits] == [(visit_id, part["id"])]
    opened = _receive(world, warehouse, part["id"], 1).json()["follow_up_visit_ids"]
    assert len(opened) == 1
    follow_up = world.get("disp_a", f"/v1/visits/{opened[0]}").json()
    assert (follow_up["follow_up_of_id"], follow_up["status"]) == (visit_id, "requested")
    assert world.get("disp_a", f"/v1/regions/{world.region_a.code}/backorders").json() == []
