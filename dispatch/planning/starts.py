"""Where each technician stands at a moment of the day, from the visits it started or finished.

A re-plan keeps those visits where they are and lets each technician go on from the place of
the last of them, once it is free: a finished visit frees it when it ended, one in progress
when its duration has run from its start, and one it is driving to no earlier than its planned
end or its duration from now (the drive is not known here), whichever is later. A crew visit
places each of its members so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch import localtime
from dispatch.planning.convert import Start
from dispatch.visit.models import Visit, VisitStatus

S = VisitStatus
# Started or done: a re-plan leaves these with their technician and times.
STARTED: frozenset[VisitStatus] = frozenset({S.EN_ROUTE, S.ON_SITE, S.COMPLETED, S.FAILED})


def starts_at(
    visits: Iterable[Visit],
    *,
    day: date,
    tz: ZoneInfo,
    now: datetime,
    crews: Mapping[int, Sequence[int]] | None = None,
) -> dict[int, Start]:
    """Per technician with started or finished visits: where it is and when it is free; a crew
    visit (crews: its members per visit id) places every member, not only the first."""
    by_technician: dict[int, list[Visit]] = defaultdict(list)
    for v in visits:
        if v.status in STARTED and v.planned_technician_id is not None:
            members = (crews or {}).get(v.id or 0) or [v.planned_technician_id]
            for technician_id in dict.fromkeys(members):
                by_technician[technician_id].append(v)
    starts = {}
    for technician_id, done in by_technician.items():
        last = max(done, key=lambda v: (free_at(v, now), v.id or 0))
        free_s = localtime.seconds_from_midnight(max(now, free_at(last, now)), day, tz)
        starts[technician_id] = Start(last.lat, last.lon, free_s, served=len(done))
    return starts


def free_at(visit: Visit, now: datetime) -> datetime:
    """When the technician of a started or finished visit is free again."""
    duration = timedelta(seconds=visit.duration_s)
    if visit.status in (S.COMPLETED, S.FAILED):
        return visit.ended_at or visit.planned_end or now
    if visit.status is S.ON_SITE:
        return (visit.started_at or visit.arrived_at or now) + duration
    return max(visit.planned_end or now, now + duration)  # en route
