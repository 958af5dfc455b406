"""Expected times of a route's stops, from the published plan and what has happened so far.

Travel between stops is read off the plan itself (arrival minus the end of the previous service,
minus the breaks taken in between), so ETAs use the same travel model as the plan, OSRM or
great circle, without planning again. The first event on a route moves every later stop: a
technician who finishes early arrives early (but never starts before the promised window),
one who is late pushes the rest of the day back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dispatch.visit.models import VisitStatus

S = VisitStatus


@dataclass(frozen=True, slots=True)
class StopFacts:
    """What is known of one stop: the promise, the plan, and the events recorded."""

    status: VisitStatus
    duration_s: int
    window_start: datetime | None
    planned_arrival: datetime | None
    planned_start: datetime | None
    planned_end: datetime | None
    planned_ready: datetime | None = None  # when the plan has the technician set off for it
    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Eta:
    """Expected (or, once known, actual) arrival, start and end of service."""

    arrival: datetime | None
    start: datetime | None
    end: datetime | None


Span = tuple[datetime, datetime]


def etas(stops: Sequence[StopFacts], breaks: Sequence[Span]) -> list[Eta]:
    """The ETA of each stop, in route order."""
    result: list[Eta] = []
    free: datetime | None = None  # when the technician is free to drive on, per the events
    for stop in stops:
        drive, pause = planned_leg(stop.planned_ready, stop.planned_arrival, breaks)
        eta = _eta(stop, free, drive, pause)
        result.append(eta)
        if eta.end is not None and (free is not None or _has_happened(stop)):
            free = eta.end
    return result


def _eta(stop: StopFacts, free: datetime | None, drive: timedelta, pause: timedelta) -> Eta:
    """One stop's times: actual where recorded, else carried forward from `free`."""
    duration = timedelta(seconds=stop.duration_s)
    if stop.status in (S.COMPLETED, S.FAILED):
        return Eta(stop.arrived_at, stop.started_at, stop.ended_at)
    if stop.status is S.ON_SITE and stop.started_at is not None:
        return Eta(stop.arrived_at, stop.started_at, stop.started_at + duration)
    if stop.status is S.EN_ROUTE and stop.en_route_at is not None:
        return _serve(stop, stop.en_route_at + drive, duration)
    if free is None:  # nothing has happened before this stop: the plan still holds
        return Eta(stop.planned_arrival, stop.planned_start, stop.planned_end)
    return _serve(stop, free + drive + pause, duration)


def _serve(stop: StopFacts, arrival: datetime, duration: timedelta) -> Eta:
    start = max(arrival, stop.window_start) if stop.window_start is not None else arrival
    return Eta(arrival, start, start + duration)


def _has_happened(stop: StopFacts) -> bool:
    return stop.status in (S.EN_ROUTE, S.ON_SITE, S.COMPLETED, S.FAILED)


def planned_leg(
    ready: datetime | None, arrival: datetime | None, breaks: Sequence[Span]
) -> tuple[timedelta, timedelta]:
    """The planned drive into a stop (from `ready`, when the plan has the technician set off, to
    its arrival) and the breaks planned on the way; zero when unknown."""
    if ready is None or arrival is None or arrival <= ready:
        return timedelta(0), timedelta(0)
    pause = sum(
        (end - start for start, end in breaks if start >= ready and end <= arrival), timedelta(0)
    )
    return max(timedelta(0), arrival - ready - pause), pause
