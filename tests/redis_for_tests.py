"""The Redis the Celery tests need, for `make test`: `start` prints a Redis URL that answers,
starting Debian's redis-server on a free local port when nothing answers at the usual one;
`stop` ends the server `start` started (none other).

    python -m tests.redis_for_tests start   # prints redis://127.0.0.1:PORT/0
    python -m tests.redis_for_tests stop
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

USUAL_URL = os.environ.get("PURNA_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
PID_FILE = Path(os.environ.get("PURNA_TEST_REDIS_PIDFILE", ".test-redis.pid")).absolute()
UP_S = 10.0


def answers(url: str) -> bool:
    """True when a Redis server answers PING at url."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _redis_server() -> str | None:
    """The redis-server binary; installed from Debian when missing and running as root."""
    found = shutil.which("redis-server")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for step in (["update", "-qq"], ["install", "-y", "-qq", "redis-server"]):
        subprocess.run(["apt-get", *step], check=False, stdout=subprocess.DEVNULL, env=env)
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start() -> str:
    """A Redis URL for the tests: the usual one if it answers, else a server of our own; the
    usual URL (the tests then skip, or fail under CI=true) when none can be started."""
    if answers(USUAL_URL):
        return USUAL_URL
    binary = _redis_server()
    if binary is None:
        print("no redis-server (apt-get install redis-server); Celery tests skip", file=sys.stderr)
        return USUAL_URL
    port = _free_port()
    subprocess.run(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--pidfile", str(PID_FILE), "--logfile", ""],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline_s = time.monotonic() + UP_S
    while not answers(url):
        if time.monotonic() > deadline_s:
            print(f"redis-server did not answer on port {port}", file=sys.stderr)
            return USUAL_URL
        time.sleep(0.1)  # between pings of the starting server
    print(f"started redis-server for the tests at {url}", file=sys.stderr)
    return url


def stop() -> None:
    """End the server start() started, if it did."""
    try:
        pid = int(PID_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    PID_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["start"]:
        print(start())
    elif sys.argv[1:] == ["stop"]:
        stop()
    else:
        sys.exit("usage: python -m tests.redis_for_tests start|stop")
