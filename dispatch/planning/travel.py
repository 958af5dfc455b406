"""One travel source per region: road times from its OSRM server, or great-circle estimates.

Plans, re-plans, slot offers and ETAs all take their drive times from here, so that a slot
offered is a slot the plan can keep. Road tables are cached per region and day in this process
and grow by the places asked for since (a new customer's place costs its row and column, not
a new table). When the server is down or fails part-way, the day falls back to the region's
great-circle estimate (speed and road factor) as a whole, with a note saying why, never to a
mix of the two inside one problem.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

import optimizer as opt
from dispatch import road_matrix
from dispatch.errors import RoutingUnavailable
from dispatch.planning.convert import DayProblem, road_estimate
from dispatch.planning.models import TravelSource
from dispatch.region.models import Region

CACHED_DAYS = 64  # region-days of road tables kept in this process
Point = tuple[float, float]  # (lat, lon)
IntArray = npt.NDArray[np.int64]
_Where = Callable[[opt.Location], opt.Location]


@dataclass(frozen=True, slots=True)
class RegionTravel:
    """Where a region's day gets its drive times: plain values, so a job can carry them."""

    region_id: int
    day: date
    osrm_url: str | None
    estimate: opt.GreatCircle

    @classmethod
    def of(cls, region: Region, day: date) -> RegionTravel:
        """The region's travel source for a day."""
        return cls(region.id or 0, day, region.osrm_url or None, road_estimate(region))


@dataclass(frozen=True, slots=True)
class OnRoads:
    """A problem with the travel it was given, and why estimates stand in where they do."""

    problem: opt.Problem
    source: TravelSource
    note: str | None = None


class _DayTable:
    """Road times between every place asked for so far on one region's day."""

    def __init__(self, osrm_url: str) -> None:
        self.osrm_url = osrm_url
        self.lock = threading.Lock()  # one fetch at a time: threads asking alike wait, not refetch
        self.index: dict[Point, int] = {}
        self.durations: IntArray = np.zeros((0, 0), dtype=np.int64)
        self.distances: IntArray = np.zeros((0, 0), dtype=np.int64)

    def covering(self, points: Sequence[Point]) -> tuple[IntArray, IntArray]:
        """Durations and distances between the points, in their order, asking the server for
        the places the table lacks (all or nothing: a table that fails part-way is left as it
        was). Raises RoutingUnavailable."""
        with self.lock:
            new = [p for p in dict.fromkeys(points) if p not in self.index]
            if new:
                self._grow(new)
            rows = [self.index[p] for p in points]
            sub = np.ix_(rows, rows)
            return self.durations[sub], self.distances[sub]

    def _grow(self, new: list[Point]) -> None:
        old = list(self.index)
        every = old + new
        n_old, n = len(old), len(every)
        added = list(range(n_old, n))
        block = road_matrix.BLOCK  # read now: tests make it small to see the chunks
        out = road_matrix.road_rows(self.osrm_url, every, added, list(range(n)), block=block)
        into = road_matrix.road_rows(self.osrm_url, every, list(range(n_old)), added, block=block)
        for grid, own, got_out, got_in in (
            (self.durations, "durations", out.durations_s, into.durations_s),
            (self.distances, "distances", out.distances_m, into.distances_m),
        ):
            grown = np.zeros((n, n), dtype=np.int64)
            grown[:n_old, :n_old] = grid
            grown[n_old:, :] = np.asarray(got_out, dtype=np.int64).reshape(len(added), n)
            grown[:n_old, n_old:] = np.asarray(got_in, dtype=np.int64).reshape(n_old, len(added))
            setattr(self, own, grown)
        self.index.update({p: n_old + k for k, p in enumerate(new)})


class _Tables:
    """The day tables by (region, day), least recently used dropped first; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[int, date], _DayTable] = OrderedDict()

    def of(self, travel: RegionTravel) -> _DayTable:
        key = (travel.region_id, travel.day)
        with self._lock:
            table = self._items.get(key)
            if table is None or table.osrm_url != travel.osrm_url:
                table = _DayTable(travel.osrm_url or "")
                self._items[key] = table
            self._items.move_to_end(key)
            while len(self._items) > CACHED_DAYS:
                self._items.popitem(last=False)
            return table


_tables = _Tables()


def apply(day_problem: DayProblem) -> DayProblem:
    """The day's problem on its region's road times when it has a routing server (the source
    and, on a fallback, the reason recorded on it); unchanged without one."""
    if not day_problem.osrm_url:
        return day_problem
    travel = RegionTravel(
        day_problem.region_id,
        day_problem.day,
        day_problem.osrm_url,
        _estimate_of(day_problem.problem),
    )
    found = on_roads(day_problem.problem, travel)
    return replace(
        day_problem,
        problem=found.problem,
        osrm_url=None,
        travel_source=found.source,
        travel_note=found.note,
    )


def on_roads(problem: opt.Problem, travel: RegionTravel) -> OnRoads:
    """The problem on the region's road times (one matrix row per distinct place), or on its
    great-circle estimate when it has no server or the server fails."""
    if not travel.osrm_url:
        return OnRoads(_estimated(problem, travel), TravelSource.GREAT_CIRCLE)
    places = _places(problem)
    points = list(dict.fromkeys((p.lat, p.lon) for p in places))
    try:
        durations, distances = _tables.of(travel).covering(points)
    except RoutingUnavailable as exc:
        note = f"great-circle estimates used: {exc}"
        return OnRoads(_estimated(problem, travel), TravelSource.GREAT_CIRCLE, note)
    matrix = opt.Matrix(_tuples(durations), _tuples(distances))
    at = {p: k for k, p in enumerate(points)}
    return OnRoads(_indexed(problem, matrix, at), TravelSource.OSRM)


def with_visits(
    problem: opt.Problem, visits: Sequence[opt.Visit], travel: RegionTravel
) -> opt.Problem:
    """The problem with other visits on the travel it had: a road matrix grows by new places."""
    if not isinstance(problem.travel, opt.Matrix):
        return replace(problem, visits=tuple(visits))
    estimated = replace(problem, travel=travel.estimate)  # the estimate ignores matrix indices
    return on_roads(replace(estimated, visits=tuple(visits)), travel).problem


def legs(routes: opt.DayRoutes, place: Point, travel: RegionTravel) -> opt.Legs | None:
    """A new place's drive times to and from every place of a day on road times; None when the
    day is on estimates (its travel model then knows any place). When the server fails here,
    the estimate stands in for these legs alone (the day itself was built on road times)."""
    if not travel.osrm_url or not isinstance(routes.problem.travel, opt.Matrix):
        return None
    points = [(loc.lat, loc.lon) for loc in routes.locations]
    try:
        durations, _ = _tables.of(travel).covering([place, *points])
    except RoutingUnavailable:
        return _estimated_legs(routes, place, travel)
    return opt.Legs(durations[1:, 0].tolist(), durations[0, 1:].tolist())


def drive_s(region: Region, day: date, origin: Point, destination: Point) -> int:
    """Seconds to drive from origin to destination on the region's travel source for the day."""
    travel = RegionTravel.of(region, day)
    if travel.osrm_url:
        try:
            durations, _ = _tables.of(travel).covering([origin, destination])
            return int(durations[0, 1])
        except RoutingUnavailable:
            pass  # the estimate, as the day's plan would have it without the server
    places = [opt.Location(*origin), opt.Location(*destination)]
    return int(opt.build_table(travel.estimate, places).durations_s[0, 1])


def drop_cached() -> None:
    """Forget every road table (tests that restart a routing server on the same port)."""
    global _tables
    _tables = _Tables()


# --- helpers ------------------------------------------------------------------------------------


def _places(problem: opt.Problem) -> list[opt.Location]:
    locations = [p for t in problem.technicians for p in (t.start, t.end_location)]
    return locations + [v.location for v in problem.visits]


def _tuples(grid: IntArray) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(x) for x in row) for row in grid.tolist())


def _estimate_of(problem: opt.Problem) -> opt.GreatCircle:
    travel = problem.travel
    return travel if isinstance(travel, opt.GreatCircle) else opt.GreatCircle()


def _estimated(problem: opt.Problem, travel: RegionTravel) -> opt.Problem:
    """The problem on the great-circle estimate, its places without matrix indices."""
    if problem.travel == travel.estimate:
        return problem
    return _located(problem, travel.estimate, lambda loc: replace(loc, index=None))


def _indexed(problem: opt.Problem, matrix: opt.Matrix, at: dict[Point, int]) -> opt.Problem:
    return _located(problem, matrix, lambda loc: replace(loc, index=at[(loc.lat, loc.lon)]))


def _located(problem: opt.Problem, travel: opt.Travel, where: _Where) -> opt.Problem:
    """The problem with another travel model and every place re-indexed by `where`."""
    return replace(
        problem,
        technicians=tuple(
            replace(t, start=where(t.start), end=None if t.end is None else where(t.end))
            for t in problem.technicians
        ),
        visits=tuple(replace(v, location=where(v.location)) for v in problem.visits),
        travel=travel,
    )


def _estimated_legs(routes: opt.DayRoutes, place: Point, travel: RegionTravel) -> opt.Legs:
    here = opt.Location(*place)
    table = opt.build_table(travel.estimate, [here, *routes.locations]).durations_s
    return opt.Legs(table[1:, 0].tolist(), table[0, 1:].tolist())
