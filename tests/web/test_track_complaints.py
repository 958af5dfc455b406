"""The tracking page's complaints on a phone: the customer reads that there is none, files one
about the visit (refused while empty), sees it listed with when we answer, and reads it all in
Bahasa Indonesia after switching, the unsent text kept."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import Site, screenshot

pytestmark = pytest.mark.browser


def _get(site: Site, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {site.tokens['customer']}"}
    response = httpx.get(f"{site.url}/v1{path}", headers=headers, params=params)
    response.raise_for_status()
    return response.json()


def _booking_without_complaint(site: Site) -> dict[str, Any]:
    for booking in _get(site, "/bookings", limit=50)["data"]:
        if _get(site, "/complaints", visit_id=booking["id"])["count"] == 0:
            return dict(booking)
    pytest.fail("the demo customer has no booking without a complaint")


def test_customer_files_a_complaint_from_the_tracking_page(site: Site, phone: Any) -> None:
    booking = _booking_without_complaint(site)
    phone.goto(f"{site.url}/track/{booking['id']}?token={site.tokens['customer']}")
    box = phone.locator("#track-complaints")
    expect(box.get_by_role("heading", name="Complaints about this visit")).to_be_visible()
    expect(box.locator("#complaints-none")).to_be_visible()
    box.get_by_role("button", name="Send complaint").click()
    expect(box.locator("#complaint-message")).to_have_text("Write what happened first.")
    box.get_by_label("What is it about").select_option(label="Quality of the work")
    box.get_by_label("What happened").fill("The drain pipe leaks since the visit.")
    box.get_by_role("button", name="Send complaint").click()
    expect(box.locator("#complaint-message")).to_contain_text("received. We answer by")
    item = box.locator(".complaint")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Quality of the work")
    expect(item).to_contain_text("The drain pipe leaks since the visit.")
    expect(item.locator(".badge")).to_have_text("Received")
    expect(box.get_by_label("What happened")).to_have_value("")
    (filed,) = _get(site, "/complaints", visit_id=booking["id"])["data"]
    assert (filed["category"], filed["filed_by"], filed["asset_id"]) == (
        "workmanship", "customer", booking["asset_id"],
    )  # fmt: skip
    assert item.get_attribute("data-id") == str(filed["id"])
    box.get_by_label("What happened").fill("Dan teknisinya tidak membersihkan.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    phone.get_by_label("Language").select_option("id")
    expect(box.get_by_role("heading", name="Keluhan tentang kunjungan ini")).to_be_visible()
    expect(item.locator(".badge")).to_have_text("Diterima")
    expect(box.locator("#complaint-message")).to_contain_text("kami terima. Kami tanggapi")
    expect(box.locator(".complaint")).to_contain_text("Hasil pekerjaan")
    expect(box.get_by_label("Apa yang terjadi")).to_have_value("Dan teknisinya tidak membersihkan.")
    expect(box.get_by_role("button", name="Kirim keluhan")).to_be_visible()
    phone.evaluate("document.activeElement.blur()")
    box.evaluate("node => node.scrollIntoView()")
    screenshot(phone, "track_complaint")
