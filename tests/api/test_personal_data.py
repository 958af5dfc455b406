"""Personal data by region and purpose (issue 18): staff read only the customers they serve,
lists carry no contact details, staff reads of contact details are logged for admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from dispatch.access import scope as access_scope
from dispatch.access import service as access_service
from dispatch.access.models import AccessLog
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.config import Settings
from dispatch.field import service as field_service
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.scheduler import prune_access_log
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit
from tests.api import booking_support
from tests.api import dispatch_support as support
from tests.api.booking_support import BookingWorld, slot_body
from tests.api.dispatch_support import World, plan_and_publish
from tests.factories import DAY, local, make_request

api_template, world = support.api_template, support.world  # fixtures
booking_world = booking_support.booking_world

SUMMARY_KEYS = {"id", "name", "area", "next_visit"}


def _customers_of_region_a(world: World) -> set[int]:
    with world.session() as session:
        rows = session.exec(
            select(ServiceRequest.customer_id).where(ServiceRequest.region_id == world.region_a.id)
        ).all()
        return set(rows)


def test_customer_list_holds_only_customers_tied_to_the_callers_regions(world: World) -> None:
    """Dispatcher a lists region a's customers (name, area, next visit, nothing else);
    dispatcher b none until a request ties one of them to region b; admins list all."""
    region_a = _customers_of_region_a(world)
    listed_a = world.get("disp_a", "/v1/customers").json()
    assert {c["id"] for c in listed_a["data"]} == region_a and listed_a["count"] == len(region_a)
    assert all(set(c) == SUMMARY_KEYS for c in listed_a["data"])
    assert {c["area"] for c in listed_a["data"]} == {world.region_a.name}
    assert world.get("disp_b", "/v1/customers").json() == {"data": [], "count": 0}
    tied = min(region_a)
    with world.session() as session:
        asset = session.exec(select(Asset).where(Asset.customer_id == tied)).first()
        region_b = session.get(Region, world.region_b.id)
        make_request(session, asset=asset, region=region_b)
    listed_b = world.get("disp_b", "/v1/customers").json()
    assert [c["id"] for c in listed_b["data"]] == [tied]
    assert listed_b["data"][0]["area"] == world.region_b.name
    assert world.get("admin", "/v1/customers").json()["count"] >= len(region_a)


def test_foreign_customer_answers_404_and_a_staff_read_is_logged(
    booking_world: BookingWorld,
) -> None:
    """Dispatcher b gets 404 for region s's customer; dispatcher s reads phone and e-mail and
    the admin finds that read in /v1/audit; the customer reading itself is not logged."""
    cust0 = booking_world.people.customer_ids["cust0"]
    url = f"/v1/customers/{cust0}"
    foreign = booking_world.get("disp_b", url)
    assert foreign.status_code == 404
    assert foreign.json()["detail"][0]["type"] == "not_found"
    assert "Customer 0" not in foreign.text
    read = booking_world.get("disp_s", url).json()
    assert (read["name"], read["phone"]) == ("Customer 0", "+62 812 000 0000")
    assert booking_world.get("cust0", url).json() == read  # the customer keeps everything
    audit = booking_world.get("admin", "/v1/audit").json()
    assert audit["count"] == 1
    [entry] = audit["data"]
    assert (entry["user_name"], entry["role"], entry["customer_id"]) == (
        "disp_s",
        "dispatcher",
        cust0,
    )
    assert entry["endpoint"] == "GET /v1/customers/{customer_id}"
    assert entry["fields"] == "name,phone,address,email"
    assert booking_world.get("disp_s", "/v1/audit").status_code == 403


def test_list_shows_the_next_visit_and_phone_lookup_stays_in_region(
    booking_world: BookingWorld,
) -> None:
    """After cust0 books, dispatcher s's list shows its next window; a look-up by phone finds
    the caller for dispatcher s (and is logged), for dispatcher b nobody."""
    asset_id = booking_world.asset("cust0").id or 0
    made = booking_world.post(
        "cust0", "/v1/bookings", key="k", json=slot_body(asset_id, booking_world.day, 10)
    )
    assert made.status_code == 201, made.text
    listed = booking_world.get("disp_s", "/v1/customers").json()["data"]
    by_id = {c["id"]: c for c in listed}
    cust0 = booking_world.people.customer_ids["cust0"]
    assert by_id[cust0]["next_visit"] == made.json()["window_start"]
    phone = {"phone": "+62 812 000 0000"}
    found = booking_world.get("disp_s", "/v1/customers", params=phone).json()
    assert [c["id"] for c in found["data"]] == [cust0]
    assert booking_world.get("disp_b", "/v1/customers", params=phone).json()["count"] == 0
    logged = booking_world.get("admin", "/v1/audit", params={"customer_id": cust0}).json()
    assert [e["fields"] for e in logged["data"]] == ["name (by phone)"]


def test_asset_list_leaves_out_the_address_and_foreign_customers_answer_404(
    booking_world: BookingWorld,
) -> None:
    """A list item has no address (the single read has); dispatcher b cannot list, register
    or read region s's customer's assets."""
    cust0 = booking_world.people.customer_ids["cust0"]
    listed = booking_world.get("disp_s", "/v1/assets", params={"customer_id": cust0}).json()
    assert listed["count"] == 1 and "address" not in listed["data"][0]
    asset_id = listed["data"][0]["id"]
    assert "address" in booking_world.get("cust0", f"/v1/assets/{asset_id}").json()
    assert booking_world.get("disp_b", "/v1/assets", params={"customer_id": cust0}).status_code == (
        404
    )
    assert booking_world.get("disp_b", f"/v1/assets/{asset_id}").status_code == 404
    body = {
        "customer_id": cust0,
        "product_model_id": booking_world.asset("cust0").product_model_id,
        "serial_number": "X-1",
        "purchase_date": str(booking_world.day),
    }
    refused = booking_world.post("disp_b", "/v1/assets", json=body)
    assert refused.status_code == 404 and "Customer 0" not in refused.text


def test_customer_registered_by_a_dispatcher_belongs_to_its_region(
    booking_world: BookingWorld,
) -> None:
    """Dispatcher b registers a customer: it reads it, dispatcher s does not; a dispatcher of
    two regions must name one."""
    body = {"name": "Budi", "phone": "+62 811 1", "address": "Jl. Daan Mogot 1", "lat": -6.16}
    body["lon"] = 106.75
    made = booking_world.post("disp_b", "/v1/customers", json=body)
    assert made.status_code == 201, made.text
    url = f"/v1/customers/{made.json()['id']}"
    assert booking_world.get("disp_b", url).json()["name"] == "Budi"
    assert booking_world.get("disp_s", url).status_code == 404
    with Session(booking_world.engine) as session:
        spec = UserCreate(name="two", role=Role.DISPATCHER, region_codes=["jkt-s", "jkt-b"])
        _, token = account_service.create(session=session, user_in=spec)
    headers = {"Authorization": f"Bearer {token}"}
    unnamed = booking_world.client.post("/v1/customers", json=body, headers=headers)
    assert unnamed.status_code == 422
    assert unnamed.json()["detail"][0]["loc"] == ["body", "region"]
    named = booking_world.client.post(
        "/v1/customers", json=body | {"region": "jkt-s"}, headers=headers
    )
    assert named.status_code == 201
    assert booking_world.get("disp_s", f"/v1/customers/{named.json()['id']}").status_code == 200


def _technician_with_stops(world: World) -> tuple[str, Technician, list[Visit]]:
    """Publish region a's day: the technician user with the most stops, it, its visits."""
    plan_and_publish(world)
    with world.session() as session:
        visits = session.exec(select(Visit).where(Visit.region_id == world.region_a.id)).all()
        by_tech: dict[int, list[Visit]] = {}
        for v in visits:
            if v.planned_technician_id is not None:
                by_tech.setdefault(v.planned_technician_id, []).append(v)
        tech_id = max(by_tech, key=lambda t: len(by_tech[t]))
        technician = session.get(Technician, tech_id)
        assert technician is not None
        session.expunge_all()
    who = "tech_a0" if tech_id == world.techs_a[0].id else "tech_a1"
    return who, technician, by_tech[tech_id]


def _user(session: Session, name: str) -> Any:
    user = account_service.get_by_name(session=session, name=name)
    assert user is not None
    return user


def test_technician_reaches_the_customers_of_its_route_on_that_day_only(world: World) -> None:
    """On the day of its visits a technician reaches those customers and sees their phones
    (logged); the next day neither; through the API (today is not that day) a 404."""
    who, technician, visits = _technician_with_stops(world)
    mine = {v.request.customer_id for v in visits}
    others = _customers_of_region_a(world) - mine
    on_day, next_day = local(DAY, 12), local(DAY + timedelta(days=1), 12)
    with world.session() as session:
        user = _user(session, who)
        scope = access_scope.scope_for(session=session, user=user, now=on_day)
        for cid in mine:
            assert access_scope.customer_in_reach(session=session, scope=scope, customer_id=cid)
        for cid in others:
            assert not access_scope.customer_in_reach(session=session, scope=scope, customer_id=cid)
        route = field_service.route_for_day(
            session=session, technician=technician, day=DAY, viewer=scope, endpoint="t", now=on_day
        )
        assert {s["customer_phone"] for s in route.model_dump()["stops"]} == {"+62 812 3456 7890"}
        logged = session.exec(select(AccessLog.customer_id)).all()
        assert set(logged) == mine
        later = access_scope.scope_for(session=session, user=user, now=next_day)
        assert not any(
            access_scope.customer_in_reach(session=session, scope=later, customer_id=cid)
            for cid in mine
        )
        route = field_service.route_for_day(
            session=session, technician=technician, day=DAY, viewer=later, now=next_day
        )
        assert {s.customer_phone for s in route.stops} == {None}
    assert world.get(who, f"/v1/customers/{min(mine)}").status_code == 404
    assert world.get(who, "/v1/customers").status_code == 403


def test_access_log_is_pruned_after_the_retention_period(world: World) -> None:
    """The scheduler's prune task deletes entries older than the retention days, no others."""
    now = local(DAY, 12)
    with world.session() as session:
        scope = access_scope.scope_for(session=session, user=_user(session, "disp_a"))
        for age_days, cid in ((40, 1), (10, 2)):
            access_service.record(
                session=session,
                scope=scope,
                customer_ids=[cid],
                endpoint="GET /v1/customers/{customer_id}",
                now=now - timedelta(days=age_days),
            )
    settings = Settings(_env_file=None, access_log_retention_days=30)  # type: ignore[call-arg]
    assert prune_access_log(world.engine, settings, now) == 1
    with world.session() as session:
        assert session.exec(select(AccessLog.customer_id)).all() == [2]
