"""The technician's day on a 360 px phone: today's stops in order with what to do and where,
the events the status allows, a failure that needs a reason, and the customer of the stop
seeing "on the way" with an ETA on the tracking page (journey 4)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.db import make_engine
from dispatch.visit.models import Visit
from tests.web.conftest import PHONE, Site, screenshot

pytestmark = pytest.mark.browser
SUNDAY_SKIP = "the demo business rests on Sundays in Jakarta: no stops today to mark en route"


def _route(site: Site) -> dict[str, Any]:
    """The technician's route of today, read through the API (set-up only)."""
    headers = {"Authorization": f"Bearer {site.tokens['technician']}"}
    response = httpx.get(f"{site.url}/v1/me/route", headers=headers)
    response.raise_for_status()
    route: dict[str, Any] = response.json()
    return route


def _customer_token_for_visit(site: Site, visit_id: int) -> str:
    """An account for the customer of the visit, made on the site's database (set-up)."""
    engine = make_engine(site.settings)
    try:
        with Session(engine) as session:
            visit = session.get(Visit, visit_id)
            assert visit is not None
            user_in = UserCreate(
                name=f"customer-of-visit-{visit_id}",
                role=Role.CUSTOMER,
                customer_id=visit.request.customer_id,
            )
            _, token = account_service.create(session=session, user_in=user_in)
            return token
    finally:
        engine.dispose()


def test_me_journey4_en_route_shows_on_the_customers_tracking_page(
    site: Site, phone: Any, browser: Any
) -> None:
    """Journey 4: on a 360 px phone the technician marks the first stop en route; the page shows
    the new status and ETAs without scrolling sideways, and the stop's customer sees "on the
    way" with an ETA on the tracking page."""
    route = _route(site)
    if not route["stops"]:
        pytest.skip(SUNDAY_SKIP)
    first = route["stops"][0]
    customer_token = _customer_token_for_visit(site, first["visit_id"])
    phone.goto(f"{site.url}/me?token={site.tokens['technician']}")
    stop = phone.locator(f"#stop-{first['visit_id']}")
    expect(stop).to_contain_text(first["customer_name"])
    expect(stop.locator("a[href^='tel:']")).to_have_text(first["customer_phone"])
    expect(stop.locator("a[href^='geo:']")).to_have_attribute(
        "href", re.compile(rf"^geo:{first['lat']},{first['lon']}")
    )
    expect(stop.locator(f"a[href='{first['navigation_url']}']")).to_be_visible()
    expect(stop.get_by_role("button", name="Completed")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "me")

    stop.get_by_role("button", name="En route").click()
    expect(stop.locator("[data-role=status]")).to_have_text("en route")
    expect(phone.get_by_role("status")).to_contain_text("is en route")
    expect(stop.locator("[data-role=eta]")).to_contain_text(re.compile(r"ETA \d\d:\d\d"))
    expect(stop.get_by_role("button", name="En route")).to_have_count(0)
    expect(stop.get_by_role("button", name="Arrived")).to_be_visible()

    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="id-ID", timezone_id="Asia/Jakarta",
    )  # fmt: skip
    try:
        customer = context.new_page()
        customer.goto(f"{site.url}/track/{first['visit_id']}?token={customer_token}")
        expect(customer.locator("#track-status")).to_contain_text(
            re.compile("On the way|Dalam perjalanan")
        )
        expect(customer.locator("#track-eta")).to_have_text(re.compile(r"^\d\d[.:]\d\d$"))
        expect(customer.locator("#track-technician")).to_have_text(
            route["technician_name"].split()[0]
        )
        expect(customer.locator("#track-refreshed")).to_contain_text(re.compile(r"\d\d[.:]\d\d"))
        screenshot(customer, "track")
    finally:
        context.close()


def test_me_failed_needs_a_reason(site: Site, phone: Any) -> None:
    """Failed asks for a reason from the list and an optional note; without a reason nothing is
    sent, with one the stop shows failed and the reason, and no button is left."""
    route = _route(site)
    if not route["stops"]:
        pytest.skip(SUNDAY_SKIP)
    last = route["stops"][-1]
    phone.goto(f"{site.url}/me?token={site.tokens['technician']}")
    stop = phone.locator(f"#stop-{last['visit_id']}")
    stop.get_by_role("button", name="Arrived").click()
    expect(stop.locator("[data-role=status]")).to_have_text("on site")
    stop.get_by_role("button", name="Failed…").click()
    stop.get_by_role("button", name="Report failed").click()
    expect(stop.locator("[data-role=status]")).to_have_text("on site")  # the browser held it
    stop.get_by_label("Reason").select_option(label="A part is missing")
    stop.get_by_label("Note (optional)").fill("Compressor relay not in the van")
    stop.get_by_role("button", name="Report failed").click()
    expect(stop.locator("[data-role=status]")).to_have_text("failed")
    expect(stop).to_contain_text("A part is missing")
    expect(stop).to_contain_text("Compressor relay not in the van")
    expect(stop.get_by_role("button")).to_have_count(0)


def test_me_is_refused_to_a_customer(site: Site, phone: Any) -> None:
    """A customer who opens /me sees whom the page is for and no stops."""
    phone.goto(f"{site.url}/me?token={site.tokens['customer']}")
    expect(phone.get_by_role("alert")).to_contain_text("for a technician")
    expect(phone.locator(".stop")).to_have_count(0)
