"""Bay slots: a workshop's day cut into slots by its opening hours, and the slots with a free
bay at the workshops near an asset, nearest first (geodesic distance, geopy).

Slots are local times of the workshop's region (slot_minutes long, from opening until the last
that ends by closing), stored and compared in UTC.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from geopy.distance import geodesic
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.errors import InvalidInput
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import CoverageQuote
from dispatch.workshop import service as workshop_service
from dispatch.workshop.models import (
    LEAD_S,
    MAX_QUERY_DAYS,
    BaySlotPublic,
    BaySlotsPublic,
    Workshop,
    WorkshopBooking,
    WorkshopBookingStatus,
    WorkshopHours,
)

HORIZON_DAYS = 60  # as far ahead as visits may be booked


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # UTC
    end: datetime


def day_slots(
    workshop: Workshop, hours: WorkshopHours | None, day: date, region: Region
) -> list[Slot]:
    """The workshop's slots on a local day (none when it is closed that weekday)."""
    if hours is None:
        return []
    tz = region.zone
    step = timedelta(minutes=workshop.slot_minutes)
    start = datetime.combine(day, hours.opens, tz)
    closes = datetime.combine(day, hours.closes, tz)
    slots = []
    while start + step <= closes:
        slots.append(Slot(start.astimezone(UTC), (start + step).astimezone(UTC)))
        start += step
    return slots


def located(asset: Asset) -> tuple[float, float]:
    """The asset's coordinates; raises InvalidInput when it has none."""
    if asset.lat is None or asset.lon is None:
        raise InvalidInput(
            f"asset {asset.id} has no coordinates: set them (or geocode its address) first.",
            loc=("asset_id",),
        )
    return asset.lat, asset.lon


def distance_km(asset: Asset, workshop: Workshop) -> float:
    """Geodesic distance from the asset to the workshop, in km."""
    return float(geodesic(located(asset), (workshop.lat, workshop.lon)).km)


def bookable(slot: Slot, now: datetime) -> bool:
    """True when the slot starts at least LEAD_S from now and within the horizon."""
    return now + timedelta(seconds=LEAD_S) <= slot.start <= now + timedelta(days=HORIZON_DAYS)


def taken_bays(
    *, session: Session, workshop_ids: Sequence[int], first: datetime, last: datetime
) -> dict[tuple[int, datetime], set[int]]:
    """The bays held per (workshop, slot start) for slots starting in [first, last]."""
    rows = session.exec(
        select(WorkshopBooking.workshop_id, WorkshopBooking.slot_start, WorkshopBooking.bay).where(
            col(WorkshopBooking.workshop_id).in_(list(workshop_ids)),
            WorkshopBooking.status != WorkshopBookingStatus.CANCELLED,
            col(WorkshopBooking.slot_start) >= first,
            col(WorkshopBooking.slot_start) <= last,
        )
    ).all()
    taken: dict[tuple[int, datetime], set[int]] = {}
    for workshop_id, start, bay in rows:
        taken.setdefault((workshop_id, start), set()).add(bay)
    return taken


def days_between(first: date, last: date | None) -> list[date]:
    """The local days first..last (default a week); raises InvalidInput beyond MAX_QUERY_DAYS."""
    last = last or first + timedelta(days=6)
    if last < first:
        raise InvalidInput(f"to ({last}) is before from ({first}).", loc=("query", "to"))
    if (last - first).days + 1 > MAX_QUERY_DAYS:
        raise InvalidInput(f"ask for at most {MAX_QUERY_DAYS} days.", loc=("query", "to"))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def nearby_slots(
    *,
    session: Session,
    asset: Asset,
    kind: VisitKind,
    max_km: float,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
) -> list[BaySlotPublic]:
    """The slots with a free bay at workshops offering kind within max_km of the asset,
    nearest workshop first, then by time."""
    now = now or localtime.utc_now()
    workshops, _ = workshop_service.list_offering(session=session, kind=kind, limit=10_000)
    near = sorted(
        ((distance_km(asset, w), w) for w in workshops), key=lambda pair: (pair[0], pair[1].id)
    )
    near = [(d, w) for d, w in near if d <= max_km]
    offers: list[BaySlotPublic] = []
    for km, workshop in near:
        offers += _free_slots(session, workshop, km, first, last, now)
    return offers


def _free_slots(
    session: Session,
    workshop: Workshop,
    km: float,
    first: date | None,
    last: date | None,
    now: datetime,
) -> list[BaySlotPublic]:
    region = workshop_service.region_of(session=session, workshop=workshop)
    today = localtime.local_day(now, region.zone)
    hours = workshop_service.hours_of(session=session, workshop_id=workshop.id or 0)
    days = days_between(first or today, last)
    slots = [
        s
        for d in days
        for s in day_slots(workshop, hours.get(d.weekday()), d, region)
        if bookable(s, now)
    ]
    if not slots:
        return []
    taken = taken_bays(
        session=session, workshop_ids=[workshop.id or 0], first=slots[0].start, last=slots[-1].start
    )
    held = Counter({start: len(bays) for (_, start), bays in taken.items()})
    return [
        BaySlotPublic(
            workshop_id=workshop.id or 0,
            workshop_name=workshop.name,
            address=workshop.address,
            distance_km=round(km, 2),
            slot_start=s.start,
            slot_end=s.end,
            local_window=_local_window(s, region),
            free_bays=workshop.bays - held[s.start],
        )
        for s in slots
        if workshop.bays - held[s.start] > 0
    ]


def _local_window(slot: Slot, region: Region) -> str:
    tz = region.zone
    return f"{slot.start.astimezone(tz):%H:%M}-{slot.end.astimezone(tz):%H:%M}"


def quote(
    *, session: Session, asset: Asset, kind: VisitKind, region_id: int | None
) -> CoverageQuote:
    """Who would pay for a booking made now (request_service.quote, nothing used), in the day
    of the asset's region (its latest request's; else the first region)."""
    region = region_service.get(session=session, region_id=region_id) if region_id else None
    region = region or session.exec(select(Region).order_by(col(Region.id))).first()
    if region is None:
        raise InvalidInput("no region is set up yet.", loc=("asset_id",))
    return request_service.quote(session=session, asset=asset, kind=kind, region=region)


def offer(
    *,
    session: Session,
    asset: Asset,
    kind: VisitKind,
    max_km: float,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
) -> BaySlotsPublic:
    """The free bay slots near the asset (nearby_slots), who would pay, and whether the
    product may be serviced at home instead."""
    data = nearby_slots(
        session=session, asset=asset, kind=kind, max_km=max_km, first=first, last=last, now=now
    )
    region_id = request_service.latest_region_id(session=session, asset_id=asset.id or 0)
    return BaySlotsPublic(
        asset_id=asset.id or 0,
        kind=kind,
        max_km=max_km,
        data=data,
        count=len(data),
        coverage=quote(session=session, asset=asset, kind=kind, region_id=region_id),
        home_visit=asset.product_model.policy_for(kind) is not None,
    )
