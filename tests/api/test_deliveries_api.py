"""POST /v1/deliveries: a dispatcher books a delivery with the installation on the same trip;
the technician who delivers and installs is chosen; a customer may not (403); a window that
ends before it starts is 422 naming the field."""

from typing import Any

from dispatch.account.models import Role
from dispatch.product.models import VisitKind, VisitKindPolicyCreate
from tests.api import outreach_support as support
from tests.api.outreach_support import App
from tests.factories import (
    DAY,
    ac_policies,
    local,
    make_asset,
    make_customer,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_weekly_pattern,
)

migrated_template, app = support.migrated_template, support.app  # fixtures
DELIVERY = VisitKindPolicyCreate(
    kind=VisitKind.DELIVERY, duration_s=1800, skill="delivery", price=0
)


def _post(app: App, token: str, body: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return app.client.post("/v1/deliveries", json=body, headers=headers)


def test_delivery_booked_by_a_dispatcher(app: App) -> None:
    with app.session() as session:
        region = make_region(session, code="jkt-d")
        customer = make_customer(session, region_id=region.id)
        product = make_product_model(session, visit_kinds=[*ac_policies(), DELIVERY])
        crew = make_technician(session, region=region, skills=["delivery", "ac_install"])
        make_weekly_pattern(session, crew)
        crew_id = crew.id
        deliverer_id = make_technician(session, region=region, skills=["delivery"]).id
        outsider_id = make_technician(session, skills=["delivery", "ac_install"]).id
        asset = make_asset(session, customer=customer, product_model=product)
        make_request(session, asset=make_asset(session, customer=customer), region=region)
        asset_id, customer_id = asset.id, customer.id
    body = {
        "asset_id": asset_id,
        "region": "jkt-d",
        "window_start": local(DAY, 9).isoformat(),
        "window_end": local(DAY, 12).isoformat(),
    }
    dispatcher = app.token(Role.DISPATCHER, region_codes=["jkt-d"])
    assert _post(app, app.token(Role.CUSTOMER, customer_id=customer_id), body).status_code == 403
    backwards = _post(app, dispatcher, body | {"window_end": local(DAY, 8).isoformat()})
    assert backwards.status_code == 422
    assert "window_end must be after window_start" in backwards.json()["detail"][0]["msg"]
    unable = _post(app, dispatcher, body | {"technician_id": deliverer_id})
    assert unable.status_code == 422, unable.text
    assert unable.json()["detail"][0]["loc"] == ["body", "technician_id"]
    assert "lacks skills ac_install" in unable.json()["detail"][0]["msg"]
    elsewhere = _post(app, dispatcher, body | {"technician_id": outsider_id})
    assert elsewhere.status_code == 404 and elsewhere.json()["detail"][0]["loc"] == [
        "body",
        "technician_id",
    ]
    response = _post(app, dispatcher, body)
    assert response.status_code == 201, response.text
    booked = response.json()
    assert booked["installation_window_start"] == local(DAY, 9, 30).isoformat().replace(
        "+00:00", "Z"
    )
    assert booked["installation_visit_id"] != booked["delivery_visit_id"]
    assert booked["technician_id"] == crew_id  # one technician delivers and installs
