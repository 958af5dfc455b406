"""Log lines as one JSON object each (LOG_FORMAT=json), with what the line belongs to.

bound(request_id=...) or bound(job_id=..., region=..., day=...) puts fields into a context
variable for the duration of a request or a job; every line logged meanwhile carries them, also
from the threads FastAPI runs endpoints in (they copy the context) and from the solver's
progress callbacks. With LOG_FORMAT=text the lines stay as they were.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from dispatch.config import Settings

_fields: ContextVar[dict[str, Any] | None] = ContextVar("purna_log_fields", default=None)
# Loggers that libraries give handlers of their own: their lines go through ours instead.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "apscheduler")


def bind(**fields: Any) -> Token[dict[str, Any] | None]:
    """Add these fields to every line logged in this context from now on, until unbind."""
    return _fields.set((_fields.get() or {}) | fields)


def unbind(token: Token[dict[str, Any] | None]) -> None:
    """Back to the fields bound before bind gave this token."""
    _fields.reset(token)


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Every line logged inside carries these fields (added to those already bound)."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def current() -> dict[str, Any]:
    """The fields bound now."""
    return dict(_fields.get() or {})


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC), level, logger, message, the bound fields,
    and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= current()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_json(settings: Settings) -> None:
    """Log one JSON object a line at settings.log_level: one handler on the root logger
    (stderr), to which the libraries' loggers hand their lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.propagate = True
