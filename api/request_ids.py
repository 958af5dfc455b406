"""X-Request-ID: taken from the request when it is a sane token, else made; answered back, and
bound to every log line of the request (dispatch.telemetry.logs)."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.telemetry import logs

HEADER = "X-Request-ID"
# What a proxy or client may hand on: ids, UUIDs, trace ids; nothing that could forge a line.
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIds:
    """ASGI middleware: the request's id in the log context and the response's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get(HEADER, "")
        request_id = sent if SANE.fullmatch(sent) else uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = logs.bind(request_id=request_id)
        await self.app(scope, receive, send_with_id)
        # Unbound only after a normal end: an error leaves it bound for the line the outermost
        # error handler logs, in this request's own task.
        logs.unbind(token)
