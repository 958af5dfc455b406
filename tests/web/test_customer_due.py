"""A service the customer booked as "within the next days", not yet given a window: the
booking page lists it with its days, and the customer may pick a window for it themselves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.db import make_engine
from dispatch.demo.catalogue import TIMEZONE
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequestCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate
from tests.web.conftest import Site, screenshot

pytestmark = pytest.mark.browser
DUE_DAYS = 10


def _get(site: Site, path: str) -> Any:
    headers = {"Authorization": f"Bearer {site.tokens['customer']}"}
    response = httpx.get(f"{site.url}/v1{path}", headers=headers)
    response.raise_for_status()
    return response.json()


def _due_service(site: Site) -> tuple[int, date]:
    """A repair of one of the customer's units, due from tomorrow within DUE_DAYS days with
    no window (as a week plan takes it); its id and first day."""
    me = _get(site, "/me")["customer_id"]
    first = localtime.local_day(localtime.utc_now(), localtime.zone(TIMEZONE)) + timedelta(1)
    engine = make_engine(site.settings)
    try:
        with Session(engine) as session:
            booked = select(Visit).where(col(Visit.window_start).is_not(None))
            visit = next(v for v in session.exec(booked) if v.request.customer_id == me)
            asset = session.get(Asset, visit.request.asset_id)
            assert asset is not None and asset.lat is not None and asset.lon is not None
            request = request_service.open(
                session=session,
                request_in=ServiceRequestCreate(
                    asset_id=asset.id or 0, region_id=visit.region_id, kind="repair"
                ),
            )
            due = visit_service.create(
                session=session,
                visit_in=VisitCreate(
                    request_id=request.id or 0,
                    lat=asset.lat,
                    lon=asset.lon,
                    duration_s=3600,
                    due_from=first,
                    due_until=first + timedelta(days=DUE_DAYS),
                ),
            )
            return due.id or 0, first
    finally:
        engine.dispose()


def test_a_service_due_within_days_is_listed_and_the_customer_picks_its_window(
    site: Site, phone: Any
) -> None:
    """On a phone: the booking card says it is to be scheduled between its first and last day;
    Reschedule offers windows, and the chosen one becomes its promised window."""
    visit_id, first = _due_service(site)
    phone.goto(f"{site.url}/book?token={site.tokens['customer']}")
    card = phone.locator(f"#booking-{visit_id}")
    expect(card).to_contain_text("To be scheduled between")
    expect(card).to_contain_text(str(first.day))
    screenshot(phone, "book_due")
    card.get_by_role("button", name="Reschedule").click()
    offer = card.locator(f"#move-{visit_id}-days .slot").first
    expect(offer).to_be_visible()
    start = offer.get_attribute("data-start") or ""
    offer.click()
    card.get_by_role("button", name="Move to this window").click()
    expect(phone.locator("#bookings [role=status]")).to_contain_text("Moved to")
    booking = _get(site, f"/bookings/{visit_id}")
    assert booking["window_start"].replace("Z", "+00:00") == start.replace("Z", "+00:00")
    assert (booking["due_from"], booking["due_until"]) == (None, None)
