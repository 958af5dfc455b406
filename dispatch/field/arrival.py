"""When a technician who just set off should arrive: the drive from where they are now.

With a published plan the drive is the plan's own leg to this stop (its arrival minus when the
technician was free to leave, minus breaks in between), so the ETA uses the plan's travel model,
OSRM or great circle, like the technician's route view. Without one it is the drive on the
region's travel source for the day (planning.travel), the one plans and slot offers use: its
OSRM server's road time, or the great-circle estimate. A crew visit's estimate is its last
member's arrival, each member's drive found the same way.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from dispatch import localtime
from dispatch.field import eta as field_eta
from dispatch.planning import travel as planning_travel
from dispatch.planning.models import Plan, PlanRoute, PlanState, PlanStop
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit


def eta(*, session: Session, visit: Visit, technician: Technician, region: Region) -> datetime:
    """The arrival estimate: when the technician set off plus the drive to the visit; for a
    crew visit the latest of its members' (the service starts when the crew is complete)."""
    departed = visit.en_route_at or localtime.utc_now()
    members = _crew(session, visit) or [technician]
    return max(
        departed + timedelta(seconds=_drive_s(session, visit, member, region, departed))
        for member in members
    )


def _crew(session: Session, visit: Visit) -> list[Technician]:
    """A crew visit's technicians; [] for a visit served alone."""
    ids = crew.members(session=session, visit_ids=[visit.id or 0]).get(visit.id or 0, [])
    found = [session.get(Technician, t) for t in ids]
    return [t for t in found if t is not None]


def _drive_s(
    session: Session, visit: Visit, technician: Technician, region: Region, departed: datetime
) -> int:
    """The technician's drive to the visit: its published plan's leg, else from where it is."""
    drive_s = _planned_drive_s(session, visit, technician)
    if drive_s is None:
        origin = _position(session, visit, technician, region, departed)
        day = localtime.local_day(departed, region.zone)
        drive_s = planning_travel.drive_s(region, day, origin, (visit.lat, visit.lon))
    return drive_s


def _planned_drive_s(session: Session, visit: Visit, technician: Technician) -> int | None:
    """The technician's drive to the visit in its published plan, or None when no published
    plan routes the technician to it."""
    found = session.exec(
        select(PlanStop, PlanRoute)
        .join(PlanRoute, col(PlanRoute.id) == col(PlanStop.route_id))
        .join(Plan, col(Plan.id) == col(PlanStop.plan_id))
        .where(
            PlanStop.visit_id == visit.id,
            PlanRoute.technician_id == technician.id,
            Plan.status == PlanState.PUBLISHED,
        )
    ).first()
    if found is None:
        return None
    stop, route = found
    before = [s for s in route.stops if s.sequence < stop.sequence]
    ready = before[-1].end_at if before else route.start_at
    breaks = [(b.start_at, b.end_at) for b in route.breaks]
    drive, _ = field_eta.planned_leg(ready, stop.arrival_at, breaks)
    return round(drive.total_seconds())


def _position(
    session: Session, visit: Visit, technician: Technician, region: Region, at: datetime
) -> tuple[float, float]:
    """Where the technician is: the last visit (its own or its crew's) reached today before
    `at`, else their base."""
    day_start, _ = localtime.day_bounds(localtime.local_day(at, region.zone), region.zone)
    last = session.exec(
        select(Visit)
        .where(
            or_(
                Visit.planned_technician_id == technician.id,
                col(Visit.id).in_(crew.visits_of(technician.id or 0)),
            ),
            col(Visit.id) != visit.id,
            col(Visit.arrived_at) >= day_start,
            col(Visit.arrived_at) <= at,
        )
        .order_by(col(Visit.arrived_at).desc())
    ).first()
    if last is not None:
        return last.lat, last.lon
    return technician.start_lat, technician.start_lon
