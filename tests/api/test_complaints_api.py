"""/v1/complaints and /v1/complaint-slas over HTTP: filing by customer and staff, the lifecycle
with its 409, repairs, owners, reach (others' complaints are 404), and bad input as 422."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch.account.models import Role
from tests.api import outreach_support as support
from tests.api.outreach_support import App
from tests.factories import make_asset, make_customer, make_region, make_request, make_visit

migrated_template, app = support.migrated_template, support.app  # fixtures


@dataclass
class Setting:
    asset_id: int
    visit_id: int
    customer: str
    dispatcher: str
    other_dispatcher: str
    other_customer: str
    admin: str


def _setting(app: App) -> Setting:
    """A customer in jkt-c with a unit that had a visit; another region with its people."""
    with app.session() as session:
        region = make_region(session, code="jkt-c")
        make_region(session, code="bks-c", name="Bekasi")
        customer = make_customer(session, region_id=region.id)
        asset = make_asset(session, customer=customer)
        visit = make_visit(session, request=make_request(session, asset=asset, region=region))
        stranger = make_customer(session, name="Budi", phone="+62 811 9")
        ids = (asset.id or 0, visit.id or 0, customer.id, stranger.id)
    return Setting(
        asset_id=ids[0],
        visit_id=ids[1],
        customer=app.token(Role.CUSTOMER, customer_id=ids[2]),
        dispatcher=app.token(Role.DISPATCHER, region_codes=["jkt-c"]),
        other_dispatcher=app.token(Role.DISPATCHER, region_codes=["bks-c"]),
        other_customer=app.token(Role.CUSTOMER, customer_id=ids[3]),
        admin=app.token(Role.ADMIN),
    )


def _call(app: App, method: str, url: str, token: str, **kw: Any) -> Any:
    return app.client.request(method, url, headers={"Authorization": f"Bearer {token}"}, **kw)


def _file(app: App, s: Setting, token: str, **body: Any) -> Any:
    data = {"asset_id": s.asset_id, "category": "workmanship", "text": "Air drips."} | body
    return _call(app, "POST", "/v1/complaints", token, json=data)


def test_customer_files_and_reads_its_complaint(app: App) -> None:
    """201 with deadlines, filed_by customer, in the unit's region; the list has it."""
    s = _setting(app)
    response = _file(app, s, s.customer, visit_id=s.visit_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["filed_by"], body["visit_id"]) == ("open", "customer", s.visit_id)
    assert (body["response_breached"], body["repair_request_ids"]) == (False, [])
    listed = _call(app, "GET", "/v1/complaints", s.customer).json()
    assert (listed["count"], listed["data"][0]["id"]) == (1, body["id"])
    one = _call(app, "GET", f"/v1/complaints/{body['id']}", s.customer)
    assert one.json()["text"] == "Air drips."
    _file(app, s, s.customer)  # about the unit, not the visit


def test_complaints_about_one_visit(app: App) -> None:
    """visit_id lists the complaints about that visit only (the tracking page's list); for
    another customer or region the visit does not exist (404)."""
    s = _setting(app)
    about = _file(app, s, s.customer, visit_id=s.visit_id).json()["id"]
    _file(app, s, s.customer)
    params = {"visit_id": s.visit_id}
    mine = _call(app, "GET", "/v1/complaints", s.customer, params=params).json()
    assert [c["id"] for c in mine["data"]] == [about] and mine["count"] == 1
    for outsider in (s.other_customer, s.other_dispatcher):
        hidden = _call(app, "GET", "/v1/complaints", outsider, params=params)
        assert hidden.status_code == 404 and hidden.json()["detail"][0]["loc"] == [
            "query",
            "visit_id",
        ]
    assert _call(app, "GET", "/v1/complaints", s.dispatcher, params=params).json()["count"] == 1
    bad = _call(app, "GET", "/v1/complaints", s.customer, params={"visit_id": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "visit_id"]


def test_others_cannot_see_or_move_a_complaint(app: App) -> None:
    """Another customer and another region's dispatcher get 404 and empty lists."""
    s = _setting(app)
    complaint_id = _file(app, s, s.customer).json()["id"]
    for token in (s.other_customer, s.other_dispatcher):
        assert _call(app, "GET", f"/v1/complaints/{complaint_id}", token).status_code == 404
        assert _call(app, "GET", "/v1/complaints", token).json() == {"data": [], "count": 0}
        move = _call(
            app,
            "POST",
            f"/v1/complaints/{complaint_id}/transitions",
            token,
            json={"status": "closed"},
        )
        assert move.status_code == 404
    assert _file(app, s, s.other_customer).status_code == 404  # not its unit


def test_dispatcher_walks_the_lifecycle_and_a_wrong_move_is_409(app: App) -> None:
    """acknowledged, then resolved; closing an open one is refused with the allowed moves."""
    s = _setting(app)
    complaint_id = _file(app, s, s.dispatcher).json()["id"]
    url = f"/v1/complaints/{complaint_id}/transitions"
    wrong = _call(app, "POST", url, s.dispatcher, json={"status": "closed"})
    assert wrong.status_code == 409
    assert wrong.json() == {
        "detail": [
            {
                "loc": ["body", "status"],
                "msg": f"complaint {complaint_id} cannot go from open to closed "
                "(allowed: acknowledged, in_progress, resolved).",
                "type": "invalid_transition",
            }
        ]
    }
    ack = _call(app, "POST", url, s.dispatcher, json={"status": "acknowledged"})
    assert ack.status_code == 200 and ack.json()["first_response_at"] is not None
    done = _call(app, "POST", url, s.dispatcher, json={"status": "resolved", "note": "re-laid"})
    assert (done.json()["status"], done.json()["note"]) == ("resolved", "re-laid")
    by_customer = _call(app, "POST", url, s.customer, json={"status": "reopened"})
    assert (by_customer.status_code, by_customer.json()["reopened_count"]) == (200, 1)
    refused = _call(app, "POST", url, s.customer, json={"status": "in_progress"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "status"]


def test_repair_and_owner(app: App) -> None:
    """A dispatcher opens a repair (201, linked) and a second while it is open is 409; an
    owner must be staff (422); a customer may not do either (403)."""
    s = _setting(app)
    complaint_id = _file(app, s, s.customer).json()["id"]
    url = f"/v1/complaints/{complaint_id}/repair"
    assert _call(app, "POST", url, s.customer, json={}).status_code == 403
    repaired = _call(app, "POST", url, s.dispatcher, json={})
    assert repaired.status_code == 201
    (request_id,) = repaired.json()["repair_request_ids"]
    request = _call(app, "GET", f"/v1/service-requests/{request_id}", s.customer).json()
    assert (request["kind"], request["complaint_id"]) == ("repair", complaint_id)
    again = _call(app, "POST", url, s.dispatcher, json={})
    assert (again.status_code, again.json()["detail"][0]["type"]) == (409, "conflict")
    me = _call(app, "GET", "/v1/me", s.dispatcher).json()
    owner = _call(
        app,
        "PATCH",
        f"/v1/complaints/{complaint_id}",
        s.dispatcher,
        json={"owner_user_id": me["id"]},
    )
    assert owner.json()["owner_user_id"] == me["id"]
    customer_id = _call(app, "GET", "/v1/me", s.customer).json()["id"]
    bad = _call(
        app,
        "PATCH",
        f"/v1/complaints/{complaint_id}",
        s.dispatcher,
        json={"owner_user_id": customer_id},
    )
    assert (bad.status_code, bad.json()["detail"][0]["loc"]) == (422, ["body", "owner_user_id"])


def test_bad_input_is_422_naming_the_field(app: App) -> None:
    """Unknown category, empty text, a visit of another unit, a customer back-dating."""
    s = _setting(app)
    cases = [
        ({"category": "rude"}, ["body", "category"]),
        ({"text": ""}, ["body", "text"]),
        ({"created_at": "2026-03-09T10:00:00+07:00"}, ["body", "created_at"]),
    ]
    for body, loc in cases:
        response = _file(app, s, s.customer, **body)
        assert (response.status_code, response.json()["detail"][0]["loc"]) == (422, loc), body
    with app.session() as session:
        foreign_visit = make_visit(session).id
    response = _file(app, s, s.dispatcher, visit_id=foreign_visit)
    assert (response.status_code, response.json()["detail"][0]["loc"]) == (
        422,
        ["body", "visit_id"],
    )
    assert _call(app, "GET", "/v1/complaints?status=lost", s.customer).status_code == 422


def test_sla_targets_read_by_dispatchers_set_by_admins(app: App) -> None:
    """Every category listed; an admin sets one (the next complaint uses it); a dispatcher
    may not (403); out-of-range targets are 422."""
    s = _setting(app)
    slas = _call(app, "GET", "/v1/complaint-slas", s.dispatcher).json()["data"]
    assert {x["category"] for x in slas} >= {"late_visit", "billing", "workmanship"}
    url = "/v1/complaint-slas/workmanship"
    targets = {"response_hours": 2, "resolution_days": 3}
    assert _call(app, "PUT", url, s.dispatcher, json=targets).status_code == 403
    put = _call(app, "PUT", url, s.admin, json=targets)
    assert put.json() == {"category": "workmanship", "configured": True, **targets}
    bad = _call(app, "PUT", url, s.admin, json={"response_hours": 0, "resolution_days": 3})
    assert (bad.status_code, bad.json()["detail"][0]["loc"]) == (422, ["body", "response_hours"])
    body = _file(app, s, s.customer).json()
    created = datetime.fromisoformat(body["created_at"])
    due = datetime.fromisoformat(body["response_due_at"])
    assert (due - created).total_seconds() == 2 * 3600
