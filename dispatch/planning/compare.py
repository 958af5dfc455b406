"""A draft beside the day's published plan: both plans' figures, and the visits that change.

A crew visit stands on each member's route; here it is one visit served by its crew (every
member's technician id): it is reassigned when the crew changes, and in another order when its
rank changes on any member's route, counted once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import Session

from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanFigures
from dispatch.region import service as region_service

# A visit kept by its technician but started this much earlier or later counts as moved: the
# customer was told a time, and the technician planned the day around it.
RETIMED_S = 30 * 60


class Change(StrEnum):
    REASSIGNED = "reassigned"  # another technician (a crew: another crew)
    ASSIGNED = "assigned"  # left out before, routed now
    UNASSIGNED = "unassigned"  # routed before, left out now
    RETIMED = "retimed"  # same technician, start moved by RETIMED_S or more
    REORDERED = "reordered"  # same technician and about the same start, another rank


class VisitChange(BaseModel):
    visit_id: int
    change: Change
    before_technician_id: int | None = Field(description="the (first, by id) technician before")
    after_technician_id: int | None = Field(description="the (first, by id) technician after")
    before_start: datetime | None
    after_start: datetime | None
    before_technician_ids: list[int] = Field(
        default_factory=list, description="every technician before: a crew's all, by id"
    )
    after_technician_ids: list[int] = Field(
        default_factory=list, description="every technician after: a crew's all, by id"
    )


class Stability(BaseModel):
    """How much a plan moves the customers of the published one: visits per kind of change,
    visits kept by their technician but served in another order among the kept ones (retimed
    ones included), and how far the start of the visits routed in both plans moved (seconds)."""

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
    moved = changes(against, plan) if against else []
    return PlanComparison(
        plan_id=plan.id or 0,
        published_plan_id=published.id if published else None,
        plan=planning_service.figures(session=session, plan=plan),
        published=planning_service.figures(session=session, plan=published) if published else None,
        changes=moved,
        stability=stability(against, plan, moved) if against else Stability(),
    )


# Where a plan serves a visit: its technicians (a crew's all, by id) and its start.
Placement = tuple[tuple[int, ...], datetime]


def stability(before: Plan, after: Plan, moved: list[VisitChange]) -> Stability:
    """How much after moves the visits of before (moved: changes(before, after))."""
    counts = {kind: sum(c.change is kind for c in moved) for kind in Change}
    old, new = _placements(before), _placements(after)
    shifts = [abs(int((new[v][1] - old[v][1]).total_seconds())) for v in old.keys() & new.keys()]
    return Stability(
        reassigned=counts[Change.REASSIGNED],
        assigned=counts[Change.ASSIGNED],
        unassigned=counts[Change.UNASSIGNED],
        retimed=counts[Change.RETIMED],
        reordered=len(reordered(old, new)),
        start_moved_avg_s=round(sum(shifts) / len(shifts)) if shifts else 0,
        start_moved_max_s=max(shifts, default=0),
    )


def reordered(old: Mapping[int, Placement], new: Mapping[int, Placement]) -> set[int]:
    """Visits that keep their technicians but not their rank among a technician's kept visits
    (a crew visit once, whichever member's route it changed rank on)."""
    kept = [v for v in old.keys() & new.keys() if old[v][0] == new[v][0]]
    by_technician: dict[int, list[int]] = {}
    for v in kept:
        for technician in old[v][0]:
            by_technician.setdefault(technician, []).append(v)
    moved: set[int] = set()
    for visits in by_technician.values():
        before = sorted(visits, key=lambda v: (old[v][1], v))
        after = sorted(visits, key=lambda v: (new[v][1], v))
        moved |= {b for b, a in zip(before, after, strict=True) if b != a}
    return moved


def _placements(plan: Plan) -> dict[int, Placement]:
    """Per routed visit, its technicians (every route it stands on) and start."""
    crews: dict[int, set[int]] = {}
    starts: dict[int, datetime] = {}
    for route in plan.routes:
        for stop in route.stops:
            crews.setdefault(stop.visit_id, set()).add(route.technician_id)
            starts[stop.visit_id] = stop.start_at
    return {v: (tuple(sorted(crews[v])), starts[v]) for v in crews}


def changes(before: Plan, after: Plan) -> list[VisitChange]:
    """Every visit that after routes otherwise than before, by visit id."""
    old, new = _placements(before), _placements(after)
    rank_changed = reordered(old, new)
    found = []
    for visit_id in sorted(old.keys() | new.keys()):
        was, now = old.get(visit_id), new.get(visit_id)
        change = _change(was, now, visit_id in rank_changed)
        if change is not None:
            found.append(
                VisitChange(
                    visit_id=visit_id,
                    change=change,
                    before_technician_id=was[0][0] if was else None,
                    after_technician_id=now[0][0] if now else None,
                    before_start=was[1] if was else None,
                    after_start=now[1] if now else None,
                    before_technician_ids=list(was[0]) if was else [],
                    after_technician_ids=list(now[0]) if now else [],
                )
            )
    return found


def _change(was: Placement | None, now: Placement | None, rank_changed: bool) -> Change | None:
    if was is None:
        return Change.ASSIGNED
    if now is None:
        return Change.UNASSIGNED
    if was[0] != now[0]:
        return Change.REASSIGNED
    if abs((now[1] - was[1]).total_seconds()) >= RETIMED_S:
        return Change.RETIMED
    if rank_changed:
        return Change.REORDERED
    return None
