"""The metrics a process observes itself (prometheus-client): requests, slot queries, conflicts.

With PROMETHEUS_MULTIPROC_DIR set before the process starts, prometheus-client keeps these in
files of that folder shared by every API process, and a scrape of any one of them sums them all
(api/metrics.py). What lives in the database (solve jobs, the outbox) is read from it at scrape
time instead (dispatch.status.backlog), so it is counted once however many processes there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

from dispatch.errors import Conflict, SlotUnavailable

REQUEST_SECONDS = Histogram(
    "purna_http_request_duration_seconds",
    "HTTP requests by method, route template and status, from receipt to the last byte.",
    ["method", "route", "status"],
)
SLOT_QUERY_SECONDS = Histogram(
    "purna_slot_query_duration_seconds",
    "Slot offers computed (dispatch.booking.slots.offer_slots), over every day asked.",
)
BOOKING_CONFLICTS = Counter(
    "purna_booking_conflicts",
    "Booking writes refused because of the current state: the window was taken meanwhile "
    "(slot_unavailable) or the asset is booked already (conflict).",
    ["action", "reason"],
)


@contextmanager
def booking_conflicts_counted(action: str) -> Iterator[None]:
    """Count a SlotUnavailable or Conflict raised inside (by its type) and let it through."""
    try:
        yield
    except (SlotUnavailable, Conflict) as exc:
        BOOKING_CONFLICTS.labels(action, exc.type).inc()
        raise
