"""Outreach services: queue messages on visit and booking events, and sweep for any missed.

The hooks (on_visit_event, on_booking_event) are steps: they join the caller's transaction
and never commit, inside a savepoint, so a message that cannot be built is logged and left to
the next sweep instead of failing the booking or the visit event. The sweeps are services
run by the scheduler (committing in batches); every message has an idempotency key, so a hook
and a sweep, or two sweeps after a restart, queue it once.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, select

from dispatch import events, localtime
from dispatch.config import Settings, get_settings
from dispatch.feedback import service as feedback_service
from dispatch.field.arrival import eta
from dispatch.outreach import bay, compose, outbox, texts
from dispatch.outreach.compose import VisitFacts, visit_key, window_stamp
from dispatch.outreach.models import MessageKind
from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from dispatch.visit.lifecycle import PLANNABLE
from dispatch.visit.models import FailureReason, Visit, VisitStatus

log = logging.getLogger("purna.outreach")

K = MessageKind
S = VisitStatus
VisitEvent = Literal["en_route", "arrived", "on_site", "completed", "failed"]
BookingEvent = Literal["confirmed", "rescheduled", "cancelled"]
BOOKING_NOTICES = [K.BOOKING_CONFIRMED, K.BOOKING_RESCHEDULED]
SWEEP_BATCH = 200


def on_visit_event(
    *,
    session: Session,
    visit: Visit,
    event: VisitEvent | str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> list[MessageKind]:
    """Step: queue what a visit event calls for (on the way, survey, follow-up and alert)."""
    settings = settings or get_settings()
    at = now or localtime.utc_now()
    return _guarded(session, visit, lambda: _visit_event(session, visit, event, settings, at))


def on_booking_event(
    *,
    session: Session,
    visit: Visit,
    event: BookingEvent | str,
    now: datetime | None = None,
) -> list[MessageKind]:
    """Step: queue the confirmation, reschedule or cancel notice of a booked visit."""
    at = now or localtime.utc_now()
    return _guarded(session, visit, lambda: _booking_event(session, visit, event, at))


def _on_visit_changed(change: events.VisitChanged) -> None:
    """Queue what a booking change or a field event calls for (subscribed to dispatch.events)."""
    if change.source == "survey":
        return  # an answer calls for no message
    if change.source == "booking":
        session, visit = change.session, change.visit
        on_booking_event(session=session, visit=visit, event=change.name, now=change.at)
        return
    on_visit_event(
        session=change.session,
        visit=change.visit,
        event=change.name,
        settings=change.settings,
        now=change.at,
    )


events.subscribe(_on_visit_changed)


def _guarded(
    session: Session, visit: Visit, work: Callable[[], list[MessageKind | None]]
) -> list[MessageKind]:
    """Run work in a savepoint; on failure roll back only the savepoint and log it."""
    try:
        with session.begin_nested():
            return [kind for kind in work() if kind is not None]
    except Exception:  # the sweep retries; a message must never fail the caller's change
        log.exception("could not queue a message for visit %s", visit.id)
        return []


def _visit_event(
    session: Session, visit: Visit, event: str, settings: Settings, now: datetime
) -> list[MessageKind | None]:
    facts = compose.facts_of(session, visit)
    if event == "en_route":
        return [_on_the_way(session, facts, now)]
    if event == "completed":
        return [_survey(session, facts, settings, now)]
    if event == "failed":
        return _failure(session, facts, settings, now)
    return []


def _booking_event(
    session: Session, visit: Visit, event: str, now: datetime
) -> list[MessageKind | None]:
    facts = compose.facts_of(session, visit)
    if event == "cancelled":
        return [_cancellation(session, facts, now)]
    hint = K.BOOKING_RESCHEDULED if event == "rescheduled" else None
    return [_booking_notice(session, facts, now, hint)]


def sweep_visits(*, session: Session, now: datetime, settings: Settings) -> Counter[str]:
    """Queue every visit message an event called for but nobody queued; counts by kind."""
    now = localtime.require_aware(now, "now")
    since = now - timedelta(hours=settings.outreach_lookback_h)
    queued: Counter[str] = Counter()
    steps: list[tuple[list[Visit], Callable[[VisitFacts], list[MessageKind | None]]]] = [
        (_future_booked(session, now), lambda f: [_booking_notice(session, f, now, None)]),
        (
            _changed(session, S.CANCELLED, "cancelled_at", since, now),
            lambda f: [_cancellation(session, f, now)],
        ),
        (
            _changed(session, S.EN_ROUTE, "en_route_at", since, now),
            lambda f: [_on_the_way(session, f, now)],
        ),
        (
            _changed(session, S.COMPLETED, "ended_at", since, now),
            lambda f: [_survey(session, f, settings, now)],
        ),
        (
            _changed(session, S.FAILED, "ended_at", since, now),
            lambda f: _failure(session, f, settings, now),
        ),
    ]
    for visits, queue in steps:
        for start in range(0, len(visits), SWEEP_BATCH):
            for facts in _facts(session, visits[start : start + SWEEP_BATCH]):
                queued.update(_kinds(queue(facts)))
            # Every message is keyed, so committing in batches is safe; it keeps a first sweep
            # over many bookings from holding SQLite's write lock for long.
            session.commit()
    return queued


def queue_reminders(*, session: Session, now: datetime, settings: Settings) -> int:
    """Queue a reminder for every visit promised and every bay booked for tomorrow (each
    region's local tomorrow)."""
    now = localtime.require_aware(now, "now")
    queued = 0
    for region in session.exec(select(Region).order_by(col(Region.id))).all():
        tomorrow = localtime.local_day(now, region.zone) + timedelta(days=1)
        visits = visit_service.list_for_day(
            session=session, region=region, day=tomorrow, statuses=PLANNABLE
        )
        starting = [
            v
            for v in visits
            if v.window_start and localtime.local_day(v.window_start, region.zone) == tomorrow
        ]
        for facts in _facts(session, starting):
            key = visit_key(facts.visit.id, K.VISIT_REMINDER, tomorrow.isoformat())
            draft = compose.for_customer(facts, K.VISIT_REMINDER, key, now)
            queued += outbox.enqueue(session=session, draft=draft)
    queued += bay.queue_bay_reminders(session=session, now=now)
    session.commit()
    return queued


def _booking_notice(
    session: Session, facts: VisitFacts, now: datetime, hint: MessageKind | None
) -> MessageKind | None:
    """A confirmation for the visit's current window; a reschedule notice if one came before."""
    visit = facts.visit
    if visit.window_start is None or visit.status not in PLANNABLE:
        return None
    key = visit_key(visit.id, "booking", window_stamp(visit.window_start))
    if outbox.exists(session=session, idempotency_key=key):
        return None
    earlier = outbox.keys_for_visits(
        session=session, visit_ids=[visit.id or 0], kinds=BOOKING_NOTICES
    )
    kind = hint or (K.BOOKING_RESCHEDULED if earlier else K.BOOKING_CONFIRMED)
    draft = compose.for_customer(facts, kind, key, now)
    return kind if outbox.enqueue(session=session, draft=draft) else None


def _cancellation(session: Session, facts: VisitFacts, now: datetime) -> MessageKind | None:
    visit = facts.visit
    if visit.status is not S.CANCELLED or visit.window_end is None:
        return None
    if visit.cancelled_at is not None and visit.cancelled_at >= visit.window_end:
        return None  # cancelled after its window: nothing left to tell the customer
    key = visit_key(visit.id, K.BOOKING_CANCELLED)
    if outbox.exists(session=session, idempotency_key=key):
        return None
    draft = compose.for_customer(facts, K.BOOKING_CANCELLED, key, now)
    return K.BOOKING_CANCELLED if outbox.enqueue(session=session, draft=draft) else None


def _on_the_way(session: Session, facts: VisitFacts, now: datetime) -> MessageKind | None:
    visit, technician = facts.visit, facts.technician
    if visit.status is not S.EN_ROUTE or technician is None:
        return None
    key = visit_key(visit.id, K.ON_THE_WAY)
    if outbox.exists(session=session, idempotency_key=key):
        return None
    language = facts.customer.language
    arrival = eta(session=session, visit=visit, technician=technician, region=facts.region)
    extra = {"eta": texts.time_text(arrival, facts.region.zone, language), "eta_at": arrival}
    draft = compose.for_customer(facts, K.ON_THE_WAY, key, now, _str(extra))
    return K.ON_THE_WAY if outbox.enqueue(session=session, draft=draft) else None


def _survey(
    session: Session, facts: VisitFacts, settings: Settings, now: datetime
) -> MessageKind | None:
    """The survey link, sent survey_delay_s after the visit ended (one token per visit)."""
    visit = facts.visit
    key = visit_key(visit.id, K.SURVEY)
    if visit.status is not S.COMPLETED or outbox.exists(session=session, idempotency_key=key):
        return None
    token = feedback_service.issue(
        session=session, visit=visit, now=now, valid_days=settings.survey_valid_days
    )
    if token is None:
        return None  # a survey exists: whoever issued it queued its message
    link = f"{settings.public_base_url.rstrip('/')}/v1/surveys/{token}"
    ended = visit.ended_at or now
    send_at = ended + timedelta(seconds=settings.survey_delay_s)
    draft = compose.for_customer(facts, K.SURVEY, key, send_at, {"link": link})
    return K.SURVEY if outbox.enqueue(session=session, draft=draft) else None


def _failure(
    session: Session, facts: VisitFacts, settings: Settings, now: datetime
) -> list[MessageKind | None]:
    """A follow-up message to the customer and an alert to the region's dispatchers."""
    visit = facts.visit
    follow_key = visit_key(visit.id, K.FOLLOW_UP)
    alert_key = visit_key(visit.id, K.DISPATCHER_ALERT)
    if visit.status is not S.FAILED or outbox.exists(session=session, idempotency_key=alert_key):
        return []
    reason = visit.failure_reason or FailureReason.OTHER
    language = facts.customer.language
    extra = {"reason": texts.FAILURE_REASONS[language][reason]}
    customer = compose.for_customer(facts, K.FOLLOW_UP, follow_key, now, extra)
    follow_up = visit_service.follow_up_of(session=session, visit=visit)
    alert_extra = {
        "reason": texts.FAILURE_REASONS[compose.DISPATCH_LANGUAGE][reason],
        "follow_up_id": str(follow_up.id) if follow_up else "-",
    }
    alert = compose.dispatcher_alert(
        facts, alert_key, now, alert_extra, settings.dispatcher_alert_email
    )
    return [
        K.FOLLOW_UP if outbox.enqueue(session=session, draft=customer) else None,
        K.DISPATCHER_ALERT if outbox.enqueue(session=session, draft=alert) else None,
    ]


def _future_booked(session: Session, now: datetime) -> list[Visit]:
    query = select(Visit).where(
        col(Visit.status).in_(list(PLANNABLE)), col(Visit.window_start) > now
    )
    visits = list(session.exec(query.order_by(col(Visit.id))).all())
    keys = outbox.keys_for_visits(
        session=session, visit_ids=[v.id or 0 for v in visits], kinds=BOOKING_NOTICES
    )
    return [
        v
        for v in visits
        if (v.id, visit_key(v.id, "booking", window_stamp(v.window_start or now))) not in keys
    ]


def _changed(
    session: Session, status: VisitStatus, stamp: str, since: datetime, now: datetime
) -> list[Visit]:
    """Visits in status whose timestamp `stamp` lies in [since, now]."""
    column = col(getattr(Visit, stamp))
    query = select(Visit).where(Visit.status == status, column >= since, column <= now)
    return list(session.exec(query.order_by(col(Visit.id))).all())


def _facts(session: Session, visits: Iterable[Visit]) -> Iterable[VisitFacts]:
    for visit in visits:
        yield compose.facts_of(session, visit)


def _kinds(kinds: Iterable[MessageKind | None]) -> list[str]:
    return [str(k) for k in kinds if k is not None]


def _str(values: dict[str, Any]) -> dict[str, str]:
    return {k: v.isoformat() if isinstance(v, datetime) else str(v) for k, v in values.items()}
