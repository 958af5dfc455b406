"""GET /metrics in the Prometheus text format, and the request timing behind it.

Who may read it: with METRICS_TOKEN set, a scraper sending `Authorization: Bearer <token>`;
without, clients on the loopback interface only (a Prometheus or an agent beside the process).
The figures tell booking volumes and backlogs, which are not for the public.
With PROMETHEUS_MULTIPROC_DIR set, every API process writes its metrics to that folder and any
one of them answers for all (prometheus-client's multi-process mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import Forbidden, Unauthenticated
from dispatch.status.backlog import Backlog
from dispatch.telemetry.metrics import REQUEST_SECONDS

UNMATCHED = "unmatched"  # requests no route took: one label, not one per path tried


class RequestTiming:
    """ASGI middleware: each HTTP request's seconds by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            elapsed_s = time.perf_counter() - started
            REQUEST_SECONDS.labels(scope["method"], route_template(scope), str(status)).observe(
                elapsed_s
            )


def route_template(scope: Scope) -> str:
    """The template of the route that took the request, e.g. /v1/bookings/{booking_id}.

    FastAPI gives the route's path within its router (/bookings/{booking_id}); the routers
    above it add fixed prefixes only (/v1), which are the raw path's leading segments.
    """
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    raw, own = scope["path"].rstrip("/").split("/"), path.rstrip("/").split("/")
    if ":path}" in path or len(own) > len(raw):  # a path converter spans several segments
        return path
    return "/".join(raw[: len(raw) - len(own) + 1]) + path


def install(app: FastAPI) -> None:
    """Time every request and serve GET /metrics (outside the OpenAPI document: not an API)."""
    app.add_middleware(RequestTiming)
    app.add_api_route("/metrics", read_metrics, methods=["GET"], include_in_schema=False)


def read_metrics(request: Request) -> Response:
    """The metrics of this process (of every API process in multi-process mode) and the
    database's backlogs, for a scraper allowed to read them."""
    _authorise(request)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    registry.register(Backlog(request.app.state.engine))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _authorise(request: Request) -> None:
    token = request.app.state.settings.metrics_token.get_secret_value()
    if token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise Unauthenticated("/metrics needs Authorization: Bearer <METRICS_TOKEN>.")
        return
    if not _loopback(request.client.host if request.client else None):
        raise Forbidden("/metrics answers local clients only; set METRICS_TOKEN to scrape it.")


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address (test clients)
        return False
