"""Visit events: a lower package tells a higher one what happened, without importing it.

booking (confirmed, rescheduled, cancelled), field (en_route, completed, failed, ...) and
feedback (a survey answered) publish, and workshop a service done at a partner workshop
(ServiceDone) and a bay booked, moved or cancelled (BayChanged); parts (holds consumed or
released), backorder (a visit waiting for a part), outreach, which queues the customer's
messages, voucher, which issues vouchers by rule, and handover (training after an
installation, late deliveries) listen. Listeners run in the publisher's transaction, in the
order subscribed; outreach guards its own so that a message never fails the change that
caused it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from dispatch.config import Settings
from dispatch.request.models import ServiceRequest
from dispatch.visit.models import Visit

# The modules that subscribe, imported on the first publish: every process that changes a
# visit then notifies, whichever modules it happened to import before.
LISTENERS = (
    "dispatch.parts.reservations",
    "dispatch.backorder.service",
    "dispatch.outreach.service",
    "dispatch.outreach.bay",
    "dispatch.voucher.rules",
    "dispatch.handover.service",
)


@dataclass(frozen=True, slots=True)
class VisitChanged:
    """What happened to a visit: a booking change or a field event, at a moment."""

    session: Session
    visit: Visit
    source: Literal["booking", "field", "survey"]
    # booking: confirmed | rescheduled | cancelled; field: a field.models.VisitEvent;
    # survey: answered
    name: str
    at: datetime
    settings: Settings | None = None


Listener = Callable[[VisitChanged], None]
_listeners: list[Listener] = []
_loaded = False


def subscribe(listener: Listener) -> None:
    """Call listener on every visit event from now on (once, however often subscribed)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(change: VisitChanged) -> None:
    """Step: tell every listener, in the publisher's transaction."""
    _load_listeners()
    for listener in _listeners:
        listener(change)


def _load_listeners() -> None:
    """Import the listening modules once, on the first event (they subscribe on import)."""
    global _loaded
    if not _loaded:
        for module in LISTENERS:
            importlib.import_module(module)
        _loaded = True


@dataclass(frozen=True, slots=True)
class ServiceDone:
    """A service completed without a visit (a bay booking at a partner workshop): what the
    rules that follow a completed service hear (vouchers); source names it, `workshop:<id>`."""

    session: Session
    request: ServiceRequest
    source: str
    at: datetime


ServiceListener = Callable[[ServiceDone], None]
_service_listeners: list[ServiceListener] = []


def subscribe_service_done(listener: ServiceListener) -> None:
    """Call listener on every service done without a visit (once, however often subscribed)."""
    if listener not in _service_listeners:
        _service_listeners.append(listener)


def publish_service_done(done: ServiceDone) -> None:
    """Step: tell every listener of services done, in the publisher's transaction."""
    _load_listeners()
    for listener in _service_listeners:
        listener(done)


@dataclass(frozen=True, slots=True)
class BayChanged:
    """A bay booking at a partner workshop booked, moved or cancelled (what outreach tells the
    customer). It names the booking by id: this module imports no workshop table."""

    session: Session
    booking_id: int
    name: Literal["booked", "moved", "cancelled"]
    at: datetime


BayListener = Callable[[BayChanged], None]
_bay_listeners: list[BayListener] = []


def subscribe_bay_changed(listener: BayListener) -> None:
    """Call listener on every bay booking change (once, however often subscribed)."""
    if listener not in _bay_listeners:
        _bay_listeners.append(listener)


def publish_bay_changed(change: BayChanged) -> None:
    """Step: tell every listener of bay booking changes, in the publisher's transaction."""
    _load_listeners()
    for listener in _bay_listeners:
        listener(change)
