"""Database rows <-> the optimizer's Problem and Plan (dispatch uses `from optimizer import ...`).

The optimizer counts seconds from local midnight of the planning day in the region's time zone
(dispatch.localtime); technician and visit ids are the database ids written as strings. A
visit's promised window is when service may start (the technician arrives within it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import optimizer as opt
from dispatch import localtime
from dispatch.errors import InvalidInput
from dispatch.planning.models import (
    MAX_TRAVEL_NOTE,
    Plan,
    PlannedBreak,
    PlanRoute,
    PlanStop,
    TravelSource,
)
from dispatch.planning.models import PlanUnassigned as UnassignedRow
from dispatch.region.models import Region
from dispatch.shift.models import BreakRule, WorkingDay
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit

PINNED_UNAVAILABLE = str(opt.Reason.PINNED_TECHNICIAN_UNAVAILABLE)


@dataclass(frozen=True, slots=True)
class Start:
    """Re-planning: where a technician is, from when it is free, and how many visits it did."""

    lat: float
    lon: float
    free_s: int
    served: int = 0


@dataclass(frozen=True, slots=True)
class Crew:
    """A technician who works on the day, with its hours (and, re-planning, where it starts)."""

    technician: Technician
    hours: WorkingDay
    start: Start | None = None


@dataclass(frozen=True, slots=True)
class Excluded:
    """A visit kept out of the problem, with the reason stored as if the optimizer gave it."""

    visit_id: int
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class DayProblem:
    """A region's day as an optimizer problem; plain values only, so a job can solve it later."""

    region_id: int
    day: date
    timezone: str
    problem: opt.Problem
    excluded: tuple[Excluded, ...] = ()
    replanned_from: datetime | None = None
    osrm_url: str | None = None  # the road matrix is fetched when solving, outside any session
    travel_source: TravelSource = TravelSource.GREAT_CIRCLE
    travel_note: str | None = None  # why estimates stand in for the region's road times
    # Several days from `day` as one problem (dispatch.planning.horizon): how many, and for
    # each visit the day (0 = `day`) its plan row goes to when it is left out.
    days: int = 1
    home_days: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class DaySolution:
    """A day's problem with the optimizer's plan for it."""

    day_problem: DayProblem
    plan: opt.Plan


@dataclass(frozen=True, slots=True)
class DayInput:
    """What build() needs from the database for one region and day."""

    region: Region
    day: date
    crews: Sequence[Crew]
    visits: Sequence[Visit]
    previous: Mapping[int, int] = field(default_factory=dict)  # visit id -> technician id
    stability_cost_s: int = 0
    previous_starts: Mapping[int, datetime] = field(default_factory=dict)  # visit id -> start
    start_move_cost: int = 0  # per second a previous start moves (re-planning)
    replanned_from: datetime | None = None
    # visit id -> the only technicians who may take it (besides skills), e.g. those with its parts
    allowed: Mapping[int, frozenset[int]] = field(default_factory=dict)
    excluded: Sequence[Excluded] = ()  # visits kept out by a rule of dispatch, with the reason


def allowed_skill(visit_id: int) -> str:
    """The skill that stands for "allowed to take this visit": the visit needs it and only its
    allowed technicians have it, so the optimizer's skill check enforces the rule."""
    return f"allowed_for_visit_{visit_id}"


def build(data: DayInput) -> DayProblem:
    """The optimizer problem of a day, with great-circle travel (solve asks the region's routing
    server, if any, for road travel); raises InvalidInput when a row breaks the optimizer's rules.
    """
    tz = data.region.zone
    techs = [_technician(c, _allowed_for(c.technician, data.allowed)) for c in data.crews]
    working = {t.id for t in techs}
    visits, excluded = [], list(data.excluded)
    left_out = {e.visit_id for e in data.excluded}
    for v in data.visits:
        if v.id in left_out:
            continue
        pinned = _id(v.pinned_technician_id)
        if pinned is not None and pinned not in working:
            msg = f"It is pinned to technician {pinned}, who does not work then."
            excluded.append(Excluded(v.id or 0, PINNED_UNAVAILABLE, msg))
            continue
        previous = _id(data.previous.get(v.id or 0))
        extra = [allowed_skill(v.id or 0)] if (v.id or 0) in data.allowed else []
        planned = visit_of(v, day=data.day, tz=tz, working=working, previous=previous, extra=extra)
        visits.append(_with_previous_start(planned, data.previous_starts.get(v.id or 0), data))
    with as_invalid_input():
        problem = opt.Problem(
            technicians=tuple(techs),
            visits=tuple(visits),
            travel=road_estimate(data.region),
            name=f"{data.region.code} {data.day.isoformat()}",
            stability_cost=data.stability_cost_s,
            fairness_cost=data.region.fairness_weight,
            start_move_cost=data.start_move_cost,
        )
    return DayProblem(
        region_id=data.region.id or 0,
        day=data.day,
        timezone=data.region.timezone,
        problem=problem,
        excluded=tuple(excluded),
        replanned_from=data.replanned_from,
        osrm_url=data.region.osrm_url or None,
    )


def _with_previous_start(visit: opt.Visit, start: datetime | None, data: DayInput) -> opt.Visit:
    """The visit with its start in the last plan, in seconds of the day (re-planning)."""
    if start is None:
        return visit
    start_s = localtime.seconds_from_midnight(start, data.day, data.region.zone)
    if not 0 <= start_s <= opt.MAX_TIME_S:
        return visit  # planned on another day: nothing to keep
    return replace(visit, previous_start_s=start_s)


def road_estimate(region: Region) -> opt.GreatCircle:
    """The region's travel without a routing server: great-circle distance times its road
    factor at its average speed (planning.travel falls back to it when the server fails)."""
    return opt.GreatCircle(region.speed_kmh, region.road_factor)


def _id(db_id: int | None) -> str | None:
    return None if db_id is None else str(db_id)


def _allowed_for(technician: Technician, allowed: Mapping[int, frozenset[int]]) -> list[str]:
    return [allowed_skill(v) for v, techs in allowed.items() if technician.id in techs]


def _technician(crew: Crew, extra: Sequence[str] = ()) -> opt.Technician:
    """The technician's day; re-planning, from where it is and no earlier than it is free.

    One with no time left keeps an empty shift at its end (no overtime), so that its visits come
    back with the reason that no window can be reached.
    """
    t, hours, start = crew.technician, crew.hours, crew.start
    base = opt.Location(t.start_lat, t.start_lon)
    from_s = hours.start_s if start is None else max(hours.start_s, start.free_s)
    capacity = t.capacity
    if start is not None and capacity is not None:
        capacity = max(0, capacity - start.served)
    over = from_s >= hours.end_s
    with as_invalid_input(f"technician {t.id}"):
        return opt.Technician(
            id=str(t.id),
            start=base if start is None else opt.Location(start.lat, start.lon),
            end=None if start is None else base,
            shift=opt.TimeWindow(min(from_s, hours.end_s), hours.end_s),
            max_overtime_s=0 if over else t.max_overtime_s,
            breaks=() if over else tuple(_breaks(hours.breaks, from_s)),
            skills=frozenset(t.skills) | frozenset(extra),
            capacity=capacity,
        )


def _breaks(rules: Sequence[BreakRule], from_s: int) -> list[opt.Break]:
    """The breaks as far as they lie after from_s; one whose windows are past counts as taken."""
    breaks = []
    for rule in rules:
        windows = tuple(
            opt.TimeWindow(max(w.start_s, from_s), w.end_s)
            for w in rule.windows
            if w.end_s >= from_s
        )
        if windows:
            breaks.append(opt.Break(windows=windows, duration_s=rule.duration_s))
    return breaks


def visit_of(
    v: Visit,
    *,
    day: date,
    tz: ZoneInfo,
    working: Collection[str] = frozenset(),
    previous: str | None = None,
    extra: Sequence[str] = (),
) -> opt.Visit:
    """A stored visit: its promised window in seconds of the day, clipped to the day's start
    (a movable visit: its windows of that day); the rest as visit_in. Raises InvalidInput."""
    windows = day_windows(v, day=day, tz=tz, offset_s=0)
    if not windows:
        raise InvalidInput(f"visit {v.id} has no promised window on {day}.", loc=("visit_id",))
    return visit_in(v, windows, working=working, previous=previous, extra=extra)


def visit_in(
    v: Visit,
    windows: list[tuple[int, int]],
    *,
    working: Collection[str] = frozenset(),
    previous: str | None = None,
    extra: Sequence[str] = (),
) -> opt.Visit:
    """A stored visit with these windows (seconds): its preferred and previous technicians only
    when working; extra skills it needs besides its own (see allowed_skill). Raises
    InvalidInput."""
    preferred = _id(v.preferred_technician_id)
    with as_invalid_input(f"visit {v.id}"):
        return visit(
            id=str(v.id),
            lat=v.lat,
            lon=v.lon,
            duration_s=v.duration_s,
            windows_s=windows,
            skills=[*v.required_skills, *extra],
            priority=v.priority,
            pinned=_id(v.pinned_technician_id),
            preferred=preferred if preferred in working else None,
            previous=previous if previous in working else None,
            crew_size=v.crew_size,
        )


def day_windows(v: Visit, *, day: date, tz: ZoneInfo, offset_s: int) -> list[tuple[int, int]]:
    """When service may start on the day, in seconds from midnight of the day offset_s before
    it: the promised window clipped to the day's start, or a movable visit's windows when the
    day is in its due range (none otherwise)."""
    if v.window_start is not None and v.window_end is not None:
        start_s = max(0, localtime.seconds_from_midnight(v.window_start, day, tz))
        end_s = min(opt.MAX_TIME_S, localtime.seconds_from_midnight(v.window_end, day, tz))
        return [(offset_s + start_s, offset_s + max(start_s, end_s))]
    if v.due_from is None or v.due_until is None or not v.due_from <= day <= v.due_until:
        return []
    return [(offset_s + w.start_s, offset_s + w.end_s) for w in v.due_windows]


def visit(
    *,
    id: str,
    lat: float,
    lon: float,
    duration_s: int,
    windows_s: Sequence[tuple[int, int]],
    skills: Iterable[str],
    priority: int,
    pinned: str | None = None,
    preferred: str | None = None,
    previous: str | None = None,
    crew_size: int = 1,
) -> opt.Visit:
    """One visit as the optimizer sees it, planned or about to be booked (the slot offers'
    candidate); windows in seconds of the day. Raises InvalidProblem."""
    return opt.Visit(
        id=id,
        location=opt.Location(lat, lon),
        duration_s=duration_s,
        windows=tuple(opt.TimeWindow(a, b) for a, b in windows_s),
        skills=frozenset(skills),
        priority=priority,
        pinned_technician=pinned,
        preferred_technician=preferred,
        previous_technician=previous,
        demand=1,  # a technician's capacity counts visits
        crew_size=crew_size,
    )


@contextmanager
def as_invalid_input(what: str = "") -> Iterator[None]:
    """Turn the optimizer's InvalidProblem into InvalidInput at the conversion boundary."""
    try:
        yield
    except opt.InvalidProblem as exc:
        where = f"{what}: " if what else ""
        loc = tuple(exc.field.split(".")) if exc.field else ()
        raise InvalidInput(f"{where}{exc}", loc=loc) from exc


# --- rows --------------------------------------------------------------------------------------


def plan_row(solution: DaySolution) -> Plan:
    """The solution as an unsaved draft plan, without its routes and unassigned visits yet
    (their rows need the plan's id: see route_rows and unassigned_rows)."""
    dp, plan = solution.day_problem, solution.plan
    return Plan(
        region_id=dp.region_id,
        day=dp.day,
        replanned_from=dp.replanned_from,
        solver_status=str(plan.solver.status),
        objective=plan.solver.objective,
        wall_s=plan.solver.wall_s,
        travel_s=plan.totals.travel_s,
        distance_m=plan.totals.distance_m,
        overtime_s=plan.totals.overtime_s,
        assigned=plan.totals.assigned,
        unassigned=len(plan.unassigned) + len(dp.excluded),
        plan_json={"problem": opt.problem_to_dict(dp.problem), "plan": opt.plan_to_dict(plan)},
        travel_source=str(dp.travel_source),
        travel_note=None if dp.travel_note is None else dp.travel_note[:MAX_TRAVEL_NOTE],
    )


def unassigned_rows(solution: DaySolution, *, plan_id: int) -> list[UnassignedRow]:
    """The visits the plan leaves out, with the optimizer's reason, by visit id."""
    rows = [
        UnassignedRow(
            plan_id=plan_id, visit_id=int(u.visit), reason=str(u.reason), message=u.message
        )
        for u in solution.plan.unassigned
    ]
    rows += [
        UnassignedRow(plan_id=plan_id, visit_id=e.visit_id, reason=e.reason, message=e.message)
        for e in solution.day_problem.excluded
    ]
    return sorted(rows, key=lambda u: u.visit_id)


def route_rows(solution: DaySolution, *, plan_id: int) -> list[PlanRoute]:
    """One row per route, with its stops in order and times in UTC."""
    dp = solution.day_problem
    tz = localtime.zone(dp.timezone)
    return [_route_row(r, dp.day, tz, plan_id) for r in solution.plan.routes]


def _route_row(route: opt.Route, day: date, tz: Any, plan_id: int) -> PlanRoute:
    technician_id = int(route.technician)

    def utc(t_s: int) -> datetime:
        return localtime.to_utc(day, t_s, tz)

    return PlanRoute(
        plan_id=plan_id,
        technician_id=technician_id,
        start_at=utc(route.start_s),
        end_at=utc(route.end_s),
        travel_s=route.travel_s,
        distance_m=route.distance_m,
        overtime_s=route.overtime_s,
        breaks=[PlannedBreak(start_at=utc(b.start_s), end_at=utc(b.end_s)) for b in route.breaks],
        stops=[
            PlanStop(
                plan_id=plan_id,
                route_id=0,  # set from the route by the relationship when the route is flushed
                visit_id=int(s.visit),
                technician_id=technician_id,
                sequence=k,
                arrival_at=utc(s.arrival_s),
                start_at=utc(s.start_s),
                end_at=utc(s.end_s),
            )
            for k, s in enumerate(route.stops)
        ],
    )


def from_rows(plan: Plan) -> tuple[opt.Problem, opt.Plan]:
    """The problem and optimizer plan a stored plan was made from (for checks and insertion)."""
    problem = opt.problem_from_dict(plan.plan_json["problem"])
    return problem, opt.plan_from_dict(plan.plan_json["plan"], problem)
