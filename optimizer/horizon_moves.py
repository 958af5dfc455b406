"""Between the days of a horizon: visits change day and visits left out come in, each move
priced exactly by the objective (backends.rank: priority weight served first, then travel,
overtime at its cost, preference and stability costs and day_wait_cost per day waited).

The moves work on horizon_first's expanded problem (a vehicle per technician and day; crews
as copies pinned to their members at their start, which stay as they are):
- insert: a visit left out goes to its cheapest place; where it fits nowhere, one visit of a
  route on one of its days makes room by going to another route (another day of its due range,
  or another technician), or is left out when it weighs less than the visit coming in;
- relocate: a served visit goes to the route of any of its days where the objective falls
  most, so a movable visit moves earlier once room appears there.
Passes repeat until none improves or time is up. The routes' fairness and moved-start costs
(soft_rules) are not priced per move: the result is kept only when rank() says it is better.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from . import horizon_first
from .checker import check
from .errors import InvalidProblem
from .insertion import DayRoutes, Sequences
from .insertion_places import cheapest, index, places_of
from .plan import Plan
from .problem import DAY_S, Problem, Visit
from .reasons import may_serve
from .stop_times import RouteShape, RouteTimes
from .timing import Span


def between_days(
    problem: Problem, plan: Plan, deadline_s: float, should_stop: Callable[[], bool] | None = None
) -> Plan:
    """The plan after insert and relocate moves between days until deadline_s (perf_counter)
    or should_stop says so, when the validator accepts it and rank() finds it better; else the
    plan itself."""
    from .backends import rank

    try:
        expanded, sequences = horizon_first.expanded(problem, plan)
        week = WeekRoutes(problem, expanded, sequences)
    except InvalidProblem:  # a visit id clashing with crew copies, or a route we cannot time
        return plan
    week.should_stop = should_stop or _never
    if not week.improve(deadline_s):
        return plan
    try:
        moved = horizon_first.plan_of(problem, expanded, week.sequences)
    except InvalidProblem:
        return plan
    if check(problem, moved) or rank(problem, plan) <= rank(problem, moved):
        return plan
    return replace(moved, solver=plan.solver)


@dataclass(frozen=True, slots=True)
class _Move:
    """New shapes for some routes; gain is the priority weight it adds, cost what it adds to
    the rest of the objective (negative: it saves)."""

    gain: int
    cost: int
    shapes: tuple[tuple[int, RouteShape], ...]
    dropped: str | None = None

    def better_than(self, other: _Move | None) -> bool:
        return other is None or (-self.gain, self.cost) < (-other.gain, other.cost)


class WeekRoutes(DayRoutes):
    """The routes of a horizon's expanded problem, with the objective's cost of each route and
    of each visit where it is, and the moves between days.

    Raises:
        InvalidProblem: as DayRoutes, or when a route of the plan cannot be timed by our rules.
    """

    def __init__(self, problem: Problem, expanded: Problem, sequences: Sequences) -> None:
        self.original = {v.id: v for v in problem.visits}
        self.costs = problem
        self.owner = [horizon_first.owner(t.id) for t in expanded.technicians]
        self.day = [t.shifts[0].day for t in expanded.technicians]
        self.days = np.array(self.day, dtype=np.int64)
        self.should_stop: Callable[[], bool] = _never  # the caller's cancel (SolveParams)
        self.where: dict[str, int] = {}  # visit id (or crew copy) -> its vehicle
        self.route_cost: dict[int, int] = {}  # vehicle -> travel + overtime at its cost
        self._serve_masks: dict[tuple[frozenset[str], str | None, int], npt.NDArray[np.bool_]] = {}
        self._capacities = {
            k: t.capacity for k, t in enumerate(expanded.technicians) if t.capacity is not None
        }
        super().__init__(expanded, sequences)
        bad = self.infeasible
        if bad:
            raise InvalidProblem(f"the route of {bad[0]} cannot be timed.", field="sequences")

    # --- the search --------------------------------------------------------------------------

    def improve(self, deadline_s: float) -> bool:
        """Apply insert and relocate moves until none improves or deadline_s; True when any did."""
        changed = False
        while not self._over(deadline_s):
            moved = self._insert_pass(deadline_s) + self._relocate_pass(deadline_s)
            changed = changed or moved > 0
            if not moved:
                break
        return changed

    def _over(self, deadline_s: float) -> bool:
        return time.perf_counter() >= deadline_s or self.should_stop()

    def _insert_pass(self, deadline_s: float) -> int:
        """Put in the visits left out, heaviest first; how many came in."""
        left_out = [
            v
            for v in self.problem.visits
            if v.id not in self.where and v.crew_size == 1 and not horizon_first.is_copy(v.id)
        ]
        left_out.sort(key=lambda v: (-v.weight, v.id))
        done = 0
        for visit in left_out:
            if self._over(deadline_s):
                break
            move = self._placed(visit, skip=None)
            if move is None:
                move = self._with_room_made(visit, deadline_s)
            if move is not None:
                self._apply(move, visit.id)
                done += 1
        return done

    def _relocate_pass(self, deadline_s: float) -> int:
        """Move each served movable visit where the objective falls most, earliest day first;
        how many moved."""
        done = 0
        order = sorted(self.where, key=lambda vid: (self.day[self.where[vid]], vid))
        for vid in order:
            if self._over(deadline_s):
                break
            if horizon_first.is_copy(vid) or not self.original[vid].movable:
                continue  # a visit of one day changes technician in the day's search
            move = self._relocated(vid)
            if move is not None:
                self._apply(move, vid)
                done += 1
        return done

    # --- moves -------------------------------------------------------------------------------

    def _relocated(self, vid: str) -> _Move | None:
        """The visit taken out of its route and put at its cheapest place on another route,
        when that lowers the objective."""
        k = self.where[vid]
        removed = self._without(k, vid)
        if removed is None:
            return None
        shape, times = removed
        saved = self.route_cost[k] - self._cost_of(k, shape, times) + self._visit_cost_at(vid, k)
        visit = self.problem.visits[self._visit_pos[vid]]
        placed = self._placed(visit, skip=k)
        if placed is None or placed.cost - saved >= 0:
            return None
        return _Move(0, placed.cost - saved, ((k, shape), *placed.shapes))

    def _with_room_made(self, visit: Visit, deadline_s: float) -> _Move | None:
        """The best way to serve a visit that fits nowhere: on a route of one of its days, one
        visit goes to another route (or is left out, when it weighs less) to make room."""
        best: _Move | None = None
        spans = _spans_by_day(self._windows[self._visit_pos[visit.id]])
        for k in range(self._n_techs):
            day_spans = spans.get(self.day[k])
            if day_spans is None or not self._may_take(k, visit) or not self._ok[k]:
                continue
            if self._over(deadline_s):
                break
            for out in self._shapes[k].visits:
                if horizon_first.is_copy(out):
                    continue
                move = self._swapped(k, out, visit, day_spans)
                if move is not None and move.better_than(best):
                    best = move
        return best

    def _swapped(self, k: int, out: str, visit: Visit, spans: list[Span]) -> _Move | None:
        """Route k with `out` taken out and `visit` put in, `out` at its cheapest place
        elsewhere (or left out when it weighs less)."""
        removed = self._without(k, out)
        out_visit = self.problem.visits[self._visit_pos[out]]
        tech = self.problem.technicians[k]
        demand = self._demands[k] - out_visit.demand + visit.demand
        if removed is None or (tech.capacity is not None and demand > tech.capacity):
            return None
        shape, times = removed
        inserted = self._inserted_in(k, shape, times, visit, spans)
        if inserted is None:
            return None
        new_shape, new_times = inserted
        cost = self._cost_of(k, new_shape, new_times) - self.route_cost[k]
        cost += self._visit_cost(visit.id, k, new_times.starts_s[new_shape.visits.index(visit.id)])
        cost -= self._visit_cost_at(out, k)
        elsewhere = self._placed(out_visit, skip=k)
        if elsewhere is not None:
            return _Move(visit.weight, cost + elsewhere.cost, ((k, new_shape), *elsewhere.shapes))
        if out_visit.weight >= visit.weight:
            return None
        return _Move(visit.weight - out_visit.weight, cost, ((k, new_shape),), dropped=out)

    def _placed(self, visit: Visit, skip: int | None) -> _Move | None:
        """The visit at the cheapest place of each of its days (by added travel), on a route
        other than `skip`; the one of least exact cost."""
        i = self._visit_pos[visit.id]
        node = 2 * self._n_techs + i
        eligible = self._eligible(visit)
        if skip is not None:
            eligible[skip] = False
        best: _Move | None = None
        for day, spans in _spans_by_day(self._windows[i]).items():
            found = cheapest(
                self._places(),
                self._travel[:, node],
                self._travel[node],
                self._travel,
                eligible & (self.days == day),  # the others cannot start it then: faster
                visit.duration_s,
                spans,
            )
            if found is None:
                continue
            place = found[1]
            shape = self._shapes[place.k]
            items = list(shape.items())
            items.insert(shape.item_index(place.gap, place.offset), visit.id)
            new_shape = RouteShape.of(items)
            times = self._route_times(place.k, new_shape)
            if not times.feasible:  # cannot happen after cheapest's check; kept as a guard
                continue
            start_s = times.starts_s[new_shape.visits.index(visit.id)]
            cost = self._cost_of(place.k, new_shape, times) - self.route_cost.get(place.k, 0)
            move = _Move(visit.weight, cost + self._visit_cost(visit.id, place.k, start_s),
                         ((place.k, new_shape),))  # fmt: skip
            if move.better_than(best):
                best = move
        return best

    def _inserted_in(
        self, k: int, shape: RouteShape, times: RouteTimes, visit: Visit, spans: list[Span]
    ) -> tuple[RouteShape, RouteTimes] | None:
        """Route k (as shape) with the visit at its cheapest place there, or None."""
        node = 2 * self._n_techs + self._visit_pos[visit.id]
        nodes = self._nodes(k, shape)
        places = index(places_of(k, shape, times, nodes, self._breaks[k]))
        eligible = np.zeros(self._n_techs, dtype=bool)
        eligible[k] = True  # _may_take checked skills and pin, _swapped capacity
        found = cheapest(
            places,
            self._travel[:, node],
            self._travel[node],
            self._travel,
            eligible,
            visit.duration_s,
            spans,
        )
        if found is None:
            return None
        items = list(shape.items())
        items.insert(shape.item_index(found[1].gap, found[1].offset), visit.id)
        new_shape = RouteShape.of(items)
        new_times = self._route_times(k, new_shape)
        return (new_shape, new_times) if new_times.feasible else None

    def _apply(self, move: _Move, vid: str) -> None:
        self.where.pop(vid, None)
        if move.dropped is not None:
            self.where.pop(move.dropped, None)
        for k, shape in move.shapes:
            self._set_route(k, shape)

    # --- prices ------------------------------------------------------------------------------

    def _set_route(self, k: int, shape: RouteShape) -> None:
        super()._set_route(k, shape)
        for vid in shape.visits:
            self.where[vid] = k
        self.route_cost[k] = self._cost_of(k, shape, self._times[k])

    def _cost_of(self, k: int, shape: RouteShape, times: RouteTimes) -> int:
        """Travel plus overtime at its cost of route k as shape (0 without visits: no route)."""
        if not shape.visits:
            return 0
        nodes = self._nodes(k, shape)
        travel_s = sum(int(self._travel[a, b]) for a, b in pairwise(nodes))
        tech = self.problem.technicians[k]
        return travel_s + tech.overtime_cost * max(0, times.back_s - tech.shift.end_s)

    def _visit_cost(self, vid: str, k: int, start_s: int) -> int:
        """The preference, stability and waiting cost of the visit served on vehicle k."""
        visit = self.original[vid]
        owner = self.owner[k]
        cost = self.costs.day_wait_cost * visit.wait_days(start_s)
        if visit.preferred_technician not in (None, owner):
            cost += self.costs.preference_cost
        if visit.previous_technician not in (None, owner):
            cost += self.costs.stability_cost
        return cost

    def _visit_cost_at(self, vid: str, k: int) -> int:
        shape = self._shapes[k]
        return self._visit_cost(vid, k, self._times[k].starts_s[shape.visits.index(vid)])

    def _without(self, k: int, vid: str) -> tuple[RouteShape, RouteTimes] | None:
        """Route k without the visit, or None when it cannot be timed so (a road matrix that
        breaks the triangle inequality)."""
        items = [x for x in self._shapes[k].items() if x != vid]
        shape = RouteShape.of(items)
        times = self._route_times(k, shape)
        return (shape, times) if times.feasible else None

    def _eligible(self, visit: Visit) -> npt.NDArray[np.bool_]:
        """Per vehicle: may it take this visit on top of its route (DayRoutes' answer, with
        the per-vehicle part in arrays: the moves ask it thousands of times)."""
        key = (visit.skills, visit.pinned_technician, visit.demand)
        serves = self._serve_masks.get(key)
        if serves is None:
            serves = np.array([may_serve(t, visit) for t in self.problem.technicians], dtype=bool)
            self._serve_masks[key] = serves
        mask: npt.NDArray[np.bool_] = serves & np.array(self._ok, dtype=bool)
        if visit.demand and self._capacities:
            for k, capacity in self._capacities.items():
                mask[k] &= self._demands[k] + visit.demand <= capacity
        return mask

    def _may_take(self, k: int, visit: Visit) -> bool:
        """Skills and pin let vehicle k serve the visit (capacity is checked by the move)."""
        tech = self.problem.technicians[k]
        return visit.skills <= tech.skills and visit.pinned_technician in (None, tech.id)


def _never() -> bool:
    return False


def _spans_by_day(spans: Sequence[Span]) -> dict[int, list[Span]]:
    """A visit's spans (merged, sorted) by the day they start on, earliest day first."""
    days: dict[int, list[Span]] = {}
    for span in spans:
        days.setdefault(span[0] // DAY_S, []).append(span)
    return days
