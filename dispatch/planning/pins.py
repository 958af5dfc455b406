"""Pins that keep promises: a dispatcher may tie a visit to a technician only when that
technician can still serve it in its window, together with the visits already tied to it.

The check plans the technician's fixed work alone (its pinned visits and the new one) with the
optimizer; the rest of the day is re-planned around the pin afterwards, so other visits do not
count against it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session

from dispatch import localtime
from dispatch.errors import Conflict
from dispatch.parts import eligibility
from dispatch.planning import service as planning_service
from dispatch.planning.convert import DayProblem
from dispatch.planning.models import PlanOptions
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit

# One technician and a handful of visits: a deterministic search settles it at once.
CHECK_OPTIONS = PlanOptions(time_limit_s=5.0, deterministic=True)


class PinRefused(Conflict):
    """Pinning the visit would break a promise: its window, or that of another pinned visit."""

    type = "pin_breaks_promise"


def pin(
    *, session: Session, visit: Visit, technician_id: int, now: datetime | None = None
) -> Visit:
    """Pin the visit to the technician; raises PinRefused, with the reason, when the technician
    cannot keep its window together with the visits already pinned to it, or does not carry
    the visit's parts in their van."""
    technician = technician_service.get_or_raise(session=session, technician_id=technician_id)
    visit_service.check_pin(visit=visit, technician=technician)
    _check_parts(session, visit, technician)
    if visit.window_start is not None:
        _check_promises(session, visit, technician, now or localtime.utc_now())
    return visit_service.pin(session=session, visit=visit, technician_id=technician_id)


def _check_parts(session: Session, visit: Visit, technician: Technician) -> None:
    found = eligibility.carriers(session=session, visits=[visit], technicians=[technician])
    if visit.id in found.missing:
        part = eligibility.part_label(session=session, part_id=found.missing[visit.id or 0])
        raise PinRefused(
            f"{technician.name} does not carry part {part} in their van.",
            loc=("body", "technician_id"),
        )


def _check_promises(session: Session, visit: Visit, technician: Technician, now: datetime) -> None:
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    day = localtime.local_day(visit.window_start or now, region.zone)
    day_problem = _day_problem(session, region, day, now)
    problem = day_problem.problem
    tech_id, visit_id = str(technician.id), str(visit.id)
    crew = next((t for t in problem.technicians if t.id == tech_id), None)
    if crew is None:
        raise PinRefused(
            f"{technician.name} does not work on {day.isoformat()} (or has ended the day).",
            loc=("body", "technician_id"),
        )
    # The technician's own time is what a pin must fit: a crew visit counts as its share.
    fixed = tuple(
        replace(
            v,
            pinned_technician=tech_id,
            preferred_technician=None,
            previous_technician=None,
            crew_size=1,
        )
        for v in problem.visits
        if v.id == visit_id or v.pinned_technician == tech_id
    )
    if not any(v.id == visit_id for v in fixed):
        return  # not open for planning (started, done): the lifecycle check speaks for it
    alone = replace(
        problem,
        technicians=(crew,),
        visits=fixed,
        stability_cost=0,
        start_move_cost=0,  # feasibility only: no prices
        fairness_cost=0,
    )
    solution = planning_service.solve_problem(
        replace(day_problem, problem=alone), options=CHECK_OPTIONS
    )
    dropped = {u.visit for u in solution.plan.unassigned}
    if dropped:
        pinned = sorted(v.id for v in fixed if v.id != visit_id)
        message = _refusal(technician, visit, region, dropped, pinned)
        raise PinRefused(message, loc=("body", "technician_id"))


def _day_problem(session: Session, region: Region, day: date, now: datetime) -> DayProblem:
    """Today: from where each technician is now; another day: the whole day."""
    if day == localtime.local_day(now, region.zone):
        return planning_service.build_replan_problem(
            session=session, region=region, day=day, now=now, stability_cost_s=0, with_parts=False
        )
    return planning_service.build_problem(session=session, region=region, day=day, with_parts=False)


def _refusal(
    technician: Technician, visit: Visit, region: Region, dropped: set[str], pinned: list[str]
) -> str:
    window = _local_window(visit, region)
    if not pinned:
        return (
            f"{technician.name} cannot reach visit {visit.id} within its window {window} "
            "and finish within the shift."
        )
    if str(visit.id) in dropped:
        return (
            f"{technician.name} cannot fit visit {visit.id} into its window {window} alongside "
            f"visit(s) {', '.join(pinned)}, already pinned to them."
        )
    return (
        f"With visit {visit.id} ({window}), {technician.name} could no longer keep the windows "
        f"of visit(s) {', '.join(sorted(dropped))}, already pinned to them."
    )


def _local_window(visit: Visit, region: Region) -> str:
    if visit.window_start is None or visit.window_end is None:
        return "unbooked"
    start = visit.window_start.astimezone(region.zone)
    end = visit.window_end.astimezone(region.zone)
    return f"{start:%H:%M}-{end:%H:%M}"
