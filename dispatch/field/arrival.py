"""When a technician who just set off should arrive: the drive from where they are now.

With a published plan the drive is the plan's own leg to this stop (its arrival minus when the
technician was free to leave, minus breaks in between), so the ETA uses the plan's travel model,
OSRM or great circle, like the technician's route view. Without one it is the drive on the
region's travel source for the day (planning.travel), the one plans and slot offers use: its
OSRM server's road time, or the great-circle estimate.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.field import eta as field_eta
from dispatch.planning import travel as planning_travel
from dispatch.planning.models import Plan, PlanRoute, PlanState, PlanStop
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit


def eta(*, session: Session, visit: Visit, technician: Technician, region: Region) -> datetime:
    """The arrival estimate: when the technician set off plus the drive to the visit."""
    departed = visit.en_route_at or localtime.utc_now()
    drive_s = _planned_drive_s(session, visit)
    if drive_s is None:
        origin = _position(session, visit, technician, region, departed)
        day = localtime.local_day(departed, region.zone)
        drive_s = planning_travel.drive_s(region, day, origin, (visit.lat, visit.lon))
    return departed + timedelta(seconds=drive_s)


def _planned_drive_s(session: Session, visit: Visit) -> int | None:
    """The drive to the visit in its published plan, or None when no published plan has it."""
    found = session.exec(
        select(PlanStop, PlanRoute)
        .join(PlanRoute, col(PlanRoute.id) == col(PlanStop.route_id))
        .join(Plan, col(Plan.id) == col(PlanStop.plan_id))
        .where(PlanStop.visit_id == visit.id, Plan.status == PlanState.PUBLISHED)
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
    """Where the technician is: the last visit reached today before `at`, else their base."""
    day_start, _ = localtime.day_bounds(localtime.local_day(at, region.zone), region.zone)
    last = session.exec(
        select(Visit)
        .where(
            Visit.planned_technician_id == technician.id,
            col(Visit.id) != visit.id,
            col(Visit.arrived_at) >= day_start,
            col(Visit.arrived_at) <= at,
        )
        .order_by(col(Visit.arrived_at).desc())
    ).first()
    if last is not None:
        return last.lat, last.lon
    return technician.start_lat, technician.start_lon
