"""A draft against the published plan: both plans' figures and the visits that change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from dispatch.planning import compare, pins
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanRoute, PlanStop
from tests.dispatch.planning_day import FAST, small_day
from tests.factories import DAY


def test_compare_without_a_published_plan_has_figures_and_no_changes(session: Session) -> None:
    """A first draft has nothing to differ from."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    result = compare.compare(session=session, plan=plan)
    assert (result.published_plan_id, result.published, result.changes) == (None, None, [])
    assert result.plan.assigned == 4


def test_compare_names_the_visit_a_pin_moves(session: Session) -> None:
    """After publishing, pinning a visit to the other technician and planning again, the
    comparison lists that visit as reassigned from its technician to the pinned one."""
    day = small_day(session)
    first = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=first)
    holder = {s.visit_id: r.technician_id for r in first.routes for s in r.stops}
    visit = day.visits[0]
    other = next(t for t in day.technicians if t.id != holder[visit.id or 0])
    pins.pin(session=session, visit=visit, technician_id=other.id or 0)
    draft = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    result = compare.compare(session=session, plan=draft)
    assert result.published_plan_id == first.id
    assert result.published is not None and result.published.assigned == 4
    moved = {c.visit_id: c for c in result.changes}
    change = moved[visit.id or 0]
    assert change.change is compare.Change.REASSIGNED
    assert (change.before_technician_id, change.after_technician_id) == (
        holder[visit.id or 0],
        other.id,
    )


def test_compare_of_the_published_plan_with_itself_is_empty(session: Session) -> None:
    """The published plan compared with itself changes nothing."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan)
    result = compare.compare(session=session, plan=plan)
    assert result.published_plan_id == plan.id and result.changes == []


def test_stability_counts_the_pinned_visit_and_how_far_starts_moved(session: Session) -> None:
    """Pinning one visit to the other technician: the comparison's stability summary counts it
    as reassigned, and the largest start shift is at least that visit's own shift."""
    day = small_day(session)
    first = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=first)
    holder = {s.visit_id: r.technician_id for r in first.routes for s in r.stops}
    visit = day.visits[0]
    other = next(t for t in day.technicians if t.id != holder[visit.id or 0])
    pins.pin(session=session, visit=visit, technician_id=other.id or 0)
    draft = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    stability = compare.compare(session=session, plan=draft).stability
    starts = [{s.visit_id: s.start_at for r in p.routes for s in r.stops} for p in (first, draft)]
    own_shift = abs((starts[1][visit.id or 0] - starts[0][visit.id or 0]).total_seconds())
    assert stability.reassigned >= 1
    assert stability.start_moved_max_s >= own_shift
    assert 0 <= stability.start_moved_avg_s <= stability.start_moved_max_s


def test_a_first_draft_is_perfectly_stable(session: Session) -> None:
    """With nothing published, nothing moves."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    assert compare.compare(session=session, plan=plan).stability == compare.Stability()


SECOND = timedelta(seconds=1)
AT = [datetime(2026, 3, 10, h, tzinfo=UTC) for h in range(8, 16)]


def test_reordered_counts_visits_whose_rank_changed_for_the_same_technician() -> None:
    """Technician 1 swaps visits 10 and 11 (two reordered); visit 12 moves to technician 2 and
    so is not counted as reordered; technician 3 keeps its order."""
    before = {10: ((1,), AT[0]), 11: ((1,), AT[1]), 12: ((1,), AT[2]), 20: ((3,), AT[0]),
              21: ((3,), AT[1])}  # fmt: skip
    after = {10: ((1,), AT[2]), 11: ((1,), AT[1]), 12: ((2,), AT[0]), 20: ((3,), AT[3]),
             21: ((3,), AT[4])}  # fmt: skip
    assert compare.reordered(before, after) == {10, 11}
    assert compare.reordered(before, before) == set()


def plan_of(routes: dict[int, list[tuple[int, datetime]]]) -> Plan:
    """A plan in memory (never stored): per technician, its half-hour stops (visit, start)."""
    half = timedelta(minutes=30)
    return Plan(
        region_id=1, day=AT[0].date(), solver_status="feasible", objective=0, wall_s=0.0,
        travel_s=0, distance_m=0, overtime_s=0, unassigned=0,
        assigned=len({v for stops in routes.values() for v, _ in stops}),
        routes=[
            PlanRoute(
                plan_id=0, technician_id=t, start_at=AT[0], end_at=AT[-1], travel_s=0,
                distance_m=0, overtime_s=0,
                stops=[
                    PlanStop(plan_id=0, route_id=0, visit_id=v, technician_id=t, sequence=k,
                             arrival_at=at, start_at=at, end_at=at + half)
                    for k, (v, at) in enumerate(stops)
                ],
            )
            for t, stops in routes.items()
        ],
    )  # fmt: skip


def test_a_crew_visit_is_one_visit_served_by_its_whole_crew() -> None:
    """Visit 30 is a crew visit of technicians 1 and 2; the draft keeps 1 and gives 3 the
    partner's place: one reassigned visit, listed with both crews; the same crew at the same
    time changes nothing, whichever route lists it first."""
    published = plan_of({1: [(30, AT[1])], 2: [(30, AT[1])], 3: [(31, AT[1])]})
    draft = plan_of({1: [(30, AT[1])], 3: [(30, AT[1]), (31, AT[3])]})
    (change, retimed) = compare.changes(published, draft)
    assert (change.visit_id, change.change) == (30, compare.Change.REASSIGNED)
    assert (change.before_technician_ids, change.after_technician_ids) == ([1, 2], [1, 3])
    assert (change.before_technician_id, change.after_technician_id) == (1, 1)
    assert (retimed.visit_id, retimed.change) == (31, compare.Change.RETIMED)
    same = plan_of({2: [(30, AT[1])], 1: [(30, AT[1])], 3: [(31, AT[1])]})
    assert compare.changes(published, same) == []


def test_a_crew_visit_reordered_on_one_members_route_counts_once() -> None:
    """Technicians 1 and 2 serve crew visit 30 at 09:00, then technician 2 visit 40 at 09:20;
    the draft has 40 at 09:00 and the crew at 09:25 (each start within 30 min): 30 and 40
    change order, each once, listed as reordered."""
    minutes = [AT[1] + m * 60 * SECOND for m in (0, 20, 25)]
    published = plan_of({1: [(30, minutes[0])], 2: [(30, minutes[0]), (40, minutes[1])]})
    draft = plan_of({1: [(30, minutes[2])], 2: [(40, minutes[0]), (30, minutes[2])]})
    moved = compare.changes(published, draft)
    assert [(c.visit_id, c.change) for c in moved] == [
        (30, compare.Change.REORDERED),
        (40, compare.Change.REORDERED),
    ]
    assert compare.stability(published, draft, moved).reordered == 2
