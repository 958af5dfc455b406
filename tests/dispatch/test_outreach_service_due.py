"""Service-due reminders: free services falling due, entitlements and warranties ending, with
the best slots the booking service offers; each once."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from dispatch.config import Settings
from dispatch.outreach import service_due
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.product.models import VisitKind
from dispatch.visit.models import VisitStatus
from tests.factories import (
    local,
    make_asset,
    make_customer,
    make_motorcycle_model,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

K = MessageKind
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
MONDAY = date(2026, 3, 9)
NOW = local(MONDAY, 9)


def _serviced_region(session: Session) -> None:
    """A region with one AC technician working Monday to Friday."""
    region = make_region(session)
    make_weekly_pattern(session, make_technician(session, region=region))


def _run(session: Session) -> dict[str, int]:
    return dict(
        service_due.queue_service_due(
            session=session, now=NOW, settings=SETTINGS, find_slots=service_due.offered_slots
        )
    )


def _messages(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_free_service_due_reminder_lists_the_best_slots(session: Session) -> None:
    """An AC bought 2025-09-20 is due its free service (every 180 days) on 2026-03-19."""
    _serviced_region(session)
    asset = make_asset(session, purchase_date=date(2025, 9, 20))
    assert _run(session) == {"service_due": 1}
    (message,) = _messages(session)
    assert message.idempotency_key == f"asset:{asset.id}:service_due:1"
    assert message.subject.startswith("Saatnya servis berkala gratis untuk Sejuk AC Split 1 PK")
    assert "jatuh tempo servis berkala gratis pada Kamis, 19 Maret 2026" in message.body
    slot_lines = [line for line in message.body.splitlines() if line.startswith("- ")][:-1]
    assert slot_lines == [
        "- Selasa, 10 Maret 2026, 08.00-10.00 WIB",
        "- Selasa, 10 Maret 2026, 10.00-12.00 WIB",
        "- Selasa, 10 Maret 2026, 13.00-15.00 WIB",
    ]
    assert _run(session) == {}


def test_no_reminder_while_a_service_is_already_requested(session: Session) -> None:
    """An open periodic-service request means the customer has booked: no reminder."""
    _serviced_region(session)
    asset = make_asset(session, purchase_date=date(2025, 9, 20))
    make_request(session, asset=asset, kind=VisitKind.PERIODIC_SERVICE)
    assert _run(session) == {}


def test_not_yet_due_gets_no_reminder(session: Session) -> None:
    """Due more than 14 days ahead: nothing yet."""
    _serviced_region(session)
    make_asset(session, purchase_date=date(2025, 10, 20))  # due 2026-04-18
    assert _run(session) == {}


def test_expiring_entitlements_are_announced_once_per_kind_of_visit(session: Session) -> None:
    """A motorcycle's free services and oil change end 2026-04-01: one message each kind, and
    the overdue free service's reminder stands in for its expiry notice."""
    _serviced_region(session)
    customer = make_customer(session, language="en", name="John Smith")
    asset = make_asset(
        session,
        customer=customer,
        product_model=make_motorcycle_model(session),
        purchase_date=date(2025, 4, 1),
    )
    assert _run(session) == {"service_due": 1, "entitlement_expiring": 1}
    due, expiring = _messages(session)
    assert due.kind is K.SERVICE_DUE
    assert expiring.subject == "Your free oil change ends on Wednesday 1 April 2026"
    assert "you still have 1 free oil change for your Sejuk Bebek 125" in expiring.body
    assert "Contact us to choose a time." in expiring.body  # nobody services motorcycles here
    assert expiring.data["asset_id"] == asset.id


def test_warranty_ending_offers_an_inspection(session: Session) -> None:
    """An AC whose 12-month warranty ends 2026-03-20 gets one warranty reminder with slots."""
    _serviced_region(session)
    product = make_product_model(session, free_services=0, service_interval_days=None)
    asset = make_asset(session, product_model=product, purchase_date=date(2025, 3, 20))
    assert _run(session) == {"warranty_ending": 1}
    (message,) = _messages(session)
    assert message.idempotency_key == f"asset:{asset.id}:warranty_ending:2026-03-20"
    assert "garansi Sejuk AC Split" in message.body
    assert "berlaku sampai Jumat, 20 Maret 2026" in message.body
    assert "- Selasa, 10 Maret 2026, 08.00-10.00 WIB" in message.body
    assert _run(session) == {}


def test_service_due_counts_from_the_local_day_of_the_last_service(session: Session) -> None:
    """A motorcycle serviced on 8 January 2026 until 06:30 in Jakarta (still 7 January in UTC)
    is next due on 9 March (every 60 days): its reminder goes out from 23 February, not 22."""
    region = make_region(session)
    asset = make_asset(
        session, product_model=make_motorcycle_model(session), purchase_date=date(2025, 6, 1)
    )
    request = make_request(session, asset=asset, region=region, kind=VisitKind.PERIODIC_SERVICE)
    visit = make_visit(session, request=request, status=VisitStatus.COMPLETED, day=date(2026, 1, 8))
    visit.ended_at = local(date(2026, 1, 8), 6, 30)
    session.add(visit)
    session.commit()

    def run_on(day: date) -> dict[str, int]:
        counts = service_due.queue_service_due(
            session=session, now=local(day, 9), settings=SETTINGS, find_slots=_no_slots
        )
        return dict(counts)

    assert run_on(date(2026, 2, 22)) == {}
    assert run_on(date(2026, 2, 23)) == {"service_due": 1}
    (message,) = _messages(session)
    assert "9 Maret 2026" in message.body


def _no_slots(*_: object) -> list[tuple[datetime, datetime]]:
    """A slot finder that finds nothing (the slots are not what this test is about)."""
    return []
