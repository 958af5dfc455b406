"""Bookings through two real API processes (`purna serve`) on one PostgreSQL: the shape of
several API processes behind a load balancer.

The day's lock is the ledger row's (SELECT ... FOR UPDATE), the parsed-routes cache of each
process is keyed by the row's stamp, and the Idempotency-Key is a unique row, so that sixteen
clients spread over both processes get what one process gives them: one booking of the last
place, one booking per key, one entitlement used per asset, routes that pass the validator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from benchmarks.scratch import scratch_database
from benchmarks.servers import api_processes
from dispatch import db
from dispatch.region.models import Region
from dispatch.visit.models import Visit, VisitStatus
from tests.api.booking_support import (
    BookingCall,
    People,
    fire_bookings,
    offered_windows,
    people,
    slot_body,
    target_day,
    used_installations,
)
from tests.api.dispatch_support import api_settings
from tests.api.test_booking_concurrency import with_full_morning_and_afternoon
from tests.api.test_metrics_and_health import samples, value
from tests.dispatch.booking_day import HOURS, ledger_violations, window
from tests.dispatch.conftest import postgres_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres

CLIENTS = 16
RACERS = [f"cust{i}" for i in range(CLIENTS)]  # one customer each for the last place
METRICS_TOKEN = "scraper-token"
RETRIER, HURRIED = f"cust{CLIENTS}", f"cust{CLIENTS + 1}"  # one key 16 times; one asset 16 times


@dataclass
class TwoProcesses:
    """Two API processes on one fresh PostgreSQL schema, an engine on it, the people in it."""

    urls: list[str]
    engine: Engine
    people: People

    def call(self, i: int, who: str, body: dict[str, object], key: str) -> BookingCall:
        """The i-th call goes to process i % 2: every race is spread over both."""
        return BookingCall(self.urls[i % 2], self.people.tokens[who], dict(body), key)

    def conflicts(self, process: int) -> float:
        """Slot conflicts of bookings as /metrics of one process counts them (for both)."""
        headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        answer = httpx.get(f"{self.urls[process]}/metrics", headers=headers, timeout=10.0)
        assert answer.status_code == 200, answer.text
        labels = {"action": "book", "reason": "slot_unavailable"}
        return value(samples(answer.text), "purna_booking_conflicts_total", **labels)

    def offered(self, process: int, who: str) -> list[str]:
        asset_id = self.people.assets[who].id or 0
        token = self.people.tokens[who]
        return offered_windows(self.urls[process], token, asset_id, target_day())


@pytest.fixture(scope="module")
def two_processes(
    postgres_url: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TwoProcesses]:
    """A fresh schema, migrated, with the people and a target day with one place left, served
    by two `purna serve` processes (no abuse limits: every client is the race) that share
    their metrics (PROMETHEUS_MULTIPROC_DIR)."""
    env = {
        "RATE_LIMIT_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("metrics")),
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    with scratch_database(postgres_url) as url:
        db.upgrade(url)
        engine = db.make_engine(api_settings(url))
        with Session(engine) as session:
            found = people(session, customers=CLIENTS + 2)
            with_full_morning_and_afternoon(session, found)
            for obj in (found.day.region, found.day.technician, *found.assets.values()):
                session.refresh(obj)
            session.expunge_all()
        try:
            with api_processes(url, 2, env) as servers:
                yield TwoProcesses([s.url for s in servers], engine, found)
        finally:
            engine.dispose()


def _promised_on_day(engine: Engine, region_id: int) -> int:
    """Visits of the region booked (or planned) on the target day."""
    start, _ = window(target_day(), 0)
    end, _ = window(target_day() + timedelta(days=1), 0)
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Visit)
            .where(
                Visit.region_id == region_id,
                col(Visit.window_start) >= start,
                col(Visit.window_start) < end,
                col(Visit.status).in_([VisitStatus.BOOKED, VisitStatus.PLANNED]),
            )
        ).one()


def test_sixteen_clients_on_two_processes_race_for_the_last_place(
    two_processes: TwoProcesses,
) -> None:
    """Both processes offer the last window (each caches the day's routes); sixteen customers
    book it through both at once: one 201, fifteen 409 slot_unavailable, one entitlement used,
    four visits on the day, valid routes, and neither process offers the window any more;
    /metrics of either process counts the fifteen conflicts of both."""
    world, day = two_processes, target_day()
    assert world.offered(0, RACERS[0]) == world.offered(1, RACERS[1]) == ["15:00-17:00"]
    calls = [
        world.call(i, who, slot_body(world.people.assets[who].id or 0, day, 15), f"race-{who}")
        for i, who in enumerate(RACERS)
    ]
    responses = fire_bookings(calls)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: CLIENTS - 1}, [
        r.text for r in responses
    ]
    assert {r.json()["detail"][0]["type"] for r in responses if r.status_code == 409} == {
        "slot_unavailable"
    }
    used = used_installations(world.engine, [world.people.assets[w].id or 0 for w in RACERS])
    assert sorted(used.values()) == [0] * (CLIENTS - 1) + [1]
    region_id = world.people.day.region.id or 0
    assert _promised_on_day(world.engine, region_id) == len(HOURS)
    with Session(world.engine) as session:
        region = session.get(Region, region_id)
        assert region is not None
        assert ledger_violations(session, region, day) == []
    assert world.offered(0, RACERS[1]) == world.offered(1, RACERS[2]) == []
    assert world.conflicts(0) == world.conflicts(1) == CLIENTS - 1  # multi-process metrics


def test_the_same_key_sent_to_both_processes_books_once(two_processes: TwoProcesses) -> None:
    """One client retries a booking sixteen times at once over both processes (same key and
    body): sixteen 201 with one booking, fifteen of them replays, one entitlement used."""
    world = two_processes
    asset = world.people.assets[RETRIER]
    body = slot_body(asset.id or 0, target_day() + timedelta(days=1), 10)
    responses = fire_bookings([world.call(i, RETRIER, body, "one-key") for i in range(CLIENTS)])
    assert [r.status_code for r in responses] == [201] * CLIENTS, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replayed.count("true") == CLIENTS - 1
    assert used_installations(world.engine, [asset.id or 0]) == {asset.id: 1}


def test_one_asset_booked_on_both_processes_consumes_one_entitlement(
    two_processes: TwoProcesses,
) -> None:
    """One customer books its AC's installation sixteen times at once over both processes
    (different keys, windows on four later days): one booking, fifteen conflicts, one use."""
    world = two_processes
    asset = world.people.assets[HURRIED]
    calls = [
        world.call(
            i,
            HURRIED,
            slot_body(asset.id or 0, target_day() + timedelta(days=2 + i // 4), HOURS[i % 4]),
            f"hurried-{i}",
        )
        for i in range(CLIENTS)
    ]
    responses = fire_bookings(calls)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: CLIENTS - 1}, [
        r.text for r in responses
    ]
    assert used_installations(world.engine, [asset.id or 0]) == {asset.id: 1}
