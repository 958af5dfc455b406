"""Two-technician visits on the pages: the board marks a crew visit in both technicians' rows,
and each technician's phone names the partner; completed on one phone, it is done on both."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.db import make_engine
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit
from tests.api.dispatch_support import wait_for
from tests.web.conftest import PHONE, Site, screenshot
from tests.web.support import Api, next_working_days
from tests.web.test_board import open_board

pytestmark = pytest.mark.browser
SUNDAY_SKIP = "the demo business rests on Sundays in Jakarta: no stops today"


def _with_session(site: Site, work: Any) -> Any:
    engine = make_engine(site.settings)
    try:
        with Session(engine) as session:
            return work(session)
    finally:
        engine.dispose()


def _crew_day(site: Site, dispatcher: Api, region: str) -> tuple[date, int]:
    """A working day ahead with a booked visit that needs two technicians (the demo's large
    split ACs and cassettes; where none is booked soon, the next day's first AC service is
    made one), and that visit's id."""
    days = next_working_days(dispatcher, region, 3)
    for day in days:
        view = dispatcher.get(f"/regions/{region}/days/{day}")
        crews = [v["id"] for v in view["visits"] if v["crew_size"] > 1 and v["status"] == "booked"]
        if crews:
            return day, crews[0]
    view = dispatcher.get(f"/regions/{region}/days/{days[0]}")
    # Five of a region's ten demo technicians service ACs: a pair is always there.
    installs = [
        v["id"]
        for v in view["visits"]
        if v["status"] == "booked" and v["required_skills"] == ["ac_service"]
    ]
    assert installs, "the demo has no AC service booked on the next working day"

    def work(session: Session) -> None:
        visit = session.get(Visit, installs[0])
        assert visit is not None
        visit.crew_size = 2
        session.add(visit)
        session.commit()

    _with_session(site, work)
    return days[0], installs[0]


def _plan_and_publish(dispatcher: Api, region: str, day: date) -> dict[str, Any]:
    job = dispatcher.post(f"/regions/{region}/days/{day}/plans", {"time_limit_s": 5}).json()

    def finished() -> dict[str, Any] | None:
        found: dict[str, Any] = dispatcher.get(f"/solve-jobs/{job['id']}")
        return found if found["status"] not in ("queued", "running") else None

    done = wait_for(finished, timeout_s=120)
    assert done["status"] == "succeeded", done["error"]
    published = dispatcher.post(f"/plans/{done['plan_id']}/publish")
    assert published.status_code == 200, published.text
    plan: dict[str, Any] = published.json()
    return plan


def test_board_shows_a_crew_visit_in_both_rows(site: Site, laptop: Any) -> None:
    """The planned two-installer visit is a block in two technicians' rows at one start,
    marked 2x, its tooltip naming the crew."""
    dispatcher = Api(site, "dispatcher")
    region = str(dispatcher.get("/regions")["data"][0]["code"])
    day, visit_id = _crew_day(site, dispatcher, region)
    plan = _plan_and_publish(dispatcher, region, day)
    stops = [(r["technician_id"], s) for r in plan["routes"] for s in r["stops"]]
    crew_stops = [s for _, s in stops if s["visit_id"] == visit_id]
    assert len(crew_stops) == 2 and len({s["start_at"] for s in crew_stops}) == 1
    open_board(laptop, site, region, day)
    blocks = laptop.locator(f".seg.visit.crew[data-visit-id='{visit_id}']")
    expect(blocks).to_have_count(2)
    expect(blocks.first).to_contain_text("2×")
    rows = blocks.evaluate_all("els => els.map(e => e.closest('.tl-row').dataset.technicianId)")
    assert len(set(rows)) == 2
    blocks.first.hover()
    expect(laptop.locator("#tooltip")).to_contain_text("crew of 2")
    screenshot(laptop, "board_crew")


def _make_crew_today(site: Site) -> tuple[int, str, str]:
    """The demo technician's first open stop today becomes a two-person visit with another
    technician of the region (as publishing a plan with it would); the visit, the partner's
    token, and the partner's name."""
    route = Api(site, "technician").get("/me/route")
    open_stops = [s for s in route["stops"] if s["status"] == "planned"]
    if not open_stops:
        pytest.skip(SUNDAY_SKIP)
    visit_id = open_stops[0]["visit_id"]

    def work(session: Session) -> tuple[int, str, str]:
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.planned_technician_id is not None
        colleagues = select(Technician).where(
            Technician.region_id == visit.region_id,
            col(Technician.id) != visit.planned_technician_id,
        )
        partner = session.exec(colleagues.order_by(col(Technician.id))).first()
        assert partner is not None
        visit.crew_size = 2
        crew.set_members(
            session=session,
            visit=visit,
            technician_ids=[visit.planned_technician_id, partner.id or 0],
        )
        user_in = UserCreate(name="crew-partner", role=Role.TECHNICIAN, technician_id=partner.id)
        _, token = account_service.create(session=session, user_in=user_in)
        session.commit()
        return visit_id, token, partner.name

    result: tuple[int, str, str] = _with_session(site, work)
    return result


def test_me_names_the_partner_and_one_completion_shows_on_both_phones(
    site: Site, phone: Any, browser: Any
) -> None:
    """On a 360 px phone each crew member reads who they serve the visit with; the demo
    technician completes it, and the partner's page shows it completed, with no buttons left."""
    visit_id, partner_token, partner_name = _make_crew_today(site)
    phone.goto(f"{site.url}/me?token={site.tokens['technician']}")
    stop = phone.locator(f"#stop-{visit_id}")
    expect(stop.locator("[data-role=crew]")).to_contain_text(f"Crew visit with {partner_name}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stop.scroll_into_view_if_needed()
    screenshot(phone, "me_crew")
    for name in ("Arrived", "Completed"):
        stop.get_by_role("button", name=name).click()
        expect(stop.get_by_role("button", name=name)).to_have_count(0)
    expect(stop.locator("[data-role=status]")).to_have_text("completed")

    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = other.new_page()
        page.goto(f"{site.url}/me?token={partner_token}")
        theirs = page.locator(f"#stop-{visit_id}")
        expect(theirs.locator("[data-role=status]")).to_have_text("completed")
        expect(theirs.locator("[data-role=crew]")).to_be_visible()
        expect(theirs.get_by_role("button", name="Completed")).to_have_count(0)
    finally:
        other.close()


def test_me_of_a_visit_served_alone_names_no_partner(site: Site, phone: Any) -> None:
    """A stop without a crew has no crew line."""
    route = Api(site, "technician").get("/me/route")
    alone = [s for s in route["stops"] if not s["partner_names"]]
    if not alone:
        pytest.skip(SUNDAY_SKIP)
    phone.goto(f"{site.url}/me?token={site.tokens['technician']}")
    stop = phone.locator(f"#stop-{alone[0]['visit_id']}")
    expect(stop).to_be_visible()
    expect(stop.locator("[data-role=crew]")).to_have_count(0)
