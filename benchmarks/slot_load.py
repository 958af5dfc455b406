"""`purna bench slots`: slot-query latency with 1 and 2 API processes on one PostgreSQL while
16 clients book.

For each number of processes, a fresh schema gets the region of `purna bench api`
(benchmarks.api_world) and that many `purna serve` processes (benchmarks.servers). Every client,
in a thread of its own, sends its requests round-robin over the processes, as a load balancer
would: each round it asks for slots over the booking days (the measured query) and books the
first window offered, so every query runs while other clients hold the days' locks. Each
process's first query builds the days' ledgers and is not measured. With a crew share, that
share of the customers own a large AC whose installation needs two installers at once: their
queries (a crew's common start, DayRoutes.crew_insertions) are measured apart.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlmodel import Session

from benchmarks import api_world
from benchmarks.api_world import BenchWorld
from benchmarks.scratch import scratch_database
from benchmarks.servers import api_processes
from dispatch import db
from dispatch.config import Settings


class LoadFailed(Exception):
    """A server answered 5xx, or the database is not PostgreSQL."""


@dataclass(frozen=True, slots=True)
class Load:
    """The region (technicians, booked visits per day, days) and the load on it."""

    technicians: int = 50
    visits: int = 250
    days: int = 3
    clients: int = 16
    rounds: int = 10  # slot query + booking per client
    seed: int = 0
    crew_share: float = 0.0  # customers whose installation needs two installers


@dataclass
class Measured:
    """What one run saw: slot-query seconds, booking outcomes, and the run's wall time."""

    processes: int
    queries_s: list[float] = field(default_factory=list)  # one installer
    crew_queries_s: list[float] = field(default_factory=list)  # two installers at once
    booked: int = 0
    refused: int = 0  # 409 (the window was taken meanwhile), or no window offered
    wall_s: float = 0.0


def run(database_url: str, processes: Sequence[int], load: Load, status: Console) -> list[Measured]:
    """One run per number of API processes, each on a fresh schema of the PostgreSQL at
    database_url; raises LoadFailed when it is not PostgreSQL or a server fails."""
    if make_url(db.normalise_url(database_url)).get_backend_name() != "postgresql":
        raise LoadFailed("--database-url: several API processes need PostgreSQL, not SQLite.")
    return [_run_one(database_url, n, load, status) for n in processes]


def _run_one(database_url: str, processes: int, load: Load, status: Console) -> Measured:
    with scratch_database(database_url) as url:
        db.upgrade(url)
        world = _world(url, load)
        status.print(f"{processes} API process(es): region built, starting the servers")
        env = {"RATE_LIMIT_ENABLED": "false"}  # one dispatcher books for every customer
        with api_processes(url, processes, env) as servers:
            urls = [s.url for s in servers]
            for base_url in urls:  # each process parses the ledgers once
                with httpx.Client(base_url=base_url, timeout=120.0) as http:
                    _slots(http, world, 0)
            measured = _load(urls, world, load)
    measured.processes = processes
    status.print(f"{processes} API process(es): {len(measured.queries_s)} slot queries measured")
    return measured


def _world(url: str, load: Load) -> BenchWorld:
    engine = db.make_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        with Session(engine) as session:
            return api_world.build(
                session,
                technicians=load.technicians,
                visits=load.visits,
                days=load.days,
                fresh=load.clients * load.rounds,
                seed=load.seed,
                crew_share=load.crew_share,
            )
    finally:
        engine.dispose()


def _load(urls: list[str], world: BenchWorld, load: Load) -> Measured:
    """Every client's rounds at once (a barrier starts them); the slot queries' seconds."""
    measured, lock = Measured(len(urls)), threading.Lock()
    barrier = threading.Barrier(load.clients)
    failures: list[BaseException] = []

    def client(c: int) -> None:
        try:
            _client_rounds(c, urls, world, load, barrier, measured, lock)
        except BaseException as exc:  # reported after the join, not lost in the thread
            failures.append(exc)
            barrier.abort()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(load.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measured.wall_s = time.perf_counter() - started
    if failures:
        raise LoadFailed(f"a client failed: {failures[0]}") from failures[0]
    return measured


def _client_rounds(
    c: int,
    urls: list[str],
    world: BenchWorld,
    load: Load,
    barrier: threading.Barrier,
    measured: Measured,
    lock: threading.Lock,
) -> None:
    clients = [httpx.Client(base_url=u, timeout=120.0) for u in urls]
    barrier.wait()
    for r in range(load.rounds):
        http = clients[(c + r) % len(clients)]  # round-robin, clients out of step
        asset = c * load.rounds + r
        seconds, offer = _slots(http, world, asset)
        booked = _book(http, world, asset, offer["data"][0]) if offer["data"] else False
        with lock:
            crew = world.crew[asset] if world.crew else False
            (measured.crew_queries_s if crew else measured.queries_s).append(seconds)
            measured.booked += booked
            measured.refused += not booked
    for http in clients:
        http.close()


def _headers(world: BenchWorld) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token}"}


def _slots(http: httpx.Client, world: BenchWorld, asset: int) -> tuple[float, Any]:
    asset_id = world.fresh_assets[asset][0]
    params: dict[str, str | int] = {"asset_id": asset_id, "kind": "installation"}
    params |= {"from": str(world.days[0]), "to": str(world.days[-1])}
    return _timed(lambda: http.get("/v1/slots", params=params, headers=_headers(world)))


def _book(http: httpx.Client, world: BenchWorld, asset: int, slot: dict[str, Any]) -> bool:
    asset_id, customer_id = world.fresh_assets[asset]
    body = {"asset_id": asset_id, "kind": "installation", "customer_id": customer_id}
    body |= {"window_start": slot["window_start"], "window_end": slot["window_end"]}
    headers = _headers(world) | {"Idempotency-Key": uuid.uuid4().hex}
    _, answer = _timed(lambda: http.post("/v1/bookings", json=body, headers=headers))
    return "id" in answer


def _timed(send: Callable[[], httpx.Response]) -> tuple[float, Any]:
    started = time.perf_counter()
    response = send()
    seconds = time.perf_counter() - started
    if response.status_code >= 500:
        raise LoadFailed(f"the server failed: {response.status_code} {response.text}")
    return seconds, response.json()


def table(runs: list[Measured], load: Load) -> Table:
    """p50/p95 of the slot queries per number of processes (one installer, and with a crew
    share the crews' apart), with the bookings made meanwhile."""
    crews = load.crew_share > 0
    title = (
        f"purna bench slots: {load.technicians} technicians x {load.visits} visits/day x "
        f"{load.days} days, {load.clients} clients x {load.rounds} rounds, one PostgreSQL"
        + (f", {load.crew_share:.0%} of the customers needing two installers" if crews else "")
    )
    out = Table(title=title)
    for column in ("API processes", "slot queries", "p50 ms", "p95 ms", "max ms"):
        out.add_column(column, justify="right")
    if crews:
        for column in ("crew queries", "crew p50 ms", "crew p95 ms"):
            out.add_column(column, justify="right")
    for column in ("booked", "not booked", "wall s", "queries/s"):
        out.add_column(column, justify="right")
    for m in runs:
        ms = np.array(m.queries_s or [0.0]) * 1000
        crew_ms = np.array(m.crew_queries_s or [0.0]) * 1000
        n = len(m.queries_s) + len(m.crew_queries_s)
        row = [
            str(m.processes),
            str(len(m.queries_s)),
            f"{np.percentile(ms, 50):.0f}",
            f"{np.percentile(ms, 95):.0f}",
            f"{ms.max():.0f}",
        ]
        if crews:
            row += [
                str(len(m.crew_queries_s)),
                f"{np.percentile(crew_ms, 50):.0f}",
                f"{np.percentile(crew_ms, 95):.0f}",
            ]
        row += [
            str(m.booked),
            str(m.refused),
            f"{m.wall_s:.1f}",
            f"{n / m.wall_s:.1f}" if m.wall_s else "-",
        ]
        out.add_row(*row)
    return out
