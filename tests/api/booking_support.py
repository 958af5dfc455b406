"""Shared set-up for the customer API tests: a booking day two days from today (the API reads
the real clock), customers with their own AC and tokens, dispatchers and an admin.

Region s (tests.dispatch.booking_day: one AC technician, every day 08-17 with an hour of
overtime) holds the bookings; region b has its own technician, for the dispatcher checks.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from dispatch import localtime
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.booking import ledger
from dispatch.entitlement.models import Entitlement, EntitlementKind
from tests.api.dispatch_support import api_settings, api_template
from tests.dispatch.booking_day import BookingDay, booking_day, customer_asset, window
from tests.dispatch.conftest import Database
from tests.factories import JAKARTA

START_DEADLINE_S = 20.0

__all__ = ["BookingWorld", "api_template", "booking_world", "people", "target_day"]


def target_day() -> date:
    """Two days from today in Jakarta: inside the booking horizon whenever the test runs."""
    return localtime.local_day(localtime.utc_now(), JAKARTA) + timedelta(days=2)


def slot_body(asset_id: int, day: date, hour: int, **extra: Any) -> dict[str, Any]:
    """The JSON of a booking of the asset's installation into the window starting at hour."""
    start, end = window(day, hour)
    body = {
        "asset_id": asset_id,
        "kind": "installation",
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
    }
    return body | extra


@dataclass(frozen=True)
class BookingCall:
    """One POST /v1/bookings: to which server, as whom (a bearer token), what, with which key."""

    url: str
    token: str
    body: dict[str, Any]
    key: str


def fire_bookings(calls: list[BookingCall]) -> list[httpx.Response]:
    """Send every call at the same moment (a barrier), one thread and connection each; the
    responses in the calls' order."""
    barrier = threading.Barrier(len(calls))
    responses: list[httpx.Response | None] = [None] * len(calls)

    def send(i: int, call: BookingCall) -> None:
        headers = {"Authorization": f"Bearer {call.token}", "Idempotency-Key": call.key}
        with httpx.Client(base_url=call.url, timeout=60.0) as client:
            barrier.wait()
            responses[i] = client.post("/v1/bookings", json=call.body, headers=headers)

    threads = [threading.Thread(target=send, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in responses)
    return [r for r in responses if r is not None]


def used_installations(engine: Engine, asset_ids: list[int]) -> dict[int, int]:
    """Per asset, how many free installations are used (never below 0 nor above the total:
    the table's check constraint)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Entitlement).where(
                col(Entitlement.asset_id).in_(asset_ids),
                Entitlement.kind == EntitlementKind.FREE_INSTALLATION,
            )
        ).all()
        return {r.asset_id: r.used for r in rows}


def offered_windows(url: str, token: str, asset_id: int, day: date) -> list[str]:
    """The windows GET /v1/slots on the server at url offers for the asset's installation on
    the day (this also stores the day's ledger, so that a race is on the stored row)."""
    params: dict[str, str | int] = {"asset_id": asset_id, "kind": "installation"}
    params |= {"from": str(day), "to": str(day)}
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{url}/v1/slots", params=params, headers=headers, timeout=60.0)
    assert response.status_code == 200, response.text
    return [s["local_window"] for s in response.json()["data"]]


@dataclass
class People:
    """The day, customers' assets by user name, and a token per user name."""

    day: BookingDay
    other_region: BookingDay
    assets: dict[str, Asset]
    tokens: dict[str, str] = field(default_factory=dict)
    customer_ids: dict[str, int] = field(default_factory=dict)


def people(session: Session, customers: int = 2) -> People:
    """Region s and b, `customers` customers (cust0, cust1, ...) with an AC each, and staff."""
    day = booking_day(session, code="jkt-s")
    other = booking_day(session, code="jkt-b")
    found = People(day, other, {})
    for i in range(customers):
        asset = customer_asset(
            session,
            day,
            purchase_date=target_day() - timedelta(days=9),
            name=f"Customer {i}",
            phone=f"+62 812 000 {i:04d}",
        )
        found.assets[f"cust{i}"] = asset
        found.customer_ids[f"cust{i}"] = asset.customer_id
        _, found.tokens[f"cust{i}"] = account_service.create(
            session=session,
            user_in=UserCreate(name=f"cust{i}", role=Role.CUSTOMER, customer_id=asset.customer_id),
        )
    staff: dict[str, dict[str, Any]] = {
        "admin": {"role": Role.ADMIN},
        "disp_s": {"role": Role.DISPATCHER, "region_codes": ["jkt-s"]},
        "disp_b": {"role": Role.DISPATCHER, "region_codes": ["jkt-b"]},
        "tech": {"role": Role.TECHNICIAN, "technician_id": day.technician.id},
    }
    for name, spec in staff.items():
        _, found.tokens[name] = account_service.create(
            session=session, user_in=UserCreate(name=name, **spec)
        )
    for obj in (day.region, day.technician, other.region, *found.assets.values()):
        session.refresh(obj)
    return found


@dataclass
class BookingWorld:
    """The app under a TestClient, its engine, and the people in it."""

    client: TestClient
    engine: Engine
    people: People
    day: date

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.people.tokens[who]}"}

    def get(self, who: str, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.auth(who), **kw)

    def post(self, who: str, url: str, key: str | None = None, **kw: Any) -> Any:
        headers = self.auth(who) | ({"Idempotency-Key": key} if key else {})
        return self.client.post(url, headers=headers, **kw)

    def asset(self, who: str) -> Asset:
        return self.people.assets[who]


@pytest.fixture
def booking_world(api_template: Path, tmp_path: Path) -> Iterator[BookingWorld]:
    """The app on a fresh copy of the migrated database, with the people of people()."""
    ledger.drop_cached()
    path = tmp_path / "purna.db"
    shutil.copyfile(api_template, path)
    app = create_app(api_settings(f"sqlite:///{path}"))
    engine: Engine = app.state.engine
    with Session(engine) as session:
        found = people(session)
        session.expunge_all()
    with TestClient(app) as client:
        yield BookingWorld(client, engine, found, target_day())


@dataclass
class Served:
    """A running server: its base URL, the app's engine and the people in the database."""

    url: str
    engine: Engine
    people: People


@contextmanager
def serve(database: Database, world: Callable[[Session], People]) -> Iterator[Served]:
    """The app on the test database with the people world() makes, served by uvicorn in a
    thread on a free local port (real commits: PostgreSQL tables are emptied afterwards)."""
    ledger.drop_cached()
    database.committed = True
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app(api_settings(url))
    with Session(app.state.engine) as session:
        found = world(session)
        for obj in (found.day.region, found.day.technician, *found.assets.values()):
            session.refresh(obj)
        session.expunge_all()
    # IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted connections (proto 0 would not, and
    # Nagle with delayed ACKs adds 40 ms to every response).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline_s = time.monotonic() + START_DEADLINE_S
    while not server.started:  # wait for the condition, with a deadline
        assert thread.is_alive() and time.monotonic() < deadline_s, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", app.state.engine, found)
    finally:
        server.should_exit = True
        thread.join(timeout=START_DEADLINE_S)
        sock.close()
