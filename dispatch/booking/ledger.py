"""The ledger of a region's day: every promised visit on a route sequence that keeps its window.

Seeded from the day's current plan, extended by each booking's insertion, brought up to date
when a plan is stored or the promised visits change (a visit cancelled, or booked elsewhere).
A row per (region, day) caches it with a version, so a slot query neither rebuilds it nor, on a
hit of the in-process cache, even parses it. Travel is the region's one travel source
(planning.travel): the road times of its routing server, a new customer's place added to the
day's table, so that a window offered here is one the plan, solved on the same times, can keep;
great-circle estimates where the region has no server or it fails.
A crew visit is on each member's route, every member held at the crew's common start
(booking.crews), so that a window offered around it keeps the crew together.

The optimizer is used through its public API only (optimizer/__init__.py, import-linter).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

import optimizer as opt
from dispatch import localtime
from dispatch.booking import crews, fingerprint
from dispatch.booking.crews import PARTNER as PARTNER
from dispatch.booking.crews import with_partners as with_partners
from dispatch.booking.models import BookingLedger
from dispatch.planning import convert as planning_convert
from dispatch.planning import service as planning_service
from dispatch.planning import travel as planning_travel
from dispatch.planning.models import PlanStop
from dispatch.region.models import Region
from dispatch.visit.models import Visit
from optimizer import CrewInsertion as CrewInsertion  # re-exported: the booking service's view
from optimizer import DayRoutes as DayRoutes  # of a day, without importing the optimizer itself
from optimizer import Insertion as Insertion
from optimizer import Item, place, without

Sequences = Mapping[str, Sequence[Item]]  # per technician id: visit ids and break indices
# A crew visit's other members hold their time through partner copies, "<visit id>~2", "~3",
# each at the crew's common start (see crews): a partner's hours are not offered to a customer.
Fit = Insertion | CrewInsertion  # where a candidate goes: one technician, or a crew at one start
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
        old = cached[0] if cached is not None else None
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
    start_s: int | None = None,
) -> DayState:
    """Step: the locked, up-to-date day with a visit just booked (or moved) into it where the
    sequences put it (a crew visit: its members held at start_s); rebuilt from the database
    instead if the routes no longer hold."""
    day = state.day
    # A pinned visit is left to the full rebuild, which knows whether its technician works; a
    # crew visit too, which gives its partners their copies and holds them at their start.
    if visit.pinned_technician_id is not None or visit.crew_size > 1:
        starts = {str(visit.id): start_s} if start_s is not None else {}
        return rebuild(
            session=session, region=region, day=day, state=state, sequences=sequences,
            starts=starts,
        )  # fmt: skip
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
    starts: Mapping[str, int] | None = None,
) -> DayState:
    """Step: the day's ledger from the database as it is now in this transaction, keeping these
    sequences where they still hold (a booking's insertion, a cancelled visit taken out), and
    the crews' common starts: the state's, then these (a crew visit just booked or moved)."""
    key = fingerprint.day_key(session=session, region=region, day=day)
    held = crews.starts_of(state.routes.problem) | dict(starts or {})
    routes, unplaced = _routes(session, region, day, sequences, held)
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
    old: DayRoutes | None,
    plan_id: int | None,
    old_plan_id: int | None,
    row_id: int | None,
    stamp: str,
) -> DayState:
    """The day rebuilt: from the current plan's routes (and its crews' starts) when it changed,
    else the old routes."""
    base: Mapping[str, Sequence[Item]] = old.sequences if old is not None else {}
    starts = crews.starts_of(old.problem) if old is not None else {}
    if plan_id is not None and (old is None or plan_id != old_plan_id):
        base = _plan_sequences(session, plan_id)
        starts |= _plan_starts(session, plan_id, region, day)
    key = fingerprint.day_key(session=session, region=region, day=day)
    routes, unplaced = _routes(session, region, day, base, starts)
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


def _plan_starts(session: Session, plan_id: int, region: Region, day: date) -> dict[str, int]:
    """The common start (seconds of the day) of each crew visit of a stored plan."""
    rows = session.exec(
        select(PlanStop.visit_id, PlanStop.start_at).where(PlanStop.plan_id == plan_id)
    ).all()
    starts: dict[int, set[int]] = defaultdict(set)
    members: dict[int, int] = defaultdict(int)
    for visit_id, start_at in rows:
        members[visit_id] += 1
        starts[visit_id].add(localtime.seconds_from_midnight(start_at, day, region.zone))
    return {str(v): next(iter(s)) for v, s in starts.items() if members[v] > 1 and len(s) == 1}


def _routes(
    session: Session,
    region: Region,
    day: date,
    base: Mapping[str, Sequence[Item]],
    starts: Mapping[str, int],
) -> tuple[DayRoutes, tuple[str, ...]]:
    """Routes over the day's problem as the database has it: the base sequences where they still
    hold, the crews at their starts (crews), then every other promised visit placed greedily."""
    promised = day_problem(session=session, region=region, day=day)
    problem = crews.at_starts(promised, starts)
    loose = crews.loose(problem)
    visits = {v.id for v in problem.visits}
    breaks = {t.id: len(t.breaks) for t in problem.technicians}
    kept = {
        t: _usable(items, visits - loose, breaks[t]) for t, items in base.items() if t in breaks
    }
    routes = DayRoutes(problem, kept)
    if routes.infeasible:  # hours or places changed under the route: its visits are placed anew
        routes = DayRoutes(
            problem, without(routes.sequences, _visits_of(routes, routes.infeasible))
        )
    problem, sequences = _held_crews(promised, problem, routes, starts)
    loose = crews.loose(problem)
    placed = crews.place_crews(problem, sequences, {crews.lead_of(m) for m in loose})
    members = {m for ids in crews.crews_of(problem).values() for m in ids}
    rest = place(placed.problem, placed.sequences, visits - members)
    return DayRoutes(placed.problem, rest.sequences), rest.unplaced + placed.unplaced


def _held_crews(
    promised: opt.Problem, problem: opt.Problem, routes: DayRoutes, starts: Mapping[str, int]
) -> tuple[opt.Problem, dict[str, tuple[Item, ...]]]:
    """The members of crews held at a start put back where they fit at that start; a crew of
    which some member fits nowhere then is let go (taken out, its start dropped: placed anew)."""
    held = {m for ids in crews.crews_of(problem).values() for m in ids} - crews.loose(problem)
    if held <= routes.routed:  # the usual case: nothing to put back
        return problem, routes.sequences
    placement = place(problem, routes.sequences, held - routes.routed)
    gone = crews.broken(problem, placement.unplaced)
    if not gone:
        return problem, placement.sequences
    members = [m for lead in gone for m in crews.crews_of(problem)[lead]]
    kept = {lead: t for lead, t in starts.items() if lead not in gone}
    return crews.at_starts(promised, kept), without(placement.sequences, members)


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


# --- what the booking service asks -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A visit to be booked: where, how long, the skills it needs, how many technicians."""

    lat: float
    lon: float
    duration_s: int
    skills: frozenset[str]
    priority: int = 1
    crew_size: int = 1


def skilled_at_work(routes: DayRoutes, skills: frozenset[str]) -> int:
    """How many technicians working that day have the skills."""
    return sum(1 for t in routes.problem.technicians if skills <= t.skills)


def fits(
    routes: DayRoutes,
    candidate: Candidate,
    windows_s: Sequence[tuple[int, int]],
    *,
    region: Region,
    day: date,
) -> list[Fit | None]:
    """For each window (seconds of the day), the cheapest insertion of the candidate, or None;
    its drive times from the region's travel source, as the day's routes have theirs. A crew
    candidate fits where crew_size distinct technicians can all start it at one moment."""
    visit = planning_convert.visit(
        id="candidate",
        lat=candidate.lat,
        lon=candidate.lon,
        duration_s=candidate.duration_s,
        windows_s=windows_s,
        skills=candidate.skills,
        priority=candidate.priority,
        crew_size=candidate.crew_size,
    )
    travel = planning_travel.RegionTravel.of(region, day)
    legs = planning_travel.legs(routes, (candidate.lat, candidate.lon), travel)
    if candidate.crew_size > 1:
        return [*routes.crew_insertions(visit, visit.windows, legs)]
    return [*routes.best_insertions(visit, visit.windows, legs)]


def holds(routes: DayRoutes, visit: Visit) -> bool:
    """True when the routes hold the visit: every member of a crew visit."""
    return set(crews.member_ids(str(visit.id), visit.crew_size)) <= routes.routed


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


def sequences_with(routes: DayRoutes, found: Fit, visit_id: int) -> dict[str, tuple[Item, ...]]:
    """The sequences with the booked visit where the insertion puts it (a crew visit: itself on
    its first member's route, a partner copy on each other member's)."""
    if isinstance(found, CrewInsertion):
        return routes.with_crew(found, crews.member_ids(str(visit_id), len(found.members)))
    return routes.with_insertion(found, str(visit_id))


def drop_cached() -> None:
    """Forget every parsed ledger (tests that reset a database between runs)."""
    global _cache
    _cache = _Cache()
