"""The ledger of a region's day: every promised visit on a route sequence that keeps its window.

Seeded from the day's current plan, extended by each booking's insertion, brought up to date
when a plan is stored or the promised visits change (a visit cancelled, or booked elsewhere).
A row per (region, day) caches it with a version, so a slot query neither rebuilds it nor, on a
hit of the in-process cache, even parses it. Travel is the region's one travel source
(planning.travel): the road times of its routing server, a new customer's place added to the
day's table, so that a window offered here is one the plan, solved on the same times, can keep;
great-circle estimates where the region has no server or it fails.

The optimizer is used through its public API only (optimizer/__init__.py, import-linter).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

import optimizer as opt
from dispatch import localtime
from dispatch.booking import fingerprint
from dispatch.booking.models import BookingLedger
from dispatch.planning import convert as planning_convert
from dispatch.planning import service as planning_service
from dispatch.planning import travel as planning_travel
from dispatch.planning.models import PlanStop
from dispatch.region.models import Region
from dispatch.visit.models import Visit
from optimizer import DayRoutes as DayRoutes  # re-exported: the booking service's view of a day,
from optimizer import Insertion as Insertion  # without importing the optimizer itself
from optimizer import Item, place, without

Sequences = Mapping[str, Sequence[Item]]  # per technician id: visit ids and break indices
# A crew visit's other members hold their time through partner copies, "<visit id>~2", "~3":
# slot insertion routes a visit once, and a partner's hours must not be offered to a customer.
PARTNER = "~"
CACHE_SIZE = 128  # days of routes kept parsed in this process (a region's two months)


@dataclass(frozen=True)
class DayState:
    """A day's ledger as read: its routes, visits that fit nowhere, and what it was built from."""

    day: date
    routes: DayRoutes
    unplaced: tuple[str, ...]
    plan_id: int | None
    visits_key: str
    row_id: int | None = None
    stamp: str = ""
    stale: bool = False  # rebuilt since it was stored: store it


class _Cache:
    """Parsed routes by ledger stamp; thread-safe (the API serves requests in threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[DayRoutes, tuple[str, ...]]] = OrderedDict()

    def get(self, stamp: str) -> tuple[DayRoutes, tuple[str, ...]] | None:
        with self._lock:
            found = self._items.get(stamp)
            if found is not None:
                self._items.move_to_end(stamp)
            return found

    def put(self, stamp: str, routes: DayRoutes, unplaced: tuple[str, ...]) -> None:
        with self._lock:
            self._items[stamp] = (routes, unplaced)
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


_cache = _Cache()


def read_days(*, session: Session, region: Region, days: Sequence[date]) -> dict[date, DayState]:
    """The ledger of each day, up to date (rebuilt where stale; stale ones are not stored)."""
    if not days:
        return {}
    keys = fingerprint.day_keys(session=session, region=region, first=min(days), last=max(days))
    plans = planning_service.current_plan_ids(
        session=session, region=region, first=min(days), last=max(days)
    )
    rows = session.execute(  # five columns: beyond sqlmodel's typed select
        sa.select(
            col(BookingLedger.id),
            col(BookingLedger.day),
            col(BookingLedger.stamp),
            col(BookingLedger.plan_id),
            col(BookingLedger.visits_key),
        ).where(col(BookingLedger.region_id) == region.id, col(BookingLedger.day).in_(list(days)))
    ).all()
    headers = {row[1]: row for row in rows}
    states = {}
    for day in days:
        row_id, _, stamp, plan_id, key = headers.get(day, (None, day, "", None, ""))
        cached = _cache.get(stamp) if stamp else None
        fresh = key == keys[day] and plan_id == plans.get(day)
        if cached is None and fresh and row_id is not None:
            cached = _load(session, row_id, stamp)
        if cached is not None and fresh:
            states[day] = DayState(day, cached[0], cached[1], plan_id, key, row_id, stamp)
            continue
        old = cached[0].sequences if cached is not None else None
        states[day] = _rebuilt(session, region, day, old, plans.get(day), plan_id, row_id, stamp)
    return states


def lock_day(*, session: Session, region: Region, day: date) -> DayState:
    """Step: the day's ledger locked until the transaction ends, up to date.

    PostgreSQL: the row is created if missing and locked with SELECT ... FOR UPDATE, so that
    bookings of one day queue; SQLite: every transaction already holds the write lock (BEGIN
    IMMEDIATE, see dispatch.db), and FOR UPDATE is left out of the SQL.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(BookingLedger)
        .values(
            region_id=region.id,
            day=day,
            version=0,
            stamp="",
            visits_key="",
            problem={},
            sequences={},
            unplaced=[],
            updated_at=localtime.utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["region_id", "day"])
    )
    session.exec(
        select(BookingLedger.id)
        .where(BookingLedger.region_id == region.id, BookingLedger.day == day)
        .with_for_update()
    ).one()
    return read_days(session=session, region=region, days=[day])[day]


def with_visit(
    *,
    session: Session,
    region: Region,
    state: DayState,
    visit: Visit,
    sequences: Mapping[str, Sequence[Item]],
) -> DayState:
    """Step: the locked, up-to-date day with a visit just booked (or moved) into it where the
    sequences put it; rebuilt from the database instead if the routes no longer hold."""
    day = state.day
    # A pinned visit is left to the full rebuild, which knows whether its technician works; a
    # crew visit too, which gives its partners their copies.
    if visit.pinned_technician_id is not None or visit.crew_size > 1:
        return rebuild(session=session, region=region, day=day, state=state, sequences=sequences)
    # No working technicians given: a single visit added here has no preferred or previous one.
    added = (planning_convert.visit_of(visit, day=day, tz=region.zone),)
    kept = tuple(v for v in state.routes.problem.visits if v.id != str(visit.id))
    travel = planning_travel.RegionTravel.of(region, day)
    problem = planning_travel.with_visits(state.routes.problem, kept + added, travel)
    routes = DayRoutes(problem, sequences)
    if routes.infeasible or str(visit.id) not in routes.routed:
        return rebuild(session=session, region=region, day=day, state=state, sequences=sequences)
    key = fingerprint.day_key(session=session, region=region, day=day)
    return DayState(
        day, routes, state.unplaced, state.plan_id, key, state.row_id, state.stamp, True
    )


def without_visit(*, session: Session, region: Region, state: DayState, visit_id: int) -> DayState:
    """Step: the locked, up-to-date day with a visit taken out (cancelled, or moved away)."""
    day = state.day
    routes = routes_without(state.routes, visit_id)
    if routes.infeasible:  # a shortcut that is slower than the detour (a road matrix): rebuild
        return rebuild(
            session=session, region=region, day=day, state=state, sequences=routes.sequences
        )
    unplaced = tuple(v for v in state.unplaced if v != str(visit_id))
    key = fingerprint.day_key(session=session, region=region, day=day)
    return DayState(day, routes, unplaced, state.plan_id, key, state.row_id, state.stamp, True)


def rebuild(
    *,
    session: Session,
    region: Region,
    day: date,
    state: DayState,
    sequences: Mapping[str, Sequence[Item]],
) -> DayState:
    """Step: the day's ledger from the database as it is now in this transaction, keeping these
    sequences where they still hold (a booking's insertion, a cancelled visit taken out)."""
    key = fingerprint.day_key(session=session, region=region, day=day)
    routes, unplaced = _routes(session, region, day, sequences)
    return DayState(day, routes, unplaced, state.plan_id, key, state.row_id, state.stamp, True)


def store(*, session: Session, region: Region, state: DayState) -> DayState:
    """Step: write the ledger (optimistic: a row changed meanwhile by another writer is left to
    it); the state as stored."""
    stamp = uuid.uuid4().hex
    values = {
        "stamp": stamp,
        "plan_id": state.plan_id,
        "visits_key": state.visits_key,
        "problem": opt.problem_to_dict(state.routes.problem),
        "sequences": {t: list(items) for t, items in state.routes.sequences.items()},
        "unplaced": list(state.unplaced),
        "updated_at": localtime.utc_now(),
    }
    if state.row_id is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(BookingLedger)
            .values(region_id=region.id, day=state.day, version=1, **values)
            .on_conflict_do_nothing(index_elements=["region_id", "day"])
        )
    else:
        session.execute(
            update(BookingLedger)
            .where(col(BookingLedger.id) == state.row_id, col(BookingLedger.stamp) == state.stamp)
            .values(version=col(BookingLedger.version) + 1, **values)
            .execution_options(synchronize_session=False)
        )
    _cache.put(stamp, state.routes, state.unplaced)
    return DayState(
        state.day,
        state.routes,
        state.unplaced,
        state.plan_id,
        state.visits_key,
        state.row_id,
        stamp,
    )


# --- building ---------------------------------------------------------------------------------


def _load(session: Session, row_id: int, stamp: str) -> tuple[DayRoutes, tuple[str, ...]] | None:
    row = session.get(BookingLedger, row_id, populate_existing=True)
    if row is None or row.stamp != stamp or not row.problem:
        return None
    sequences = {t: tuple(items) for t, items in row.sequences.items()}
    try:
        routes = DayRoutes(opt.problem_from_dict(row.problem), sequences)
    except opt.InvalidProblem:  # written by an older version: rebuilt from the database instead
        return None
    _cache.put(stamp, routes, tuple(row.unplaced))
    return routes, tuple(row.unplaced)


def _rebuilt(
    session: Session,
    region: Region,
    day: date,
    old: Mapping[str, Sequence[Item]] | None,
    plan_id: int | None,
    old_plan_id: int | None,
    row_id: int | None,
    stamp: str,
) -> DayState:
    """The day rebuilt: from the current plan's routes when it changed, else the old routes."""
    base = old or {}
    if plan_id is not None and (old is None or plan_id != old_plan_id):
        base = _plan_sequences(session, plan_id)
    key = fingerprint.day_key(session=session, region=region, day=day)
    routes, unplaced = _routes(session, region, day, base)
    return DayState(day, routes, unplaced, plan_id, key, row_id, stamp, True)


def _plan_sequences(session: Session, plan_id: int) -> dict[str, tuple[Item, ...]]:
    """The visit order of each route of a stored plan. A crew visit is itself on its first
    member's route and a partner copy (PARTNER) on each other member's."""
    rows = session.exec(
        select(PlanStop.technician_id, PlanStop.visit_id)
        .where(PlanStop.plan_id == plan_id)
        .order_by(col(PlanStop.technician_id), col(PlanStop.sequence))
    ).all()
    sequences: dict[str, list[Item]] = defaultdict(list)
    members: dict[int, int] = defaultdict(int)
    for technician_id, visit_id in rows:
        members[visit_id] += 1
        n = members[visit_id]
        item = str(visit_id) if n == 1 else f"{visit_id}{PARTNER}{n}"
        sequences[str(technician_id)].append(item)
    return {t: tuple(items) for t, items in sequences.items()}


def _routes(
    session: Session, region: Region, day: date, base: Mapping[str, Sequence[Item]]
) -> tuple[DayRoutes, tuple[str, ...]]:
    """Routes over the day's problem as the database has it: the base sequences where they still
    hold, then every promised visit not on them placed greedily."""
    problem = day_problem(session=session, region=region, day=day)
    visits = {v.id for v in problem.visits}
    breaks = {t.id: len(t.breaks) for t in problem.technicians}
    kept = {t: _usable(items, visits, breaks[t]) for t, items in base.items() if t in breaks}
    routes = DayRoutes(problem, kept)
    if routes.infeasible:  # hours or places changed under the route: its visits are placed anew
        routes = DayRoutes(
            problem, without(routes.sequences, _visits_of(routes, routes.infeasible))
        )
    placement = place(problem, routes.sequences, visits)
    return DayRoutes(problem, placement.sequences), placement.unplaced


def _usable(items: Sequence[Item], visits: set[str], n_breaks: int) -> tuple[Item, ...]:
    """The sequence's visits still promised; its breaks when they are still the technician's."""
    kept = [x for x in items if isinstance(x, int) or x in visits]
    if sorted(x for x in kept if isinstance(x, int)) != list(range(n_breaks)):
        kept = [x for x in kept if isinstance(x, str)]  # placed again by DayRoutes
    return tuple(kept)


def _visits_of(routes: DayRoutes, technicians: Iterable[str]) -> list[str]:
    sequences = routes.sequences
    return [x for t in technicians for x in sequences.get(t, ()) if isinstance(x, str)]


def day_problem(*, session: Session, region: Region, day: date) -> opt.Problem:
    """The day's problem (planning_service.build_problem) on the region's travel source, each
    crew visit as one visit per member (with_partners). Without parts: every promised visit
    takes its place in the day, whichever van carries its parts."""
    built = planning_service.build_problem(
        session=session, region=region, day=day, with_parts=False
    )
    return with_partners(planning_travel.apply(built).problem)


def with_partners(problem: opt.Problem) -> opt.Problem:
    """The problem with each crew visit of k members as k visits of one: the visit itself and
    a partner copy per other member, same place, windows, length and skills."""
    if all(v.crew_size == 1 for v in problem.visits):
        return problem
    visits: list[opt.Visit] = []
    for v in problem.visits:
        visits.append(replace(v, crew_size=1))
        visits += [
            replace(
                v,
                id=f"{v.id}{PARTNER}{n}",
                crew_size=1,
                pinned_technician=None,
                preferred_technician=None,
                previous_technician=None,
            )
            for n in range(2, v.crew_size + 1)
        ]
    return replace(problem, visits=tuple(visits))


# --- what the booking service asks -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A visit to be booked: where, how long, the skills it needs."""

    lat: float
    lon: float
    duration_s: int
    skills: frozenset[str]
    priority: int = 1


def skilled_at_work(routes: DayRoutes, skills: frozenset[str]) -> bool:
    """True when a technician working that day has the skills."""
    return any(skills <= t.skills for t in routes.problem.technicians)


def fits(
    routes: DayRoutes,
    candidate: Candidate,
    windows_s: Sequence[tuple[int, int]],
    *,
    region: Region,
    day: date,
) -> list[Insertion | None]:
    """For each window (seconds of the day), the cheapest insertion of the candidate, or None;
    its drive times from the region's travel source, as the day's routes have theirs."""
    visit = planning_convert.visit(
        id="candidate",
        lat=candidate.lat,
        lon=candidate.lon,
        duration_s=candidate.duration_s,
        windows_s=windows_s,
        skills=candidate.skills,
        priority=candidate.priority,
    )
    travel = planning_travel.RegionTravel.of(region, day)
    legs = planning_travel.legs(routes, (candidate.lat, candidate.lon), travel)
    return routes.best_insertions(visit, visit.windows, legs)


def routes_without(routes: DayRoutes, visit_id: int) -> DayRoutes:
    """The routes with a visit taken out of the problem and its route (to move it in the day)."""
    vid = str(visit_id)
    gone = [v.id for v in routes.problem.visits if v.id.split(PARTNER)[0] == vid]
    if not gone:
        return routes
    visits = tuple(v for v in routes.problem.visits if v.id not in gone)
    problem = opt.Problem(
        routes.problem.technicians, visits, routes.problem.travel, routes.problem.name
    )
    return DayRoutes(problem, without(routes.sequences, gone))


def sequences_with(
    routes: DayRoutes, insertion: Insertion, visit_id: int
) -> dict[str, tuple[Item, ...]]:
    """The sequences with the booked visit where the insertion puts it."""
    return routes.with_insertion(insertion, str(visit_id))


def drop_cached() -> None:
    """Forget every parsed ledger (tests that reset a database between runs)."""
    global _cache
    _cache = _Cache()
