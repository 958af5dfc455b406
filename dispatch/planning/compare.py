"""A draft beside the day's published plan: both plans' figures, and the visits that change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Session

from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanFigures
from dispatch.region import service as region_service

# A visit kept by its technician but started this much earlier or later counts as moved: the
# customer was told a time, and the technician planned the day around it.
RETIMED_S = 30 * 60


class Change(StrEnum):
    REASSIGNED = "reassigned"  # another technician
    ASSIGNED = "assigned"  # left out before, routed now
    UNASSIGNED = "unassigned"  # routed before, left out now
    RETIMED = "retimed"  # same technician, start moved by RETIMED_S or more


class VisitChange(BaseModel):
    visit_id: int
    change: Change
    before_technician_id: int | None
    after_technician_id: int | None
    before_start: datetime | None
    after_start: datetime | None


class Stability(BaseModel):
    """How much a plan moves the customers of the published one: visits per kind of change,
    visits kept by their technician but served in another order among the kept ones, and how far
    the start of the visits routed in both plans moved (seconds)."""

    reassigned: int = 0
    assigned: int = 0
    unassigned: int = 0
    retimed: int = 0
    reordered: int = 0
    start_moved_avg_s: int = 0
    start_moved_max_s: int = 0


class PlanComparison(BaseModel):
    """GET /plans/{plan_id}/comparison: the plan against the day's published plan."""

    plan_id: int
    published_plan_id: int | None
    plan: PlanFigures
    published: PlanFigures | None
    changes: list[VisitChange]
    stability: Stability


def compare(*, session: Session, plan: Plan) -> PlanComparison:
    """The plan's figures beside the published plan's, and every visit that changes."""
    region = region_service.get_or_raise(session=session, region_id=plan.region_id)
    published = planning_service.published_plan(session=session, region=region, day=plan.day)
    against = published if published and published.id != plan.id else None
    changes = _changes(against, plan) if against else []
    return PlanComparison(
        plan_id=plan.id or 0,
        published_plan_id=published.id if published else None,
        plan=planning_service.figures(session=session, plan=plan),
        published=planning_service.figures(session=session, plan=published) if published else None,
        changes=changes,
        stability=_stability(against, plan, changes) if against else Stability(),
    )


def _stability(before: Plan, after: Plan, changes: list[VisitChange]) -> Stability:
    counts = {kind: sum(c.change is kind for c in changes) for kind in Change}
    old, new = _placements(before), _placements(after)
    moved = [abs(int((new[v][1] - old[v][1]).total_seconds())) for v in old.keys() & new.keys()]
    return Stability(
        reassigned=counts[Change.REASSIGNED],
        assigned=counts[Change.ASSIGNED],
        unassigned=counts[Change.UNASSIGNED],
        retimed=counts[Change.RETIMED],
        reordered=reordered(old, new),
        start_moved_avg_s=round(sum(moved) / len(moved)) if moved else 0,
        start_moved_max_s=max(moved, default=0),
    )


def reordered(old: dict[int, tuple[int, datetime]], new: dict[int, tuple[int, datetime]]) -> int:
    """Visits that keep their technician but not their rank among that technician's kept visits."""
    kept = [v for v in old.keys() & new.keys() if old[v][0] == new[v][0]]
    by_technician: dict[int, list[int]] = {}
    for v in kept:
        by_technician.setdefault(old[v][0], []).append(v)
    count = 0
    for visits in by_technician.values():
        before = sorted(visits, key=lambda v: old[v][1])
        after = sorted(visits, key=lambda v: new[v][1])
        count += sum(b != a for b, a in zip(before, after, strict=True))
    return count


def _placements(plan: Plan) -> dict[int, tuple[int, datetime]]:
    return {s.visit_id: (r.technician_id, s.start_at) for r in plan.routes for s in r.stops}


def _changes(before: Plan, after: Plan) -> list[VisitChange]:
    old, new = _placements(before), _placements(after)
    changes = []
    for visit_id in sorted(old.keys() | new.keys()):
        was, now = old.get(visit_id), new.get(visit_id)
        change = _change(was, now)
        if change is not None:
            changes.append(
                VisitChange(
                    visit_id=visit_id,
                    change=change,
                    before_technician_id=was[0] if was else None,
                    after_technician_id=now[0] if now else None,
                    before_start=was[1] if was else None,
                    after_start=now[1] if now else None,
                )
            )
    return changes


def _change(was: tuple[int, datetime] | None, now: tuple[int, datetime] | None) -> Change | None:
    if was is None:
        return Change.ASSIGNED
    if now is None:
        return Change.UNASSIGNED
    if was[0] != now[0]:
        return Change.REASSIGNED
    if abs((now[1] - was[1]).total_seconds()) >= RETIMED_S:
        return Change.RETIMED
    return None
