"""Visit services: create, book, edit, pin, and list by day.

The lifecycle services (transition, cancel, set_planned, start_work) live in
dispatch.visit.lifecycle and are re-exported here, so callers need one alias: visit_service.
"""

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from dispatch import localtime
from dispatch.asset import service as asset_service
from dispatch.db import changes
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.product import service as product_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import RequestStatus
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician
from dispatch.visit import crew, lifecycle
from dispatch.visit.lifecycle import apply_transition as apply_transition
from dispatch.visit.lifecycle import cancel as cancel
from dispatch.visit.lifecycle import set_planned as set_planned
from dispatch.visit.lifecycle import start_work as start_work
from dispatch.visit.lifecycle import transition as transition
from dispatch.visit.models import DayWindow, Visit, VisitCreate, VisitStatus, VisitUpdate

S = VisitStatus
# A dispatcher may still edit, pin or re-book a visit that nobody has set off for.
EDITABLE = frozenset({S.REQUESTED, S.BOOKED, S.PLANNED})


def get(*, session: Session, visit_id: int) -> Visit | None:
    """The visit with this id, or None."""
    return session.get(Visit, visit_id)


def get_or_raise(*, session: Session, visit_id: int) -> Visit:
    """The visit with this id; raises NotFound."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"visit {visit_id} does not exist.", loc=("visit_id",))
    return visit


def list_for_day(
    *, session: Session, region: Region, day: date, statuses: Collection[VisitStatus] | None = None
) -> list[Visit]:
    """The region's visits whose promised window overlaps the local day, by window start."""
    start, end = localtime.day_bounds(day, region.zone)
    query = select(Visit).where(
        Visit.region_id == region.id,
        col(Visit.window_start) < end,
        col(Visit.window_end) > start,
    )
    if statuses is not None:
        query = query.where(col(Visit.status).in_(list(statuses)))
    return list(session.exec(query.order_by(col(Visit.window_start), col(Visit.id))).all())


def list_movable(
    *,
    session: Session,
    region: Region,
    first: date,
    last: date,
    statuses: Collection[VisitStatus] = lifecycle.PLANNABLE,
) -> list[Visit]:
    """The region's movable visits (a due range, no promised window yet) that may be planned on
    a day from first to last, by due day and id."""
    query = select(Visit).where(
        Visit.region_id == region.id,
        col(Visit.window_start).is_(None),
        col(Visit.due_from) <= last,
        col(Visit.due_until) >= first,
        col(Visit.status).in_(list(statuses)),
    )
    return list(session.exec(query.order_by(col(Visit.due_from), col(Visit.id))).all())


def route_for_day(
    *, session: Session, technician_id: int, region: Region, day: date
) -> list[Visit]:
    """The visits planned for the technician on the local day, in planned order; a crew
    visit is on each member's route."""
    start, end = localtime.day_bounds(day, region.zone)
    query = select(Visit).where(
        or_(
            col(Visit.planned_technician_id) == technician_id,
            col(Visit.id).in_(crew.visits_of(technician_id)),
        ),
        col(Visit.planned_start) >= start,
        col(Visit.planned_start) < end,
        col(Visit.status).in_([S.PLANNED, S.EN_ROUTE, S.ON_SITE, S.COMPLETED, S.FAILED]),
    )
    return list(session.exec(query.order_by(col(Visit.planned_start))).all())


def list_for_request(*, session: Session, request_id: int) -> list[Visit]:
    """The request's visits, first one first."""
    query = select(Visit).where(Visit.request_id == request_id).order_by(col(Visit.id))
    return list(session.exec(query).all())


def follow_up_of(*, session: Session, visit: Visit) -> Visit | None:
    """The visit opened because this one failed, or None."""
    return session.exec(select(Visit).where(Visit.follow_up_of_id == visit.id)).first()


def create(*, session: Session, visit_in: VisitCreate) -> Visit:
    """A visit for an open request; booked at once when visit_in carries a window."""
    visit = add(session=session, visit_in=visit_in)
    session.commit()
    session.refresh(visit)
    return visit


def add(*, session: Session, visit_in: VisitCreate) -> Visit:
    """Step: create (see create) without committing."""
    request = request_service.get_or_raise(session=session, request_id=visit_in.request_id)
    if request.status is not RequestStatus.OPEN:
        raise Conflict(f"request {request.id} is {request.status}.", loc=("request_id",))
    asset = asset_service.get_or_raise(session=session, asset_id=request.asset_id)
    policy = product_service.policy_for(product_model=asset.product_model, kind=request.kind)
    lat = visit_in.lat if visit_in.lat is not None else asset.lat
    lon = visit_in.lon if visit_in.lon is not None else asset.lon
    if lat is None or lon is None:
        raise InvalidInput(
            f"asset {asset.id} has no coordinates: give lat and lon, or geocode its address.",
            loc=("lat",),
        )
    if visit_in.preferred_technician_id is not None:
        technician_service.get_or_raise(
            session=session, technician_id=visit_in.preferred_technician_id
        )
    visit = Visit(
        request_id=request.id or 0,
        region_id=request.region_id,
        lat=lat,
        lon=lon,
        address=visit_in.address or asset.address,
        duration_s=visit_in.duration_s or policy.duration_s,
        required_skills=visit_in.required_skills or [policy.skill],
        priority=visit_in.priority or request.priority,
        preferred_technician_id=visit_in.preferred_technician_id,
        crew_size=visit_in.crew_size or policy.crew_size,
    )
    session.add(visit)
    session.flush()
    if visit_in.due_from is not None and visit_in.due_until is not None:
        set_due(
            session=session,
            visit=visit,
            first=visit_in.due_from,
            last=visit_in.due_until,
            windows=visit_in.due_windows,
            at=localtime.utc_now(),
        )
    if visit_in.window_start is not None and visit_in.window_end is not None:
        apply_book(
            session=session,
            visit=visit,
            window_start=visit_in.window_start,
            window_end=visit_in.window_end,
            at=localtime.utc_now(),
        )
    return visit


def book(
    *, session: Session, visit: Visit, window_start: datetime, window_end: datetime, at: datetime
) -> Visit:
    """Promise the visit in a window; a booked or planned visit is moved to the new window."""
    apply_book(
        session=session, visit=visit, window_start=window_start, window_end=window_end, at=at
    )
    session.commit()
    session.refresh(visit)
    return visit


def apply_book(
    *, session: Session, visit: Visit, window_start: datetime, window_end: datetime, at: datetime
) -> None:
    """Step: book (see book) without committing; the slot check is the caller's."""
    start = localtime.require_aware(window_start, "window_start")
    end = localtime.require_aware(window_end, "window_end")
    if end <= start:
        raise InvalidInput("window_end must be after window_start.", loc=("window_end",))
    if visit.status not in (S.REQUESTED, S.BOOKED, S.PLANNED):
        lifecycle.check_transition(visit.status, S.BOOKED, visit_id=visit.id)
    visit.window_start, visit.window_end = start, end
    if visit.status is not S.BOOKED:
        apply_transition(session=session, visit=visit, to=S.BOOKED, at=at)
    session.add(visit)


def set_due(
    *,
    session: Session,
    visit: Visit,
    first: date,
    last: date,
    windows: Sequence[DayWindow],
    at: datetime,
) -> None:
    """Step: book the visit as movable: due on any day from first to last, service starting in
    one of the windows of that day; a plan decides the day (the promise is made at publish)."""
    if visit.status is not S.REQUESTED:
        raise Conflict(
            f"visit {visit.id} is {visit.status}; only a requested visit gets a due range.",
            loc=("status",),
        )
    if not windows:
        raise InvalidInput("a movable visit needs at least one window.", loc=("due_windows",))
    visit.due_from, visit.due_until, visit.due_windows = first, last, list(windows)
    apply_transition(session=session, visit=visit, to=S.BOOKED, at=at)
    session.add(visit)


def update(*, session: Session, visit: Visit, visit_in: VisitUpdate) -> Visit:
    """The visit with the given fields changed, while nobody has set off for it."""
    _check_editable(visit)
    data = changes(visit_in, clearable={"preferred_technician_id", "note"})
    if (data.get("lat", visit.lat) is None) != (data.get("lon", visit.lon) is None):
        raise InvalidInput("give both lat and lon.", loc=("lat",))
    if data.get("preferred_technician_id") is not None:
        technician_service.get_or_raise(
            session=session, technician_id=data["preferred_technician_id"]
        )
    visit.sqlmodel_update(data)
    session.add(visit)
    session.commit()
    session.refresh(visit)
    return visit


def check_pin(*, visit: Visit, technician: Technician) -> None:
    """Raise unless the visit may still change and the technician may serve it."""
    _check_editable(visit)
    _check_can_serve(technician, visit)


def pin(*, session: Session, visit: Visit, technician_id: int) -> Visit:
    """Only this technician may serve the visit (a hard rule for the next plan)."""
    technician = technician_service.get_or_raise(session=session, technician_id=technician_id)
    check_pin(visit=visit, technician=technician)
    visit.pinned_technician_id = technician_id
    session.add(visit)
    session.commit()
    session.refresh(visit)
    return visit


def unpin(*, session: Session, visit: Visit) -> Visit:
    """Any suitable technician may serve the visit again."""
    _check_editable(visit)
    visit.pinned_technician_id = None
    session.add(visit)
    session.commit()
    session.refresh(visit)
    return visit


def _check_editable(visit: Visit) -> None:
    if visit.status not in EDITABLE:
        raise Conflict(
            f"visit {visit.id} is {visit.status}; it can no longer be changed.", loc=("status",)
        )


def _check_can_serve(technician: Technician, visit: Visit) -> None:
    """A pinned technician must be active, in the visit's region and have its skills."""
    where = ("technician_id",)
    if not technician.active:
        raise InvalidInput(f"technician {technician.id} is not active.", loc=where)
    if technician.region_id != visit.region_id:
        raise InvalidInput(
            f"technician {technician.id} works in another region than visit {visit.id}.", loc=where
        )
    missing = sorted(set(visit.required_skills) - set(technician.skills))
    if missing:
        raise InvalidInput(
            f"technician {technician.id} lacks skills {', '.join(missing)}.", loc=where
        )
