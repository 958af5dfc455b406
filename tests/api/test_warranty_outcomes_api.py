"""Warranty outcomes over HTTP: eligibility for the owner, a dispatcher's decision (201), the
refusals (403, 404, 409, 422 with the field), and the customer reading its decisions."""

from dataclasses import dataclass
from typing import Any

from dispatch.account.models import Role
from dispatch.product.models import VisitKind
from dispatch.visit.models import VisitStatus
from tests.api import outreach_support as support
from tests.api.outreach_support import App
from tests.factories import make_asset, make_customer, make_region, make_request, make_visit

migrated_template, app = support.migrated_template, support.app  # fixtures


@dataclass
class Setting:
    failed_asset: int
    sound_asset: int
    serial: str
    customer: str
    dispatcher: str
    other_dispatcher: str


def _setting(app: App) -> Setting:
    """A customer in jkt-w with a unit whose warranty repair failed and a unit without faults."""
    with app.session() as session:
        region = make_region(session, code="jkt-w")
        make_region(session, code="bks-w", name="Bekasi")
        customer = make_customer(session, region_id=region.id)
        failed = make_asset(session, customer=customer)
        sound = make_asset(session, customer=customer)
        repair = make_request(session, asset=failed, region=region, kind=VisitKind.REPAIR)
        make_visit(session, request=repair, status=VisitStatus.FAILED)
        make_request(session, asset=sound, region=region)
        ids = (failed.id or 0, sound.id or 0, failed.serial_number, customer.id)
    return Setting(
        failed_asset=ids[0],
        sound_asset=ids[1],
        serial=ids[2],
        customer=app.token(Role.CUSTOMER, customer_id=ids[3]),
        dispatcher=app.token(Role.DISPATCHER, region_codes=["jkt-w"]),
        other_dispatcher=app.token(Role.DISPATCHER, region_codes=["bks-w"]),
    )


def _call(app: App, method: str, url: str, token: str, **kw: Any) -> Any:
    return app.client.request(method, url, headers={"Authorization": f"Bearer {token}"}, **kw)


def _decide(app: App, token: str, asset_id: int, **body: Any) -> Any:
    data = {"asset_id": asset_id, "decision": "repair_again", "reason": "part failed"} | body
    return _call(app, "POST", "/v1/warranty-outcomes", token, json=data)


def test_eligibility_shows_the_grounds_to_the_owner(app: App) -> None:
    """The failed unit has a failed_repair ground with evidence; the sound one none."""
    s = _setting(app)
    url = "/v1/assets/{}/warranty-eligibility"
    failed = _call(app, "GET", url.format(s.failed_asset), s.customer).json()
    assert (failed["under_warranty"], failed["grounds"]) == (True, ["failed_repair"])
    assert "failed on" in failed["evidence"][0]
    assert _call(app, "GET", url.format(s.sound_asset), s.customer).json()["grounds"] == []


def test_refund_decided_and_read_by_the_customer(app: App) -> None:
    """201 with the amount and who decided; the customer lists and reads it; the unit is
    retired, so a second decision is 409."""
    s = _setting(app)
    response = _decide(
        app, s.dispatcher, s.failed_asset, decision="refund", refund_amount=2_000_000
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["decision"], body["refund_amount"], body["grounds"]) == (
        "refund", 2_000_000, ["failed_repair"],
    )  # fmt: skip
    assert body["decided_by_user_id"] is not None
    listed = _call(
        app, "GET", "/v1/warranty-outcomes", s.customer, params={"asset_id": s.failed_asset}
    ).json()
    assert [o["id"] for o in listed["data"]] == [body["id"]]
    one = _call(app, "GET", f"/v1/warranty-outcomes/{body['id']}", s.customer)
    assert one.json()["reason"] == "part failed"
    asset = _call(app, "GET", f"/v1/assets/{s.failed_asset}", s.customer).json()
    assert asset["retired_on"] is not None
    again = _decide(app, s.dispatcher, s.failed_asset, decision="refund", refund_amount=1)
    assert (again.status_code, again.json()["detail"][0]["type"]) == (409, "conflict")


def test_refusals_name_the_problem(app: App) -> None:
    """A customer may not decide (403); another region's dispatcher does not see the unit
    (404); a sound unit is not covered (422); a refund without amount is 422, a replacement
    whose serial number the product already has 409."""
    s = _setting(app)
    assert _decide(app, s.customer, s.failed_asset).status_code == 403
    assert _decide(app, s.other_dispatcher, s.failed_asset).status_code == 404
    sound = _decide(app, s.dispatcher, s.sound_asset)
    assert (sound.status_code, sound.json()["detail"][0]["type"]) == (422, "not_covered")
    no_amount = _decide(app, s.dispatcher, s.failed_asset, decision="refund")
    assert no_amount.status_code == 422
    assert "a refund needs refund_amount" in no_amount.json()["detail"][0]["msg"]
    taken = _decide(
        app, s.dispatcher, s.failed_asset, decision="replace", replacement_serial_number=s.serial
    )
    assert taken.status_code == 409
    assert taken.json()["detail"][0]["loc"] == ["serial_number"]
