"""A region's plan settings reach the optimizer: the fair-workload weight on every plan, and the
prices of stability (reassigned visit, moved start) on a re-plan."""

from datetime import timedelta

from sqlmodel import Session

from dispatch.planning import convert, solving
from dispatch.planning import service as planning_service
from dispatch.region import service as region_service
from dispatch.region.models import RegionUpdate
from tests.dispatch.planning_day import FAST, small_day
from tests.dispatch.test_planning_replan import _holder, _published, _visit_with_first_technician
from tests.factories import DAY, local


def test_region_fairness_weight_reaches_the_plan(session: Session) -> None:
    """A day planned in a region with fairness weight 3 is solved with fairness_cost 3."""
    day = small_day(session)
    region_service.update(
        session=session, region=day.region, region_in=RegionUpdate(fairness_weight=3)
    )
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    problem, _ = convert.from_rows(plan)
    assert problem.fairness_cost == 3
    assert solving.check_stored(plan) == []


def test_region_reassign_cost_replaces_the_constant(session: Session) -> None:
    """With the region's reassign cost at 0, a re-plan moves the visit to the technician next
    door (the default 1800 s keeps it, see test_planning_replan)."""
    visit, first, next_door, region = _visit_with_first_technician(session)
    region_service.update(session=session, region=region, region_in=RegionUpdate(reassign_cost_s=0))
    evening_before = local(DAY - timedelta(days=1), 18)
    plan = planning_service.replan(
        session=session, region=region, day=DAY, now=evening_before, options=FAST
    )
    assert _holder(plan)[visit.id or 0] == next_door != first
    assert convert.from_rows(plan)[0].stability_cost == 0


def test_replan_prices_moved_starts_with_the_region_setting(session: Session) -> None:
    """The published starts become previous_start_s; with start_move_cost 1 a re-plan keeps
    every start where it was, and the stored problem carries the price."""
    day = small_day(session)
    published = _published(session, day)
    before = {s.visit_id: s.start_at for r in published.routes for s in r.stops}
    region_service.update(
        session=session, region=day.region, region_in=RegionUpdate(start_move_cost=1)
    )
    plan = planning_service.replan(
        session=session, region=day.region, day=DAY, now=local(DAY, 6), options=FAST
    )
    problem, _ = convert.from_rows(plan)
    assert problem.start_move_cost == 1
    by_id = {v.id: v.previous_start_s for v in problem.visits}
    assert by_id == {str(k): int((t - local(DAY, 0)).total_seconds()) for k, t in before.items()}
    after = {s.visit_id: s.start_at for r in plan.routes for s in r.stops}
    assert after == before
    assert solving.check_stored(plan) == []
