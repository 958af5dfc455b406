"""Fingerprints of a region's days: the promised visits and the crew's hours (which plan is
current, planning_service.current_plan_ids says).

A day's ledger is up to date while these are what they were when it was stored; they run on
every slot query, so they read a few columns and convert no datetime in Python.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from dispatch import localtime
from dispatch.region.models import Region
from dispatch.shift.models import ShiftException, WeeklyShift
from dispatch.technician.models import Technician, TechnicianSkill
from dispatch.visit import lifecycle
from dispatch.visit.models import Visit

EMPTY = hashlib.sha256(b"").hexdigest()


def visit_keys(*, session: Session, region: Region, first: date, last: date) -> dict[date, str]:
    """Per day, a fingerprint of the promised (booked or planned) visits: ids and windows.

    The database sorts each visit into the days its window overlaps (CASE over the days'
    bounds), so that no datetime is converted here: this runs on every slot query.
    """
    tz = region.zone
    n = (last - first).days + 1
    bounds = [localtime.local_midnight(first + timedelta(days=i), tz) for i in range(n + 1)]
    start, end = col(Visit.window_start), col(Visit.window_end)
    first_day = sa.case(*((start < b, i - 1) for i, b in enumerate(bounds[1:], 1)), else_=n - 1)
    last_day = sa.case(*((end <= b, i - 1) for i, b in enumerate(bounds[1:], 1)), else_=n - 1)
    rows = session.execute(
        sa.select(col(Visit.id), sa.cast(start, sa.String), first_day, last_day).where(
            col(Visit.region_id) == region.id,
            start < bounds[-1],
            end > bounds[0],
            col(Visit.status).in_(list(lifecycle.PLANNABLE)),
        )
    ).all()
    by_day: dict[int, list[str]] = defaultdict(list)
    for visit_id, window_start, from_day, to_day in rows:
        for day in range(max(0, from_day), to_day + 1):
            by_day[day].append(f"{visit_id}@{window_start}")
    return {first + timedelta(days=d): _hash(sorted(ids)) for d, ids in by_day.items()}


def day_keys(*, session: Session, region: Region, first: date, last: date) -> dict[date, str]:
    """Per day, one fingerprint of its promised visits, of who works that day and how, and of
    the region's travel settings (a routing server set or dropped changes every drive time)."""
    visits = visit_keys(session=session, region=region, first=first, last=last)
    crew = crew_keys(session=session, region=region, first=first, last=last)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    travel = f"{region.osrm_url or ''} {region.speed_kmh} {region.road_factor}"
    return {d: _hash([visits.get(d, EMPTY), crew[d], travel]) for d in days}


def day_key(*, session: Session, region: Region, day: date) -> str:
    """The fingerprint of one day (see day_keys)."""
    return day_keys(session=session, region=region, first=day, last=day)[day]


def crew_keys(*, session: Session, region: Region, first: date, last: date) -> dict[date, str]:
    """Per day, a fingerprint of the region's technicians (place, skills, overtime, capacity),
    their weekly shifts (replaced, never edited: new ids) and the day's exceptions (sick, leave,
    extra shifts), so that a change of hours is noticed as a change of promises is."""
    t = Technician
    techs = session.execute(
        sa.select(
            col(t.id),
            col(t.active),
            col(t.start_lat),
            col(t.start_lon),
            col(t.max_overtime_s),
            col(t.capacity),
        ).where(col(t.region_id) == region.id)
    ).all()
    ids = [row[0] for row in techs]
    skills = session.execute(
        sa.select(col(TechnicianSkill.technician_id), col(TechnicianSkill.skill)).where(
            col(TechnicianSkill.technician_id).in_(ids)
        )
    ).all()
    weekly = session.execute(
        sa.select(col(WeeklyShift.id), col(WeeklyShift.technician_id)).where(
            col(WeeklyShift.technician_id).in_(ids)
        )
    ).all()
    exceptions = session.execute(
        sa.select(col(ShiftException.id), col(ShiftException.day)).where(
            col(ShiftException.technician_id).in_(ids),
            col(ShiftException.day) >= first,
            col(ShiftException.day) <= last,
        )
    ).all()
    base = _hash(sorted(map(str, techs)) + sorted(map(str, skills)) + sorted(map(str, weekly)))
    by_day: dict[date, list[str]] = defaultdict(list)
    for exception_id, day in exceptions:
        by_day[day].append(str(exception_id))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {d: _hash([base, *sorted(by_day[d])]) for d in days}


def _hash(parts: list[str]) -> str:
    return hashlib.sha256(",".join(parts).encode()).hexdigest()
