"""Field services: a technician's route for a day with ETAs, and the events that move it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from dispatch import events
from dispatch.access import service as access_service
from dispatch.access.scope import Scope
from dispatch.account.models import Role
from dispatch.asset import service as asset_service
from dispatch.config import Settings
from dispatch.customer import service as customer_service
from dispatch.errors import InvalidInput, InvalidTransition
from dispatch.field import eta as eta_rules
from dispatch.field.models import (
    STATUS_OF_EVENT,
    RoutePublic,
    RouteStopPublic,
    VisitEvent,
    VisitEventCreate,
)
from dispatch.localtime import local_day, require_aware, utc_now
from dispatch.parts import service as parts_service
from dispatch.planning.models import Plan, PlanRoute, PlanState
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import crew, lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, Visit, VisitStatus

NAVIGATION_URL = "https://www.google.com/maps/dir/"
# A phone's clock may run a little fast; an event further ahead than this has not happened yet.
MAX_CLOCK_AHEAD_S = 300


def navigation_url(lat: float, lon: float) -> str:
    """A link that opens turn-by-turn directions to the point (Google Maps URLs, no key)."""
    query = urlencode({"api": 1, "destination": f"{lat:.6f},{lon:.6f}"}, safe=",")
    return f"{NAVIGATION_URL}?{query}"


def next_events(status: VisitStatus) -> list[VisitEvent]:
    """The events a technician may report for a visit in this status (the lifecycle's table)."""
    return [e for e, to in STATUS_OF_EVENT.items() if lifecycle.can_transition(status, to)]


def today_for(*, session: Session, technician: Technician) -> date:
    """Today in the technician's region."""
    region = region_service.get_or_raise(session=session, region_id=technician.region_id)
    return local_day(utc_now(), region.zone)


def route_for_day(
    *,
    session: Session,
    technician: Technician,
    day: date,
    viewer: Scope | None = None,
    endpoint: str = "",
    now: datetime | None = None,
) -> RoutePublic:
    """The technician's stops on the local day in order, with plan times and ETAs.

    Customers' phone numbers go to the technician itself on the day of the visits only (the
    read is logged); other viewers and other days get none. No viewer: internal use, all.
    now: the current time (which day is today)."""
    region = region_service.get_or_raise(session=session, region_id=technician.region_id)
    phones = viewer is None or _phones_visible(viewer, technician, region, day, now)
    visits = visit_service.route_for_day(
        session=session, technician_id=technician.id or 0, region=region, day=day
    )
    planned = published_route(session=session, region=region, day=day, technician=technician)
    legs = _planned_legs(planned)
    facts = [_facts(v, *legs.get(v.id or 0, (None, None))) for v in visits]
    breaks = [(b.start_at, b.end_at) for b in planned.breaks] if planned else []
    times = eta_rules.etas(facts, breaks)
    partners = _partners(session, technician, visits)
    stops = [
        _stop(session, i, visit, fact, eta, phones).model_copy(
            update={"partner_names": partners.get(visit.id or 0, [])}
        )
        for i, (visit, fact, eta) in enumerate(zip(visits, facts, times, strict=True))
    ]
    if viewer is not None and phones and visits:
        shown = [v.request.customer_id for v in visits]
        access_service.record(
            session=session,
            scope=viewer,
            customer_ids=shown,
            endpoint=endpoint,
            fields="name,phone,address",
            now=now,
        )
    return RoutePublic(
        technician_id=technician.id or 0,
        technician_name=technician.name,
        region=region.code,
        timezone=region.timezone,
        day=day,
        plan_id=planned.plan_id if planned else None,
        start_label=technician.start_label,
        start_lat=technician.start_lat,
        start_lon=technician.start_lon,
        start_at=planned.start_at if planned else None,
        end_at=planned.end_at if planned else None,
        breaks=list(planned.breaks) if planned else [],
        stops=stops,
    )


def _partners(
    session: Session, technician: Technician, visits: list[Visit]
) -> dict[int, list[str]]:
    """Per crew visit, the names of the other technicians serving it with this one."""
    crews = crew.members(session=session, visit_ids=[v.id or 0 for v in visits])
    others = {t for members in crews.values() for t in members if t != technician.id}
    if not others:
        return {}
    names = dict(
        session.exec(
            select(Technician.id, Technician.name).where(col(Technician.id).in_(others))
        ).all()
    )
    return {
        visit_id: [names.get(t, "?") for t in members if t != technician.id]
        for visit_id, members in crews.items()
    }


def published_route(
    *, session: Session, region: Region, day: date, technician: Technician
) -> PlanRoute | None:
    """The technician's route in the region's published plan for day, or None."""
    query = (
        select(PlanRoute)
        .join(Plan, col(Plan.id) == col(PlanRoute.plan_id))
        .where(
            Plan.region_id == region.id,
            Plan.day == day,
            Plan.status == PlanState.PUBLISHED,
            PlanRoute.technician_id == technician.id,
        )
    )
    return session.exec(query).first()


def record_event(
    *, session: Session, visit: Visit, event_in: VisitEventCreate, settings: Settings
) -> Visit:
    """Move the visit along its lifecycle for a technician's event, recording when it happened,
    and queue what the event tells the customer (on the way, survey) in the same transaction.

    Raises InvalidTransition (409) when the lifecycle does not allow it, InvalidInput when the
    time is before an event already recorded or still to come.
    """
    now = utc_now()
    at = require_aware(event_in.at, "at") if event_in.at is not None else now
    if at > now + timedelta(seconds=MAX_CLOCK_AHEAD_S):
        raise InvalidInput(
            f"at {at.isoformat()} is in the future; report an event once it has happened.",
            loc=("body", "at"),
        )
    to = STATUS_OF_EVENT[event_in.event]
    if _reached_by_crew(visit, to):
        return visit  # the partner's phone reported it first: the visit moves once
    earlier = [t for t in (visit.en_route_at, visit.arrived_at, visit.started_at) if t]
    if earlier and at < max(earlier):
        raise InvalidInput(
            f"at {at.isoformat()} is before the visit's last event ({max(earlier).isoformat()}).",
            loc=("body", "at"),
        )
    if not _move(session, visit, event_in, at):
        return visit
    change = events.VisitChanged(session, visit, "field", event_in.event.value, at, settings)
    events.publish(change)
    session.commit()
    session.refresh(visit)
    return visit


def _move(session: Session, visit: Visit, event_in: VisitEventCreate, at: datetime) -> bool:
    """Step: the transition of the event; False when a crew partner's event got there first
    (meanwhile, on another phone), so that nothing is to be done."""
    to = STATUS_OF_EVENT[event_in.event]
    try:
        visit_service.apply_transition(
            session=session,
            visit=visit,
            to=to,
            at=at,
            failure_reason=event_in.failure_reason,
            note=event_in.note,
            open_follow_up=not _waits_for_parts(session, visit, event_in),
        )
    except InvalidTransition:
        session.rollback()  # the partner's event may have won the race: read it, then decide
        session.refresh(visit)
        if _reached_by_crew(visit, to):
            return False
        raise
    return True


# A crew visit's status moves with the first member's event; how far along each status is.
_PROGRESS = {
    VisitStatus.EN_ROUTE: 1,
    VisitStatus.ON_SITE: 2,
    VisitStatus.COMPLETED: 3,
}


def _reached_by_crew(visit: Visit, to: VisitStatus) -> bool:
    """A crew visit already at (or past) what this event would move it to: the other member
    reported it; en route and arrived are passed by later steps, completed only by itself."""
    if visit.crew_size < 2:
        return False
    if visit.status is to:
        return True
    reached, wanted = _PROGRESS.get(visit.status), _PROGRESS.get(to)
    return reached is not None and wanted is not None and wanted < reached


def _waits_for_parts(session: Session, visit: Visit, event_in: VisitEventCreate) -> bool:
    """A visit failed for a missing part that it is known to need: its follow-up waits until
    the part is in stock (dispatch.backorder opens it)."""
    if event_in.failure_reason is not FailureReason.PART_MISSING:
        return False
    return bool(parts_service.needs_of(session=session, visit=visit))


def route_of_visit(
    *, session: Session, visit: Visit, viewer: Scope | None = None, endpoint: str = ""
) -> RoutePublic | None:
    """The route the visit is planned on, or None when it is on nobody's route."""
    if visit.planned_technician_id is None or visit.planned_start is None:
        return None
    technician_id = visit.planned_technician_id
    mine = viewer.technician_id if viewer is not None else None
    if mine is not None and crew.is_member(session=session, visit=visit, technician_id=mine):
        technician_id = mine  # a crew member sees their own route
    technician = session.get(Technician, technician_id)
    if technician is None:
        return None
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    day = local_day(visit.planned_start, region.zone)
    return route_for_day(
        session=session, technician=technician, day=day, viewer=viewer, endpoint=endpoint
    )


def _phones_visible(
    viewer: Scope, technician: Technician, region: Region, day: date, now: datetime | None
) -> bool:
    """Only the technician itself, and only for today's route (its region's local day)."""
    if viewer.role is not Role.TECHNICIAN or viewer.technician_id != technician.id:
        return False
    return day == local_day(now or utc_now(), region.zone)


def _planned_legs(route: PlanRoute | None) -> dict[int, tuple[datetime, datetime]]:
    """Per visit of the published route: when the technician sets off for it, and arrives."""
    if route is None:
        return {}
    ready = [route.start_at] + [s.end_at for s in route.stops[:-1]]
    return {s.visit_id: (r, s.arrival_at) for s, r in zip(route.stops, ready, strict=True)}


def _facts(
    visit: Visit, planned_ready: datetime | None, planned_arrival: datetime | None
) -> eta_rules.StopFacts:
    return eta_rules.StopFacts(
        status=visit.status,
        duration_s=visit.duration_s,
        window_start=visit.window_start,
        planned_arrival=planned_arrival or visit.planned_start,
        planned_start=visit.planned_start,
        planned_end=visit.planned_end,
        planned_ready=planned_ready,
        en_route_at=visit.en_route_at,
        arrived_at=visit.arrived_at,
        started_at=visit.started_at,
        ended_at=visit.ended_at,
    )


def _stop(
    session: Session,
    sequence: int,
    visit: Visit,
    facts: eta_rules.StopFacts,
    eta: eta_rules.Eta,
    phone: bool,
) -> RouteStopPublic:
    """A stop with the customer (the phone number when `phone`), the product and what kind
    of visit it is."""
    request = visit.request
    asset = asset_service.get_or_raise(session=session, asset_id=request.asset_id)
    customer = customer_service.get_or_raise(session=session, customer_id=request.customer_id)
    product = asset.product_model
    return RouteStopPublic(
        sequence=sequence,
        visit_id=visit.id or 0,
        status=visit.status,
        customer_name=customer.name,
        customer_phone=customer.phone if phone else None,
        address=visit.address,
        lat=visit.lat,
        lon=visit.lon,
        navigation_url=navigation_url(visit.lat, visit.lon),
        window_start=visit.window_start,
        window_end=visit.window_end,
        product=f"{product.brand} {product.name}",
        product_category=product.category,
        serial_number=asset.serial_number,
        kind=request.kind,
        description=request.description,
        coverage=request.coverage,
        required_skills=list(visit.required_skills),
        duration_s=visit.duration_s,
        priority=visit.priority,
        planned_arrival=facts.planned_arrival,
        planned_start=visit.planned_start,
        planned_end=visit.planned_end,
        eta_arrival=eta.arrival,
        eta_start=eta.start,
        eta_end=eta.end,
        en_route_at=visit.en_route_at,
        arrived_at=visit.arrived_at,
        ended_at=visit.ended_at,
        failure_reason=visit.failure_reason,
        note=visit.note,
        next_events=next_events(visit.status),
        crew_size=visit.crew_size,
    )
