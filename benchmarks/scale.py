"""`purna bench scale`, the workers part: N regions of T technicians x V visits planned at
once (one solve job per region, dispatch.jobs.fanout) by 1, 2, 4, ... Celery worker pool
processes (`purna worker --concurrency K`); wall time, regions per minute and speed-up.

A fresh database (a SQLite file, or a new schema in the PostgreSQL of --database-url) holds
the regions; each round runs on a queue of its own, from the first job sent to the last job
ended, with the worker already up. Every draft is checked by the validator. The slot-query
part of the command (1 and 2 API processes) lives in benchmarks/slot_load.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

import dispatch.models  # noqa: F401  (every table: a job row points at users, plans, ...)
from benchmarks import api_world
from benchmarks.scratch import scratch_database
from dispatch import db, localtime
from dispatch.config import Settings
from dispatch.jobs import fanout
from dispatch.jobs.celery_app import CeleryRunner, forget_queue, make_app
from dispatch.jobs.models import JobStatus
from dispatch.planning import service as planning_service
from dispatch.planning import solving

WORKER_UP_S = 60.0
ROUND_MAX_S = 3600.0


class ScaleFailed(Exception):
    """The round could not run: no broker, or a worker that did not start."""


@dataclass(frozen=True, slots=True)
class ScaleSize:
    """What is planned: regions of technicians x visits, how long each solve searches, and the
    worker pool sizes to compare."""

    regions: int = 8
    technicians: int = 50
    visits: int = 250
    time_limit_s: float = 10.0
    workers: tuple[int, ...] = (1, 2, 4)
    seed: int = 0


@dataclass(frozen=True, slots=True)
class ScaleRow:
    """One round: K workers planning every region."""

    workers: int
    wall_s: float
    planned: int
    assigned: int
    visits: int
    mean_job_s: float
    invalid: int

    @property
    def regions_per_min(self) -> float:
        return 60.0 * self.planned / self.wall_s if self.wall_s > 0 else 0.0


def run(
    settings: Settings, database_url: str | None, size: ScaleSize, status: Console
) -> list[ScaleRow]:
    """Build the regions in a fresh database, then one round per pool size; the rows."""
    _check_broker(settings)
    with scratch_database(database_url) as url:
        settings = settings.model_copy(update={"database_url": url, "job_runner": "celery"})
        engine = db.make_engine(settings)
        try:
            db.upgrade(engine)
            day = localtime.local_day(localtime.utc_now(), localtime.zone("Asia/Jakarta"))
            day += timedelta(days=1)
            status.print(
                f"building {size.regions} regions of {size.technicians} technicians x"
                f" {size.visits} visits ({engine.dialect.name})"
            )
            with Session(engine) as session:
                codes = api_world.build_regions(
                    session,
                    regions=size.regions,
                    technicians=size.technicians,
                    visits=size.visits,
                    day=day,
                    seed=size.seed,
                )
            rows = []
            for workers in size.workers:
                status.print(f"planning with {workers} worker(s) ...")
                rows.append(_round(settings, engine, codes, day, workers, size.time_limit_s))
            return rows
        finally:
            engine.dispose()


def _check_broker(settings: Settings) -> None:
    app = make_app(settings)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # kombu raises its own and the transport's errors
        raise ScaleFailed(f"the broker at {settings.broker_url} is unreachable: {exc}") from exc
    finally:
        app.close()


def _round(
    settings: Settings,
    engine: Engine,
    codes: Sequence[str],
    day: date,
    workers: int,
    time_limit_s: float,
) -> ScaleRow:
    """Every region planned by a worker with `workers` pool processes, timed from the first
    job sent to the last job ended."""
    settings = settings.model_copy(update={"job_queue": f"purna-bench-{uuid.uuid4().hex[:8]}"})
    regions = fanout.regions(engine=engine, codes=codes)
    runner = CeleryRunner(settings, engine)
    try:
        with _worker(settings, workers):
            started_s = time.perf_counter()
            handed = fanout.submit(
                engine=engine,
                runner=runner,
                days=[(r, day) for r in regions],
                time_limit_s=time_limit_s,
            )
            for _ in fanout.finished_as_they_end(engine=engine, handed=handed, max_s=ROUND_MAX_S):
                pass
            wall_s = time.perf_counter() - started_s
    finally:
        runner.stop()
        forget_queue(settings)
    return _row(engine, workers, wall_s, fanout.results(engine=engine, handed=handed))


def _row(
    engine: Engine, workers: int, wall_s: float, results: Sequence[fanout.RegionResult]
) -> ScaleRow:
    done = [r for r in results if r.status == JobStatus.SUCCEEDED]
    invalid = 0
    with Session(engine) as session:
        for r in done:
            plan = planning_service.get_or_raise(session=session, plan_id=r.plan_id or 0)
            invalid += bool(solving.check_stored(plan))
    return ScaleRow(
        workers=workers,
        wall_s=wall_s,
        planned=len(done),
        assigned=sum(r.assigned or 0 for r in done),
        visits=sum((r.assigned or 0) + (r.unassigned or 0) for r in done),
        mean_job_s=sum(r.elapsed_s or 0.0 for r in done) / max(1, len(done)),
        invalid=invalid,
    )


@contextlib.contextmanager
def _worker(settings: Settings, concurrency: int) -> Iterator[None]:
    """`purna worker --concurrency K` on the settings' database and queue, once it is ready."""
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "JOB_RUNNER": "celery",
        "BROKER_URL": settings.broker_url,
        "JOB_QUEUE": settings.job_queue,
    }
    purna = Path(sys.executable).with_name("purna")
    with tempfile.TemporaryDirectory(prefix="purna-bench-worker-") as folder:
        log = Path(folder) / "worker.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(purna), "worker", "--concurrency", str(concurrency), "--loglevel", "INFO"],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _wait_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    """Until Celery logs that the worker is ready (its pool is up and consuming)."""
    deadline_s = time.monotonic() + WORKER_UP_S
    while b" ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline_s:
            tail = log.read_text(errors="replace")[-2000:]
            raise ScaleFailed(f"the worker did not start:\n{tail}")
        time.sleep(0.1)  # between looks at the worker's log


def scale_table(rows: Sequence[ScaleRow], size: ScaleSize, dialect: str) -> Table:
    """Wall time, regions per minute and speed-up against the first round (1 worker)."""
    title = (
        f"{size.regions} regions x ({size.technicians} technicians x {size.visits} visits),"
        f" {size.time_limit_s:g} s per solve, {dialect}"
    )
    table = Table(title=title, title_justify="left")
    for name in ("workers", "wall", "regions/min", "speed-up", "planned", "assigned", "mean job"):
        table.add_column(name, justify="right")
    table.add_column("validator")
    base_s = rows[0].wall_s if rows else 0.0
    for r in rows:
        table.add_row(
            str(r.workers),
            f"{r.wall_s:.1f} s",
            f"{r.regions_per_min:.1f}",
            f"{base_s / r.wall_s:.2f}x" if r.wall_s > 0 else "-",
            f"{r.planned}/{size.regions}",
            f"{r.assigned}/{r.visits}",
            f"{r.mean_job_s:.1f} s",
            "valid" if r.invalid == 0 else f"{r.invalid} invalid",
        )
    return table
