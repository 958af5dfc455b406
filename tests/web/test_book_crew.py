"""The booking page for a unit whose installation needs two installers (issue 16): the page
says so in English and Bahasa Indonesia, and only offers windows a crew of two can keep."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Site, screenshot
from tests.web.support import Api

pytestmark = pytest.mark.browser


def _large_ac_for_the_customer(site: Site, serial: str = "CREW-0001") -> dict[str, Any]:
    """An AC Split 2.5 PK (a demo catalogue model no one has bought yet) registered for the
    demo customer at its home, bought today: its free installation is still to book."""
    admin = Api(site, "admin")
    customer_id = Api(site, "customer").get("/me")["customer_id"]
    products = admin.get("/product-models", limit=500)["data"]
    large = next(p for p in products if p["name"] == "AC Split 2.5 PK")
    body = {
        "customer_id": customer_id,
        "product_model_id": large["id"],
        "serial_number": serial,
        "purchase_date": str(date.today()),
    }
    response = admin.post("/assets", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_book_large_ac_says_it_needs_two_installers(site: Site, laptop: Any) -> None:
    """The customer picks the new large AC's installation: the page says it needs 2 installers
    (Butuh 2 teknisi pemasang in Bahasa), and every window it offers is one the API offers for
    a crew of two."""
    asset = _large_ac_for_the_customer(site)
    answer = Api(site, "customer").get("/slots", asset_id=asset["id"], kind="installation")
    assert answer["crew_size"] == 2
    laptop.goto(f"{site.url}/book?token={site.tokens['customer']}")
    laptop.get_by_label("Language").select_option("en")
    laptop.get_by_label("Unit").select_option(str(asset["id"]))
    laptop.get_by_label("Kind of visit").select_option("installation")
    note = laptop.locator("#offer-crew")
    expect(note).to_contain_text("Needs 2 installers.")
    expect(note).to_contain_text("2 of them can arrive and start together")
    offered = {s["window_start"] for s in answer["data"]}
    if offered:
        slots = laptop.locator("#offer-days .slot")
        expect(slots.first).to_be_visible()
        shown = slots.evaluate_all("nodes => nodes.map(n => n.dataset.start)")
        assert set(shown) <= offered
    screenshot(laptop, "book-crew")
    laptop.get_by_label("Language").select_option("id")
    expect(laptop.locator("#offer-crew")).to_contain_text("Butuh 2 teknisi pemasang.")
    laptop.get_by_label("Bahasa").select_option("en")


def test_book_large_ac_on_a_phone_in_bahasa(site: Site, phone: Any) -> None:
    """On a 360 px phone in Bahasa Indonesia the crew note reads whole above the windows."""
    asset = _large_ac_for_the_customer(site, serial="CREW-0002")
    phone.goto(f"{site.url}/book?token={site.tokens['customer']}")
    phone.get_by_label("Language").select_option("id")
    phone.get_by_label("Unit").select_option(str(asset["id"]))
    phone.get_by_label("Jenis kunjungan").select_option("installation")
    phone.wait_for_load_state("networkidle")  # the page renders again when each answer comes
    note = phone.locator("#offer-crew")
    expect(note).to_contain_text("Butuh 2 teknisi pemasang.")
    right = note.evaluate(
        "n => { n.scrollIntoView({block: 'center'}); return n.getBoundingClientRect().right; }"
    )
    assert right <= 360  # no sideways scrolling
    screenshot(phone, "book-crew-phone")
