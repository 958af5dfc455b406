"""Liveness and readiness: can this process reach its database, the broker and the workers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep
from dispatch.status import health

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """What this API process can reach."""

    status: str = Field(description="ok; degraded: solve jobs wait (broker or workers); down")
    database: str = Field(description="the dialect that answered, or unreachable")
    job_runner: str = Field(description="thread (in this process) or celery (workers)")
    broker: str | None = Field(
        default=None, description="JOB_RUNNER=celery: ok or unreachable (BROKER_URL)"
    )
    workers: list[str] | None = Field(
        default=None, description="JOB_RUNNER=celery: the workers that answered a ping"
    )


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def read_health(session: SessionDep, request: Request, response: Response) -> Health:
    """200 when the database answers (status degraded when solve jobs cannot run), else 503."""
    report = health.check(
        session=session,
        settings=request.app.state.settings,
        probe=request.app.state.broker_probe,
    )
    if report.database is None:
        response.status_code = 503
    return Health(
        status=report.status,
        database=report.database or "unreachable",
        job_runner=report.job_runner,
        broker=None if report.broker is None else ("ok" if report.broker else "unreachable"),
        workers=None if report.workers is None else list(report.workers),
    )
