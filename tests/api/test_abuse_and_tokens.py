"""Tokens (hashed, expiring, rotated, revoked), abuse limits (429 with Retry-After) and the
security headers of pages and API answers (issue 18)."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlmodel import select
from typer.testing import CliRunner

from api.cli import app as cli
from api.limits import AUTH_FAILURES, build_limiter
from api.security import MaskTokens, inline_script_hashes
from dispatch.account.models import ApiToken
from dispatch.errors import InvalidInput
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, api_settings

api_template, world = support.api_template, support.world  # fixtures
runner = CliRunner()
REDIS_URL = "redis://127.0.0.1:6379/15"


def _refused(response: Any, msg: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"][0] == {"loc": [], "msg": msg, "type": "unauthenticated"}


def test_tokens_are_stored_only_as_hashes_and_staff_tokens_expire_in_30_days(
    world: World,
) -> None:
    """No stored row holds a plain token, each holds its SHA-256; staff tokens run 30 days,
    customer tokens 365."""
    with world.session() as session:
        rows = session.exec(select(ApiToken)).all()
    plain = set(world.tokens.values())
    hashes = {hashlib.sha256(t.encode()).hexdigest() for t in plain}
    assert {r.token_hash for r in rows} == hashes
    assert not any(p in repr(r.model_dump()) for r in rows for p in plain)
    lifetimes = {round((r.expires_at - r.created_at) / timedelta(days=1)) for r in rows}
    assert lifetimes == {30, 365}


def test_expired_and_revoked_tokens_answer_401_with_the_reason(world: World) -> None:
    """An unknown, an expired and a revoked token each get 401 with a plain sentence."""
    _refused(
        world.client.get("/v1/me", headers={"Authorization": "Bearer x"}),
        ("The bearer token is unknown."),
    )
    token_hash = hashlib.sha256(world.tokens["disp_a"].encode()).hexdigest()
    with world.session() as session:
        row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    _refused(
        world.get("disp_a", "/v1/me"), "The bearer token has expired; ask an admin for a new one."
    )
    url = str(world.engine.url)
    result = runner.invoke(cli, ["users", "revoke", "--name", "disp_b", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Revoked 1 token(s) of dispatcher 'disp_b'."
    _refused(
        world.get("disp_b", "/v1/me"), "The bearer token was revoked; ask an admin for a new one."
    )


def test_users_rotate_revokes_the_old_token_and_prints_a_working_one(world: World) -> None:
    """After rotate the old token is refused and the printed one signs in as the same user."""
    url = str(world.engine.url)
    result = runner.invoke(cli, ["users", "rotate", "--name", "tech_b", "--database-url", url])
    assert result.exit_code == 0, result.output
    first, token = result.stdout.strip().splitlines()
    assert first.endswith("new bearer token, valid 30 days:")
    _refused(
        world.get("tech_b", "/v1/me"), "The bearer token was revoked; ask an admin for a new one."
    )
    me = world.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["name"] == "tech_b"
    missing = runner.invoke(cli, ["users", "rotate", "--name", "nobody", "--database-url", url])
    assert (
        missing.exit_code == 2
        and missing.stderr.strip() == "error: there is no user named 'nobody'."
    )


def test_purna_audit_prints_the_access_log(world: World) -> None:
    """A dispatcher's read of a customer shows up in `purna audit` with who and which path."""
    customer_id = world.visits_a[0].request.customer_id
    assert world.get("disp_a", f"/v1/customers/{customer_id}").status_code == 200
    url = str(world.engine.url)
    result = runner.invoke(cli, ["audit", "--customer-id", str(customer_id), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Access log: 1 of 1" in result.stdout
    assert "disp_a" in result.stdout and "/v1/customers/{customer_id}" in result.stdout


def _limited(world: World, **limits: str) -> None:
    """Give the running app these limits (fresh counters in memory)."""
    settings = api_settings(str(world.engine.url), **limits)
    world.client.app.state.limiter = build_limiter(settings)  # type: ignore[attr-defined]


def _too_many(response: Any) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["detail"][0]["type"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    return retry_after


def test_failed_authentication_is_limited_per_client_address(world: World) -> None:
    """Three wrong tokens from one address: the fourth try is 429 with Retry-After, even with
    a valid token; successful sign-ins do not count."""
    _limited(world, auth_failure_limit="3/minute")
    for _ in range(5):
        assert world.get("admin", "/v1/me").status_code == 200
    for i in range(3):
        wrong = world.client.get("/v1/me", headers={"Authorization": f"Bearer wrong-{i}"})
        assert wrong.status_code == 401
    _too_many(world.client.get("/v1/me", headers={"Authorization": "Bearer wrong-3"}))
    _too_many(world.get("admin", "/v1/me"))


def test_slot_queries_and_bookings_are_limited_per_account(world: World) -> None:
    """Over its slot-query limit one account gets 429 while another still gets answers; the
    booking writes have their own limit."""
    _limited(world, slot_query_limit="2/minute", booking_limit="1/minute")
    with world.session() as session:
        visit = session.get(type(world.visits_a[0]), world.visits_a[0].id)
        assert visit is not None
        asset_id = visit.request.asset_id
    params = {"asset_id": asset_id, "kind": "installation"}
    for _ in range(2):
        assert world.get("customer", "/v1/slots", params=params).status_code == 200
    _too_many(world.get("customer", "/v1/slots", params=params))
    assert world.get("admin", "/v1/slots", params=params).status_code == 200
    assert world.post("customer", "/v1/bookings/999999/cancel").status_code == 404
    _too_many(world.post("customer", "/v1/bookings/999999/cancel"))


def test_limits_use_redis_when_configured() -> None:
    """With RATE_LIMIT_STORAGE_URL=redis://..., two limiters (two API workers) share counts."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        message = "Redis is not reachable at 127.0.0.1:6379"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    settings = api_settings(
        "sqlite://", rate_limit_storage_url=REDIS_URL, auth_failure_limit="2/hour"
    )
    first, second = build_limiter(settings), build_limiter(settings)
    key = f"test-{uuid.uuid4().hex}"
    first.count(AUTH_FAILURES, key)
    second.count(AUTH_FAILURES, key)
    with pytest.raises(Exception, match="Too many requests") as refused:
        first.check(AUTH_FAILURES, key)
    assert not isinstance(refused.value, InvalidInput)


def test_pages_and_api_send_security_headers(world: World) -> None:
    """Pages and API answers: a CSP with scripts from this site only, nosniff, no referrer;
    /docs admits exactly its inline start-up script by hash; /v1 answers are not cached."""
    for path in ("/", "/signin", "/board", "/me", "/book", "/track/1", "/docs", "/v1/health"):
        response = world.client.get(path)
        assert response.status_code == 200, path
        csp = dict(
            d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")
        )
        scripts = csp["script-src"].split()
        assert scripts[0] == "'self'" and "'unsafe-inline'" not in scripts, path
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        hashes = [f"'sha256-{h}'" for h in inline_script_hashes(response.text)]
        assert scripts[1:] == hashes, path  # only /docs has an inline script
    assert world.get("admin", "/v1/regions").headers["Cache-Control"] == "no-store"


def test_access_log_lines_do_not_show_tokens() -> None:
    """A `?token=` sign-in link is masked in uvicorn's access-log line."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/board?token=s3cr3t&day=2026-03-10", "1.1", 200),
        None,
    )
    assert MaskTokens().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/board?token=***&day=2026-03-10" in record.getMessage()
