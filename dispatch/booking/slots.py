"""Slot offers: the windows on which a visit for an asset can be promised, cheapest first.

A window is offered on a day only when the visit can be inserted into that day's routes with
every earlier promise kept (see ledger); the offers are ranked by the travel the visit adds.
A visit that needs a crew (its policy's crew_size, e.g. two installers for a large AC) is
offered a window only when that many distinct technicians can all start it at one moment in
it; a day with fewer of them at work says so (no_crew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.booking import ledger
from dispatch.booking.models import (
    HORIZON_DAYS,
    LEAD_DAYS,
    MAX_QUERY_DAYS,
    SLOT_WINDOWS_S,
    DayUnavailable,
    SlotPublic,
    SlotReason,
    SlotsPublic,
)
from dispatch.errors import InvalidInput, NotFound
from dispatch.product import service as product_service
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import CoverageQuote
from dispatch.request.service import DEFAULT_PRIORITY
from dispatch.technician.models import Technician, TechnicianSkill
from dispatch.telemetry import metrics

R = SlotReason
MESSAGES: dict[SlotReason, str] = {
    R.NO_SKILLED_TECHNICIAN: "No technician in region {region} has the skill {skill}.",
    R.NO_WORKING_TECHNICIAN: "No technician with the skill {skill} works on that day.",
    R.NO_CREW: (
        "The visit needs {crew} technicians with the skill {skill} at once; {working} of them "
        "work on that day."
    ),
    R.DAYS_FULL: "Every route that could take the visit is full on that day.",
    R.OUTSIDE_BOOKING_HORIZON: "Bookings open from tomorrow up to {horizon} days ahead.",
}


NO_CREW_ON_ANY_DAY = (
    "The visit needs {crew} technicians with the skill {skill} at once; no day asked has that "
    "many at work."
)


@dataclass(frozen=True, slots=True)
class Window:
    """A candidate window on a day: seconds of the local day and the same in UTC."""

    day: date
    start_s: int
    end_s: int
    start: datetime
    end: datetime


def windows_of(day: date, region: Region) -> list[Window]:
    """The candidate windows of a local day (SLOT_WINDOWS_S)."""
    tz = region.zone
    return [
        Window(day, a, b, localtime.to_utc(day, a, tz), localtime.to_utc(day, b, tz))
        for a, b in SLOT_WINDOWS_S
    ]


def bookable_days(region: Region, now: datetime) -> tuple[date, date]:
    """The first and last day a customer may book now (in the region's time)."""
    today = localtime.local_day(now, region.zone)
    return today + timedelta(days=LEAD_DAYS), today + timedelta(days=HORIZON_DAYS)


def offered_window(*, region: Region, start: datetime, end: datetime, now: datetime) -> Window:
    """The candidate window that starts and ends as asked; raises InvalidInput otherwise."""
    day = localtime.local_day(localtime.require_aware(start, "window_start"), region.zone)
    first, last = bookable_days(region, now)
    if not first <= day <= last:
        msg = f"{day} is outside the booking horizon ({first} to {last})."
        raise InvalidInput(msg, loc=("body", "window_start"))
    for window in windows_of(day, region):
        if window.start == start and window.end == localtime.require_aware(end, "window_end"):
            return window
    raise InvalidInput(
        "not an offered window: take window_start and window_end from GET /v1/slots.",
        loc=("body", "window_start"),
    )


def region_for_asset(*, session: Session, asset: Asset, region_code: str | None = None) -> Region:
    """Where the asset is served: the region named, else that of its last request, else the
    region of the technician base nearest to it."""
    if region_code is not None:
        region = region_service.get_by_code(session=session, code=region_code)
        if region is None:
            raise NotFound(f"region {region_code!r} does not exist.", loc=("region",))
        return region
    last = request_service.latest_region_id(session=session, asset_id=asset.id or 0)
    if last is not None:
        return region_service.get_or_raise(session=session, region_id=last)
    return _nearest_region(session, asset)


def _nearest_region(session: Session, asset: Asset) -> Region:
    lat, lon = located(asset)
    bases = session.exec(
        select(Technician.region_id, Technician.start_lat, Technician.start_lon).where(
            col(Technician.active).is_(True)
        )
    ).all()
    if not bases:
        raise InvalidInput("no region has technicians to serve this asset.", loc=("asset_id",))
    # Squared degrees are enough to pick the nearest base within one country.
    region_id = min(bases, key=lambda b: (b[1] - lat) ** 2 + (b[2] - lon) ** 2)[0]
    return region_service.get_or_raise(session=session, region_id=region_id)


def located(asset: Asset) -> tuple[float, float]:
    """The asset's coordinates; raises InvalidInput when it has none."""
    if asset.lat is None or asset.lon is None:
        raise InvalidInput(
            f"asset {asset.id} has no coordinates: set them (or geocode its address) first.",
            loc=("asset_id",),
        )
    return asset.lat, asset.lon


def candidate(asset: Asset, kind: VisitKind) -> ledger.Candidate:
    """The visit a booking of this kind would add (its policy gives duration and skill)."""
    policy = product_service.policy_for(product_model=asset.product_model, kind=kind)
    lat, lon = located(asset)
    skills = frozenset({policy.skill})
    priority = DEFAULT_PRIORITY[kind]
    return ledger.Candidate(lat, lon, policy.duration_s, skills, priority, policy.crew_size)


@metrics.SLOT_QUERY_SECONDS.time()
def offer_slots(
    *,
    session: Session,
    asset: Asset,
    kind: VisitKind,
    region: Region,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
    store: bool = True,
) -> SlotsPublic:
    """The windows from first to last (local days, both included; default the next 7 bookable
    days) on which the visit fits, cheapest insertion first, and why the other days have none.
    With store, ledgers rebuilt on the way are saved (one commit) for the next query."""
    now = now or localtime.utc_now()
    want = candidate(asset, kind)
    open_from, open_to = bookable_days(region, now)
    days = _days(first or open_from, last)
    bookable = [d for d in days if open_from <= d <= open_to]
    result = _empty(asset, kind, region, want)
    result.coverage = quote(session=session, asset=asset, kind=kind, region=region, now=now)
    result.unavailable = [
        _no(d, R.OUTSIDE_BOOKING_HORIZON, region, want) for d in days if d not in bookable
    ]
    if not _has_skilled(session, region, want.skills):
        return _answer(result, R.NO_SKILLED_TECHNICIAN, region, want)
    states = ledger.read_days(session=session, region=region, days=bookable)
    for day in bookable:
        _offer_day(result, states[day], windows_of(day, region), want, region)
    stale = [state for state in states.values() if state.stale]
    if store and stale:
        for state in stale:
            ledger.store(session=session, region=region, state=state)
        session.commit()
    return _ranked(result, region, want)


def quote(
    *, session: Session, asset: Asset, kind: VisitKind, region: Region, now: datetime
) -> CoverageQuote:
    """Who would pay for a booking of this kind made now: the decision of the asset's open
    request of the kind when one waits (a booking books that one, see booking.service), else
    the request rule's quote (nothing is used)."""
    waiting = request_service.list_open(session=session, asset_id=asset.id or 0, kind=kind)
    if waiting:
        return CoverageQuote.model_validate(waiting[0], from_attributes=True)
    return request_service.quote(session=session, asset=asset, kind=kind, region=region, now=now)


def _days(first: date, last: date | None) -> list[date]:
    """The days from first to last (a week when last is None); raises InvalidInput when the
    range is reversed or longer than MAX_QUERY_DAYS."""
    last = last or first + timedelta(days=6)
    if last < first or (last - first).days >= MAX_QUERY_DAYS:
        msg = f"give from <= to, at most {MAX_QUERY_DAYS} days apart."
        raise InvalidInput(msg, loc=("query", "to"))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _ranked(result: SlotsPublic, region: Region, want: ledger.Candidate) -> SlotsPublic:
    """The offers cheapest first; with none, the reason: a full day, else nobody at work, else
    every day outside the horizon."""
    result.data.sort(key=lambda s: (s.added_travel_s, s.window_start))
    result.count = len(result.data)
    if result.data:
        return result
    reasons = {u.reason for u in result.unavailable}
    overall = next(
        (r for r in (R.DAYS_FULL, R.NO_CREW, R.NO_WORKING_TECHNICIAN) if r in reasons),
        R.OUTSIDE_BOOKING_HORIZON,
    )
    return _answer(result, overall, region, want)


def _has_skilled(session: Session, region: Region, skills: frozenset[str]) -> bool:
    """True when an active technician of the region has the skills (on any day)."""
    having_all = (
        select(TechnicianSkill.technician_id)
        .where(col(TechnicianSkill.skill).in_(list(skills)))
        .group_by(col(TechnicianSkill.technician_id))
        .having(func.count() == len(skills))
    )
    query = select(Technician.id).where(
        Technician.region_id == region.id,
        col(Technician.active).is_(True),
        col(Technician.id).in_(having_all),
    )
    return session.exec(query.limit(1)).first() is not None


def _offer_day(
    result: SlotsPublic,
    state: ledger.DayState,
    windows: list[Window],
    want: ledger.Candidate,
    region: Region,
) -> None:
    """Add the day's feasible windows to result, or the day's reason to have none."""
    working = ledger.skilled_at_work(state.routes, want.skills)
    if working == 0:
        result.unavailable.append(_no(state.day, R.NO_WORKING_TECHNICIAN, region, want))
        return
    if working < want.crew_size:
        result.unavailable.append(_no(state.day, R.NO_CREW, region, want, working))
        return
    spans = [(w.start_s, w.end_s) for w in windows]
    found = ledger.fits(state.routes, want, spans, region=region, day=state.day)
    offers = [
        SlotPublic(
            day=w.day,
            window_start=w.start,
            window_end=w.end,
            local_window=f"{_hhmm(w.start_s)}-{_hhmm(w.end_s)}",
            added_travel_s=f.added_travel_s,
        )
        for w, f in zip(windows, found, strict=True)
        if f is not None
    ]
    if not offers:
        result.unavailable.append(_no(state.day, R.DAYS_FULL, region, want))
    result.data.extend(offers)


def _hhmm(t_s: int) -> str:
    return f"{t_s // 3600:02d}:{t_s // 60 % 60:02d}"


def _empty(asset: Asset, kind: VisitKind, region: Region, want: ledger.Candidate) -> SlotsPublic:
    return SlotsPublic(
        asset_id=asset.id or 0,
        kind=kind,
        region=region.code,
        timezone=region.timezone,
        duration_s=want.duration_s,
        skill=", ".join(sorted(want.skills)),
        crew_size=want.crew_size,
        data=[],
        count=0,
        unavailable=[],
    )


def _text(reason: SlotReason, region: Region, want: ledger.Candidate, working: int = 0) -> str:
    skill = ", ".join(sorted(want.skills))
    template = MESSAGES[reason]
    if reason is R.NO_CREW and working == 0:  # the answer over all days, not one day's
        template = NO_CREW_ON_ANY_DAY
    return template.format(
        region=region.code, skill=skill, horizon=HORIZON_DAYS, crew=want.crew_size,
        working=working,
    )  # fmt: skip


def _no(
    day: date, reason: SlotReason, region: Region, want: ledger.Candidate, working: int = 0
) -> DayUnavailable:
    message = _text(reason, region, want, working)
    return DayUnavailable(day=day, reason=reason, message=message)


def _answer(
    result: SlotsPublic, reason: SlotReason, region: Region, want: ledger.Candidate
) -> SlotsPublic:
    result.reason, result.message = reason, _text(reason, region, want)
    return result
