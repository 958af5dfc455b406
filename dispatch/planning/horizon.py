"""Several days as one problem, and its plan back as one day's plan per day.

A horizon is built from the same rows as a day: each technician's working days from the shift
calendar (one optimizer shift per day, in seconds from local midnight of the first day), the
visits promised on a day of the horizon, and movable visits with their windows on each day of
their due range inside it. The optimizer's plan (a route per technician and working day) is
split into one problem and plan per day, each of which the validator checks and the store keeps
as that day's draft, like the plan of a single day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import optimizer as opt
from dispatch import localtime
from dispatch.planning.convert import (
    PINNED_UNAVAILABLE,
    DayProblem,
    DaySolution,
    Excluded,
    allowed_skill,
    as_invalid_input,
    day_windows,
    road_estimate,
    visit_in,
)
from dispatch.region.models import Region
from dispatch.shift.models import BreakRule, WorkingDay
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit


@dataclass(frozen=True, slots=True)
class WeekCrew:
    """A technician with its working days in the horizon: (day index, hours), in day order."""

    technician: Technician
    days: tuple[tuple[int, WorkingDay], ...]


@dataclass(frozen=True, slots=True)
class WeekInput:
    """What build() needs from the database for one region from `first` for `days` days."""

    region: Region
    first: date
    days: int
    crews: Sequence[WeekCrew]
    visits: Sequence[Visit]  # promised on a day of the horizon, or movable into it
    allowed: Mapping[int, frozenset[int]] = field(default_factory=dict)
    excluded: Sequence[Excluded] = ()


def offsets_s(first: date, days: int, tz: ZoneInfo) -> list[int]:
    """Seconds from local midnight of first to local midnight of each day, and of the day after
    the last (a day is not always 24 hours where clocks change)."""
    start = localtime.local_midnight(first, tz)
    return [
        int((localtime.local_midnight(first + timedelta(days=k), tz) - start).total_seconds())
        for k in range(days + 1)
    ]


def build(data: WeekInput) -> DayProblem:
    """The optimizer problem of the horizon (great-circle travel, as a day's); raises
    InvalidInput when a row breaks the optimizer's rules."""
    offsets = offsets_s(data.first, data.days, data.region.zone)
    techs = [_technician(c, offsets, _allowed_for(c.technician, data.allowed)) for c in data.crews]
    visits, excluded, home = _visits(data, offsets, {t.id for t in techs})
    with as_invalid_input():
        problem = opt.Problem(
            technicians=tuple(techs),
            visits=tuple(visits),
            travel=road_estimate(data.region),
            name=f"{data.region.code} {data.first.isoformat()} +{data.days} days",
        )
    return DayProblem(
        region_id=data.region.id or 0,
        day=data.first,
        timezone=data.region.timezone,
        problem=problem,
        excluded=tuple(excluded),
        osrm_url=data.region.osrm_url or None,
        days=data.days,
        home_days=tuple(sorted(home.items())),
    )


def _visits(
    data: WeekInput, offsets: list[int], working: set[str]
) -> tuple[list[opt.Visit], list[Excluded], dict[str, int]]:
    """The visits of the horizon, those kept out (with the reason), and each one's home day
    (its first day in the horizon: where its plan row goes when it is left out)."""
    visits, excluded, home = [], list(data.excluded), {}
    left_out = {e.visit_id for e in data.excluded}
    for v in data.visits:
        windows = _windows(v, data.first, offsets, data.region.zone)
        home[str(v.id)] = _day_of(windows[0][0], offsets) if windows else 0
        pinned = None if v.pinned_technician_id is None else str(v.pinned_technician_id)
        if v.id in left_out or not windows:
            continue
        if pinned is not None and pinned not in working:
            msg = f"It is pinned to technician {pinned}, who does not work then."
            excluded.append(Excluded(v.id or 0, PINNED_UNAVAILABLE, msg))
            continue
        extra = [allowed_skill(v.id or 0)] if (v.id or 0) in data.allowed else []
        visits.append(visit_in(v, windows, working=working, extra=extra))
    return visits, excluded, home


def _windows(v: Visit, first: date, offsets: list[int], tz: ZoneInfo) -> list[tuple[int, int]]:
    """The visit's windows in horizon seconds: its promised window once, or a movable visit's
    windows on each day of its due range inside the horizon."""
    if v.window_start is not None:
        return day_windows(v, day=first, tz=tz, offset_s=0)
    return [
        w
        for k in range(len(offsets) - 1)
        for w in day_windows(v, day=first + timedelta(days=k), tz=tz, offset_s=offsets[k])
    ]


def _day_of(t_s: int, offsets: list[int]) -> int:
    """The horizon day a moment in horizon seconds falls on (the last day for later ones)."""
    return max(k for k in range(len(offsets) - 1) if offsets[k] <= t_s or k == 0)


def _allowed_for(technician: Technician, allowed: Mapping[int, frozenset[int]]) -> list[str]:
    return [allowed_skill(v) for v, techs in allowed.items() if technician.id in techs]


def _technician(crew: WeekCrew, offsets: list[int], extra: Sequence[str]) -> opt.Technician:
    """The technician over the horizon: one shift, with its breaks, per working day."""
    t = crew.technician
    shifts = tuple(
        opt.Shift(
            offsets[k] + hours.start_s,
            offsets[k] + hours.end_s,
            tuple(_breaks(hours.breaks, offsets[k])),
        )
        for k, hours in crew.days
    )
    with as_invalid_input(f"technician {t.id}"):
        return opt.Technician(
            id=str(t.id),
            start=opt.Location(t.start_lat, t.start_lon),
            max_overtime_s=t.max_overtime_s,
            skills=frozenset(t.skills) | frozenset(extra),
            capacity=t.capacity,
            shifts=shifts,
        )


def _breaks(rules: Iterable[BreakRule], offset_s: int) -> list[opt.Break]:
    return [
        opt.Break(
            windows=tuple(
                opt.TimeWindow(offset_s + w.start_s, offset_s + w.end_s) for w in rule.windows
            ),
            duration_s=rule.duration_s,
        )
        for rule in rules
    ]


# --- the plan, one day at a time ----------------------------------------------------------------


def split(solution: DaySolution) -> list[DaySolution]:
    """The horizon's solution as one solution per day, times counted from each day's midnight:
    the day's routes, the visits they serve, and the visits left out whose home day it is."""
    dp, plan = solution.day_problem, solution.plan
    offsets = offsets_s(dp.day, dp.days, localtime.zone(dp.timezone))
    home = dict(dp.home_days)
    return [_day(dp, plan, k, offsets, home) for k in range(dp.days)]


def _day(
    dp: DayProblem, plan: opt.Plan, k: int, offsets: list[int], home: Mapping[str, int]
) -> DaySolution:
    off, next_off = offsets[k], offsets[k + 1]
    routes = tuple(_route(r, off) for r in plan.routes if r.day == k)
    served = {s.visit: s.start_s + off for r in routes for s in r.stops}
    unassigned = tuple(u for u in plan.unassigned if home.get(u.visit, 0) == k)
    left_out = {u.visit for u in unassigned}
    techs = tuple(_on_day(t, k, off) for t in dp.problem.technicians if t.shift_on(k) is not None)
    working = {t.id for t in techs}
    visits = tuple(
        _visit(v, off, next_off, served.get(v.id), working)
        for v in dp.problem.visits
        if v.id in served or v.id in left_out
    )
    problem = replace(
        dp.problem,
        technicians=techs,
        visits=visits,
        name=f"{dp.problem.name} day {k}",
    )
    totals = opt.Totals(
        assigned=len(served),
        unassigned=len(unassigned),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        overtime_s=sum(r.overtime_s for r in routes),
    )
    day_problem = replace(
        dp,
        day=dp.day + timedelta(days=k),
        problem=problem,
        excluded=tuple(e for e in dp.excluded if home.get(str(e.visit_id), 0) == k),
        days=1,
        home_days=(),
    )
    return DaySolution(day_problem, opt.Plan(routes, unassigned, totals, plan.solver))


def _route(r: opt.Route, off: int) -> opt.Route:
    return opt.Route(
        technician=r.technician,
        stops=tuple(
            opt.Stop(s.visit, s.arrival_s - off, s.start_s - off, s.end_s - off) for s in r.stops
        ),
        breaks=tuple(opt.BreakTime(b.start_s - off, b.end_s - off) for b in r.breaks),
        start_s=r.start_s - off,
        end_s=r.end_s - off,
        travel_s=r.travel_s,
        distance_m=r.distance_m,
        overtime_s=r.overtime_s,
    )


def _on_day(t: opt.Technician, k: int, off: int) -> opt.Technician:
    """The technician's shift of day k alone, counted from that day's midnight."""
    shift = t.shifts[t.shift_on(k) or 0]
    breaks = tuple(
        opt.Break(
            windows=tuple(opt.TimeWindow(w.start_s - off, w.end_s - off) for w in b.windows),
            duration_s=b.duration_s,
        )
        for b in shift.breaks
    )
    return opt.Technician(
        id=t.id,
        start=t.start,
        end=t.end,
        max_overtime_s=t.max_overtime_s,
        overtime_cost=t.overtime_cost,
        skills=t.skills,
        capacity=t.capacity,
        shifts=(opt.Shift(shift.start_s - off, shift.end_s - off, breaks),),
    )


def _visit(
    v: opt.Visit, off: int, next_off: int, start_s: int | None, working: set[str]
) -> opt.Visit:
    """The visit on one day: its windows of that day (and the one its service starts in),
    counted from the day's midnight; technicians who do not work that day dropped."""
    windows = tuple(
        opt.TimeWindow(max(0, w.start_s - off), max(0, w.end_s - off))
        for w in v.windows
        if off <= w.start_s < next_off or (start_s is not None and w.contains(start_s))
    )
    return replace(
        v,
        windows=windows,
        pinned_technician=v.pinned_technician if v.pinned_technician in working else None,
        preferred_technician=v.preferred_technician if v.preferred_technician in working else None,
        previous_technician=v.previous_technician if v.previous_technician in working else None,
    )
