"""The embedded scheduler: started and stopped with the API process (`make run`).

create_app appends start_embedded / stop_embedded to app.state.on_start / on_stop when
EMBEDDED_SCHEDULER is true. Production runs `purna scheduler` as its own process instead and
sets EMBEDDED_SCHEDULER=false on the API workers, so that there is one scheduler per deployment.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from dispatch.scheduler import build_scheduler, register_tasks

log = logging.getLogger("purna.scheduler")


def start_embedded(app: FastAPI) -> None:
    """Build the scheduler, register every task and start it in a background thread."""
    scheduler = build_scheduler(app.state.settings)
    register_tasks(scheduler, app.state.engine, app.state.settings, runner=app.state.job_runner)
    scheduler.start()
    app.state.scheduler = scheduler
    log.info("embedded scheduler started with jobs %s", [j.id for j in scheduler.get_jobs()])


def stop_embedded(app: FastAPI) -> None:
    """Stop the scheduler, letting a running task finish its transaction."""
    scheduler = getattr(app.state, "scheduler", None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
    app.state.scheduler = None
