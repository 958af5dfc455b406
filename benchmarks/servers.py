"""What a measurement runs against: real API processes serving a database.

The database itself comes from benchmarks.scratch; api_processes starts `purna serve`
processes on free local ports of 127.0.0.1, the shape of several API processes behind a load
balancer, and stops them at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

START_DEADLINE_S = 60.0  # two processes importing the solvers on a busy 2-core machine
STOP_DEADLINE_S = 15.0
# `purna serve` without relying on the console script being on PATH: the interpreter running
# this has purna installed (typer reads argv[1:], so argv[0] is only a name).
PURNA = (sys.executable, "-c", "import sys; from api.cli import app; sys.argv[0] = 'purna'; app()")


class ServerFailed(Exception):
    """An API process did not start, or ended by itself; the message has its log's tail."""


@dataclass
class ApiProcess:
    """One `purna serve` process: its base URL, the process, and the file its output goes to."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the process printed."""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def api_processes(
    database_url: str, count: int, env: Mapping[str, str] | None = None
) -> Iterator[list[ApiProcess]]:
    """count `purna serve --no-migrate` processes on the (migrated) database, each on a free
    port, ready to answer /v1/health; stopped with SIGTERM (then SIGKILL) at the end."""
    with tempfile.TemporaryDirectory(prefix="purna-serve-") as folder, ExitStack() as stack:
        settings = {"DATABASE_URL": database_url, "EMBEDDED_SCHEDULER": "false"} | dict(env or {})
        started = [
            stack.enter_context(_api_process(Path(folder), i, os.environ | settings))
            for i in range(count)
        ]
        for server in started:
            _wait_ready(server)
        yield started


@contextmanager
def _api_process(folder: Path, index: int, env: Mapping[str, str]) -> Iterator[ApiProcess]:
    port = _free_port()
    log_path = folder / f"api-{index}.log"
    args = [*PURNA, "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        # The folder as working directory: a developer's .env is not read by the server.
        process = subprocess.Popen(args, env=dict(env), cwd=folder, stdout=log, stderr=log)
        try:
            yield ApiProcess(f"http://127.0.0.1:{port}", process, log_path)
        finally:
            _stop(process, log)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(server: ApiProcess) -> None:
    """Return once the server answers /v1/health with 200; raise ServerFailed when it exits or
    the deadline passes."""
    deadline_s = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline_s:
        if server.process.poll() is not None:
            msg = f"{server.url} exited with {server.process.returncode}:\n{server.log_tail()}"
            raise ServerFailed(msg)
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    raise ServerFailed(f"{server.url} did not answer within {START_DEADLINE_S:.0f} s")


def _stop(process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # uvicorn finishes open requests, then exits
        try:
            process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.flush()
