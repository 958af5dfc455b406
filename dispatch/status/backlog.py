"""Metrics read from the database at scrape time: solve jobs by state and duration, the outbox.

Solve jobs run on any worker and messages leave from any scheduler, so their figures are the
tables' (one count however many processes there are), not a process's own counters. Each scrape
runs three small grouped queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlmodel import col

from dispatch.jobs.models import OPEN_STATUSES, JobStatus, SolveJob
from dispatch.localtime import utc_now
from dispatch.outreach.models import MessageState, OutboxMessage

# Seconds a solve took (SolveJob.elapsed_s): requests cap it at MAX_TIME_LIMIT_S (300 s).
JOB_SECONDS_BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 20, 30, 60, 120, 300)


class Backlog(Collector):
    """Collects purna_solve_jobs, purna_solve_job_duration_seconds and purna_outbox_* from
    the database of engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # nothing to check at registration: names are unique by construction

    def collect(self) -> Iterator[GaugeMetricFamily | HistogramMetricFamily]:
        with self._engine.connect() as connection:
            yield _jobs_by_status(connection)
            yield from _job_durations(connection)
            yield from _outbox(connection, utc_now())


def _jobs_by_status(connection: sa.Connection) -> GaugeMetricFamily:
    rows = connection.execute(
        sa.select(col(SolveJob.status), sa.func.count()).group_by(col(SolveJob.status))
    ).all()
    counts = {JobStatus(status): n for status, n in rows}
    family = GaugeMetricFamily(
        "purna_solve_jobs", "Solve jobs in the database by status.", labels=["status"]
    )
    for status in JobStatus:
        family.add_metric([status.value], counts.get(status, 0))
    return family


def _job_durations(connection: sa.Connection) -> Iterator[HistogramMetricFamily]:
    """Ended jobs' solve seconds as a histogram per status (the table only grows, so the
    buckets only grow, as a histogram's must)."""
    seconds = col(SolveJob.elapsed_s)
    buckets = [sa.func.sum(sa.case((seconds <= b, 1), else_=0)) for b in JOB_SECONDS_BUCKETS]
    ended = [s for s in JobStatus if s not in OPEN_STATUSES]
    rows = connection.execute(
        sa.select(col(SolveJob.status), sa.func.count(), sa.func.sum(seconds), *buckets)
        .where(seconds.is_not(None), col(SolveJob.status).in_(ended))
        .group_by(col(SolveJob.status))
    ).all()
    family = HistogramMetricFamily(
        "purna_solve_job_duration_seconds",
        "Seconds each ended solve job searched, by how it ended.",
        labels=["status"],
    )
    for status, count, total, *cumulative in rows:
        family.add_metric([str(JobStatus(status).value)], _buckets(cumulative, count), total)
    yield family


def _buckets(cumulative: Sequence[int | None], count: int) -> list[tuple[str, float]]:
    bounds = zip(JOB_SECONDS_BUCKETS, cumulative, strict=True)
    pairs = [(str(float(b)), float(n or 0)) for b, n in bounds]
    return [*pairs, ("+Inf", float(count))]


def _outbox(connection: sa.Connection, now: datetime) -> Iterator[GaugeMetricFamily]:
    state, attempts = col(OutboxMessage.state), col(OutboxMessage.attempts)
    rows = connection.execute(sa.select(state, sa.func.count()).group_by(state)).all()
    counts = {MessageState(s): n for s, n in rows}
    messages = GaugeMetricFamily(
        "purna_outbox_messages",
        "Outbox messages by state: queued and sending are the backlog, failed gave up.",
        labels=["state"],
    )
    for s in MessageState:
        messages.add_metric([s.value], counts.get(s, 0))
    yield messages
    retrying, oldest = connection.execute(
        sa.select(
            sa.func.sum(sa.case((attempts > 0, 1), else_=0)),
            sa.func.min(col(OutboxMessage.next_attempt_at)),
        ).where(state == MessageState.QUEUED)
    ).one()
    yield GaugeMetricFamily(
        "purna_outbox_retrying",
        "Queued messages whose earlier attempts failed (waiting for their backoff).",
        value=retrying or 0,
    )
    overdue = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    yield GaugeMetricFamily(
        "purna_outbox_oldest_due_seconds",
        "How long the oldest queued message has been due: grows when delivery has stopped.",
        value=overdue,
    )
