"""What /v1/health reports: the database, and with JOB_RUNNER=celery the broker and the
workers that answer a ping within HEALTH_TIMEOUT_S."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from dispatch import db
from dispatch.config import Settings


@dataclass(frozen=True)
class Health:
    """database: its dialect, or None when it does not answer; broker: None without Celery,
    else whether it answers; workers: the names of the workers that answered a ping."""

    database: str | None
    job_runner: str
    broker: bool | None = None
    workers: tuple[str, ...] | None = None

    @property
    def status(self) -> str:
        """ok; degraded: bookings work, solve jobs wait (no broker, or no worker); down: no
        database."""
        if self.database is None:
            return "down"
        if self.broker is False or self.workers == ():
            return "degraded"
        return "ok"


class BrokerProbe:
    """Pings the broker and the workers of JOB_RUNNER=celery through one Celery app, made once
    per API process (it connects only when asked)."""

    def __init__(self, settings: Settings) -> None:
        from dispatch.jobs.celery_app import make_app  # Celery is imported only when used

        self._app: Any = make_app(settings)
        self._timeout_s = settings.health_timeout_s

    def broker(self) -> bool:
        """True when the broker accepts a connection within the timeout."""
        try:
            with self._app.connection_for_write() as connection:
                timeout_s = self._timeout_s
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout_s)
        except (BrokerError, OSError):
            return False
        return True

    def workers(self) -> tuple[str, ...]:
        """The workers that answer a ping within the timeout (every worker of this broker)."""
        try:
            answers = self._app.control.inspect(timeout=self._timeout_s).ping()
        except (BrokerError, OSError):
            return ()
        return tuple(sorted(answers or {}))

    def close(self) -> None:
        """Release the broker connections of this process."""
        self._app.close()


def check(*, session: Session, settings: Settings, probe: BrokerProbe | None) -> Health:
    """The database (a round trip), then the broker and the workers when there is a probe."""
    try:
        database: str | None = db.ping(session)
    except SQLAlchemyError:
        session.rollback()
        database = None
    if probe is None:
        return Health(database, settings.job_runner)
    reachable = probe.broker()
    return Health(database, settings.job_runner, reachable, probe.workers() if reachable else ())
