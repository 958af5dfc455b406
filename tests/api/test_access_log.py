"""The access log never holds a bearer token from a sign-in link."""

from __future__ import annotations

import logging

from api import access_log


def _access_record(path: str) -> logging.LogRecord:
    # uvicorn's access records: (client, method, path with query, http version, status)
    args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None
    )


def test_token_in_a_page_address_is_redacted() -> None:
    """/board?token=secret&day=... is logged with the token replaced, the rest kept."""
    record = _access_record("/board?token=s3cr3t-Token_x&day=2026-12-04")
    assert access_log.RedactTokens().filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line
    assert "/board?token=[redacted]&day=2026-12-04" in line


def test_addresses_without_a_token_are_left_alone() -> None:
    """Other queries pass unchanged."""
    record = _access_record("/v1/slots?asset_id=3&kind=repair")
    access_log.RedactTokens().filter(record)
    assert "/v1/slots?asset_id=3&kind=repair" in record.getMessage()


def test_install_adds_the_filter_once() -> None:
    """Creating several apps in one process does not stack filters."""
    access_log.install()
    access_log.install()
    filters = logging.getLogger("uvicorn.access").filters
    assert sum(isinstance(f, access_log.RedactTokens) for f in filters) == 1
