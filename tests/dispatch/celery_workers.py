"""Real `purna worker` processes for the Celery tests, each set on a queue of its own, so
that parallel test processes never take each other's jobs (nor restore each other's)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dispatch.config import Settings
from dispatch.jobs.celery_app import CeleryRunner, forget_queue
from dispatch.jobs.runner import build_runner

WORKER_UP_S = 60.0  # the worker's start (imports, broker connection) plus a short solve


@dataclass
class Worker:
    """A running `purna worker` process and the runner that sends it jobs."""

    runner: CeleryRunner
    process: subprocess.Popen[bytes]
    log: Path

    def wait(self, condition: Callable[[], Any], timeout_s: float) -> Any:
        """Poll condition until it holds; fail with the worker's log when it does not in time."""
        deadline_s = time.monotonic() + timeout_s
        while not (result := condition()):
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline_s:
                pytest.fail(f"condition not met within {timeout_s} s; worker log:\n{self.tail()}")
            time.sleep(0.1)  # between looks at the job's row
        return result

    def tail(self) -> str:
        """The last lines the worker logged."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])

    def owns(self, pid: int) -> bool:
        """True when pid is this worker's main process or one of its pool processes."""
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False


class Workers:
    """Workers on the test's database and one queue; every one ended, the queue forgotten."""

    def __init__(self, engine: Engine, broker_url: str, tmp_path: Path, **settings: str) -> None:
        self._database_url = engine.url.render_as_string(hide_password=False)
        self._env = {k.upper(): v for k, v in settings.items()}
        self._tmp_path = tmp_path
        self._settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=self._database_url,
            job_runner="celery",
            broker_url=broker_url,
            job_queue=f"purna-test-{uuid.uuid4().hex[:12]}",
            **settings,
        )
        self._engine = engine
        self.started: list[Worker] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for worker in self.started:
            worker.runner.stop()
            _end(worker.process)
        forget_queue(self._settings)

    def start(self) -> Worker:
        """One more `purna worker --concurrency 1` on the queue."""
        runner = build_runner(self._settings, self._engine)
        assert isinstance(runner, CeleryRunner)
        env = (
            os.environ
            | self._env
            | {
                "DATABASE_URL": self._database_url,
                "JOB_RUNNER": "celery",
                "BROKER_URL": self._settings.broker_url,
                "JOB_QUEUE": self._settings.job_queue,
            }
        )
        log = self._tmp_path / f"worker-{len(self.started)}.log"
        purna = Path(sys.executable).with_name("purna")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(purna), "worker", "--concurrency", "1"],
                cwd=self._tmp_path,  # no developer's .env is read
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool processes are ended with it
            )
        self.started.append(Worker(runner, process, log))
        return self.started[-1]


def _end(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL to the whole group if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any pool process left behind
