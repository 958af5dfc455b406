"""A draft against the published plan: both plans' figures and the visits that change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from dispatch.planning import compare, pins
from dispatch.planning import service as planning_service
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


def test_reordered_counts_visits_whose_rank_changed_for_the_same_technician() -> None:
    """Technician 1 swaps visits 10 and 11 (two reordered); visit 12 moves to technician 2 and
    so is not counted as reordered; technician 3 keeps its order."""
    at = [datetime(2026, 3, 10, h, tzinfo=UTC) for h in range(8, 14)]
    before = {10: (1, at[0]), 11: (1, at[1]), 12: (1, at[2]), 20: (3, at[0]), 21: (3, at[1])}
    after = {10: (1, at[2]), 11: (1, at[1]), 12: (2, at[0]), 20: (3, at[3]), 21: (3, at[4])}
    assert compare.reordered(before, after) == 2
    assert compare.reordered(before, before) == 0
