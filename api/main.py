"""create_app(settings): the FastAPI application, its routers, error handlers and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import embedded, errors, metrics, security
from api.limits import build_limiter
from api.request_ids import RequestIds
from api.routes import ROUTERS
from api.web import pages
from dispatch.config import Settings, get_settings
from dispatch.db import make_engine
from dispatch.jobs.runner import build_runner
from dispatch.status.health import BrokerProbe

API_PREFIX = "/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for these settings (the environment's when None)."""
    settings = settings or get_settings()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for start in app.state.on_start:
            start(app)
        try:
            yield
        finally:
            for stop in reversed(app.state.on_stop):
                stop(app)
            engine.dispose()

    app = FastAPI(
        title="Purna",
        version="0.1.0",
        description="Field-service scheduling and dispatch for after-sales service.",
        lifespan=lifespan,
        docs_url=None,  # api/web serves /docs with a vendored Swagger UI, not one from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.on_start = []  # callables(app) run at startup: solve-job runner, scheduler
    app.state.on_stop = []
    app.state.job_runner = build_runner(settings, engine)
    app.state.on_start.append(lambda app: app.state.job_runner.start())
    app.state.on_stop.append(lambda app: app.state.job_runner.stop())
    if settings.embedded_scheduler:  # false on API workers when `purna scheduler` runs
        app.state.on_start.append(embedded.start_embedded)
        app.state.on_stop.append(embedded.stop_embedded)
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX, responses=errors.ERROR_RESPONSES)
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    pages.install(app)
    app.state.limiter = build_limiter(settings)
    app.state.broker_probe = BrokerProbe(settings) if settings.job_runner == "celery" else None
    if app.state.broker_probe is not None:
        app.state.on_stop.append(lambda app: app.state.broker_probe.close())
    metrics.install(app)
    docs_html = bytes(pages.read_api_docs().body).decode()
    app.add_middleware(
        security.SecurityHeaders,
        csp=security.content_security_policy(settings),
        docs_csp=security.content_security_policy(
            settings, security.inline_script_hashes(docs_html)
        ),
    )
    app.add_middleware(RequestIds)  # outermost: every line of the request carries its id
    security.mask_tokens_in_access_log()
    return app
