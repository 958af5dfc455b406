"""Re-planning: started and finished visits stay put, technicians go on from where they are at
`now`, and a stability cost keeps visits with their technician for small gains."""

from datetime import timedelta

from sqlmodel import Session

from dispatch.planning import convert, solving
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan
from dispatch.region.models import Region
from dispatch.visit import crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.planning_day import (
    BLOK_M,
    FAST,
    KEMANG,
    TEBET,
    Day,
    add_visit,
    small_day,
    two_technicians,
    walk,
)
from tests.factories import DAY, local, make_region, make_technician, make_weekly_pattern

S = VisitStatus
NEAR_KEMANG = (-6.2650, 106.8150)


def _published(session: Session, day: Day) -> Plan:
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    return planning_service.publish(session=session, plan=plan, at=local(DAY, 6))


def _holder(plan: Plan) -> dict[int, int]:
    return {s.visit_id: r.technician_id for r in plan.routes for s in r.stops}


def test_replan_keeps_started_visits_and_moves_the_rest_from_now(session: Session) -> None:
    """Done and on-site visits stay out of the new plan; the rest start after now, from there."""
    day = small_day(session)
    kemang, tebet = day.visits[0], day.visits[2]  # promised 08-10 and 09-11
    for v, t in ((kemang, day.technicians[0]), (tebet, day.technicians[1])):
        visit_service.pin(session=session, visit=v, technician_id=t.id or 0)
    _published(session, day)
    for v in (kemang, tebet):
        session.refresh(v)
    done_at, kemang_start = kemang.planned_end, kemang.planned_start
    assert done_at is not None and kemang_start is not None and tebet.planned_start is not None
    kemang_steps = [(S.EN_ROUTE, local(DAY, 7, 50)), (S.ON_SITE, kemang_start)]
    walk(session, kemang, [*kemang_steps, (S.COMPLETED, done_at)])
    walk(session, tebet, [(S.EN_ROUTE, local(DAY, 8, 40)), (S.ON_SITE, tebet.planned_start)])
    now = max(done_at, tebet.planned_start) + timedelta(minutes=10)
    plan = planning_service.replan(
        session=session, region=day.region, day=DAY, now=now, options=FAST
    )
    assert plan.replanned_from == now
    assert solving.check_stored(plan) == []
    assert set(_holder(plan)) == {day.visits[1].id, day.visits[3].id}
    assert all(s.start_at >= now for r in plan.routes for s in r.stops)
    problem, _ = convert.from_rows(plan)
    starts = {t.id: (t.start.lat, t.start.lon, t.shift.start_s) for t in problem.technicians}
    now_s = int((now - local(DAY, 0)).total_seconds())
    tebet_free_s = int((tebet.planned_start - local(DAY, 0)).total_seconds()) + 7200
    assert starts[str(day.technicians[0].id)] == (*KEMANG, now_s)
    assert starts[str(day.technicians[1].id)] == (*TEBET, tebet_free_s)
    planning_service.publish(session=session, plan=plan)
    for v, status in ((kemang, S.COMPLETED), (tebet, S.ON_SITE)):
        session.refresh(v)
        assert v.status is status and v.planned_technician_id is not None


def test_replan_after_the_shifts_leaves_the_rest_unassigned(session: Session) -> None:
    """At 17:30 nobody has time left: the open visits come back as no window reachable."""
    day = small_day(session)
    _published(session, day)
    plan = planning_service.replan(
        session=session, region=day.region, day=DAY, now=local(DAY, 17, 30), options=FAST
    )
    assert plan.routes == []
    assert {u.reason for u in plan.unassigned_visits} == {"no_window_reachable"}
    assert plan.unassigned == 4
    planning_service.publish(session=session, plan=plan)
    session.refresh(day.visits[0])
    assert day.visits[0].status is S.BOOKED


def _visit_with_first_technician(session: Session) -> tuple[Visit, int, int, Region]:
    """A visit near Kemang planned with the technician at Blok M, though one sits next to it."""
    region = make_region(session)
    at_blok_m = make_technician(session, region=region, start_lat=BLOK_M[0], start_lon=BLOK_M[1])
    next_door = make_technician(
        session, region=region, start_lat=NEAR_KEMANG[0], start_lon=NEAR_KEMANG[1]
    )
    for t in (at_blok_m, next_door):
        make_weekly_pattern(session, t)
    visit = add_visit(session, region, KEMANG, 9)
    visit_service.pin(session=session, visit=visit, technician_id=at_blok_m.id or 0)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan)
    visit = visit_service.unpin(session=session, visit=visit)
    assert visit.planned_technician_id == at_blok_m.id
    return visit, at_blok_m.id or 0, next_door.id or 0, region


def test_replan_stability_keeps_a_visit_with_its_technician_for_a_small_gain(
    session: Session,
) -> None:
    """A move saving ~15 min of driving is not made with the stability cost, and is without it."""
    visit, first, next_door, region = _visit_with_first_technician(session)
    evening_before = local(DAY - timedelta(days=1), 18)
    stable = planning_service.replan(
        session=session, region=region, day=DAY, now=evening_before, options=FAST
    )
    assert _holder(stable)[visit.id or 0] == first
    loose = planning_service.replan(
        session=session,
        region=region,
        day=DAY,
        now=evening_before,
        options=FAST,
        stability_cost_s=0,
    )
    assert _holder(loose)[visit.id or 0] == next_door
    assert solving.check_stored(stable) == [] and solving.check_stored(loose) == []


def test_replan_goes_on_from_a_crew_visit_for_every_member(session: Session) -> None:
    """Two technicians (bases Blok M and Tebet) are on site together at Kemang since 09:30 on
    a 2-hour crew visit; re-planned at 10:00, both go on from Kemang once it ends at 11:30 (not
    only the first member: the partner is not at its base)."""
    region = make_region(session)
    techs = two_technicians(session, region)
    visit = add_visit(session, region, KEMANG, 9)
    visit.crew_size = 2
    start = local(DAY, 9, 30)
    visit_service.set_planned(
        session=session,
        visit=visit,
        technician_id=techs[0].id or 0,
        start=start,
        end=start + timedelta(hours=2),
    )
    crew.set_members(session=session, visit=visit, technician_ids=[t.id or 0 for t in techs])
    session.commit()
    walk(session, visit, [(S.EN_ROUTE, local(DAY, 9)), (S.ON_SITE, start)])
    add_visit(session, region, TEBET, 13)
    plan = planning_service.replan(
        session=session, region=region, day=DAY, now=local(DAY, 10), options=FAST
    )
    assert solving.check_stored(plan) == []
    problem, _ = convert.from_rows(plan)
    free_s = int((start + timedelta(hours=2) - local(DAY, 0)).total_seconds())
    starts = {t.id: (t.start.lat, t.start.lon, t.shift.start_s) for t in problem.technicians}
    for t in techs:
        assert starts[str(t.id)] == (*KEMANG, free_s)
