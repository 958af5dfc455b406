"""Fixtures of every test package: the Redis of the Celery tests (the databases are in
tests/dispatch/conftest.py)."""

import os

import pytest
import redis

BROKER_URL = os.environ.get("PURNA_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
REDIS_HINT = "start it: redis-server --daemonize yes (Debian package redis-server), or make test"


@pytest.fixture(scope="session")
def broker_url() -> str:
    """The Redis of the Celery tests (PURNA_TEST_BROKER_URL, which `make test` sets), reachable."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        msg = f"Redis is not reachable at {BROKER_URL} ({exc}); {REDIS_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    finally:
        client.close()
    return BROKER_URL
