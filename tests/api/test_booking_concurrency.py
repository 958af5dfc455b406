"""The test that matters: twenty clients booking the last feasible place of a day at the same
moment, through a real uvicorn server on 127.0.0.1, on SQLite and on PostgreSQL.

Exactly one gets 201, nineteen get 409 slot_unavailable; the day's routes afterwards pass the
independent validator; no entitlement is consumed twice (also when one customer fires twenty
bookings of one asset at once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from dispatch.booking import ledger
from dispatch.region.models import Region
from tests.api.booking_support import (
    BookingCall,
    People,
    Served,
    fire_bookings,
    offered_windows,
    people,
    serve,
    slot_body,
    target_day,
    used_installations,
)
from tests.dispatch.booking_day import HOURS, booked_elsewhere, ledger_violations
from tests.dispatch.conftest import (  # noqa: F401  (fixtures)
    Database,
    database,
    postgres_engine,
    postgres_url,
    sqlite_template,
)

CLIENTS = 20


@pytest.fixture
def served(database: Database) -> Iterator[Served]:  # noqa: F811
    """The app on the test database with CLIENTS customers and a day with one place left."""

    def world(session: Session) -> People:
        found = people(session, customers=CLIENTS)
        with_full_morning_and_afternoon(session, found)
        return found

    with serve(database, world) as running:
        yield running


def with_full_morning_and_afternoon(session: Session, found: People) -> None:
    """Three of the four places of the target day are taken: only 15-17 is left."""
    for hour in HOURS[:3]:
        booked_elsewhere(session, found.day, target_day(), hour)


def _fire(served: Served, requests: list[tuple[str, dict[str, Any], str]]) -> list[httpx.Response]:
    """Send every (user, body, key) at the same moment, one thread each; the responses."""
    tokens = served.people.tokens
    calls = [BookingCall(served.url, tokens[who], body, key) for who, body, key in requests]
    return fire_bookings(calls)


def _offered(served: Served, who: str) -> list[str]:
    """The windows GET /v1/slots offers the customer on the target day."""
    asset_id = served.people.assets[who].id or 0
    return offered_windows(served.url, served.people.tokens[who], asset_id, target_day())


def test_twenty_clients_race_for_the_last_place_one_wins(served: Served) -> None:
    """Twenty customers book 15-17 at once: one 201, nineteen 409 slot_unavailable, one
    entitlement consumed, and the day's routes pass the validator."""
    day = target_day()
    assert _offered(served, "cust0") == ["15:00-17:00"]
    requests = [
        (who, slot_body(asset.id or 0, day, 15), f"key-{who}")
        for who, asset in served.people.assets.items()
    ]
    responses = _fire(served, requests)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: CLIENTS - 1}, [r.text for r in responses]
    refused = {r.json()["detail"][0]["type"] for r in responses if r.status_code == 409}
    assert refused == {"slot_unavailable"}
    winner = next(r.json() for r in responses if r.status_code == 201)
    used = used_installations(served.engine, [a.id or 0 for a in served.people.assets.values()])
    assert sum(used.values()) == 1 and used[winner["asset_id"]] == 1
    assert _offered(served, "cust1") == []
    with Session(served.engine) as session:
        region = session.get(Region, served.people.day.region.id)
        assert region is not None
        assert ledger_violations(session, region, day) == []
        state = ledger.read_days(session=session, region=region, days=[day])[day]
        assert len(state.routes.routed) == 4 and state.unplaced == ()


def test_one_asset_booked_twenty_times_at_once_consumes_one_entitlement(served: Served) -> None:
    """One customer fires twenty bookings of its AC's installation (different keys, windows on
    different days): one is booked, the others are conflicts, the entitlement is used once."""
    asset = served.people.assets["cust0"]
    days = [target_day() + timedelta(days=1 + i // 4) for i in range(CLIENTS)]
    requests = [
        ("cust0", slot_body(asset.id or 0, d, HOURS[i % 4]), f"key-{i}") for i, d in enumerate(days)
    ]
    responses = _fire(served, requests)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: CLIENTS - 1}, [r.text for r in responses]
    assert used_installations(served.engine, [asset.id or 0]) == {asset.id: 1}


def test_twenty_retries_with_one_key_book_once(served: Served) -> None:
    """A client retrying one booking twenty times at once (same key and body): one booking,
    nineteen replays of it, one entitlement consumed."""
    asset = served.people.assets["cust0"]
    body = slot_body(asset.id or 0, target_day() + timedelta(days=1), 10)
    responses = _fire(served, [("cust0", body, "one-key")] * CLIENTS)
    assert [r.status_code for r in responses] == [201] * CLIENTS, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    replays = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replays.count("true") == CLIENTS - 1
    assert used_installations(served.engine, [asset.id or 0]) == {asset.id: 1}
