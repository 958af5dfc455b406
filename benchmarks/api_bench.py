"""`purna bench api`: slot queries and bookings measured through HTTP on a busy region.

A fresh database (a SQLite file, or a new schema in the PostgreSQL of --database-url) gets one
region of 50 technicians with 250 booked visits a day for 7 days; the app is served by uvicorn
on 127.0.0.1 in a thread, and one client (in its own process) measures each request from send
to full answer. The app comes from the caller (api.main.create_app): benchmarks sit below api.
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlmodel import Session

from benchmarks import api_world
from benchmarks.api_world import BenchWorld
from benchmarks.scratch import scratch_database
from dispatch import db
from dispatch.config import Settings

START_DEADLINE_S = 30.0


class BenchFailed(Exception):
    """The server under measurement failed (a 5xx answer, or it did not start)."""


@dataclass(frozen=True, slots=True)
class Size:
    """The region measured: technicians, booked visits per day, days; requests to send."""

    technicians: int = 50
    visits: int = 250
    days: int = 7
    queries: int = 100
    bookings: int = 100
    seed: int = 0


def run(
    make_app: Callable[[Settings], Any], database_url: str | None, size: Size, status: Console
) -> Table:
    """Build the region in a fresh database, serve make_app's app, measure; the table."""
    with scratch_database(database_url) as url:
        db.upgrade(url)
        settings = Settings(_env_file=None, database_url=url, embedded_scheduler=False)  # type: ignore[call-arg]
        app = make_app(settings)
        started = time.perf_counter()
        with Session(app.state.engine) as session:
            world = api_world.build(
                session,
                technicians=size.technicians,
                visits=size.visits,
                days=size.days,
                fresh=size.bookings,
                seed=size.seed,
            )
        built_s = time.perf_counter() - started
        status.print(f"built {size.days} days x {size.visits} visits in {built_s:.1f} s")
        with _served(app) as base_url:
            # The client runs in its own process, as clients do: sharing the server's
            # interpreter lock would add the client's thread switches to every figure.
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as client:
                measured = client.submit(_measure, base_url, world, size.queries, size.bookings)
                timings = measured.result()
    dialect = make_url(url).get_backend_name()
    return _table(timings, dialect, size.technicians, size.visits, size.days)


@dataclass
class Timings:
    """Seconds per request, by what was asked, and what the answers were."""

    first_query_s: float
    queries_s: list[float]
    bookings_s: list[float]
    booked: int
    refused: int


def _measure(base_url: str, world: BenchWorld, queries: int, bookings: int) -> Timings:
    """The slot queries (over every booking day), then bookings into an offered window."""
    headers = {"Authorization": f"Bearer {world.token}"}
    span = (str(world.days[0]), str(world.days[-1]))
    assets = world.fresh_assets
    with httpx.Client(base_url=base_url, headers=headers, timeout=120.0) as client:
        first_s, _ = _slots(client, assets[0], span)  # builds and stores every day's ledger
        queries_s = [_slots(client, assets[i % len(assets)], span)[0] for i in range(queries)]
        bookings_s, booked = [], 0
        for i in range(bookings):
            asset = assets[i % len(assets)]
            _, offer = _slots(client, asset, span)
            if offer["data"]:
                seconds, answer = _book(client, asset, offer["data"][0])
                bookings_s.append(seconds)
                booked += "id" in answer
    return Timings(first_s, queries_s, bookings_s, booked, len(bookings_s) - booked)


def _slots(
    client: httpx.Client, asset: tuple[int, int], span: tuple[str, str]
) -> tuple[float, Any]:
    params: dict[str, str | int] = {"asset_id": asset[0], "kind": "installation"}
    params |= {"from": span[0], "to": span[1]}
    return _timed(lambda: client.get("/v1/slots", params=params))


def _book(client: httpx.Client, asset: tuple[int, int], slot: dict[str, Any]) -> tuple[float, Any]:
    body = {"asset_id": asset[0], "kind": "installation", "customer_id": asset[1]}
    body |= {"window_start": slot["window_start"], "window_end": slot["window_end"]}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return _timed(lambda: client.post("/v1/bookings", json=body, headers=key))


def _timed(send: Callable[[], httpx.Response]) -> tuple[float, Any]:
    started = time.perf_counter()
    response = send()
    seconds = time.perf_counter() - started
    if response.status_code >= 500:
        raise BenchFailed(f"the server failed: {response.status_code} {response.text}")
    return seconds, response.json()


def _table(t: Timings, dialect: str, technicians: int, visits: int, days: int) -> Table:
    title = f"purna bench api: {dialect}, {technicians} technicians, {visits} visits/day"
    table = Table(title=f"{title} x {days} days")
    for column in ("request", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "note"):
        table.add_column(column, justify="left" if column in ("request", "note") else "right")
    rows = (
        (
            f"GET /v1/slots ({days} days)",
            t.queries_s,
            f"first query (ledgers built): {t.first_query_s * 1000:.0f} ms",
        ),
        ("POST /v1/bookings", t.bookings_s, f"{t.booked} booked, {t.refused} refused"),
    )
    for name, seconds, note in rows:
        ms = np.array(seconds or [0.0]) * 1000
        p50, p95, p99 = (float(np.percentile(ms, q)) for q in (50, 95, 99))
        table.add_row(
            name,
            str(len(seconds)),
            f"{p50:.1f}",
            f"{p95:.1f}",
            f"{p99:.1f}",
            f"{ms.max():.1f}",
            note,
        )
    return table


@contextmanager
def _served(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free port of 127.0.0.1; its base URL."""
    # IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted connections (proto 0 would not, and
    # Nagle with delayed ACKs adds 40 ms to every response).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline_s = time.monotonic() + START_DEADLINE_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline_s:
            raise BenchFailed("uvicorn did not start.")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_DEADLINE_S)
        sock.close()
