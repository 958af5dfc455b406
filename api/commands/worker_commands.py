"""`purna worker`: a Celery worker process that runs solve jobs (the production shape).

Thin: the app, its task and its settings are dispatch.jobs.celery_app's; the API enqueues the
jobs when it runs with JOB_RUNNER=celery.
"""

from __future__ import annotations

from typing import Annotated

import typer
from celery import signals as celery_signals

from api.commands.database import settings_for
from dispatch.jobs.celery_app import make_app
from dispatch.telemetry import logs

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]


def register(app: typer.Typer) -> None:
    """Add worker to the purna app."""
    app.command("worker")(worker_command)


def worker_command(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs at once; each keeps a core busy.")
    ] = 1,
    loglevel: Annotated[str, typer.Option(help="Celery's log level.")] = "INFO",
    database_url: DatabaseUrl = None,
) -> None:
    """Run a Celery worker for solve jobs (BROKER_URL, queue JOB_QUEUE) until stopped.

    Start as many as you like, on any machine that reaches the broker and the database."""
    settings = settings_for(database_url)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel}",
        f"--queues={settings.job_queue}",
        "--hostname=purna-%i@%h",  # a name of its own per process, for several on one machine
        "--without-gossip",  # nothing here uses the workers' chatter; it only loads the broker
        "--without-mingle",
    ]
    app = make_app(settings)
    if settings.log_format == "json":
        # A receiver of setup_logging tells Celery to leave the logging set up to us.
        celery_signals.setup_logging.connect(lambda **_: logs.configure_json(settings), weak=False)
    app.worker_main(argv)
