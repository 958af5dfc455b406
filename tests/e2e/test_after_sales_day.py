"""An after-sales day, end to end, over HTTP: a sold AC is booked, planned, installed and rated;
a customer who is not at home gets a follow-up while the day is re-planned around it.

Every request goes to the real app (create_app on a migrated SQLite file, solve jobs in its
runner thread). The clock is real, so the stories happen the day after tomorrow and every
event says when it happened; the survey is answered now, which is before its link expires.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dispatch.scheduler import sweep_visit_messages
from tests.e2e.support import REGION, Caller, FieldTech, Purna, at

Place = tuple[str, float, float]  # address, lat, lon
KEMANG: Place = ("Jl. Kemang Raya 10", -6.2607, 106.8137)
CIPETE: Place = ("Jl. Cipete Raya 5", -6.2712, 106.8020)
PONDOK_INDAH: Place = ("Jl. Metro Pondok Indah 3", -6.2655, 106.7843)
NAVIGATION = "https://www.google.com/maps/dir/?api=1&destination="


# --- the steps users take -------------------------------------------------------------------


def register_buyer(
    purna: Purna, model_id: int, day: date, name: str, phone: str, place: Place
) -> tuple[Caller, int]:
    """The shop's dispatcher registers a buyer and the AC she took home; her app and the unit."""
    where = {"address": f"{place[0]}, Jakarta Selatan", "lat": place[1], "lon": place[2]}
    customer = purna.dispatcher.post("/v1/customers", {"name": name, "phone": phone} | where)
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["id"]
    asset = purna.dispatcher.post(
        "/v1/assets",
        {
            "customer_id": customer_id,
            "product_model_id": model_id,
            "serial_number": f"AC10-{phone[-6:]}",
            "purchase_date": (day - timedelta(days=4)).isoformat(),
        },
    )
    assert asset.status_code == 201, asset.text
    assert "free_installation" in {e["kind"] for e in asset.json()["entitlements"]}
    return purna.customer(customer_id), asset.json()["id"]


def book(customer: Caller, asset_id: int, day: date, choose: str | None = None) -> dict[str, Any]:
    """The customer asks for the day's windows and books the best one (or the one she likes)."""
    query = {"asset_id": asset_id, "kind": "installation", "from": day, "to": day}
    slots = customer.get("/v1/slots", query)
    assert slots.status_code == 200, slots.text
    offered = slots.json()["data"]
    assert offered, slots.json()
    slot = next(s for s in offered if s["local_window"] == choose) if choose else offered[0]
    body = {"asset_id": asset_id, "kind": "installation"} | {
        k: slot[k] for k in ("window_start", "window_end")
    }
    key = {"Idempotency-Key": f"booking-{asset_id}-{slot['window_start']}"}
    booked = customer.post("/v1/bookings", body, headers=key)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "booked" and booked.json()["coverage"] == "entitlement"
    again = customer.post("/v1/bookings", body, headers=key)  # a retry on a flaky connection
    assert (again.status_code, again.json()["id"]) == (201, booked.json()["id"])
    assert again.headers["Idempotent-Replayed"] == "true"
    booking: dict[str, Any] = booked.json()
    return booking


def plan_and_publish(purna: Purna, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """The dispatcher runs a solve job, checks the draft and publishes it."""
    plan: dict[str, Any] = purna.solve(url, body | {"time_limit_s": 1})["plan"]
    assert plan["status"] == "draft" and plan["unassigned_visits"] == []
    assert purna.plan_violations(plan["id"]) == []
    published = purna.dispatcher.post(f"/v1/plans/{plan['id']}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    return plan


def report(tech: FieldTech, visit_id: int, event: str, when: str, **extra: Any) -> dict[str, Any]:
    """The technician taps a button on a visit; the app sends the event and when it happened."""
    sent = tech.app.post(f"/v1/visits/{visit_id}/events", {"event": event, "at": when} | extra)
    assert sent.status_code == 200, sent.text
    visit: dict[str, Any] = sent.json()["visit"]
    return visit


def my_route(tech: FieldTech, day: date) -> dict[str, Any]:
    response = tech.app.get("/v1/me/route", {"day": day})
    assert response.status_code == 200, response.text
    route: dict[str, Any] = response.json()
    return route


# --- the stories ----------------------------------------------------------------------------


def test_after_sales_day_from_sale_to_survey_and_csat(
    purna: Purna, technician: FieldTech, ac_model: int, day: date
) -> None:
    """A sold AC is booked, planned, installed on time and rated; the rating is in the KPIs."""
    siti, asset_id = register_buyer(purna, ac_model, day, "Siti Rahayu", "+62 812 1000 1", KEMANG)
    visit_id = book(siti, asset_id, day)["id"]

    plan = plan_and_publish(purna, f"/v1/regions/{REGION}/days/{day}/plans", {})
    assert [[s["visit_id"] for s in r["stops"]] for r in plan["routes"]] == [[visit_id]]

    route = my_route(technician, day)
    [stop] = route["stops"]
    assert (stop["visit_id"], stop["customer_name"]) == (visit_id, "Siti Rahayu")
    assert stop["navigation_url"] == f"{NAVIGATION}{KEMANG[1]:.6f},{KEMANG[2]:.6f}"

    set_off = route["start_at"]
    assert report(technician, visit_id, "en_route", set_off)["status"] == "en_route"
    seen = siti.get(f"/v1/bookings/{visit_id}").json()
    assert (seen["status"], seen["technician_first_name"]) == ("en_route", "Budi")
    assert at(set_off) < at(seen["eta"]) <= at(stop["planned_arrival"])
    report(technician, visit_id, "arrived", stop["planned_arrival"])
    assert report(technician, visit_id, "completed", stop["planned_end"])["status"] == "completed"

    # The scheduler's visit-messages job runs an hour later; the survey is queued once.
    an_hour_later = at(stop["planned_end"]) + timedelta(hours=1)
    sweep_visit_messages(purna.engine, purna.settings, now=an_hour_later)
    messages = purna.outbox(visit_id)
    assert [m.kind for m in messages] == ["booking_confirmed", "on_the_way", "survey"]
    assert {m.recipient_name for m in messages} == {"Siti Rahayu"}
    assert at(messages[1].data["eta_at"]) == at(seen["eta"])  # the message and the app agree
    answer_survey(purna, token=messages[2].data["link"].rsplit("/", 1)[1])

    [row] = kpis_by_technician(purna, day)
    assert row["label"].startswith("Budi Santoso")
    values = row["values"]
    assert (values["surveys"], values["csat_pct"], values["nps"], values["ces"]) == (1, 100, 100, 6)
    assert values["on_time_pct"] == 100


def answer_survey(purna: Purna, token: str) -> None:
    """Siti opens the survey link and answers it; the link then refuses a second answer."""
    shown = purna.client.get(f"/v1/surveys/{token}")
    assert shown.status_code == 200, shown.text
    assert (shown.json()["technician"], shown.json()["answered"]) == ("Budi", False)
    answer = {"csat": 5, "nps": 9, "ces": 6, "comment": "Teknisinya ramah dan rapi."}
    first = purna.client.post(f"/v1/surveys/{token}/answers", json=answer)
    assert (first.status_code, first.json()["answered"]) == (201, True)
    second = purna.client.post(f"/v1/surveys/{token}/answers", json=answer | {"csat": 1})
    assert second.status_code == 409
    assert [e["type"] for e in second.json()["detail"]] == ["already_answered"]


def kpis_by_technician(purna: Purna, day: date) -> list[dict[str, Any]]:
    """The service manager's view of the day, a row per technician."""
    query = {"region": REGION, "from": day, "to": day, "by": "technician"}
    kpis = purna.dispatcher.get("/v1/kpis", query)
    assert kpis.status_code == 200, kpis.text
    rows: list[dict[str, Any]] = kpis.json()["rows"]
    return rows


def test_after_sales_day_absent_customer_gets_follow_up_and_replan_keeps_finished_work(
    purna: Purna, technician: FieldTech, ac_model: int, day: date
) -> None:
    """Nobody is home at the second stop: the customer gets a follow-up visit, the dispatcher
    an alert, and re-planning from that moment leaves the finished installation where it was."""
    people = [
        ("Siti Rahayu", "+62 812 1000 1", KEMANG, "08:00-10:00"),
        ("Agus Wijaya", "+62 812 1000 2", CIPETE, "10:00-12:00"),
        ("Rina Kusuma", "+62 812 1000 3", PONDOK_INDAH, "13:00-15:00"),
    ]
    done_id, absent_id, later_id = (
        book(*register_buyer(purna, ac_model, day, name, phone, place), day, window)["id"]
        for name, phone, place, window in people
    )
    plan_and_publish(purna, f"/v1/regions/{REGION}/days/{day}/plans", {})
    before = {s["visit_id"]: s for s in my_route(technician, day)["stops"]}
    assert list(before) == [done_id, absent_id, later_id]

    first, second = before[done_id], before[absent_id]
    gave_up = first_done_then_nobody_home(technician, my_route(technician, day), first, second)
    check_follow_up(purna, absent_id)

    replan_from = gave_up + timedelta(minutes=5)
    plan = plan_and_publish(
        purna, f"/v1/regions/{REGION}/days/{day}/replans", {"now": replan_from.isoformat()}
    )
    [route] = plan["routes"]
    assert [s["visit_id"] for s in route["stops"]] == [later_id]
    assert at(route["start_at"]) >= replan_from  # the follow-up has no window yet: not routed

    after = {s["visit_id"]: s for s in my_route(technician, day)["stops"]}
    kept = after[done_id]
    assert (kept["status"], kept["planned_start"]) == ("completed", first["planned_start"])
    assert kept["ended_at"] == first["planned_end"]
    assert after[absent_id]["status"] == "failed"
    assert after[later_id]["status"] == "planned"
    assert at(after[later_id]["planned_start"]) >= replan_from


def first_done_then_nobody_home(
    technician: FieldTech, route: dict[str, Any], first: dict[str, Any], second: dict[str, Any]
) -> datetime:
    """The technician installs at the first stop on plan, then finds nobody home at the
    second and leaves after a quarter of an hour; when it gave up."""
    done_id, absent_id = first["visit_id"], second["visit_id"]
    report(technician, done_id, "en_route", route["start_at"])
    report(technician, done_id, "arrived", first["planned_arrival"])
    assert report(technician, done_id, "completed", first["planned_end"])["status"] == "completed"
    report(technician, absent_id, "en_route", first["planned_end"])
    report(technician, absent_id, "arrived", second["planned_arrival"])
    gave_up = at(second["planned_arrival"]) + timedelta(minutes=15)  # waited, called, left
    failed = report(
        technician, absent_id, "failed", gave_up.isoformat(), failure_reason="customer_absent"
    )
    assert failed["status"] == "failed"
    return gave_up


def check_follow_up(purna: Purna, failed_id: int) -> None:
    """The outbox tells the customer and alerts the dispatcher, who finds the follow-up visit."""
    messages = {str(m.kind): m for m in purna.outbox(failed_id)}
    assert {"follow_up", "dispatcher_alert"} <= set(messages)
    assert messages["follow_up"].audience == "customer"
    assert messages["follow_up"].recipient_name == "Agus Wijaya"
    alert = messages["dispatcher_alert"]
    assert alert.audience == "dispatcher"
    follow_up_id = int(alert.data["follow_up_id"])
    found = purna.dispatcher.get(f"/v1/visits/{follow_up_id}")
    assert found.status_code == 200, found.text
    assert found.json()["follow_up_of_id"] == failed_id
    assert found.json()["status"] == "requested"
