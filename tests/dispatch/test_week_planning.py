"""Planning several days: one valid draft per day, movable visits on the earliest day that
fits, other days' plans kept when one day is re-planned, and crew visits published to every
member. Every stored plan is checked again by the validator (solving.check_stored)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from dispatch.booking import ledger
from dispatch.config import Settings
from dispatch.outreach import service as outreach_service
from dispatch.outreach import texts
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.planning import pins, solving, week
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan
from dispatch.region.models import Region
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCrew, VisitStatus
from tests.dispatch.planning_day import FAST, KEMANG, TEBET, two_technicians
from tests.dispatch.week_world import day_after, movable, promised, small_week
from tests.factories import DAY, JAKARTA, local, make_region

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def _checked(plans: list[Plan]) -> list[Plan]:
    """The plans, each re-checked from its stored problem by the independent validator."""
    for plan in plans:
        assert solving.check_stored(plan) == [], plan.day
    return plans


def _day_of(plans: list[Plan], visit: Visit) -> date | None:
    """The day whose draft routes the visit (None when none does)."""
    days = [p.day for p in plans for r in p.routes for s in r.stops if s.visit_id == visit.id]
    assert len(set(days)) <= 1
    return days[0] if days else None


def _off(session: Session, technicians: list[Technician], day: date) -> None:
    for t in technicians:
        exception = ShiftExceptionCreate(day=day, kind=ExceptionKind.SICK)
        shift_service.add_exception(session=session, technician=t, exception_in=exception)


def _week(session: Session, region: Region, first: date, days: int) -> list[Plan]:
    return _checked(
        week.plan_days(session=session, region=region, first=first, days=days, options=FAST)
    )


def test_plan_days_stores_a_valid_draft_per_day(session: Session) -> None:
    """Tuesday to Monday: seven drafts, each a day's plan; the fixed visits on their days."""
    region, _, visits = small_week(session)
    plans = _week(session, region, DAY, 7)
    assert [p.day for p in plans] == [day_after(k) for k in range(7)]
    assert _day_of(plans, visits[0]) == DAY
    assert _day_of(plans, visits[1]) == day_after(2)
    assert [len(p.routes) for p in plans][4:6] == [0, 0]  # nobody works at the weekend


def test_movable_visit_goes_on_the_earliest_day_that_fits(session: Session) -> None:
    """The service due Tuesday-Friday is served on Tuesday: waiting a day costs."""
    region, _, visits = small_week(session)
    plans = _week(session, region, DAY, 7)
    assert _day_of(plans, visits[2]) == DAY


def test_movable_visit_waits_for_a_day_with_technicians(session: Session) -> None:
    """Everyone is sick on Tuesday and Wednesday: the service moves to Thursday, while the
    visit promised for Tuesday is left out on Tuesday's draft."""
    region, techs, visits = small_week(session)
    _off(session, techs, DAY)
    _off(session, techs, day_after(1))
    plans = _week(session, region, DAY, 7)
    assert _day_of(plans, visits[2]) == day_after(2)
    assert _day_of(plans, visits[0]) is None
    assert [u.visit_id for u in plans[0].unassigned_visits] == [visits[0].id]


def test_promised_visit_never_moves_to_another_day(session: Session) -> None:
    """A visit promised Tuesday 09:00-11:00 stays on Tuesday even when Wednesday is empty."""
    region, _, visits = small_week(session)
    plans = _week(session, region, DAY, 2)
    assert _day_of(plans, visits[0]) == DAY


def test_replanning_one_day_keeps_the_movable_visits_of_the_others(session: Session) -> None:
    """The service due Wednesday-Friday lands on Wednesday; planning Thursday alone (or
    Thursday and Friday) leaves it there; planning from Wednesday again may take it."""
    region, _, _ = small_week(session)
    later = movable(session, region, day_after(1), day_after(3), place=TEBET)
    plans = _week(session, region, DAY, 7)
    assert _day_of(plans, later) == day_after(1)
    thursday = planning_service.build_problem(session=session, region=region, day=day_after(2))
    assert str(later.id) not in {v.id for v in thursday.problem.visits}
    two = week.build_problem(session=session, region=region, first=day_after(2), days=2)
    assert str(later.id) not in {v.id for v in two.problem.visits}
    again = week.build_problem(session=session, region=region, first=day_after(1), days=3)
    assert str(later.id) in {v.id for v in again.problem.visits}


def test_publishing_a_day_promises_the_movable_visit_its_window(session: Session) -> None:
    """Published, the service (due any morning) is promised the 2-hour arrival window its
    planned start lies in, 08-10 or 10-12 on Tuesday, and is no longer movable: the next
    week's plan keeps it on Tuesday."""
    region, _, visits = small_week(session)
    plans = _week(session, region, DAY, 3)
    planning_service.publish(session=session, plan=plans[0], at=local(DAY, 6))
    service = visit_service.get_or_raise(session=session, visit_id=visits[2].id or 0)
    assert service.status is VisitStatus.PLANNED
    promised = (service.window_start, service.window_end)
    assert promised in {(local(DAY, 8), local(DAY, 10)), (local(DAY, 10), local(DAY, 12))}
    assert service.planned_start is not None
    assert promised[0] <= service.planned_start <= promised[1]
    assert not service.movable
    told = outreach_service.sweep_visits(session=session, now=local(DAY, 6), settings=SETTINGS)
    assert told[MessageKind.BOOKING_CONFIRMED] >= 1
    notice = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.visit_id == service.id,
            OutboxMessage.kind == MessageKind.BOOKING_CONFIRMED,
        )
    ).one()
    window = texts.window_text(promised[0], promised[1], JAKARTA, notice.language)
    assert window in notice.body  # the customer hears of the 2-hour window, as of a booking
    again = _week(session, region, DAY, 3)
    assert _day_of(again, service) == DAY


def _crew_day(session: Session, working: int) -> tuple[Region, list[Technician], Visit]:
    """A Tuesday with two installers (one of them sick unless working == 2) and a split AC
    that needs both, promised 09:00-11:00."""
    region = make_region(session)
    techs = two_technicians(session, region)
    if working < 2:
        _off(session, techs[1:], DAY)
    visit = promised(session, region, KEMANG, DAY, 9)
    visit.crew_size = 2
    session.add(visit)
    session.commit()
    return region, techs, visit


def test_crew_visit_is_on_both_routes_and_published_to_both(session: Session) -> None:
    """Both installers serve it at the same start; publishing records the crew, and each
    has the visit on their route of the day."""
    region, techs, visit = _crew_day(session, working=2)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    _checked([plan])
    starts = {s.technician_id: s.start_at for r in plan.routes for s in r.stops}
    assert set(starts) == {t.id for t in techs}
    assert len(set(starts.values())) == 1
    planning_service.publish(session=session, plan=plan, at=local(DAY, 6))
    crew = session.exec(select(VisitCrew.technician_id).where(VisitCrew.visit_id == visit.id))
    assert sorted(crew.all()) == sorted(t.id or 0 for t in techs)
    for t in techs:
        route = visit_service.route_for_day(
            session=session, technician_id=t.id or 0, region=region, day=DAY
        )
        assert [v.id for v in route] == [visit.id]


def test_crew_visit_with_one_installer_working_is_left_out(session: Session) -> None:
    """One installer sick: nobody can serve the two-person visit, so the plan leaves it out."""
    region, _, visit = _crew_day(session, working=1)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    _checked([plan])
    assert plan.assigned == 0
    assert [u.visit_id for u in plan.unassigned_visits] == [visit.id]


def test_slot_ledger_holds_every_crew_members_time(session: Session) -> None:
    """Slot offers insert into the day as planned: the crew visit is itself on its first
    member's route and a partner copy on the other's, so neither installer's 09:00 is offered."""
    region, techs, visit = _crew_day(session, working=2)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan, at=local(DAY, 6))
    ledger.drop_cached()
    state = ledger.read_days(session=session, region=region, days=[DAY])[DAY]
    first, partner = sorted(str(t.id) for t in techs)
    assert str(visit.id) in state.routes.sequences[first]
    assert f"{visit.id}{ledger.PARTNER}2" in state.routes.sequences[partner]
    three_hours_at_nine = ledger.Candidate(
        lat=KEMANG[0], lon=KEMANG[1], duration_s=3 * 3600, skills=frozenset(visit.required_skills)
    )
    offers = ledger.fits(
        state.routes, three_hours_at_nine, [(9 * 3600, 9 * 3600)], region=region, day=DAY
    )
    assert offers == [None]  # either installer would push the crew visit past 11:00


def test_slot_ledger_offers_nine_when_the_visit_needs_one(session: Session) -> None:
    """The same day with the visit for one installer: the other is free at 09:00 and the slot
    is offered (the held time above is the crew's, not a closed day)."""
    region, techs, visit = _crew_day(session, working=2)
    visit.crew_size = 1
    session.add(visit)
    session.commit()
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan, at=local(DAY, 6))
    ledger.drop_cached()
    state = ledger.read_days(session=session, region=region, days=[DAY])[DAY]
    three_hours_at_nine = ledger.Candidate(
        lat=KEMANG[0], lon=KEMANG[1], duration_s=3 * 3600, skills=frozenset(visit.required_skills)
    )
    offers = ledger.fits(
        state.routes, three_hours_at_nine, [(9 * 3600, 9 * 3600)], region=region, day=DAY
    )
    assert offers[0] is not None


def test_pinning_a_crew_visit_checks_the_technicians_own_time(session: Session) -> None:
    """A two-person visit may be pinned to one installer who can reach it: the pin check
    plans that installer's share alone, and the next plan keeps the pinned one in the crew."""
    region, techs, visit = _crew_day(session, working=2)
    pinned = pins.pin(session=session, visit=visit, technician_id=techs[1].id or 0)
    assert pinned.pinned_technician_id == techs[1].id
    plan = _checked(
        [planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)]
    )[0]
    crew_of = {r.technician_id for r in plan.routes for s in r.stops if s.visit_id == visit.id}
    assert crew_of == {t.id for t in techs}
