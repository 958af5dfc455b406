"""The demo's own crew installation, as a dispatcher and an installer see it: a large AC booked
in the coming week for two installers, planned and published, in both installers' rows on the
board and, days before, on an installer's phone (/me?day=) naming the partner, to read only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.technician.models import Technician
from tests.web.conftest import PHONE, Site
from tests.web.support import Api, next_working_days
from tests.web.test_board import open_board
from tests.web.test_crew_pages import _plan_and_publish, _with_session

pytestmark = pytest.mark.browser


def _demo_crew_day(dispatcher: Api, region: str) -> tuple[date, int]:
    """The first day of the coming week (six working days) with a crew installation booked by
    the demo itself, and that visit's id."""
    for day in next_working_days(dispatcher, region, 6):
        view = dispatcher.get(f"/regions/{region}/days/{day}")
        crews = [v["id"] for v in view["visits"] if v["crew_size"] == 2 and v["status"] == "booked"]
        if crews:
            return day, crews[0]
    pytest.fail(f"the demo books no crew installation in {region}'s coming week")


def _installer_token(site: Site, technician_id: int) -> tuple[str, str]:
    """A technician account for one crew member; its token and the member's name."""

    def work(session: Session) -> tuple[str, str]:
        technician = session.get(Technician, technician_id)
        assert technician is not None
        user_in = UserCreate(
            name="demo-installer", role=Role.TECHNICIAN, technician_id=technician_id
        )
        _, token = account_service.create(session=session, user_in=user_in)
        session.commit()
        return token, technician.name

    result: tuple[str, str] = _with_session(site, work)
    return result


def test_demo_crew_installation_on_the_board_and_the_installers_phone(
    site: Site, laptop: Any, phone: Any
) -> None:
    """The demo's booked large-AC installation, once its day is published, is served by two
    installers at one start: a block in both rows on the board; on one installer's phone, days
    before, the stop names the other, with no buttons yet and no phone number."""
    dispatcher = Api(site, "dispatcher")
    region = str(dispatcher.get("/regions")["data"][0]["code"])
    day, visit_id = _demo_crew_day(dispatcher, region)
    plan = _plan_and_publish(dispatcher, region, day)
    members = [
        r["technician_id"] for r in plan["routes"] for s in r["stops"] if s["visit_id"] == visit_id
    ]
    assert len(set(members)) == 2
    open_board(laptop, site, region, day)
    expect(laptop.locator(f".seg.visit.crew[data-visit-id='{visit_id}']")).to_have_count(2)

    token, _ = _installer_token(site, members[0])
    partner = next(r for r in dispatcher.get("/technicians")["data"] if r["id"] == members[1])
    phone.goto(f"{site.url}/me?token={token}&day={day}")
    stop = phone.locator(f"#stop-{visit_id}")
    expect(stop.locator("[data-role=crew]")).to_contain_text(f"Crew visit with {partner['name']}")
    expect(stop).to_contain_text("shown on the day")
    expect(stop.get_by_role("button")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
