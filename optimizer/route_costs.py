"""What one technician's route costs by the plan's objective, and where a visit fits in it best.

A route is a sequence of visit ids and break indices (stop_times). Its cost is travel plus
overtime at the technician's price plus the preference and stability costs of its visits: the
part of rank() that belongs to one route. A route that breaks a rule (time, skills, pin,
capacity) has no cost (None). Used by the searches that move visits between routes
(make_room.py), which try thousands of routes: each is two passes over its stops (stop_times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .problem import Problem, Visit
from .reasons import may_serve
from .stop_times import BreakSpans, Item, RouteShape, RouteTimes, break_spans, route_times
from .timing import Span, earliest_in, merged
from .travel import build_table

Items = tuple[Item, ...]
# Routes priced are kept (a search prices the same route again and again) up to this many.
CACHE_SIZE = 200_000


class RouteCosts:
    """The cost of any route of a one-day problem (every technician works one shift)."""

    def __init__(self, problem: Problem) -> None:
        techs, visits = problem.technicians, problem.visits
        self.problem = problem
        self._n = len(techs)
        self.visit_pos = {v.id: i for i, v in enumerate(visits)}
        self.tech_pos = {t.id: k for k, t in enumerate(techs)}
        locations = [t.start for t in techs] + [t.end_location for t in techs]
        locations += [v.location for v in visits]
        self._table = build_table(problem.travel, locations).durations_s
        # Rows and columns as lists, each made when first read: a search reads single cells,
        # which lists give five times faster than numpy, and a big day's whole table as lists
        # would take 150 MB (200x1000).
        self._rows: dict[int, list[int]] = {}
        self._cols: dict[int, list[int]] = {}
        self._breaks: list[tuple[BreakSpans, ...]] = [break_spans(t) for t in techs]
        self._windows: list[list[Span]] = [merged(v.windows) for v in visits]
        self._serves: dict[int, list[bool]] = {}
        self._shift_end_s = [t.shifts[0].end_s for t in techs]
        self._routes: dict[tuple[int, Items], _Route] = {}

    def node(self, visit_id: str) -> int:
        """The visit's node in the travel table."""
        return 2 * self._n + self.visit_pos[visit_id]

    def serves(self, k: int, visit_id: str) -> bool:
        """May technician k serve the visit by the rules alone (skills, pin, capacity, breaks)?"""
        i = self.visit_pos[visit_id]
        found = self._serves.get(i)
        if found is None:
            visit = self.problem.visits[i]
            found = [may_serve(t, visit) for t in self.problem.technicians]
            self._serves[i] = found
        return found[k]

    def cost(self, k: int, items: Items) -> int | None:
        """The route's cost for technician k, or None when it breaks a rule of time or load
        (skills and pins are the caller's: serves())."""
        return self._route(k, items).cost

    def _route(self, k: int, items: Items) -> _Route:
        """The route priced, from the cache when it was priced before."""
        key = (k, items)
        found = self._routes.get(key)
        if found is None:
            if len(self._routes) >= CACHE_SIZE:
                self._routes.clear()
            found = self._priced(k, items)
            self._routes[key] = found
        return found

    def _priced(self, k: int, items: Items) -> _Route:
        tech = self.problem.technicians[k]
        shape = RouteShape.of(items)
        idx = [self.visit_pos[v] for v in shape.visits]
        nodes = [k, *(2 * self._n + i for i in idx), self._n + k]
        legs = [self._row(a)[b] for a, b in zip(nodes, nodes[1:], strict=False)]
        visits = [self.problem.visits[i] for i in idx]
        windows = [self._windows[i] for i in idx]
        durations = [v.duration_s for v in visits]
        times = route_times(tech, shape, legs, windows, durations, self._breaks[k])
        over = tech.capacity is not None and sum(v.demand for v in visits) > tech.capacity
        if over or not times.feasible:
            return _Route(shape, nodes, times, None)
        overtime_s = max(0, times.back_s - self._shift_end_s[k])
        cost = sum(legs) + tech.overtime_cost * overtime_s + self._soft(tech.id, visits)
        return _Route(shape, nodes, times, cost)

    def _soft(self, tech_id: str, visits: Sequence[Visit]) -> int:
        """Preference and stability costs of the route's visits (rank() counts them too)."""
        problem, cost = self.problem, 0
        for v in visits:
            if v.preferred_technician not in (None, tech_id):
                cost += problem.preference_cost
            if v.previous_technician not in (None, tech_id):
                cost += problem.stability_cost
        return cost

    def best_insertion(self, k: int, items: Items, visit_id: str) -> tuple[int, Items] | None:
        """(cost of the new route, the new route) of the cheapest place for the visit in
        technician k's route, before or after each stop and break; None when it fits nowhere.

        A place between two stops with no break between them is first checked in O(1) from
        the route's two passes (as insertion_places does); the places that pass are priced in
        order of the travel they add, which with the visit's own soft cost bounds the new
        cost from below (inserting never ends a route earlier)."""
        if not self.serves(k, visit_id):
            return None
        route = self._route(k, items)
        if route.cost is None:
            return None
        visit = self.problem.visits[self.visit_pos[visit_id]]
        floor = route.cost + self._soft(self.problem.technicians[k].id, [visit])
        best: tuple[int, Items] | None = None
        for added, p in sorted(self._open_places(route, visit_id)):
            if best is not None and floor + added >= best[0]:
                break
            candidate = (*items[:p], visit_id, *items[p:])
            cost = self.cost(k, candidate)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, candidate)
        return best

    def _open_places(self, route: _Route, visit_id: str) -> list[tuple[int, int]]:
        """(travel added, index in the items) of each place the visit may fit: every place in
        a gap with breaks, and those of plain gaps that pass the O(1) check."""
        i = self.visit_pos[visit_id]
        u, windows = 2 * self._n + i, self._windows[i]
        duration_s = self.problem.visits[i].duration_s
        nodes, times = route.nodes, route.times
        to_u, from_u = self._col(u), self._row(u)
        places = []
        for g, gap in enumerate(route.shape.gaps):
            a, b = nodes[g], nodes[g + 1]
            into_s, out_s = to_u[a], from_u[b]
            if not gap:
                start_s = earliest_in(windows, times.free_s[g] + into_s)
                if start_s is None or start_s + duration_s + out_s > times.latest_s[g + 1]:
                    continue
            added = into_s + out_s - self._row(a)[b]
            places += [(added, route.shape.item_index(g, o)) for o in range(len(gap) + 1)]
        return places

    def nearness(self, visit_id: str, k: int, items: Items) -> int:
        """How near the visit is to technician k's route: the shortest drive between it and the
        route's start, end or any of its visits."""
        u = self.node(visit_id)
        nodes = self._route(k, items).nodes
        to_u, from_u = self._col(u), self._row(u)
        return min(min(to_u[m], from_u[m]) for m in nodes)

    def _row(self, a: int) -> list[int]:
        """Travel from node a to every node."""
        row = self._rows.get(a)
        if row is None:
            row = self._rows[a] = self._table[a].tolist()
        return row

    def _col(self, b: int) -> list[int]:
        """Travel to node b from every node."""
        col = self._cols.get(b)
        if col is None:
            col = self._cols[b] = self._table[:, b].tolist()
        return col


@dataclass(frozen=True, slots=True)
class _Route:
    """A route priced: its shape, travel-table nodes (start, visits, end), both passes over
    it, and its cost (None when it breaks a rule of time or load)."""

    shape: RouteShape
    nodes: list[int]
    times: RouteTimes
    cost: int | None
