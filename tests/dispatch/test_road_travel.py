"""One travel source per region: plans, slot offers and ETAs on the region's OSRM road times,
cached per region and day, asked for in chunks, and great-circle estimates (said so in the plan
and the solve job) when the server is down or fails mid-way."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import optimizer as opt
from dispatch import road_matrix
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.booking import ledger
from dispatch.booking import service as booking_service
from dispatch.booking import slots as slot_service
from dispatch.jobs import service as job_service
from dispatch.jobs import work
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from dispatch.planning import convert, solving
from dispatch.planning import service as planning_service
from dispatch.planning import travel as planning_travel
from dispatch.planning.models import Plan, TravelSource
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region, RegionUpdate
from tests.dispatch.booking_day import booking_day, booking_in, customer_asset
from tests.dispatch.planning_day import BLOK_M, FAST, KEMANG, TEBET, add_visit, small_day
from tests.dispatch.test_road_matrix import FakeOsrm, metres, osrm, road_s
from tests.factories import DAY, REQUESTED_AT

__all__ = ["osrm"]  # the fixture

Durations = dict[tuple[tuple[float, float], tuple[float, float]], int]


def _on_server(session: Session, region: Region, url: str) -> Region:
    return region_service.update(
        session=session, region=region, region_in=RegionUpdate(osrm_url=url)
    )


def _durations(problem: opt.Problem) -> Durations:
    """Drive times between the problem's places by coordinates (index-free, to compare)."""
    places = [p for t in problem.technicians for p in (t.start, t.end_location)]
    places += [v.location for v in problem.visits]
    table = opt.build_table(problem.travel, places).durations_s
    return {
        ((a.lat, a.lon), (b.lat, b.lon)): int(table[i, j])
        for i, a in enumerate(places)
        for j, b in enumerate(places)
        if (a.lat, a.lon) != (b.lat, b.lon)
    }


def _plan(session: Session, region: Region) -> Plan:
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    assert solving.check_stored(plan) == []
    return plan


def test_plan_on_road_times_says_so(session: Session, osrm: FakeOsrm) -> None:
    """The plan's matrix holds the server's times (not the estimate) and says osrm, no note."""
    day = small_day(session)
    region = _on_server(session, day.region, osrm.url)
    plan = _plan(session, region)
    problem, _ = convert.from_rows(plan)
    found = _durations(problem)[(BLOK_M, KEMANG)]
    assert found == round(road_s(metres(BLOK_M, KEMANG)))
    estimate = opt.build_table(
        convert.road_estimate(region), [opt.Location(*BLOK_M), opt.Location(*KEMANG)]
    )
    assert found != int(estimate.durations_s[0, 1])
    assert (plan.travel_source, plan.travel_note) == (TravelSource.OSRM, None)


def test_road_table_in_chunks_equals_one_request_and_is_cached_per_day(
    session: Session, osrm: FakeOsrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 2 places give the one-request matrix; planning the day again asks nothing;
    a visit at a new place asks only for its rows and columns."""
    day = small_day(session)
    region = _on_server(session, day.region, osrm.url)
    whole = convert.from_rows(_plan(session, region))[0].travel
    assert len(osrm.requests) == 1
    planning_travel.drop_cached()
    monkeypatch.setattr(road_matrix, "BLOCK", 2)
    chunked = convert.from_rows(_plan(session, region))[0].travel
    assert chunked == whole
    asked = len(osrm.requests) - 1
    assert asked == 4  # 4 distinct places in 2 x 2 chunks
    _plan(session, region)
    assert len(osrm.requests) - 1 == asked  # cached for the region's day
    add_visit(session, region, (-6.2500, 106.8200), 10)
    _plan(session, region)
    assert len(osrm.requests) - 1 - asked == 2 + 2  # its row 1 x 3 + 1 x 2, its column 3 + 1


def test_server_failing_mid_way_falls_back_to_estimates_and_says_so(
    session: Session, osrm: FakeOsrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that answers two chunks and then fails: the plan is on great-circle estimates
    as a whole (valid, every visit served) and its note names the failure."""
    day = small_day(session)
    region = _on_server(session, day.region, osrm.url)
    monkeypatch.setattr(road_matrix, "BLOCK", 2)
    osrm.fail_after = 2
    plan = _plan(session, region)
    assert len(osrm.requests) == 3  # two chunks answered, the third failed, no more asked
    assert plan.travel_source == TravelSource.GREAT_CIRCLE
    assert plan.travel_note is not None and "great-circle estimates used" in plan.travel_note
    assert "500" in plan.travel_note
    assert plan.plan_json["problem"]["travel"]["model"] == "great_circle"
    assert plan.assigned == 4


def test_server_down_is_said_in_the_solve_job(engine: Engine) -> None:
    """Nothing listening at the region's server: the job succeeds on estimates and its row
    (which the event stream sends) carries the source and the reason."""
    planning_travel.drop_cached()
    with Session(engine) as session:
        day = small_day(session)
        _on_server(session, day.region, "http://127.0.0.1:9")
        job = job_service.create(
            session=session, region=day.region, day=DAY, kind=JobKind.PLAN, time_limit_s=1.0
        )
    work.run(engine, job.id or 0)
    with Session(engine) as session:
        done = session.get(SolveJob, job.id)
        assert done is not None and done.status is JobStatus.SUCCEEDED
        assert done.travel_source == TravelSource.GREAT_CIRCLE
        assert done.travel_note is not None and "unreachable" in done.travel_note
        plan = session.get(Plan, done.plan_id)
        assert plan is not None and plan.travel_note == done.travel_note
    seen = list(job_service.watch(engine=engine, job_id=job.id or 0, max_s=1))
    assert seen[-1].travel_note == done.travel_note


def test_slot_offers_and_the_plan_use_the_same_road_times(session: Session, osrm: FakeOsrm) -> None:
    """The ledger the offers insert into and the plan solved after the booking drive on the
    same durations, the booked customer's place included; the offer's added travel is the
    server's."""
    ledger.drop_cached()
    day = booking_day(session)
    region = _on_server(session, day.region, osrm.url)
    asset = customer_asset(session, day)
    offer = slot_service.offer_slots(
        session=session,
        asset=asset,
        kind=VisitKind.INSTALLATION,
        region=region,
        now=REQUESTED_AT,
        first=DAY,
        last=DAY,
    )
    home = (day.technician.start_lat, day.technician.start_lon)
    place = slot_service.located(asset)
    there_and_back = round(road_s(metres(home, place))) + round(road_s(metres(place, home)))
    assert offer.data[0].added_travel_s == there_and_back
    user, _ = account_service.create(
        session=session, user_in=UserCreate(name="agent", role=Role.ADMIN)
    )
    visit, _ = booking_service.book(
        session=session,
        user_id=user.id or 0,
        idempotency_key="k1",
        booking_in=booking_in(asset, DAY, 8),
        asset=asset,
        region=region,
        now=REQUESTED_AT,
    )
    state = ledger.read_days(session=session, region=region, days=[DAY])[DAY]
    offered = _durations(state.routes.problem)
    planned = _durations(convert.from_rows(_plan(session, region))[0])
    assert offered and offered == planned
    assert offered[(home, (visit.lat, visit.lon))] == round(road_s(metres(home, place)))


def test_eta_without_a_plan_drives_on_the_region_source(session: Session, osrm: FakeOsrm) -> None:
    """The drive an ETA adds is the server's road time; the estimate when the server is down."""
    region = _on_server(session, small_day(session).region, osrm.url)
    assert planning_travel.drive_s(region, DAY, BLOK_M, TEBET) == round(
        road_s(metres(BLOK_M, TEBET))
    )
    down = _on_server(session, region, "http://127.0.0.1:9")
    estimate = opt.build_table(
        convert.road_estimate(down), [opt.Location(*BLOK_M), opt.Location(*TEBET)]
    )
    assert planning_travel.drive_s(down, DAY, BLOK_M, TEBET) == int(estimate.durations_s[0, 1])


def test_setting_a_routing_server_rebuilds_the_day_offers_insert_into(
    session: Session, osrm: FakeOsrm
) -> None:
    """A day's ledger built on estimates is rebuilt on road times once the region gets its
    server (the travel settings are part of the day's fingerprint)."""
    ledger.drop_cached()
    day = booking_day(session)
    asset = customer_asset(session, day)

    def offered() -> tuple[str, int]:
        found = slot_service.offer_slots(
            session=session,
            asset=asset,
            kind=VisitKind.INSTALLATION,
            region=day.region,
            now=REQUESTED_AT,
            first=DAY,
            last=DAY,
        )
        state = ledger.read_days(session=session, region=day.region, days=[DAY])[DAY]
        return type(state.routes.problem.travel).__name__, found.data[0].added_travel_s

    before = offered()
    _on_server(session, day.region, osrm.url)
    after = offered()
    assert (before[0], after[0]) == ("GreatCircle", "Matrix")
    assert before[1] != after[1]
