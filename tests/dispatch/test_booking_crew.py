"""Crew bookings through the services, on SQLite and PostgreSQL: a large AC whose installation
needs two installers is offered a window only when two of them can start it together, books
both of them at that start, and the plan of the day serves the crew (checked by the validator).

The day is tests.factories.DAY (Tuesday 2026-03-10); "now" is the Monday before, 10:00 Jakarta.
Both installers start at Blok M; the customers are in Kemang (tests.dispatch.booking_day).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.booking import ledger
from dispatch.booking import service as booking_service
from dispatch.booking import slots as slot_service
from dispatch.booking.models import SlotReason, SlotsPublic
from dispatch.errors import SlotUnavailable
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import PlanOptions
from dispatch.product.models import VisitKind
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.visit.models import Visit
from optimizer import check, sequences_to_plan
from tests.dispatch.booking_day import (
    HOURS,
    CrewDay,
    booked_elsewhere,
    booking_in,
    crew_day,
    customer_asset,
    large_asset,
    ledger_violations,
    pinned_elsewhere,
)
from tests.factories import DAY, REQUESTED_AT

NOW = REQUESTED_AT
ALL_WINDOWS = ["08:00-10:00", "10:00-12:00", "13:00-15:00", "15:00-17:00"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts without parsed ledgers (PostgreSQL ids restart between tests)."""
    ledger.drop_cached()


def _offer(session: Session, crew: CrewDay, asset: Asset) -> SlotsPublic:
    return slot_service.offer_slots(
        session=session,
        asset=asset,
        kind=VisitKind.INSTALLATION,
        region=crew.day.region,
        now=NOW,
        first=DAY,
        last=DAY,
    )


def _windows(offer: SlotsPublic) -> list[str]:
    return sorted(s.local_window for s in offer.data)


def _book(session: Session, crew: CrewDay, asset: Asset, hour: int, key: str = "k1") -> Visit:
    visit, _ = booking_service.book(
        session=session,
        user_id=_user(session),
        idempotency_key=key,
        booking_in=booking_in(asset, DAY, hour),
        asset=asset,
        region=crew.day.region,
        now=NOW,
    )
    return visit


def _user(session: Session) -> int:
    found = account_service.get_by_name(session=session, name="agent")
    if found is not None:
        return found.id or 0
    user, _ = account_service.create(
        session=session, user_in=UserCreate(name="agent", role=Role.ADMIN)
    )
    return user.id or 0


def _crew_in_ledger(session: Session, crew: CrewDay, visit: Visit) -> dict[str, Any]:
    """Where the day's ledger holds the crew visit: member routes and their service starts."""
    state = ledger.read_days(session=session, region=crew.day.region, days=[DAY])[DAY]
    ids = {str(visit.id), f"{visit.id}{ledger.PARTNER}2"}
    plan = sequences_to_plan(state.routes.problem, state.routes.sequences)
    stops = [(r.technician, s.start_s) for r in plan.routes for s in r.stops if s.visit in ids]
    return {"technicians": {t for t, _ in stops}, "starts": {s for _, s in stops}}


def test_one_installer_with_room_offers_the_small_ac_but_not_the_large(session: Session) -> None:
    """The partner's day is full: a one-installer installation still gets all four windows,
    the two-installer one none, and the day is full for it."""
    crew = crew_day(session)
    for hour in HOURS:
        pinned_elsewhere(session, crew.day, DAY, hour, crew.partner)
    small = _offer(session, crew, customer_asset(session, crew.day))
    large = _offer(session, crew, large_asset(session, crew))
    assert _windows(small) == ALL_WINDOWS and small.crew_size == 1
    assert large.data == [] and large.crew_size == 2
    assert large.reason is SlotReason.DAYS_FULL
    assert [(u.day, u.reason) for u in large.unavailable] == [(DAY, SlotReason.DAYS_FULL)]


def test_installers_free_at_different_hours_get_only_the_common_windows(
    session: Session,
) -> None:
    """One installer has a visit promised 08-10, the other 15-17: a crew can start together in
    10-12 (once the first is done in Kemang) and 13-15 (done by the other's 15:00), in neither
    busy window; one installer alone could take any window."""
    crew = crew_day(session)
    pinned_elsewhere(session, crew.day, DAY, 8, crew.day.technician)
    pinned_elsewhere(session, crew.day, DAY, 15, crew.partner)
    assert _windows(_offer(session, crew, customer_asset(session, crew.day))) == ALL_WINDOWS
    large = _offer(session, crew, large_asset(session, crew))
    assert _windows(large) == ["10:00-12:00", "13:00-15:00"]
    # Both already go to Kemang that day: the crew adds no drive next to their visits there.
    assert [s.added_travel_s for s in large.data] == [0, 0]


def test_booked_crew_holds_both_installers_at_one_start(session: Session) -> None:
    """The large AC booked 08-10: the ledger holds it on both installers' routes at one start,
    so nobody else is offered 08-10 (either installer's hours), and a second crew is refused
    the window with SlotUnavailable."""
    crew = crew_day(session)
    visit = _book(session, crew, large_asset(session, crew), 8)
    assert visit.crew_size == 2
    held = _crew_in_ledger(session, crew, visit)
    assert held["technicians"] == {str(t.id) for t in crew.installers}
    assert len(held["starts"]) == 1
    assert ledger_violations(session, crew.day.region, DAY) == []
    assert "08:00-10:00" not in _windows(_offer(session, crew, customer_asset(session, crew.day)))
    with pytest.raises(SlotUnavailable):
        _book(session, crew, large_asset(session, crew, name="Dewi"), 8, key="k2")
    assert _windows(_offer(session, crew, large_asset(session, crew, name="Eko"))) == [
        "10:00-12:00",
        "13:00-15:00",
        "15:00-17:00",
    ]


def test_crew_booking_keeps_its_start_when_the_day_is_rebuilt(session: Session) -> None:
    """A one-installer visit booked elsewhere afterwards makes the ledger rebuild the day from
    the database: the crew is still on both routes at one common start."""
    crew = crew_day(session)
    visit = _book(session, crew, large_asset(session, crew), 10)
    before = _crew_in_ledger(session, crew, visit)
    pinned_elsewhere(session, crew.day, DAY, 13, crew.partner)
    after = _crew_in_ledger(session, crew, visit)
    assert after == before and len(after["starts"]) == 1
    assert ledger_violations(session, crew.day.region, DAY) == []


def test_crew_visit_made_by_a_dispatcher_gets_a_common_start(session: Session) -> None:
    """A two-installer visit promised 10-12 through the visit service (not a booking): the
    ledger finds its crew a common start itself, and 10-12 is gone for everybody else."""
    crew = crew_day(session)
    visit = booked_elsewhere(session, crew.day, DAY, 10)
    visit.crew_size = 2
    session.add(visit)
    session.commit()
    held = _crew_in_ledger(session, crew, visit)
    assert held["technicians"] == {str(t.id) for t in crew.installers}
    assert len(held["starts"]) == 1 and 10 * 3600 <= min(held["starts"]) <= 12 * 3600
    assert ledger_violations(session, crew.day.region, DAY) == []
    assert "10:00-12:00" not in _windows(_offer(session, crew, customer_asset(session, crew.day)))


def test_rescheduled_crew_frees_both_installers_old_hours(session: Session) -> None:
    """The large AC moved from 08-10 to 15-17: 08-10 is offered again to a small AC, the crew
    is held at its new start on both routes."""
    crew = crew_day(session)
    visit = _book(session, crew, large_asset(session, crew), 8)
    small = customer_asset(session, crew.day)
    assert "08:00-10:00" not in _windows(_offer(session, crew, small))
    start, end = booking_in(small, DAY, 15).window_start, booking_in(small, DAY, 15).window_end
    booking_service.reschedule(
        session=session, visit=visit, window_start=start, window_end=end, now=NOW
    )
    assert "08:00-10:00" in _windows(_offer(session, crew, small))
    held = _crew_in_ledger(session, crew, visit)
    assert len(held["technicians"]) == 2 and len(held["starts"]) == 1
    assert min(held["starts"]) >= 15 * 3600


def test_day_with_one_installer_at_work_says_no_crew(session: Session) -> None:
    """The partner is on leave: the large AC's day says it needs two and one works; the small
    AC is still offered the whole day."""
    crew = crew_day(session)
    shift_service.add_exception(
        session=session,
        technician=crew.partner,
        exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.LEAVE),
    )
    large = _offer(session, crew, large_asset(session, crew))
    assert large.data == [] and large.reason is SlotReason.NO_CREW
    assert [(u.day, u.reason) for u in large.unavailable] == [(DAY, SlotReason.NO_CREW)]
    assert "needs 2 technicians" in large.unavailable[0].message
    assert "1 of them work" in large.unavailable[0].message
    assert _windows(_offer(session, crew, customer_asset(session, crew.day))) == ALL_WINDOWS


def test_plan_of_a_day_with_booked_crews_serves_them(session: Session) -> None:
    """Two large ACs and two small ones booked: the day's plan serves all four, each crew
    visit by both installers at one start, and the validator finds nothing."""
    crew = crew_day(session)
    crews = [
        _book(session, crew, large_asset(session, crew, name=f"Besar {h}"), h, key=f"l{h}")
        for h in (8, 15)
    ]
    for h in (10, 13):
        small = customer_asset(session, crew.day, name=f"Kecil {h}")
        _book(session, crew, small, h, key=f"s{h}")
    options = PlanOptions(time_limit_s=1.0, deterministic=True)
    plan = planning_service.plan_day(
        session=session, region=crew.day.region, day=DAY, options=options
    )
    assert solving.check_stored(plan) == []
    assert plan.assigned == 4 and plan.unassigned_visits == []
    for visit in crews:
        stops = [s for r in plan.routes for s in r.stops if s.visit_id == visit.id]
        assert {s.technician_id for s in stops} == {t.id for t in crew.installers}
        assert len({s.start_at for s in stops}) == 1
    planning_service.publish(session=session, plan=plan, at=NOW)
    ledger.drop_cached()
    state = ledger.read_days(session=session, region=crew.day.region, days=[DAY])[DAY]
    problem = state.routes.problem
    assert check(problem, sequences_to_plan(problem, state.routes.sequences)) == []
    for visit in crews:
        assert len(_crew_in_ledger(session, crew, visit)["starts"]) == 1
