"""Crew bookings over HTTP, on SQLite and PostgreSQL: ten customers with a large AC (two
installers at once) race through a real uvicorn server for a day with room for two crews;
exactly two are booked, each held by both installers at one start, and the rest get 409.

The day (target_day, two days ahead) has two installers at Blok M, each with an installation
promised 08-10 elsewhere: the afternoon holds one crew in 13-15 (after lunch) and one in 15-17.
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
from dispatch.customer.models import Customer
from dispatch.region.models import Region
from optimizer import sequences_to_plan
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
)
from tests.dispatch.booking_day import CrewDay, crew_partner, ledger_violations, pinned_elsewhere
from tests.dispatch.conftest import (  # noqa: F401  (fixtures)
    Database,
    database,
    postgres_engine,
    postgres_url,
    sqlite_template,
)
from tests.factories import make_asset

CLIENTS = 10


def _afternoon_only(session: Session, found: People) -> dict[str, int]:
    """A second installer; both busy 08-10 with a visit of their own; a large AC per customer.
    The large ACs' ids by customer name."""
    crew: CrewDay = crew_partner(session, found.day)
    day = target_day()
    for technician in crew.installers:
        pinned_elsewhere(session, found.day, day, 8, technician)
    large = {}
    for who, small in found.assets.items():
        asset = make_asset(
            session,
            customer=session.get(Customer, small.customer_id),
            product_model=crew.large,
            purchase_date=day - timedelta(days=9),
        )
        large[who] = asset.id or 0
    return large


@pytest.fixture
def served(database: Database) -> Iterator[tuple[Served, dict[str, int]]]:  # noqa: F811
    large: dict[str, int] = {}

    def world(session: Session) -> People:
        found = people(session, customers=CLIENTS)
        large.update(_afternoon_only(session, found))
        return found

    with serve(database, world) as running:
        yield running, large


def _slots(served: Served, who: str, asset_id: int) -> Any:
    params: dict[str, str | int] = {"asset_id": asset_id, "kind": "installation"}
    params |= {"from": str(target_day()), "to": str(target_day())}
    headers = {"Authorization": f"Bearer {served.people.tokens[who]}"}
    response = httpx.get(f"{served.url}/v1/slots", params=params, headers=headers, timeout=60.0)
    assert response.status_code == 200, response.text
    return response.json()


def test_ten_crews_race_for_an_afternoon_with_room_for_two(
    served: tuple[Served, dict[str, int]],
) -> None:
    """Half the customers book 13-15, half 15-17, all at once: two crews are booked (13:00 and
    15:00: a crew may also start at the very end of 13-15), eight get 409 slot_unavailable;
    both crews are on both installers' routes at one start each, and nobody is offered the
    afternoon any more."""
    running, large = served
    day = target_day()
    answer = _slots(running, "cust0", large["cust0"])
    assert answer["crew_size"] == 2
    offered = sorted(s["local_window"] for s in answer["data"])
    assert offered == ["10:00-12:00", "13:00-15:00", "15:00-17:00"]
    tokens = running.people.tokens
    calls = [
        BookingCall(running.url, tokens[who], slot_body(asset_id, day, (13, 15)[i % 2]), who)
        for i, (who, asset_id) in enumerate(large.items())
    ]
    responses = fire_bookings(calls)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 2, 409: CLIENTS - 2}, [r.text for r in responses]
    refused = {r.json()["detail"][0]["type"] for r in responses if r.status_code == 409}
    assert refused == {"slot_unavailable"}
    booked = [r.json() for r in responses if r.status_code == 201]
    afternoon = {"13:00-15:00", "15:00-17:00"}
    small = running.people.assets["cust1"].id or 0
    assert not afternoon & set(offered_windows(running.url, tokens["cust1"], small, day))
    again = _slots(running, "cust2", large["cust2"])
    assert not afternoon & {s["local_window"] for s in again["data"]}
    with Session(running.engine) as session:
        region = session.get(Region, running.people.day.region.id)
        assert region is not None
        assert ledger_violations(session, region, day) == []
        state = ledger.read_days(session=session, region=region, days=[day])[day]
        plan = sequences_to_plan(state.routes.problem, state.routes.sequences)
        starts = set()
        for b in booked:
            ids = {str(b["id"]), f"{b['id']}{ledger.PARTNER}2"}
            members = [r for r in plan.routes for s in r.stops if s.visit in ids]
            starts |= {s.start_s for r in members for s in r.stops if s.visit in ids}
            assert len({r.technician for r in members}) == 2
        assert len(starts) == 2  # one start per crew, and the two crews one after the other
