"""The customer's pages: booking the earliest offered window with the coverage shown before
confirming, then tracking it (journey 1); another customer's booking refused (journey 5);
cancelling gives the entitlement back; the language switch is remembered."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from dispatch.db import make_engine
from dispatch.visit.models import Visit
from tests.web.conftest import Site, screenshot

pytestmark = pytest.mark.browser


def _get(site: Site, who: str, path: str, **params: Any) -> Any:
    """Read state back through the API for an assertion."""
    headers = {"Authorization": f"Bearer {site.tokens[who]}"}
    response = httpx.get(f"{site.url}/v1{path}", headers=headers, params=params)
    response.raise_for_status()
    return response.json()


def test_book_journey1_earliest_window_with_coverage_then_tracking(site: Site, laptop: Any) -> None:
    """Journey 1: the customer types the token on /signin, picks a unit and a repair, sees the
    warranty decision before confirming, books the earliest offered window, and opens the
    booking's tracking page."""
    laptop.goto(site.url + "/signin")
    laptop.get_by_label("Bearer token").fill(site.tokens["customer"])
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop).to_have_url(site.url + "/book")
    unit = laptop.get_by_label("Unit")
    bike = unit.locator("option", has_text="Bebek 125").get_attribute("value")
    unit.select_option(bike)
    laptop.get_by_label("Kind of visit").select_option(label="Repair")
    offers = laptop.locator("#offer-days .slot")
    expect(offers.first).to_be_visible()
    expect(laptop.locator("#offers .coverage")).to_contain_text("Free under warranty")
    starts = offers.evaluate_all("nodes => nodes.map(n => n.dataset.start)")
    earliest = min(starts)
    offers.first.click()
    summary = laptop.locator(".summary")
    expect(summary.locator(".coverage")).to_contain_text("Free under warranty")
    expect(summary.get_by_role("button", name="Confirm booking")).to_be_visible()
    screenshot(laptop, "book")
    summary.get_by_role("button", name="Confirm booking").click()
    expect(laptop.locator("#booked-title")).to_contain_text("Booked: Repair")
    laptop.locator(".summary.booked").get_by_role("link", name="Track this visit").click()
    expect(laptop).to_have_url(re.compile(r"/track/\d+$"))
    booking_id = int(laptop.url.rsplit("/", 1)[1])
    expect(laptop.locator("#track-status")).to_contain_text("Booked")
    expect(laptop.locator(".track .coverage")).to_contain_text("Free under warranty")
    booking = _get(site, "customer", f"/bookings/{booking_id}")
    assert (booking["kind"], booking["status"], booking["coverage"]) == (
        "repair",
        "booked",
        "warranty",
    )
    assert booking["window_start"].replace("Z", "+00:00") == earliest.replace("Z", "+00:00")


def test_track_journey5_another_customers_booking_is_refused(site: Site, laptop: Any) -> None:
    """Journey 5: the demo customer opening another customer's booking sees a plain refusal and
    nothing of the booking."""
    me = _get(site, "customer", "/me")["customer_id"]
    engine = make_engine(site.settings)
    try:
        with Session(engine) as session:
            other = next(
                v
                for v in session.exec(select(Visit).where(col(Visit.window_start).is_not(None)))
                if v.request.customer_id != me
            )
            other_id, technician_id = other.id, other.planned_technician_id
    finally:
        engine.dispose()
    laptop.goto(f"{site.url}/track/{other_id}?token={site.tokens['customer']}")
    expect(laptop.get_by_role("alert")).to_contain_text("This booking cannot be shown")
    expect(laptop.locator(".track")).to_have_count(0)
    facts = laptop.locator("#track-window, #track-technician, #track-eta, .coverage")
    expect(facts).to_have_count(0)
    assert technician_id is None or "Technician" not in laptop.locator("main").inner_text()


def test_book_cancel_says_the_entitlement_comes_back(site: Site, laptop: Any) -> None:
    """Cancelling a booking covered by a free service asks first, says the entitlement comes
    back, and the unit's free services count one fewer used."""
    bookings = _get(site, "customer", "/bookings")["data"]
    booking = next(b for b in bookings if b["coverage"] == "entitlement" and b["actions"])
    used_before = _used(site, booking["asset_id"])
    laptop.goto(f"{site.url}/book?token={site.tokens['customer']}")
    card = laptop.locator(f"#booking-{booking['id']}")
    card.get_by_role("button", name="Cancel booking").click()
    expect(card).to_contain_text("The entitlement it uses comes back to your unit.")
    card.get_by_role("button", name="Yes, cancel it").click()
    expect(laptop.locator("#bookings [role=status]")).to_contain_text("the entitlement is back")
    assert _get(site, "customer", f"/bookings/{booking['id']}")["status"] == "cancelled"
    assert _used(site, booking["asset_id"]) == used_before - 1


def _used(site: Site, asset_id: int) -> int:
    asset = _get(site, "customer", f"/assets/{asset_id}")
    return sum(e["used"] for e in asset["entitlements"])


def test_book_reschedule_moves_to_another_offered_window(site: Site, laptop: Any) -> None:
    """Reschedule shows the offered windows for the booking; the chosen one becomes its window."""
    bookings = _get(site, "customer", "/bookings")["data"]
    booking = next(b for b in bookings if "reschedule" in b["actions"])
    laptop.goto(f"{site.url}/book?token={site.tokens['customer']}")
    card = laptop.locator(f"#booking-{booking['id']}")
    card.get_by_role("button", name="Reschedule").click()
    offers = card.locator(f"#move-{booking['id']}-days .slot")
    target = offers.last
    expect(target).to_be_visible()
    start = target.get_attribute("data-start")
    target.click()
    card.get_by_role("button", name="Move to this window").click()
    expect(laptop.locator("#bookings [role=status]")).to_contain_text("Moved to")
    moved = _get(site, "customer", f"/bookings/{booking['id']}")
    assert moved["window_start"].replace("Z", "+00:00") == (start or "").replace("Z", "+00:00")


def test_language_switch_is_remembered(site: Site, laptop: Any) -> None:
    """The English customer switches to Bahasa Indonesia; the booking page and the tracking
    page speak it, also after a reload."""
    laptop.goto(f"{site.url}/book?token={site.tokens['customer']}")
    expect(laptop.get_by_role("heading", name="Book a visit")).to_be_visible()
    laptop.get_by_label("Language").select_option("id")
    expect(laptop.get_by_role("heading", name="Pesan kunjungan")).to_be_visible()
    expect(laptop.get_by_label("Jenis kunjungan")).to_be_visible()
    laptop.reload()
    expect(laptop.get_by_role("heading", name="Pesan kunjungan")).to_be_visible()
    assert laptop.evaluate("document.documentElement.lang") == "id"
    booking = _get(site, "customer", "/bookings")["data"][0]
    laptop.goto(f"{site.url}/track/{booking['id']}")
    expect(laptop.get_by_role("heading", name="Kunjungan Anda")).to_be_visible()
    laptop.get_by_label("Bahasa").select_option("en")
    expect(laptop.get_by_role("heading", name="Your visit")).to_be_visible()
