"""Cheapest feasible insertion of a visit into a day's routes, and greedy placement of visits.

Slot offers ask, for each candidate window, whether a new visit fits into the routes already
promised for that day without moving any other visit out of its window, and at what added
travel. Routes are sequences of visit ids and break indices (see stop_times); a technician
without visits has the implicit sequence of its breaks in window order. Every rule of the plan
holds for the routes this module produces: skills, pinned technicians, capacity, windows,
shifts plus overtime and breaks (tests turn them into plans with sequence_plan and check them).

Breaks keep their gap when a visit is inserted: the new visit goes before or after a break, it
does not push a break into another gap. A route given without its breaks gets the placement
that comes back to base earliest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations_with_replacement

import numpy as np
import numpy.typing as npt

from .errors import InvalidProblem
from .insertion_crew import CrewInsertion, CrewMember, cheapest_crew
from .insertion_places import Place, Places, StartSpan, cheapest, index, places_of, start_spans
from .problem import Location, Problem, TimeWindow, Visit
from .reasons import may_serve
from .stop_times import BreakSpans, Item, RouteShape, RouteTimes, break_spans, route_times
from .timing import Span, merged
from .travel import build_rows, build_table

Sequences = Mapping[str, Sequence[Item]]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where a visit goes: the technician, the index in its sequence, the travel it adds."""

    technician: str
    position: int
    added_travel_s: int
    window: TimeWindow


@dataclass(frozen=True, slots=True)
class Legs:
    """A new visit's drive times (s) from each of DayRoutes.locations into it and from it to
    each, given when the problem's travel model cannot say (a road matrix without its place)."""

    into_s: Sequence[int]
    out_of_s: Sequence[int]


@dataclass(frozen=True, slots=True)
class Placement:
    """Routes after a greedy placement, and the visits that fitted nowhere."""

    sequences: dict[str, tuple[Item, ...]]
    unplaced: tuple[str, ...]


class DayRoutes:
    """One day's routes, indexed for O(1)-per-place insertion checks.

    Raises:
        InvalidProblem: on a technician with several shifts, an unknown technician or visit, a
            visit routed twice, or a sequence naming some but not all of its technician's breaks.
    """

    def __init__(self, problem: Problem, sequences: Sequences | None = None) -> None:
        techs, visits = problem.technicians, problem.visits
        _check_one_day(problem)
        self.problem = problem
        self._n_techs = len(techs)
        self._tech_pos = {t.id: k for k, t in enumerate(techs)}
        self._visit_pos = {v.id: i for i, v in enumerate(visits)}
        self._locations = [t.start for t in techs] + [t.end_location for t in techs]
        self._locations += [v.location for v in visits]
        self._travel: IntArray = build_table(problem.travel, self._locations).durations_s
        self._breaks = [break_spans(t) for t in techs]
        self._windows = [tuple(merged(v.windows)) for v in visits]
        self._shapes: list[RouteShape] = []
        self._times: list[RouteTimes] = []
        self._demands: list[int] = []
        self._ok: list[bool] = []
        self._slots: Places | None = None
        self._route_places: dict[int, list[Place]] = {}  # per technician, until its route changes
        self._serves: dict[tuple[frozenset[str], str | None, int], list[bool]] = {}
        for k in range(len(techs)):
            self._shapes.append(self._empty_shape(k))
            self._times.append(self._route_times(k, self._shapes[k]))
            self._demands.append(0)
            self._ok.append(self._times[k].feasible)
        self._load(sequences or {})

    # --- public queries ---------------------------------------------------------------------

    @property
    def sequences(self) -> dict[str, tuple[Item, ...]]:
        """The sequence of every technician with visits."""
        return {
            self.problem.technicians[k].id: shape.items()
            for k, shape in enumerate(self._shapes)
            if shape.visits
        }

    @property
    def locations(self) -> tuple[Location, ...]:
        """The day's places in travel order: technicians' starts, their ends, then the visits."""
        return tuple(self._locations)

    @property
    def routed(self) -> frozenset[str]:
        """The ids of the visits on a route."""
        return frozenset(v for shape in self._shapes for v in shape.visits)

    @property
    def infeasible(self) -> tuple[str, ...]:
        """The technicians whose route breaks a rule (time, skills, pin or capacity)."""
        return tuple(
            self.problem.technicians[k].id
            for k, shape in enumerate(self._shapes)
            if shape.visits and not self._ok[k]
        )

    def best_insertions(
        self, visit: Visit, windows: Sequence[TimeWindow], legs: Legs | None = None
    ) -> list[Insertion | None]:
        """For each window, the cheapest place to serve `visit` starting inside it, keeping every
        routed visit in its window; None where it fits nowhere. `visit` need not be in the
        problem (its windows are ignored: `windows` are the candidates); its drive times come
        from `legs` when given, else from the problem's travel model.

        Raises:
            InvalidProblem: when the visit is already routed, or legs miss a location.
        """
        if visit.id in self.routed:
            raise InvalidProblem(f"visit {visit.id!r} is already routed.", field="visit")
        into, out_of = self._legs(visit, legs)
        eligible = self._eligible(visit)
        return [
            self._best(visit, into, out_of, eligible, [(w.start_s, w.end_s)], w) for w in windows
        ]

    def crew_insertions(
        self, visit: Visit, windows: Sequence[TimeWindow], legs: Legs | None = None
    ) -> list[CrewInsertion | None]:
        """For each window, the cheapest way for visit.crew_size distinct technicians to serve
        `visit` together, all starting at one moment inside the window, each keeping every routed
        visit in its window; None where no crew can (see insertion_crew). Ranked by the travel
        the members add in total; otherwise as best_insertions.

        Raises:
            InvalidProblem: when the visit is already routed, or legs miss a location.
        """
        if visit.id in self.routed:
            raise InvalidProblem(f"visit {visit.id!r} is already routed.", field="visit")
        into, out_of = self._legs(visit, legs)
        # A pinned technician is one member of the crew, not the only technician allowed.
        eligible = self._eligible(replace(visit, pinned_technician=None))
        pinned = self._tech_pos.get(visit.pinned_technician or "")
        if visit.pinned_technician is not None and pinned is None:
            return [None] * len(windows)  # the pinned technician does not work that day
        found: list[CrewInsertion | None] = []
        for w in windows:
            spans = start_spans(
                self._places(), into, out_of, self._travel, eligible, visit.duration_s,
                (w.start_s, w.end_s),
            )  # fmt: skip
            crew = cheapest_crew(spans, visit.crew_size, self._n_techs, pinned)
            found.append(None if crew is None else self._crew(crew[0], crew[1], w))
        return found

    def _crew(self, start_s: int, spans: Sequence[StartSpan], window: TimeWindow) -> CrewInsertion:
        members = tuple(
            CrewMember(
                self.problem.technicians[s.place.k].id,
                self._shapes[s.place.k].item_index(s.place.gap, s.place.offset),
                s.added_s,
            )
            for s in spans
        )
        return CrewInsertion(start_s, members, window)

    def with_crew(
        self, crew: CrewInsertion, visit_ids: Sequence[str]
    ) -> dict[str, tuple[Item, ...]]:
        """The sequences with visit_ids[m] put where member m of the crew goes (the visit
        itself and its members' copies: one id per member)."""
        if len(visit_ids) != len(crew.members):
            raise InvalidProblem(f"give {len(crew.members)} visit ids.", field="visit_ids")
        out = self.sequences
        for member, visit_id in zip(crew.members, visit_ids, strict=True):
            items = list(self._shapes[self._tech_pos[member.technician]].items())
            items.insert(member.position, visit_id)
            out[member.technician] = tuple(items)
        return out

    def _legs(self, visit: Visit, legs: Legs | None) -> tuple[IntArray, IntArray]:
        if legs is None:
            travel, here = self.problem.travel, [visit.location]
            out_of = build_rows(travel, here, self._locations).durations_s[0]
            return build_rows(travel, self._locations, here).durations_s[:, 0], out_of
        n = len(self._locations)
        if len(legs.into_s) != n or len(legs.out_of_s) != n:
            raise InvalidProblem(f"legs must give {n} drive times each way.", field="legs")
        return np.asarray(legs.into_s, dtype=np.int64), np.asarray(legs.out_of_s, dtype=np.int64)

    def with_insertion(self, insertion: Insertion, visit_id: str) -> dict[str, tuple[Item, ...]]:
        """The sequences with visit_id put where the insertion says."""
        k = self._tech_pos[insertion.technician]
        items = list(self._shapes[k].items())
        items.insert(insertion.position, visit_id)
        return self.sequences | {insertion.technician: tuple(items)}

    # --- greedy placement (on a private instance: cached instances are never changed) -------

    def _place(self, visit_id: str) -> bool:
        """Put a problem visit at its cheapest place over all its windows, each day it waits
        past its earliest costing day_wait_cost; False when it fits nowhere."""
        i = self._visit_pos[visit_id]
        visit = self.problem.visits[i]
        node = 2 * self._n_techs + i
        eligible = self._eligible(visit)
        found: Insertion | None = None
        best_cost = 0
        for wait, spans in _by_wait(visit, self._windows[i]):
            cost_of_wait = wait * self.problem.day_wait_cost
            if found is not None and cost_of_wait >= best_cost:
                break  # later days only cost more
            window = TimeWindow(spans[0][0], spans[-1][1])
            here = self._best(
                visit, self._travel[:, node], self._travel[node], eligible, spans, window
            )
            if here is not None and (
                found is None or here.added_travel_s + cost_of_wait < best_cost
            ):
                found, best_cost = here, here.added_travel_s + cost_of_wait
        if found is None:
            return False
        k = self._tech_pos[found.technician]
        items = list(self._shapes[k].items())
        items.insert(found.position, visit_id)
        self._set_route(k, RouteShape.of(items))
        return True

    # --- building -----------------------------------------------------------------------------

    def _empty_shape(self, k: int) -> RouteShape:
        order = sorted(range(len(self._breaks[k])), key=lambda b: _first_start(self._breaks[k][b]))
        return RouteShape((), (tuple(order),))

    def _load(self, sequences: Sequences) -> None:
        seen: set[str] = set()
        for tech_id, items in sequences.items():
            if tech_id not in self._tech_pos:
                raise InvalidProblem(
                    f"technician {tech_id!r} is not in the problem.", field="sequences"
                )
            k = self._tech_pos[tech_id]
            shape = RouteShape.of(items)
            for v in shape.visits:
                if v not in self._visit_pos:
                    raise InvalidProblem(f"visit {v!r} is not in the problem.", field="sequences")
                if v in seen:
                    raise InvalidProblem(f"visit {v!r} is routed twice.", field="sequences")
                seen.add(v)
            if shape.visits:
                self._set_route(k, self._with_breaks(k, shape))

    def _with_breaks(self, k: int, shape: RouteShape) -> RouteShape:
        """The shape with all of the technician's breaks: as given, or placed when none is."""
        given = [b for gap in shape.gaps for b in gap]
        m = len(self._breaks[k])
        if sorted(given) == list(range(m)):
            return shape
        tech_id = self.problem.technicians[k].id
        if given:
            msg = f"the sequence of {tech_id} names some of its breaks but not all."
            raise InvalidProblem(msg, field="sequences")
        order = self._empty_shape(k).gaps[0]
        best: tuple[int, RouteShape] | None = None
        n = len(shape.visits)
        for gaps_of in combinations_with_replacement(range(n + 1), m):
            gaps: list[list[int]] = [[] for _ in range(n + 1)]
            for b, g in zip(order, gaps_of, strict=True):
                gaps[g].append(b)
            candidate = RouteShape(shape.visits, tuple(tuple(g) for g in gaps))
            times = self._route_times(k, candidate)
            if times.feasible and (best is None or times.back_s < best[0]):
                best = (times.back_s, candidate)
        if best is not None:
            return best[1]
        return RouteShape(shape.visits, (order,) + ((),) * n)  # infeasible; reported as such

    def _set_route(self, k: int, shape: RouteShape) -> None:
        tech = self.problem.technicians[k]
        visits = [self.problem.visits[self._visit_pos[v]] for v in shape.visits]
        self._shapes[k] = shape
        self._times[k] = self._route_times(k, shape)
        self._demands[k] = sum(v.demand for v in visits)
        over = tech.capacity is not None and self._demands[k] > tech.capacity
        self._ok[k] = (
            self._times[k].feasible and not over and all(may_serve(tech, v) for v in visits)
        )
        self._slots = None
        self._route_places.pop(k, None)

    def _nodes(self, k: int, shape: RouteShape) -> list[int]:
        base = 2 * self._n_techs
        return [k] + [base + self._visit_pos[v] for v in shape.visits] + [self._n_techs + k]

    def _route_times(self, k: int, shape: RouteShape) -> RouteTimes:
        nodes = self._nodes(k, shape)
        legs = [int(self._travel[a, b]) for a, b in zip(nodes, nodes[1:], strict=False)]
        idx = [self._visit_pos[v] for v in shape.visits]
        visits = self.problem.visits
        return route_times(
            self.problem.technicians[k],
            shape,
            legs,
            [self._windows[i] for i in idx],
            [visits[i].duration_s for i in idx],
            self._breaks[k],
        )

    # --- the check ----------------------------------------------------------------------------

    def _eligible(self, visit: Visit) -> npt.NDArray[np.bool_]:
        """Per technician: may it take this visit on top of its route?"""
        # may_serve depends on these fields of the visit only; slot queries ask the same
        # question over and over, so the answer is kept per technician.
        key = (visit.skills, visit.pinned_technician, visit.demand)
        serves = self._serves.get(key)
        if serves is None:
            serves = [may_serve(t, visit) for t in self.problem.technicians]
            self._serves[key] = serves
        return np.array(
            [
                self._ok[k]
                and serves[k]
                and (tech.capacity is None or self._demands[k] + visit.demand <= tech.capacity)
                for k, tech in enumerate(self.problem.technicians)
            ],
            dtype=bool,
        )

    def _places(self) -> Places:
        """Every place a visit could go (kept until a route changes)."""
        if self._slots is None:
            self._slots = index(
                [p for k in range(self._n_techs) if self._ok[k] for p in self._places_of(k)]
            )
        return self._slots

    def _places_of(self, k: int) -> list[Place]:
        """The places of one route (kept until that route changes: a greedy placement changes
        one route at a time)."""
        found = self._route_places.get(k)
        if found is None:
            shape = self._shapes[k]
            found = places_of(k, shape, self._times[k], self._nodes(k, shape), self._breaks[k])
            self._route_places[k] = found
        return found

    def _best(
        self,
        visit: Visit,
        to_visit_s: IntArray,
        from_visit_s: IntArray,
        eligible: npt.NDArray[np.bool_],
        spans: list[Span],
        window: TimeWindow,
    ) -> Insertion | None:
        """The cheapest place over all places, for service starting in one of the spans."""
        found = cheapest(
            self._places(),
            to_visit_s,
            from_visit_s,
            self._travel,
            eligible,
            visit.duration_s,
            spans,
        )
        if found is None:
            return None
        added, place = found
        tech = self.problem.technicians[place.k]
        position = self._shapes[place.k].item_index(place.gap, place.offset)
        return Insertion(tech.id, position, added, window)


def _check_one_day(problem: Problem) -> None:
    """Raise InvalidProblem unless every technician works one shift: routes here are one day's
    (a horizon goes through horizon_first, which makes each shift a technician of its own)."""
    for i, t in enumerate(problem.technicians):
        if len(t.shifts) != 1:
            msg = f"works {len(t.shifts)} shifts; day routes need one shift per technician."
            raise InvalidProblem(msg, field=f"technicians[{i}].shifts")


def _by_wait(visit: Visit, spans: Sequence[Span]) -> list[tuple[int, list[Span]]]:
    """The visit's spans grouped by the days it would wait, fewest first (one group for a
    visit of one day)."""
    groups: dict[int, list[Span]] = {}
    for span in spans:
        groups.setdefault(visit.wait_days(span[0]), []).append(span)
    return sorted(groups.items())


def _first_start(b: BreakSpans) -> int:
    return b.spans[0][0] if b.spans else 0


def without(sequences: Sequences, visit_ids: Iterable[str]) -> dict[str, tuple[Item, ...]]:
    """The sequences with these visits taken out (technicians left without visits dropped)."""
    gone = set(visit_ids)
    out: dict[str, tuple[Item, ...]] = {}
    for tech_id, items in sequences.items():
        kept = tuple(x for x in items if isinstance(x, int) or x not in gone)
        if any(isinstance(x, str) for x in kept):
            out[tech_id] = kept
    return out


def place(problem: Problem, sequences: Sequences, visit_ids: Iterable[str]) -> Placement:
    """Put each of these visits of the problem at its cheapest feasible place, most urgent and
    tightest window first; the routes given stay as they are around them."""
    day = DayRoutes(problem, sequences)
    by_id = {v.id: v for v in problem.visits}
    order = sorted(set(visit_ids) - day.routed, key=lambda vid: _urgency(by_id[vid]))
    unplaced = tuple(vid for vid in order if not day._place(vid))
    return Placement(day.sequences, unplaced)


def _urgency(visit: Visit) -> tuple[int, int, str]:
    return (-visit.priority, min(w.end_s for w in visit.windows), visit.id)


def technician_of(sequences: Sequences, visit_id: str) -> str | None:
    """Whose sequence holds the visit, or None."""
    return next((t for t, items in sequences.items() if visit_id in items), None)


__all__ = [
    "CrewInsertion",
    "CrewMember",
    "DayRoutes",
    "Insertion",
    "Item",
    "Placement",
    "place",
    "technician_of",
    "without",
]
