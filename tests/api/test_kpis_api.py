"""GET /v1/kpis: the hand-made day's KPIs over HTTP, for the regions the caller dispatches."""

from typing import Any

from dispatch.account.models import Role
from tests.api import outreach_support as support
from tests.api.outreach_support import App
from tests.dispatch.kpi_day import kpi_day
from tests.factories import make_region, make_technician

migrated_template, app = support.migrated_template, support.app  # fixtures
DAY_QUERY = {"from": "2026-03-10", "to": "2026-03-10"}


def _get(app: App, token: str, **params: Any) -> Any:
    return app.client.get(
        "/v1/kpis", params=DAY_QUERY | params, headers={"Authorization": f"Bearer {token}"}
    )


def _with_day(app: App) -> dict[str, int]:
    with app.session() as session:
        _, t1, t2 = kpi_day(session)
        make_region(session, code="bekasi-kpi", name="Bekasi")
        return {"t1": t1.id or 0, "t2": t2.id or 0}


def test_read_kpis_by_technician_for_an_admin(app: App) -> None:
    """The totals and one row per technician, with the hand-worked values."""
    ids = _with_day(app)
    response = _get(app, app.token(Role.ADMIN), region="jkt-kpi", by="technician")
    assert response.status_code == 200
    body = response.json()
    assert (body["regions"], body["start"], body["end"], body["by"]) == (
        ["jkt-kpi"], "2026-03-10", "2026-03-10", "technician",
    )  # fmt: skip
    total = body["total"]
    assert (total["on_time_pct"], total["travel_per_visit_s"], total["nps"]) == (80.0, 1800.0, 0.0)
    assert total["first_response_s"] == 1800.0
    assert [(r["key"], r["label"]) for r in body["rows"]] == [
        (str(ids["t1"]), "Budi Santoso"),
        (str(ids["t2"]), "Agus Wijaya"),
    ]
    assert body["rows"][0]["values"]["utilisation_pct"] == 25.0


def test_read_kpis_without_region_covers_the_dispatchers_regions(app: App) -> None:
    """A dispatcher of one region gets that region's report when no region is given."""
    _with_day(app)
    token = app.token(Role.DISPATCHER, region_codes=["jkt-kpi"])
    body = _get(app, token, by="region").json()
    assert body["regions"] == ["jkt-kpi"]
    assert [r["key"] for r in body["rows"]] == ["jkt-kpi"]
    assert body["total"]["surveys"] == 3


def test_read_kpis_of_another_region_is_forbidden(app: App) -> None:
    """A dispatcher of Bekasi may not read Jakarta's KPIs."""
    _with_day(app)
    token = app.token(Role.DISPATCHER, region_codes=["bekasi-kpi"])
    response = _get(app, token, region="jkt-kpi")
    assert response.status_code == 403
    assert response.json() == {
        "detail": [{"loc": [], "msg": "You do not dispatch region 'jkt-kpi'.", "type": "forbidden"}]
    }


def test_read_kpis_needs_a_dispatcher(app: App) -> None:
    """No token is 401; a technician's token is 403."""
    _with_day(app)
    assert app.client.get("/v1/kpis", params=DAY_QUERY).status_code == 401
    with app.session() as session:
        technician_id = make_technician(session).id
    token = app.token(Role.TECHNICIAN, technician_id=technician_id)
    response = _get(app, token)
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "forbidden"


def test_read_kpis_bad_input_is_422_or_404(app: App) -> None:
    """A period running backwards, an unknown grouping or region answer in the one error shape."""
    _with_day(app)
    admin = app.token(Role.ADMIN)
    backwards = _get(app, admin, **{"from": "2026-03-11"})
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == [
        {
            "loc": ["to"],
            "msg": "the period ends (2026-03-10) before it starts (2026-03-11).",
            "type": "invalid_input",
        }
    ]
    by_month = _get(app, admin, by="month")
    assert (by_month.status_code, by_month.json()["detail"][0]["loc"]) == (422, ["query", "by"])
    unknown = _get(app, admin, region="nowhere")
    assert unknown.status_code == 404
    assert unknown.json()["detail"][0]["msg"] == "region 'nowhere' does not exist."
