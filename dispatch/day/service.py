"""The day view: a region's visits on a day, with the current plan, its figures and gaps."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from dispatch.day.models import NOT_IN_PLAN, DayPublic, DayUnassigned
from dispatch.jobs import service as job_service
from dispatch.jobs.models import SolveJobPublic
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanPublic
from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from dispatch.visit.lifecycle import PLANNABLE
from dispatch.visit.models import Visit, VisitPublic

SHOWN_JOBS = 5


def view(*, session: Session, region: Region, day: date) -> DayPublic:
    """The region's day: visits by window, current plan, unassigned visits with reasons, figures."""
    visits = visit_service.list_for_day(session=session, region=region, day=day)
    plan = planning_service.current_plan(session=session, region=region, day=day)
    jobs = job_service.list_for_day(session=session, region_id=region.id or 0, day=day)
    return DayPublic(
        region=region.code,
        timezone=region.timezone,
        day=day,
        visits=[VisitPublic.model_validate(v, from_attributes=True) for v in visits],
        plan=PlanPublic.model_validate(plan, from_attributes=True) if plan else None,
        unassigned=unassigned(plan, visits),
        figures=planning_service.figures(session=session, plan=plan) if plan else None,
        jobs=[SolveJobPublic.model_validate(j, from_attributes=True) for j in jobs[:SHOWN_JOBS]],
    )


def unassigned(plan: Plan | None, visits: list[Visit]) -> list[DayUnassigned]:
    """What the plan leaves out with its reason, and open visits it does not know of at all."""
    rows = [
        DayUnassigned(visit_id=u.visit_id, reason=u.reason, message=u.message)
        for u in (plan.unassigned_visits if plan else [])
    ]
    known = {r.visit_id for r in rows}
    known |= {s.visit_id for r in (plan.routes if plan else []) for s in r.stops}
    message = "Booked after the current plan was made (or no plan yet): plan the day again."
    rows += [
        DayUnassigned(visit_id=v.id or 0, reason=NOT_IN_PLAN, message=message)
        for v in visits
        if v.status in PLANNABLE and v.id not in known
    ]
    return sorted(rows, key=lambda r: r.visit_id)
