"""Security headers on every response, and bearer tokens kept out of the access log.

- Content-Security-Policy: scripts from this site only (no inline script, no eval); styles
  from this site plus inline `style` attributes, which the pages' scripts set on elements
  (positions on the timeline, colours of technicians); map tiles from the configured server.
  /docs (Swagger UI) runs one inline start-up script, admitted by its SHA-256 hash only.
- X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer (a `?token=` sign-in link
  never travels on in a Referer); X-Frame-Options and frame-ancestors: no framing.
- Cache-Control: no-store on /v1 answers that set none (personal data stays out of caches).
- Uvicorn's access log prints each request line: `token=` values in it are masked.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.config import Settings

DOCS_PATH = "/docs"
TOKEN_IN_QUERY = re.compile(r"(token=)[^&\s\"]+", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(settings: Settings, script_hashes: tuple[str, ...] = ()) -> str:
    """The CSP of the pages; script_hashes admit exact inline scripts (for /docs)."""
    images = ["'self'", "data:"]
    tiles = _origin(settings.map_tile_url)
    if tiles:
        images.append(tiles)
    scripts = ["'self'", *(f"'sha256-{h}'" for h in script_hashes)]
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """The CSP hashes (base64 SHA-256) of the inline scripts of a page."""
    return tuple(
        base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for body in INLINE_SCRIPT.findall(html)
    )


def _origin(url_template: str) -> str | None:
    """scheme://host of a tile URL template; a {s} subdomain becomes a wildcard."""
    if not url_template:
        return None
    parts = urlsplit(url_template.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class SecurityHeaders:
    """Pure ASGI middleware (streams such as server-sent events pass through untouched)."""

    def __init__(self, app: ASGIApp, *, csp: str, docs_csp: str) -> None:
        self.app = app
        self.common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]
        self.csp = csp.encode()
        self.docs_csp = docs_csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = self.docs_csp if path == DOCS_PATH else self.csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [*self.common, (b"content-security-policy", csp)]
                if path.startswith("/v1/") and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend((n, v) for n, v in extra if n not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class MaskTokens(logging.Filter):
    """Masks `token=...` in a log record's arguments (uvicorn.access logs the request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_QUERY.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def mask_tokens_in_access_log() -> None:
    """Install MaskTokens on uvicorn's access logger, once."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskTokens) for f in logger.filters):
        logger.addFilter(MaskTokens())
