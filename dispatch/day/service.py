"""The day view: a region's visits on a day, with a plan of it, its figures and gaps."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from dispatch.asset.models import Asset
from dispatch.customer.models import Customer
from dispatch.day.models import NOT_IN_PLAN, DayPublic, DayUnassigned, DayVisit
from dispatch.errors import NotFound
from dispatch.jobs import service as job_service
from dispatch.jobs.models import SolveJobPublic
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan, PlanPublic
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.visit import service as visit_service
from dispatch.visit.lifecycle import PLANNABLE
from dispatch.visit.models import Visit

SHOWN_JOBS = 5


def view(*, session: Session, region: Region, day: date, plan_id: int | None = None) -> DayPublic:
    """The region's day: visits by window, a plan (the one asked for, else the current one),
    the visits it leaves out with reasons, and its figures."""
    visits = visit_service.list_for_day(session=session, region=region, day=day)
    plan = _plan_of_day(session, region, day, plan_id)
    if plan is not None:  # movable visits have no window on the day until it is published
        listed = {v.id for v in visits}
        in_plan = planning_service.plan_visits(session=session, plan=plan)
        visits += [v for visit_id, v in in_plan.items() if visit_id not in listed]
    published = planning_service.published_plan(session=session, region=region, day=day)
    jobs = job_service.list_for_day(session=session, region_id=region.id or 0, day=day)
    return DayPublic(
        region=region.code,
        timezone=region.timezone,
        day=day,
        visits=labelled(session, visits),
        plan=PlanPublic.model_validate(plan, from_attributes=True) if plan else None,
        published_plan_id=published.id if published else None,
        unassigned=unassigned(plan, visits),
        figures=planning_service.figures(session=session, plan=plan) if plan else None,
        jobs=[SolveJobPublic.model_validate(j, from_attributes=True) for j in jobs[:SHOWN_JOBS]],
    )


def _plan_of_day(session: Session, region: Region, day: date, plan_id: int | None) -> Plan | None:
    if plan_id is None:
        return planning_service.current_plan(session=session, region=region, day=day)
    plan = planning_service.get(session=session, plan_id=plan_id)
    if plan is None or plan.region_id != region.id or plan.day != day:
        raise NotFound(f"plan {plan_id} is not a plan of this day.", loc=("query", "plan_id"))
    return plan


def labelled(session: Session, visits: list[Visit]) -> list[DayVisit]:
    """The visits with kind, product and customer name (three queries, not three per visit)."""
    request_ids = {v.request_id for v in visits}
    requests = {
        r.id: r
        for r in session.exec(
            select(ServiceRequest).where(col(ServiceRequest.id).in_(request_ids))
        ).all()
    }
    asset_ids = {r.asset_id for r in requests.values()}
    assets = {
        a.id: a for a in session.exec(select(Asset).where(col(Asset.id).in_(asset_ids))).all()
    }
    customer_ids = {a.customer_id for a in assets.values()}
    names = dict(
        session.exec(
            select(Customer.id, Customer.name).where(col(Customer.id).in_(customer_ids))
        ).all()
    )
    rows = []
    for v in visits:
        request = requests[v.request_id]
        asset = assets[request.asset_id]
        product = asset.product_model
        rows.append(
            DayVisit.model_validate(
                v,
                from_attributes=True,
                update={
                    "kind": request.kind,
                    "product": f"{product.brand} {product.name}",
                    "customer_name": names.get(asset.customer_id, ""),
                },
            )
        )
    return rows


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
