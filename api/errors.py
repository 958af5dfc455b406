"""One table from domain errors to HTTP status codes, and the one error shape every 4xx uses.

Every error body is FastAPI's validation shape,
{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}, so clients parse one format for 400,
401, 403, 404, 409 and 422.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dispatch import errors as domain

log = logging.getLogger(__name__)

STATUS_BY_ERROR: tuple[tuple[type[domain.DomainError], int], ...] = (
    # Subclasses before their parents: the first match wins.
    (domain.NotFound, 404),
    (domain.WorkshopFull, 409),
    (domain.SlotUnavailable, 409),
    (domain.VoucherUnusable, 409),
    (domain.VoucherLimitReached, 409),
    (domain.InvalidTransition, 409),
    (domain.OutOfStock, 409),
    (domain.Conflict, 409),
    (domain.NotCovered, 422),
    (domain.InvalidInput, 422),
    (domain.RoutingUnavailable, 503),
)


class Forbidden(Exception):
    """The caller is known but may not do this (object-level authorisation)."""

    def __init__(self, msg: str = "You may not access this resource.") -> None:
        super().__init__(msg)
        self.msg = msg


class Unauthenticated(Exception):
    """No valid bearer token."""

    def __init__(self, msg: str = "A valid bearer token is required.") -> None:
        super().__init__(msg)
        self.msg = msg


class TooManyRequests(Exception):
    """An abuse limit is reached (api/limits.py); try again after retry_after_s."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after_s} s.")
        self.msg = str(self)
        self.retry_after_s = retry_after_s


def error_body(msg: str, type_: str, loc: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """The one error shape."""
    return {"detail": [{"loc": list(loc), "msg": msg, "type": type_}]}


def status_for(error: domain.DomainError) -> int:
    """The HTTP status of a domain error."""
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 400


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""
    handlers: tuple[tuple[type[Exception], Any], ...] = (
        (domain.DomainError, _on_domain_error),
        (Forbidden, _on_forbidden),
        (Unauthenticated, _on_unauthenticated),
        (TooManyRequests, _on_too_many),
        (RequestValidationError, _on_validation),
        (StarletteHTTPException, _on_http),
        (OverflowError, _on_out_of_range),
        (DataError, _on_out_of_range),
        (Exception, _on_unexpected),
    )
    for error_type, handler in handlers:
        app.add_exception_handler(error_type, handler)


async def _on_domain_error(_: Request, exc: domain.DomainError) -> JSONResponse:
    return JSONResponse(error_body(str(exc), exc.type, exc.loc), status_code=status_for(exc))


async def _on_forbidden(_: Request, exc: Forbidden) -> JSONResponse:
    return JSONResponse(error_body(exc.msg, "forbidden"), status_code=403)


async def _on_unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
    return JSONResponse(
        error_body(exc.msg, "unauthenticated"),
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def _on_too_many(_: Request, exc: TooManyRequests) -> JSONResponse:
    return JSONResponse(
        error_body(exc.msg, "rate_limited"),
        status_code=429,
        headers={"Retry-After": str(exc.retry_after_s)},
    )


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)


async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    type_ = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
    return JSONResponse(
        error_body(str(exc.detail), type_), status_code=exc.status_code, headers=exc.headers
    )


async def _on_out_of_range(_: Request, exc: Exception) -> JSONResponse:
    # A number too large for its column (ids beyond 64 bits on SQLite, 32 on PostgreSQL):
    # bad input that passed the schema, not a server fault.
    body = error_body("A number is out of range for the database.", "out_of_range")
    return JSONResponse(body, status_code=422)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("Internal server error.", "internal_error"), status_code=500)


class ErrorDetail(BaseModel):
    """One item of the error shape."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The one error shape of every 4xx: FastAPI's validation shape."""

    detail: list[ErrorDetail]


# Documented on every /v1 operation (the router's `responses=`), so clients and schema-driven
# tests know each may answer so; 422 is documented by FastAPI itself where input is parsed.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "No valid bearer token."),
        (403, "The caller may not do this (role, or a region it does not dispatch)."),
        (404, "No such object, or not one the caller may see."),
        (409, "The request clashes with the current state (lifecycle, an open job, a slot)."),
        (429, "An abuse limit is reached; Retry-After says when to try again."),
    )
}
