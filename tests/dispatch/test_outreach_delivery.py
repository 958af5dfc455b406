"""Outbox delivery: each message sent once, retried with exponential backoff, then failed."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dispatch.customer.models import Language
from dispatch.outreach import outbox
from dispatch.outreach.channels import DeliveryError, Envelope
from dispatch.outreach.delivery import DeliveryReport, deliver_due
from dispatch.outreach.models import Audience, MessageKind, MessageState, OutboxMessage
from dispatch.outreach.outbox import Draft, RetryPolicy
from dispatch.visit import service as visit_service
from tests.factories import DAY, local, make_visit

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, base_s=60, max_s=3600, lease_s=300)


class RecordingChannel:
    """Records what it sends; fails the first `failures` calls (permanently if told)."""

    name = "recording"

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.sent: list[Envelope] = []
        self.failures, self.permanent = failures, permanent
        self.lock = threading.Lock()

    def send(self, envelope: Envelope) -> None:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                raise DeliveryError("gateway down", permanent=self.permanent)
            self.sent.append(envelope)


def _draft_at(key: str, at: datetime, visit_id: int | None = None) -> Draft:
    """A reminder due at `at`."""
    return Draft(
        kind=MessageKind.VISIT_REMINDER,
        idempotency_key=key,
        audience=Audience.CUSTOMER,
        language=Language.ID,
        recipient_name="Siti",
        recipient_phone="+62 812",
        subject=f"subject {key}",
        body="body",
        next_attempt_at=at,
        visit_id=visit_id,
    )


def _queue(session: Session, key: str, *, at: datetime = NOW, visit_id: int | None = None) -> None:
    outbox.enqueue(session=session, draft=_draft_at(key, at, visit_id))
    session.commit()


def _message(session: Session, key: str) -> OutboxMessage:
    query = select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
    return session.exec(query.execution_options(populate_existing=True)).one()


def test_deliver_due_sends_each_message_once(session: Session) -> None:
    """Due messages are sent and marked sent; a second run sends nothing again."""
    for key in ("a", "b", "c"):
        _queue(session, key)
    channel = RecordingChannel()
    report = deliver_due(session=session, channel=channel, now=NOW, policy=POLICY)
    assert report == DeliveryReport(sent=3)
    assert deliver_due(session=session, channel=channel, now=NOW, policy=POLICY) == DeliveryReport()
    assert [e.idempotency_key for e in channel.sent] == ["a", "b", "c"]
    sent = _message(session, "a")
    assert (sent.state, sent.attempts, sent.sent_at, sent.channel) == (
        MessageState.SENT, 1, NOW, "recording",
    )  # fmt: skip


def test_state_counts_count_messages_by_kind_and_state(session: Session) -> None:
    """Two reminders sent and one not yet due read as 2 sent and 1 queued."""
    for key in ("a", "b"):
        _queue(session, key)
    _queue(session, "later", at=NOW + timedelta(hours=1))
    deliver_due(session=session, channel=RecordingChannel(), now=NOW, policy=POLICY)
    assert outbox.state_counts(session=session) == Counter(
        {("visit_reminder", "sent"): 2, ("visit_reminder", "queued"): 1}
    )


def test_deliver_due_waits_until_a_message_is_due(session: Session) -> None:
    """A message queued for later (a survey an hour after the visit) is not sent early."""
    _queue(session, "later", at=NOW + timedelta(hours=1))
    channel = RecordingChannel()
    assert deliver_due(session=session, channel=channel, now=NOW, policy=POLICY).sent == 0
    later = NOW + timedelta(hours=1)
    assert deliver_due(session=session, channel=channel, now=later, policy=POLICY).sent == 1


def test_deliver_due_retries_with_exponential_backoff_then_fails(session: Session) -> None:
    """Failed attempts wait 60 s, then 120 s; the third failure is final, with the error kept."""
    _queue(session, "k")
    channel = RecordingChannel(failures=99)
    t = NOW
    assert deliver_due(session=session, channel=channel, now=t, policy=POLICY).retried == 1
    assert _message(session, "k").next_attempt_at == t + timedelta(seconds=60)
    early = t + timedelta(seconds=59)
    assert (
        deliver_due(session=session, channel=channel, now=early, policy=POLICY) == DeliveryReport()
    )
    t += timedelta(seconds=60)
    assert deliver_due(session=session, channel=channel, now=t, policy=POLICY).retried == 1
    assert _message(session, "k").next_attempt_at == t + timedelta(seconds=120)
    t += timedelta(seconds=120)
    assert deliver_due(session=session, channel=channel, now=t, policy=POLICY).failed == 1
    failed = _message(session, "k")
    assert (failed.state, failed.attempts, failed.last_error) == (
        MessageState.FAILED, 3, "gateway down",
    )  # fmt: skip
    later = t + timedelta(days=1)
    assert (
        deliver_due(session=session, channel=channel, now=later, policy=POLICY) == DeliveryReport()
    )
    assert channel.sent == []


def test_deliver_due_recovers_after_a_transient_failure(session: Session) -> None:
    """One failure, then success on the retry: the message is sent once, after two attempts."""
    _queue(session, "k")
    channel = RecordingChannel(failures=1)
    deliver_due(session=session, channel=channel, now=NOW, policy=POLICY)
    retry_at = NOW + timedelta(seconds=60)
    assert deliver_due(session=session, channel=channel, now=retry_at, policy=POLICY).sent == 1
    assert (_message(session, "k").state, _message(session, "k").attempts) == (MessageState.SENT, 2)
    assert len(channel.sent) == 1


def test_deliver_due_gives_up_at_once_on_a_permanent_error(session: Session) -> None:
    """A permanent error (4xx, no address) is not retried."""
    _queue(session, "k")
    channel = RecordingChannel(failures=1, permanent=True)
    assert deliver_due(session=session, channel=channel, now=NOW, policy=POLICY).failed == 1
    assert (_message(session, "k").state, _message(session, "k").attempts) == (
        MessageState.FAILED, 1,
    )  # fmt: skip


def test_backoff_doubles_up_to_the_maximum() -> None:
    """Backoff is base, 2 x base, 4 x base ... capped at max_s."""
    policy = RetryPolicy(base_s=60, max_s=300)
    assert [policy.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_deliver_due_skips_a_reminder_for_a_cancelled_visit(session: Session) -> None:
    """A reminder whose visit was cancelled meanwhile is marked skipped, not sent."""
    visit = make_visit(session)
    _queue(session, "reminder", visit_id=visit.id)
    visit_service.cancel(session=session, visit=visit, at=local(DAY, 7))
    channel = RecordingChannel()
    assert deliver_due(session=session, channel=channel, now=NOW, policy=POLICY).skipped == 1
    assert _message(session, "reminder").state is MessageState.SKIPPED
    assert channel.sent == []


def test_deliver_due_reclaims_a_message_abandoned_mid_send(session: Session) -> None:
    """A deliverer that crashed after claiming leaves the message; it is retried after the lease."""
    _queue(session, "k")
    assert len(outbox.claim_due(session=session, now=NOW, policy=POLICY, limit=10)) == 1
    channel = RecordingChannel()
    inside = NOW + timedelta(seconds=POLICY.lease_s - 1)
    assert deliver_due(session=session, channel=channel, now=inside, policy=POLICY).sent == 0
    after = NOW + timedelta(seconds=POLICY.lease_s + 1)
    assert deliver_due(session=session, channel=channel, now=after, policy=POLICY).sent == 1
    assert _message(session, "k").attempts == 2


def test_two_concurrent_deliverers_send_each_message_once(engine: Engine) -> None:
    """Two deliverers racing over the same outbox send every message exactly once."""
    keys = [f"m{i}" for i in range(40)]
    with Session(engine) as session:
        for key in keys:
            _queue(session, key)
    channel = RecordingChannel()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Session(engine) as own:
                start.wait(timeout=10)
                while deliver_due(
                    session=own, channel=channel, now=NOW, policy=POLICY, limit=3
                ).sent:
                    pass
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = Counter(e.idempotency_key for e in channel.sent)
    assert sorted(counts) == sorted(keys)
    assert set(counts.values()) == {1}
    with Session(engine) as session:
        states = session.exec(select(OutboxMessage.state).order_by(col(OutboxMessage.id))).all()
    assert set(states) == {MessageState.SENT}
