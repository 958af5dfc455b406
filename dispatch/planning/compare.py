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


class PlanComparison(BaseModel):
    """GET /plans/{plan_id}/comparison: the plan against the day's published plan."""

    plan_id: int
    published_plan_id: int | None
    plan: PlanFigures
    published: PlanFigures | None
    changes: list[VisitChange]


def compare(*, session: Session, plan: Plan) -> PlanComparison:
    """The plan's figures beside the published plan's, and every visit that changes."""
    region = region_service.get_or_raise(session=session, region_id=plan.region_id)
    published = planning_service.published_plan(session=session, region=region, day=plan.day)
    changes = _changes(published, plan) if published and published.id != plan.id else []
    return PlanComparison(
        plan_id=plan.id or 0,
        published_plan_id=published.id if published else None,
        plan=planning_service.figures(session=session, plan=plan),
        published=planning_service.figures(session=session, plan=published) if published else None,
        changes=changes,
    )


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
