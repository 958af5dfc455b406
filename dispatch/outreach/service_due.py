"""Service-due reminders: a free periodic service falling due, an entitlement about to expire,
a warranty about to end; each message carries the best slots Purna can offer for it.

When is a free service due: `service_interval_days` after the last completed periodic service
of the asset, or after its purchase when it has had none; the reminder goes out
`service_due_notice_days` before, once per free service (key `asset:<id>:service_due:<n>`).
Nothing is sent while the asset has an open request of that kind: it is already booked.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.booking import slots
from dispatch.booking.models import MAX_QUERY_DAYS
from dispatch.config import Settings
from dispatch.customer.models import Customer, Language
from dispatch.entitlement.models import ENTITLEMENT_FOR_KIND, Entitlement, EntitlementKind
from dispatch.errors import DomainError
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.models import MessageKind
from dispatch.product.models import VisitKind
from dispatch.request import service as request_service
from dispatch.request.models import RequestStatus, ServiceRequest
from dispatch.visit.models import Visit, VisitStatus
from dispatch.warranty import service as warranty_service

K = MessageKind
KIND_FOR_ENTITLEMENT = {e: k for k, e in ENTITLEMENT_FOR_KIND.items()}

# (session, asset, kind, first day, last day, how many, now) -> promised windows, best first.
SlotFinder = Callable[
    [Session, Asset, VisitKind, date, date, int, datetime], list[tuple[datetime, datetime]]
]


@dataclass(frozen=True, slots=True)
class Due:
    """One reminder to send: about which asset, what kind of visit, by when."""

    asset: Asset
    message: MessageKind
    visit_kind: VisitKind
    key: str
    by: date
    context: Callable[[Language], dict[str, str]]  # the message's own fields, in a language


def queue_service_due(
    *, session: Session, now: datetime, settings: Settings, find_slots: SlotFinder
) -> Counter[str]:
    """Queue every service-due, expiry and warranty reminder that is due today; counts by kind."""
    zone = localtime.zone(settings.default_timezone)
    today = localtime.local_day(now, zone)
    found = [
        *_services_due(session, today, settings.service_due_notice_days, zone),
        *_entitlements_expiring(session, today, settings.expiry_notice_days),
        *_warranties_ending(session, today, settings.expiry_notice_days),
    ]
    queued: Counter[str] = Counter()
    seen: set[tuple[int | None, VisitKind]] = set()
    for due in found:
        # One reminder per asset and kind of visit: a free service falling due already says
        # what an expiring free-service entitlement would.
        if (due.asset.id, due.visit_kind) in seen:
            continue
        seen.add((due.asset.id, due.visit_kind))
        if outbox.exists(session=session, idempotency_key=due.key):
            continue
        if _queue(session, due, now, today, settings, find_slots):
            queued[str(due.message)] += 1
    session.commit()
    return queued


def _queue(
    session: Session,
    due: Due,
    now: datetime,
    today: date,
    settings: Settings,
    find_slots: SlotFinder,
) -> bool:
    customer = session.get(Customer, due.asset.customer_id)
    if customer is None:
        return False
    last_day = max(due.by, today + timedelta(days=7))
    offered = find_slots(
        session,
        due.asset,
        due.visit_kind,
        today + timedelta(days=1),
        last_day,
        settings.service_due_slots,
        now,
    )
    zone = localtime.zone(settings.default_timezone)
    language = customer.language
    context = {
        "what": texts.VISIT_KINDS[language][due.visit_kind],
        "slots": texts.slots_text(offered, zone, language),
    } | due.context(language)
    region_id = request_service.latest_region_id(session=session, asset_id=due.asset.id or 0)
    draft = compose.for_asset(customer, due.asset, due.message, due.key, now, context, region_id)
    return outbox.enqueue(session=session, draft=draft)


def _services_due(session: Session, today: date, notice_days: int, zone: ZoneInfo) -> list[Due]:
    rows = session.exec(
        select(Entitlement, Asset)
        .join(Asset, col(Asset.id) == col(Entitlement.asset_id))
        .where(
            Entitlement.kind == EntitlementKind.FREE_SERVICE,
            col(Entitlement.used) < col(Entitlement.total),
            col(Entitlement.valid_until).is_(None) | (col(Entitlement.valid_until) >= today),
        )
        .order_by(col(Asset.id))
    ).all()
    last = _last_service_days(session, [asset.id or 0 for _, asset in rows], zone)
    found = []
    for entitlement, asset in rows:
        interval = asset.product_model.service_interval_days
        if interval is None:
            continue
        due = last.get(asset.id or 0, asset.purchase_date) + timedelta(days=interval)
        expired_first = entitlement.valid_until is not None and due > entitlement.valid_until
        if due - timedelta(days=notice_days) > today or expired_first:
            continue
        if _has_open_request(session, asset, VisitKind.PERIODIC_SERVICE):
            continue
        key = f"asset:{asset.id}:service_due:{entitlement.used + 1}"
        context = _dates(due_date=due)
        found.append(Due(asset, K.SERVICE_DUE, VisitKind.PERIODIC_SERVICE, key, due, context))
    return found


def _entitlements_expiring(session: Session, today: date, notice_days: int) -> list[Due]:
    rows = session.exec(
        select(Entitlement, Asset)
        .join(Asset, col(Asset.id) == col(Entitlement.asset_id))
        .where(
            col(Entitlement.used) < col(Entitlement.total),
            col(Entitlement.valid_until) >= today,
            col(Entitlement.valid_until) <= today + timedelta(days=notice_days),
        )
        .order_by(col(Entitlement.id))
    ).all()
    found = []
    for entitlement, asset in rows:
        kind = KIND_FOR_ENTITLEMENT[EntitlementKind(entitlement.kind)]
        if entitlement.valid_until is None or _has_open_request(session, asset, kind):
            continue
        key = f"entitlement:{entitlement.id}:expiring:{entitlement.valid_until}"
        context = _expiry_context(entitlement, entitlement.valid_until)
        found.append(
            Due(asset, K.ENTITLEMENT_EXPIRING, kind, key, entitlement.valid_until, context)
        )
    return found


def _warranties_ending(session: Session, today: date, notice_days: int) -> list[Due]:
    found = []
    for asset in session.exec(select(Asset).order_by(col(Asset.id))).all():
        months = asset.product_model.warranty_months
        end = warranty_service.valid_until(asset.purchase_date, months)
        if months == 0 or not today <= end <= today + timedelta(days=notice_days):
            continue
        kind = (
            VisitKind.INSPECTION
            if asset.product_model.policy_for(VisitKind.INSPECTION)
            else VisitKind.REPAIR
        )
        key = f"asset:{asset.id}:warranty_ending:{end}"
        found.append(Due(asset, K.WARRANTY_ENDING, kind, key, end, _dates(valid_until=end)))
    return found


def _dates(**days: date) -> Callable[[Language], dict[str, str]]:
    """Context fields that are dates, written out in the customer's language."""
    return lambda language: {name: texts.day_text(d, language) for name, d in days.items()}


def _expiry_context(
    entitlement: Entitlement, valid_until: date
) -> Callable[[Language], dict[str, str]]:
    kind = EntitlementKind(entitlement.kind)
    return lambda language: {
        "entitlement": texts.ENTITLEMENTS[language][kind],
        "remaining": str(entitlement.remaining),
        "valid_until": texts.day_text(valid_until, language),
    }


def _last_service_days(session: Session, asset_ids: list[int], zone: ZoneInfo) -> dict[int, date]:
    """The local day of each asset's last completed periodic service (due dates count from it,
    and `today` is local too)."""
    if not asset_ids:
        return {}
    rows = session.exec(
        select(ServiceRequest.asset_id, func.max(Visit.ended_at))
        .join(Visit, col(Visit.request_id) == col(ServiceRequest.id))
        .where(
            col(ServiceRequest.asset_id).in_(asset_ids),
            ServiceRequest.kind == VisitKind.PERIODIC_SERVICE,
            Visit.status == VisitStatus.COMPLETED,
        )
        .group_by(col(ServiceRequest.asset_id))
    ).all()
    return {asset_id: _as_day(ended, zone) for asset_id, ended in rows if ended is not None}


def _as_day(value: datetime | str, zone: ZoneInfo) -> date:
    """The local day of a UTC moment; max() over a UTC column comes back untyped (a naive UTC
    text) on SQLite."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return localtime.local_day(moment.replace(tzinfo=moment.tzinfo or UTC), zone)


def _has_open_request(session: Session, asset: Asset, kind: VisitKind) -> bool:
    query = select(ServiceRequest.id).where(
        ServiceRequest.asset_id == asset.id,
        ServiceRequest.kind == kind,
        ServiceRequest.status == RequestStatus.OPEN,
    )
    return session.exec(query).first() is not None


def offered_slots(
    session: Session,
    asset: Asset,
    kind: VisitKind,
    first: date,
    last: date,
    limit: int,
    now: datetime,
) -> list[tuple[datetime, datetime]]:
    """The cheapest windows the booking service offers for this visit (none when it cannot)."""
    last = min(last, first + timedelta(days=MAX_QUERY_DAYS - 1))
    try:
        region = slots.region_for_asset(session=session, asset=asset)
        offer = slots.offer_slots(
            session=session,
            asset=asset,
            kind=kind,
            region=region,
            first=first,
            last=last,
            now=now,
            store=False,
        )
    except DomainError:  # e.g. no coordinates, no region with technicians: remind anyway
        return []
    return [(s.window_start, s.window_end) for s in offer.data[:limit]]
