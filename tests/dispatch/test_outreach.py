"""Outreach: hooks and sweeps queue each visit message once, in the customer's language."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from dispatch.config import Settings
from dispatch.customer.models import Language
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import Survey
from dispatch.outreach import outbox
from dispatch.outreach import service as outreach_service
from dispatch.outreach.models import Audience, MessageKind, MessageState, OutboxMessage
from dispatch.outreach.outbox import Draft
from dispatch.planning import service as planning_service
from dispatch.planning.models import PlanOptions
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_customer,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

K = MessageKind
SETTINGS = Settings(_env_file=None, public_base_url="https://purna.example")  # type: ignore[call-arg]


def _messages(session: Session, kind: MessageKind | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.exec(query).all())


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def _draft(key: str) -> Draft:
    return Draft(
        kind=K.SURVEY,
        idempotency_key=key,
        audience=Audience.CUSTOMER,
        language=Language.EN,
        recipient_name="Siti",
        subject="s",
        body="b",
        next_attempt_at=datetime(2026, 3, 10, tzinfo=UTC),
    )


def test_enqueue_same_key_queues_once(session: Session) -> None:
    """A second message with the same idempotency key is ignored, not an error."""
    assert outbox.enqueue(session=session, draft=_draft("visit:1:x")) is True
    assert outbox.enqueue(session=session, draft=_draft("visit:1:x")) is False
    session.commit()
    assert [m.idempotency_key for m in _messages(session)] == ["visit:1:x"]
    assert _messages(session)[0].state is MessageState.QUEUED


def test_on_booking_event_confirms_then_announces_a_reschedule(session: Session) -> None:
    """A booking gets a confirmation; a new window gets a reschedule notice; repeats add nothing."""
    visit = make_visit(session)
    at = local(DAY, 8)
    assert outreach_service.on_booking_event(session=session, visit=visit, event="confirmed") == [
        K.BOOKING_CONFIRMED
    ]
    assert outreach_service.on_booking_event(session=session, visit=visit, event="confirmed") == []
    session.commit()
    visit_service.book(
        session=session,
        visit=visit,
        window_start=local(DAY, 13),
        window_end=local(DAY, 15),
        at=at,
    )
    kinds = outreach_service.on_booking_event(session=session, visit=visit, event="confirmed")
    session.commit()
    assert kinds == [K.BOOKING_RESCHEDULED]
    confirmed, moved = _messages(session)
    assert confirmed.subject == "Jadwal pemasangan Anda: Selasa, 10 Maret 2026"
    assert "pukul 09.00-12.00 WIB" in confirmed.body
    assert "sekarang Selasa, 10 Maret 2026, pukul 13.00-15.00 WIB" in moved.body
    assert confirmed.recipient_phone == "+62 812 3456 7890"
    assert moved.visit_id == visit.id


def test_on_booking_event_writes_english_for_an_english_customer(session: Session) -> None:
    """The customer's language picks the template."""
    customer = make_customer(session, language=Language.EN, name="John Smith")
    visit = make_visit(
        session, request=make_request(session, asset=make_asset(session, customer=customer))
    )
    outreach_service.on_booking_event(session=session, visit=visit, event="confirmed")
    session.commit()
    (message,) = _messages(session)
    assert message.language is Language.EN
    assert message.subject == "Your installation is booked: Tuesday 10 March 2026"
    assert message.body.startswith("Hello John Smith, the installation of your Sejuk AC Split")
    assert "09:00-12:00 WIB" in message.body


def test_on_booking_event_cancelled_notifies_once(session: Session) -> None:
    """Cancelling a booked visit queues one cancel notice; its pending confirmation stays unsent."""
    visit = make_visit(session)
    outreach_service.on_booking_event(session=session, visit=visit, event="confirmed")
    visit = visit_service.cancel(
        session=session, visit=visit, at=local(DAY - timedelta(days=1), 10)
    )
    assert outreach_service.on_booking_event(session=session, visit=visit, event="cancelled") == [
        K.BOOKING_CANCELLED
    ]
    assert outreach_service.on_booking_event(session=session, visit=visit, event="cancelled") == []
    session.commit()
    assert [m.kind for m in _messages(session)] == [K.BOOKING_CONFIRMED, K.BOOKING_CANCELLED]


def test_on_visit_event_en_route_gives_eta_from_the_technician_base(session: Session) -> None:
    """ "On the way" carries an ETA: departure plus the great-circle drive at the region's speed."""
    technician = make_technician(session, start_lat=-6.2607, start_lon=106.7137)
    visit = make_visit(session, status=VisitStatus.EN_ROUTE, technician=technician)
    # 0.1 degree of longitude at 6.26 S is 11.05 km; x 1.4 road factor / 25 km/h = 37.1 min.
    kinds = outreach_service.on_visit_event(
        session=session, visit=visit, event="en_route", settings=SETTINGS
    )
    session.commit()
    assert kinds == [K.ON_THE_WAY]
    (message,) = _messages(session)
    assert message.data["eta"] == "10.07"  # left 09:30, 37 minutes of driving
    assert "diperkirakan tiba sekitar pukul 10.07" in message.body
    assert message.subject == f"Teknisi {technician.name.split()[0]} sedang menuju lokasi Anda"


def test_on_visit_event_completed_queues_survey_one_hour_later(session: Session) -> None:
    """Completion issues a one-time survey token and queues its link for an hour later."""
    visit = make_visit(session, status=VisitStatus.COMPLETED)
    kinds = outreach_service.on_visit_event(
        session=session, visit=visit, event="completed", settings=SETTINGS
    )
    session.commit()
    assert kinds == [K.SURVEY]
    (message,) = _messages(session)
    assert visit.ended_at is not None
    assert message.next_attempt_at == visit.ended_at + timedelta(hours=1)
    token = message.data["link"].rsplit("/", 1)[1]
    assert message.data["link"] == f"https://purna.example/v1/surveys/{token}"
    survey = feedback_service.get_by_token(session=session, token=token)
    assert survey is not None and survey.visit_id == visit.id
    assert survey.token_hash != token


def test_on_visit_event_failed_queues_follow_up_and_dispatcher_alert(session: Session) -> None:
    """A failed visit tells the customer why and alerts the dispatchers with the follow-up id."""
    visit = make_visit(session, status=VisitStatus.FAILED)
    kinds = outreach_service.on_visit_event(
        session=session, visit=visit, event="failed", settings=SETTINGS
    )
    session.commit()
    assert kinds == [K.FOLLOW_UP, K.DISPATCHER_ALERT]
    follow_up = visit_service.follow_up_of(session=session, visit=visit)
    assert follow_up is not None
    customer, alert = _messages(session)
    assert "suku cadang yang dibutuhkan belum tersedia" in customer.body
    assert alert.audience is Audience.DISPATCHER
    assert f"Kunjungan lanjutan {follow_up.id} menunggu jadwal" in alert.body
    assert alert.subject.startswith(f"Kunjungan {visit.id} gagal (jkt-")


def test_on_visit_event_arrived_queues_nothing(session: Session) -> None:
    """Arrival is not a customer message."""
    visit = make_visit(session, status=VisitStatus.ON_SITE)
    assert (
        outreach_service.on_visit_event(
            session=session, visit=visit, event="arrived", settings=SETTINGS
        )
        == []
    )


def test_sweep_visits_catches_every_missed_message_once(session: Session) -> None:
    """Without any hook, one sweep queues every due message, and a second sweep adds nothing."""
    make_visit(session, status=VisitStatus.EN_ROUTE)
    make_visit(session, status=VisitStatus.COMPLETED)
    make_visit(session, status=VisitStatus.FAILED)
    make_visit(session, day=DAY + timedelta(days=2))  # booked, still to come
    cancelled = make_visit(session, day=DAY + timedelta(days=3))
    visit_service.cancel(session=session, visit=cancelled, at=local(DAY, 9, 45))
    now = local(DAY, 11)
    first = outreach_service.sweep_visits(session=session, now=now, settings=SETTINGS)
    assert first == {
        "on_the_way": 1,
        "survey": 1,
        "follow_up": 1,
        "dispatcher_alert": 1,
        "booking_confirmed": 1,
        "booking_cancelled": 1,
    }
    total = _count(session)
    assert outreach_service.sweep_visits(session=session, now=now, settings=SETTINGS) == {}
    assert _count(session) == total == 6


def test_sweep_visits_ignores_events_older_than_the_lookback(session: Session) -> None:
    """Visits that ended long ago get no survey when the scheduler first starts."""
    make_visit(session, status=VisitStatus.COMPLETED)
    now = local(DAY, 9) + timedelta(hours=SETTINGS.outreach_lookback_h + 1)
    assert outreach_service.sweep_visits(session=session, now=now, settings=SETTINGS) == {}


def test_hook_then_sweep_do_not_duplicate(session: Session) -> None:
    """A message queued by a hook is not queued again by the sweep (same key)."""
    visit = make_visit(session, status=VisitStatus.COMPLETED)
    outreach_service.on_visit_event(
        session=session, visit=visit, event="completed", settings=SETTINGS
    )
    session.commit()
    assert (
        outreach_service.sweep_visits(session=session, now=local(DAY, 11), settings=SETTINGS) == {}
    )
    assert len(_messages(session, K.SURVEY)) == 1


def test_queue_reminders_for_visits_of_local_tomorrow(session: Session) -> None:
    """The evening before, each visit of local tomorrow gets one reminder."""
    visit = make_visit(session)
    make_visit(session, day=DAY + timedelta(days=1))  # the day after: not yet
    evening = local(DAY - timedelta(days=1), 17)
    assert outreach_service.queue_reminders(session=session, now=evening, settings=SETTINGS) == 1
    assert outreach_service.queue_reminders(session=session, now=evening, settings=SETTINGS) == 0
    (reminder,) = _messages(session, K.VISIT_REMINDER)
    assert reminder.visit_id == visit.id
    assert reminder.idempotency_key == f"visit:{visit.id}:visit_reminder:2026-03-10"
    assert reminder.subject == "Pengingat: pemasangan besok, Selasa, 10 Maret 2026"


def test_two_concurrent_sweeps_queue_each_message_once(engine: Engine) -> None:
    """Two scheduler processes sweeping at the same moment (a bad deploy) still queue once."""
    with Session(engine) as session:
        region = make_region(session)
        for status in (VisitStatus.COMPLETED, VisitStatus.FAILED, VisitStatus.EN_ROUTE):
            make_visit(session, request=make_request(session, region=region), status=status)
        for days in (2, 3, 4):
            request = make_request(session, region=region)
            make_visit(session, request=request, day=DAY + timedelta(days=days))
    start = threading.Barrier(2)
    results: list[Counter[str]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            with Session(engine) as own:
                start.wait(timeout=10)
                results.append(
                    outreach_service.sweep_visits(
                        session=own, now=local(DAY, 11), settings=SETTINGS
                    )
                )
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results, Counter()) == {
        "survey": 1, "follow_up": 1, "dispatcher_alert": 1, "on_the_way": 1,
        "booking_confirmed": 3,
    }  # fmt: skip
    with Session(engine) as session:
        assert _count(session) == 7
        surveys = session.exec(select(func.count()).select_from(Survey)).one()
    assert surveys == 1


def test_on_the_way_eta_follows_the_published_plan_leg(session: Session) -> None:
    """With a published plan, the ETA is departure plus the plan's own drive to the stop."""
    region = make_region(session, speed_kmh=20)
    technician = make_technician(session, region=region, start_lat=-6.20, start_lon=106.80)
    make_weekly_pattern(session, technician)
    visit = make_visit(session, request=make_request(session, region=region))
    options = PlanOptions(time_limit_s=1.0, deterministic=True)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=options)
    planning_service.publish(session=session, plan=plan, at=local(DAY, 6))
    (route,) = plan.routes
    leg = route.stops[0].arrival_at - route.start_at
    departed = local(DAY, 8, 40)
    visit = visit_service.transition(
        session=session, visit=visit, to=VisitStatus.EN_ROUTE, at=departed
    )
    outreach_service.on_visit_event(
        session=session, visit=visit, event="en_route", settings=SETTINGS
    )
    session.commit()
    (message,) = _messages(session, K.ON_THE_WAY)
    assert leg > timedelta(minutes=5)
    assert datetime.fromisoformat(message.data["eta_at"]) == departed + leg
