"""GET /metrics (Prometheus text, local clients or METRICS_TOKEN) and GET /v1/health (the
database, and with JOB_RUNNER=celery the broker and the workers) on a real app.

The multi-process mode is tested with two real API processes in test_booking_processes.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from api.main import create_app
from benchmarks.servers import PURNA
from dispatch.jobs.models import JobKind, JobStatus, SolveJob
from tests.api.booking_support import BookingWorld, booking_world, slot_body  # noqa: F401
from tests.api.dispatch_support import api_settings, api_template  # noqa: F401
from tests.factories import DAY

LOCAL = ("127.0.0.1", 50000)
# The Redis of the Celery tests (tests/dispatch/test_celery_worker.py), without its database.
REDIS_URL = os.environ.get("PURNA_TEST_BROKER_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
WORKER_UP_S = 60.0


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a Prometheus text answer by (name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def scrape(world: BookingWorld) -> Samples:
    response = TestClient(world.client.app, client=LOCAL).get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


def _add_jobs(world: BookingWorld) -> None:
    """Three ended solve jobs of 1.5, 8 and 40 s (two succeeded, one failed) and a queued one."""
    region_id = world.people.day.region.id or 0
    ended = [(JobStatus.SUCCEEDED, 1.5), (JobStatus.SUCCEEDED, 8.0), (JobStatus.FAILED, 40.0)]
    with Session(world.engine) as session:
        for i, (status, seconds) in enumerate(ended):
            day = DAY + timedelta(days=i)
            job = SolveJob(region_id=region_id, day=day, kind=JobKind.PLAN, time_limit_s=60)
            job.status, job.elapsed_s = status, seconds
            session.add(job)
        queued = DAY + timedelta(days=len(ended))
        session.add(SolveJob(region_id=region_id, day=queued, kind=JobKind.PLAN, time_limit_s=5))
        session.commit()


def test_metrics_by_route_template_slot_queries_conflicts_jobs_and_outbox(
    booking_world: BookingWorld,  # noqa: F811
) -> None:
    """Requests are timed by route template (never the raw path), slot queries and booking
    conflicts are counted, and jobs and the outbox come from the database."""
    world, before = booking_world, scrape(booking_world)
    asset = world.asset("cust0")
    for booking_id in (1234567, 7654321):
        assert world.get("cust0", f"/v1/bookings/{booking_id}").status_code == 404
    params = {"asset_id": asset.id, "kind": "installation"}
    assert world.get("cust0", "/v1/slots", params=params).status_code == 200
    body = slot_body(asset.id or 0, world.day, 10)
    assert world.post("cust0", "/v1/bookings", key="k1", json=body).status_code == 201
    again = slot_body(asset.id or 0, world.day + timedelta(days=1), 10)
    assert world.post("cust0", "/v1/bookings", key="k2", json=again).status_code == 409
    _add_jobs(world)
    after = scrape(world)
    template = {"method": "GET", "route": "/v1/bookings/{booking_id}", "status": "404"}
    count = "purna_http_request_duration_seconds_count"
    assert value(after, count, **template) - value(before, count, **template) == 2
    assert not any("1234567" in str(labels) for _, labels in after)
    slot_count = "purna_slot_query_duration_seconds_count"
    assert value(after, slot_count) - value(before, slot_count) == 1
    conflicts = "purna_booking_conflicts_total"
    labels = {"action": "book", "reason": "conflict"}
    assert value(after, conflicts, **labels) - value(before, conflicts, **labels) == 1
    assert value(after, "purna_solve_jobs", status="succeeded") == 2
    assert value(after, "purna_solve_jobs", status="queued") == 1
    durations = "purna_solve_job_duration_seconds_bucket"
    assert value(after, durations, status="succeeded", le="2.0") == 1
    assert value(after, durations, status="succeeded", le="10.0") == 2
    assert value(after, durations, status="failed", le="30.0") == 0
    assert value(after, durations, status="failed", le="+Inf") == 1
    assert value(after, "purna_solve_job_duration_seconds_sum", status="succeeded") == 9.5
    assert value(after, "purna_outbox_messages", state="queued") == 1  # the confirmation
    assert value(after, "purna_outbox_messages", state="failed") == 0


def test_metrics_answer_local_clients_or_the_metrics_token(
    api_template: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Without METRICS_TOKEN only loopback clients read /metrics (403 otherwise); with it, only
    a bearer of that token (401 otherwise), from anywhere."""
    path = tmp_path / "purna.db"
    shutil.copyfile(api_template, path)
    open_app = create_app(api_settings(f"sqlite:///{path}"))
    assert TestClient(open_app, client=("203.0.113.9", 4000)).get("/metrics").status_code == 403
    assert TestClient(open_app, client=("::1", 4000)).get("/metrics").status_code == 200
    guarded = create_app(api_settings(f"sqlite:///{path}", metrics_token="s3cret"))
    remote = TestClient(guarded, client=("203.0.113.9", 4000))
    refused = remote.get("/metrics")
    assert refused.status_code == 401
    assert refused.json()["detail"][0]["type"] == "unauthenticated"
    assert remote.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    allowed = remote.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert allowed.status_code == 200 and "purna_solve_jobs" in allowed.text
    assert "/metrics" not in remote.get("/openapi.json").json()["paths"]


def _health_client(template: Path, tmp_path: Path, **settings: object) -> TestClient:
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, path)
    return TestClient(create_app(api_settings(f"sqlite:///{path}", **settings)))


def _health(template: Path, tmp_path: Path, **settings: object) -> tuple[int, dict[str, object]]:
    response = _health_client(template, tmp_path, **settings).get("/v1/health")
    return response.status_code, response.json()


def test_health_with_threads_reports_the_database(
    api_template: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The embedded shape: the database answers, no broker or workers to ask."""
    status, body = _health(api_template, tmp_path)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "sqlite",
        "job_runner": "thread",
        "broker": None,
        "workers": None,
    }


def test_health_without_its_database_is_503(tmp_path: Path) -> None:
    """A PostgreSQL that does not answer: 503, status down (the answer is still JSON)."""
    url = "postgresql+psycopg://purna@127.0.0.1:1/none?connect_timeout=2"
    response = TestClient(create_app(api_settings(url))).get("/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "unreachable"


def test_health_with_an_unreachable_broker_is_degraded(
    api_template: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """JOB_RUNNER=celery and nothing listening at BROKER_URL: 200 (bookings still work),
    status degraded, broker unreachable, no workers."""
    status, body = _health(
        api_template, tmp_path, job_runner="celery", broker_url="redis://127.0.0.1:1/0"
    )
    assert status == 200
    assert (body["status"], body["broker"], body["workers"]) == ("degraded", "unreachable", [])


@pytest.fixture
def redis_db() -> str:
    """A Redis database of its own (workers' pings are per database): its URL; skipped without
    Redis, except under CI=true."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        msg = f"Redis is not reachable at {REDIS_URL} ({exc}); start it: redis-server --daemonize"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    finally:
        client.close()
    return f"{REDIS_URL}/{9 + uuid.uuid4().int % 6}"


def test_health_sees_the_broker_and_a_real_worker(
    api_template: Path,  # noqa: F811
    tmp_path: Path,
    redis_db: str,
) -> None:
    """JOB_RUNNER=celery on a real Redis: degraded with no worker, ok once a `purna worker`
    answers the ping, with its name."""
    client = _health_client(api_template, tmp_path, job_runner="celery", broker_url=redis_db)
    body = client.get("/v1/health").json()
    assert (body["status"], body["broker"], body["workers"]) == ("degraded", "ok", [])
    path = tmp_path / "worker.db"
    shutil.copyfile(api_template, path)
    env = os.environ | {
        "BROKER_URL": redis_db,
        "JOB_QUEUE": f"purna-health-{uuid.uuid4().hex[:8]}",
        "DATABASE_URL": f"sqlite:///{path}",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [*PURNA, "worker"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its pool processes end with it
        )
    try:
        deadline_s = time.monotonic() + WORKER_UP_S
        while not (body := client.get("/v1/health").json())["workers"]:  # waits 1 s a time
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline_s, log_path.read_text()
        assert body["status"] == "ok" and len(body["workers"]) == 1
        assert str(body["workers"][0]).startswith("purna-")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
