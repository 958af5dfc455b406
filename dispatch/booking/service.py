"""Booking services: book a visit into an offered window, reschedule, cancel, and read it back.

book() re-checks the window under the day's lock (ledger.lock_day) and commits once: the
request with its coverage (an entitlement is consumed then), the booked visit, the day's ledger
and the idempotency key. Twenty customers racing for the last place of a day get one booking
and nineteen SlotUnavailable; an entitlement is never consumed twice (the asset row is locked
too, and consume is a guarded UPDATE). Each booking, move and cancellation queues its notice
to the customer in the same transaction (outreach, which never fails the booking).

Idempotency: the first request with a key answers 201; the same key with the same body returns
the same booking again (also 201, flagged replayed), the same key with another body is refused
(IdempotencyKeyReused, 422). Only successful bookings are remembered.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from dispatch import events, idempotency, localtime
from dispatch.access import scope as access_scope
from dispatch.access.scope import Scope
from dispatch.account.models import Role
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset
from dispatch.booking import ledger, slots
from dispatch.booking.models import (
    BookingAction,
    BookingCreate,
    BookingIdempotency,
    BookingPublic,
)
from dispatch.errors import Conflict, NotFound, SlotUnavailable
from dispatch.field.arrival import eta as eta_from_position
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate
from dispatch.technician.models import Technician
from dispatch.telemetry import metrics
from dispatch.visit import lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate, VisitStatus
from dispatch.workshop import booking as workshop_booking

S = VisitStatus
BOOKED = frozenset({S.BOOKED, S.PLANNED, S.EN_ROUTE, S.ON_SITE})

# A booking request's key names the visit it booked.
KEYS = idempotency.Keys(BookingIdempotency, Visit, "visit_id")


def get_or_raise(*, session: Session, booking_id: int) -> Visit:
    """The booked visit with this id (promised a window, or due within a range of days and
    waiting for a plan to promise one); raises NotFound, also for visits never booked."""
    visit = session.get(Visit, booking_id)
    if visit is None or not is_booking(visit):
        raise NotFound(f"booking {booking_id} does not exist.", loc=("booking_id",))
    return visit


def is_booking(visit: Visit) -> bool:
    """True for a visit booked for its customer: promised a window, or due within a range of
    days and waiting for a plan to promise one (not one only requested)."""
    return visit.window_start is not None or visit.due_from is not None


def own_asset(
    *, session: Session, asset_id: int, customer_id: int | None, scope: Scope | None = None
) -> Asset:
    """The asset, when customer_id (if given) owns it and the scope (if given) may act on it;
    raises NotFound otherwise, so that the existence of other customers' assets does not leak.

    Staff act on an asset whose customer they reach (dispatch.access.scope), or on one that a
    region of theirs serves (slots.region_for_asset): how a customer's first booking is made."""
    asset = asset_service.get(session=session, asset_id=asset_id)
    if asset is None or (customer_id is not None and asset.customer_id != customer_id):
        raise NotFound(f"asset {asset_id} does not exist.", loc=("asset_id",))
    if scope is not None and not _may_act_on(session, scope, asset):
        raise NotFound(f"asset {asset_id} does not exist.", loc=("asset_id",))
    return asset


def _may_act_on(session: Session, scope: Scope, asset: Asset) -> bool:
    if scope.sees_all:
        return True
    if scope.role is Role.CUSTOMER:
        return asset.customer_id == scope.customer_id
    if scope.role is not Role.DISPATCHER:
        return False
    if access_scope.asset_in_reach(session=session, scope=scope, asset_id=asset.id or 0):
        return True
    served_by = slots.region_for_asset(session=session, asset=asset)
    return served_by.id in (scope.region_ids or ())


@metrics.booking_conflicts_counted("book")
def book(
    *,
    session: Session,
    user_id: int,
    idempotency_key: str,
    booking_in: BookingCreate,
    asset: Asset,
    region: Region,
    now: datetime | None = None,
) -> tuple[Visit, bool]:
    """Book the visit (see the module docstring); the visit, and True when it is a replay."""
    now = now or localtime.utc_now()
    claim = idempotency.claim(
        session, KEYS, user_id=user_id, key=idempotency_key,
        fingerprint=idempotency.fingerprint(booking_in),
    )  # fmt: skip
    if isinstance(claim, Visit):
        return claim, True
    _lock_asset(session, asset)
    window = slots.offered_window(
        region=region, start=booking_in.window_start, end=booking_in.window_end, now=now
    )
    want = slots.candidate(asset, booking_in.kind)
    request = _open_request(session, booking_in, asset)
    state = ledger.lock_day(session=session, region=region, day=window.day)
    found = _insertion_or_raise(state.routes, want, window, region)
    visit = _visit_for(session, booking_in, asset, region, now, request)
    visit_service.apply_book(
        session=session, visit=visit, window_start=window.start, window_end=window.end, at=now
    )
    session.flush()
    sequences = ledger.sequences_with(state.routes, found, visit.id or 0)
    _keep_in_ledger(session, region, state, sequences, visit, found)
    events.publish(events.VisitChanged(session, visit, "booking", "confirmed", now))
    claim.visit_id = visit.id
    session.add(claim)
    session.commit()
    session.refresh(visit)
    return visit, False


@metrics.booking_conflicts_counted("reschedule")
def reschedule(
    *,
    session: Session,
    visit: Visit,
    window_start: datetime,
    window_end: datetime,
    now: datetime | None = None,
) -> Visit:
    """Move a booked (or planned) visit to another offered window; its old place is freed."""
    now = now or localtime.utc_now()
    if visit.status not in lifecycle.PLANNABLE:
        msg = f"booking {visit.id} is {visit.status}; it can no longer be moved."
        raise Conflict(msg, loc=("status",))
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    window = slots.offered_window(region=region, start=window_start, end=window_end, now=now)
    old_day = localtime.local_day(visit.window_start or window.start, region.zone)
    states = {
        d: ledger.lock_day(session=session, region=region, day=d)
        for d in sorted({old_day, window.day})  # in day order: two moves cannot deadlock
    }
    routes = ledger.routes_without(states[window.day].routes, visit.id or 0)
    found = _insertion_or_raise(routes, _candidate_of(visit), window, region)
    visit_service.apply_book(
        session=session, visit=visit, window_start=window.start, window_end=window.end, at=now
    )
    session.flush()
    if old_day != window.day:
        _take_out(session, region, states[old_day], visit)
    sequences = ledger.sequences_with(routes, found, visit.id or 0)
    _keep_in_ledger(session, region, states[window.day], sequences, visit, found)
    events.publish(events.VisitChanged(session, visit, "booking", "rescheduled", now))
    session.commit()
    session.refresh(visit)
    return visit


def cancel(*, session: Session, visit: Visit, now: datetime | None = None) -> Visit:
    """Cancel the booking; the entitlement comes back and the day's ledger frees its place."""
    now = now or localtime.utc_now()
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    day = localtime.local_day(visit.window_start or now, region.zone)
    state = ledger.lock_day(session=session, region=region, day=day)
    visit_service.apply_transition(session=session, visit=visit, to=S.CANCELLED, at=now)
    session.flush()
    _take_out(session, region, state, visit)
    events.publish(events.VisitChanged(session, visit, "booking", "cancelled", now))
    session.commit()
    session.refresh(visit)
    return visit


def public(*, session: Session, visit: Visit) -> BookingPublic:
    """The booking as its customer sees it: status, window, coverage, technician, ETA."""
    request = visit.request
    technician = (
        session.get(Technician, visit.planned_technician_id)
        if visit.planned_technician_id
        else None
    )
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    eta = None
    if visit.status is S.EN_ROUTE and technician is not None:
        eta = eta_from_position(session=session, visit=visit, technician=technician, region=region)
    return BookingPublic(
        id=visit.id or 0,
        request_id=request.id or 0,
        asset_id=request.asset_id,
        kind=request.kind,
        status=visit.status,
        window_start=visit.window_start,
        window_end=visit.window_end,
        due_from=visit.due_from if visit.movable else None,
        due_until=visit.due_until if visit.movable else None,
        timezone=region.timezone,
        coverage=request.coverage,
        coverage_reason=request.coverage_reason,
        price=request.price,
        request_status=request.status,
        technician_first_name=technician.name.split()[0] if technician else None,
        planned_start=visit.planned_start,
        eta=eta,
        actions=actions(visit.status),
    )


def actions(status: VisitStatus) -> list[BookingAction]:
    """What a customer may still do with a booking in this status (the lifecycle's table)."""
    allowed = {
        BookingAction.RESCHEDULE: status in lifecycle.PLANNABLE,
        BookingAction.CANCEL: lifecycle.can_transition(status, S.CANCELLED),
    }
    return [action for action, ok in allowed.items() if ok]


def list_for_customer(
    *,
    session: Session,
    customer_id: int,
    region_ids: Collection[int] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Visit], int]:
    """A page of the customer's bookings (in these regions only, when given): those still to
    be scheduled (due within a range of days) first, then the latest window first; and how
    many there are."""
    mine = select(ServiceRequest.id).where(ServiceRequest.customer_id == customer_id)
    booked = or_(col(Visit.window_start).is_not(None), col(Visit.due_from).is_not(None))
    where = [col(Visit.request_id).in_(mine), booked]
    if region_ids is not None:
        where.append(col(Visit.region_id).in_(list(region_ids)))
    count = session.exec(select(func.count()).select_from(Visit).where(*where)).one()
    query = (
        select(Visit)
        .where(*where)
        .order_by(
            col(Visit.window_start).is_(None).desc(),
            col(Visit.window_start).desc(),
            col(Visit.id).desc(),
        )
    )
    return list(session.exec(query.offset(offset).limit(limit)).all()), count


# --- steps ----------------------------------------------------------------------------------------


def _lock_asset(session: Session, asset: Asset) -> None:
    """Bookings of one asset queue (PostgreSQL row lock; SQLite holds the write lock already)."""
    session.exec(select(Asset.id).where(Asset.id == asset.id).with_for_update()).one()


def _visit_for(
    session: Session,
    booking_in: BookingCreate,
    asset: Asset,
    region: Region,
    now: datetime,
    request: ServiceRequest | None,
) -> Visit:
    """The visit to book: for the open request (see _open_request) its visit still without a
    window, or a new one; else a new request (coverage decided, entitlement consumed)."""
    if request is not None:
        visits = visit_service.list_for_request(session=session, request_id=request.id or 0)
        waiting = [v for v in visits if v.status is S.REQUESTED]
        if waiting:
            return waiting[0]
        return visit_service.add(session=session, visit_in=VisitCreate(request_id=request.id or 0))
    request_in = ServiceRequestCreate(
        asset_id=asset.id or 0,
        region_id=region.id or 0,
        kind=booking_in.kind,
        description=booking_in.description,
        created_at=now,
    )
    request = request_service.add(session=session, request_in=request_in)
    return visit_service.add(session=session, visit_in=VisitCreate(request_id=request.id or 0))


def _open_request(
    session: Session, booking_in: BookingCreate, asset: Asset
) -> ServiceRequest | None:
    """The asset's open request of this kind to book (the one named, else the latest); raises
    Conflict when one is booked already: an asset has one booking of a kind at a time."""
    kind = booking_in.kind
    requests = request_service.list_open(session=session, asset_id=asset.id or 0, kind=kind)
    for request in requests:
        visits = visit_service.list_for_request(session=session, request_id=request.id or 0)
        booked = next((v for v in visits if v.status in BOOKED), None)
        if booked is not None:
            msg = f"asset {asset.id} already has a {kind} booking ({booked.id}); move or cancel it."
            raise Conflict(msg, loc=("body", "asset_id"))
        bay = workshop_booking.holding(session=session, request_id=request.id or 0)
        if bay is not None:
            msg = f"asset {asset.id} has a {kind} booking at a workshop ({bay.id}); cancel it."
            raise Conflict(msg, loc=("body", "asset_id"))
    if booking_in.request_id is None:
        return requests[0] if requests else None
    named = next((r for r in requests if r.id == booking_in.request_id), None)
    if named is None:
        msg = f"asset {asset.id} has no open {kind} request {booking_in.request_id}."
        raise NotFound(msg, loc=("body", "request_id"))
    return named


def _insertion_or_raise(
    routes: ledger.DayRoutes, want: ledger.Candidate, window: slots.Window, region: Region
) -> ledger.Fit:
    """The cheapest insertion of the visit into the locked day's routes in the window (a crew
    visit: its crew at one common start); raises SlotUnavailable when there is none (another
    booking took the last place)."""
    spans = [(window.start_s, window.end_s)]
    found = ledger.fits(routes, want, spans, region=region, day=window.day)[0]
    if found is None:
        raise SlotUnavailable(
            f"the window {window.start.isoformat()} is no longer possible; ask for slots again.",
            loc=("body", "window_start"),
        )
    return found


def _candidate_of(visit: Visit) -> ledger.Candidate:
    skills = frozenset(visit.required_skills)
    return ledger.Candidate(
        visit.lat, visit.lon, visit.duration_s, skills, visit.priority, visit.crew_size
    )


def _keep_in_ledger(
    session: Session,
    region: Region,
    state: ledger.DayState,
    sequences: ledger.Sequences,
    visit: Visit,
    found: ledger.Fit,
) -> None:
    """Store the day with the visit where it was found to fit (a crew visit: every member held
    at the crew's start); raises SlotUnavailable if the day as the database has it now cannot
    hold it after all (a last guard, never seen in tests)."""
    start_s = found.start_s if isinstance(found, ledger.CrewInsertion) else None
    added = ledger.with_visit(
        session=session, region=region, state=state, visit=visit, sequences=sequences,
        start_s=start_s,
    )  # fmt: skip
    if not ledger.holds(added.routes, visit):
        raise SlotUnavailable(
            "the window is no longer possible; ask for slots again.", loc=("body", "window_start")
        )
    ledger.store(session=session, region=region, state=added)


def _take_out(session: Session, region: Region, state: ledger.DayState, visit: Visit) -> None:
    """Store the day without the visit (cancelled, or moved to another day)."""
    removed = ledger.without_visit(
        session=session, region=region, state=state, visit_id=visit.id or 0
    )
    ledger.store(session=session, region=region, state=removed)
