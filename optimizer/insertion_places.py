"""The places of a day's routes where a visit could go, and the cheapest feasible one.

A place is a gap of a route (before the first visit, between two, after the last), split by
the breaks in it. Places in gaps without breaks are checked all at once with numpy: the visit
fits when it can start in its window after leaving the previous place at the earliest and still
reach the next place by its latest start (the two passes of stop_times). The few places next to a
break are checked one by one, the break taken on the way as stop_times.forward takes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .stop_times import BreakSpans, RouteShape, RouteTimes, forward
from .timing import Span, earliest_in

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_NEVER = np.iinfo(np.int64).max // 4  # "no feasible start": far above any time of a day


@dataclass(frozen=True, slots=True)
class Place:
    """Technician k, gap g, after `offset` of the gap's breaks; the travel-table nodes before
    and after it, when the technician may leave the one and must start at the other."""

    k: int
    gap: int
    offset: int
    prev: int
    next: int
    free_s: int
    latest_s: int
    breaks: tuple[BreakSpans, ...]  # the breaks of the gap (empty: a plain place)


@dataclass(frozen=True, slots=True)
class Places:
    """A day's places: plain ones (also as arrays, one per field) and those next to a break."""

    plain: list[Place]
    split: list[Place]
    arrays: dict[str, IntArray]


def places_of(
    k: int, shape: RouteShape, times: RouteTimes, nodes: Sequence[int], breaks: Sequence[BreakSpans]
) -> list[Place]:
    """Every place in one route (nodes: start, the visits, end)."""
    return [
        Place(
            k,
            g,
            offset,
            nodes[g],
            nodes[g + 1],
            times.free_s[g],
            times.latest_s[g + 1],
            tuple(breaks[b] for b in gap),
        )
        for g, gap in enumerate(shape.gaps)
        for offset in range(len(gap) + 1)
    ]


def index(places: list[Place]) -> Places:
    """The places, the plain ones also as arrays for the vectorised check."""
    plain = [p for p in places if not p.breaks]
    arrays = {
        name: np.array([getattr(p, name) for p in plain], dtype=np.int64)
        for name in ("k", "prev", "next", "free_s", "latest_s")
    }
    return Places(plain, [p for p in places if p.breaks], arrays)


def cheapest(
    places: Places,
    to_visit_s: IntArray,
    from_visit_s: IntArray,
    travel: IntArray,
    eligible: BoolArray,
    duration_s: int,
    spans: list[Span],
) -> tuple[int, Place] | None:
    """(added travel, place) of the cheapest place where a visit of duration_s can start in
    one of the spans; to_visit_s / from_visit_s: travel from / to every node."""
    best: tuple[int, Place] | None = None
    if places.plain:
        found = _cheapest_plain(
            places.arrays, to_visit_s, from_visit_s, travel, eligible, duration_s, spans
        )
        if found is not None:
            best = (found[0], places.plain[found[1]])
    for place in places.split:
        if not eligible[place.k]:
            continue
        to_s, back_s = int(to_visit_s[place.prev]), int(from_visit_s[place.next])
        added = to_s + back_s - int(travel[place.prev, place.next])
        if (best is None or added < best[0]) and _fits_split(
            place, to_s, back_s, duration_s, spans
        ):
            best = (added, place)
    return best


def _fits_split(place: Place, to_s: int, back_s: int, duration_s: int, spans: list[Span]) -> bool:
    arrival_s = forward(place.free_s, to_s, place.breaks[: place.offset])
    start_s = None if arrival_s is None else earliest_in(spans, arrival_s)
    if start_s is None:
        return False
    next_s = forward(start_s + duration_s, back_s, place.breaks[place.offset :])
    return next_s is not None and next_s <= place.latest_s


def _cheapest_plain(
    arr: dict[str, IntArray],
    to_visit_s: IntArray,
    from_visit_s: IntArray,
    travel: IntArray,
    eligible: BoolArray,
    duration_s: int,
    spans: list[Span],
) -> tuple[int, int] | None:
    """(added travel, index among the plain places) of the cheapest feasible plain place."""
    t_in = to_visit_s[arr["prev"]]
    t_out = from_visit_s[arr["next"]]
    arrival = arr["free_s"] + t_in
    start = np.full(arrival.shape, _NEVER, dtype=np.int64)
    for lo, hi in reversed(spans):  # the earliest span reached wins: it is set last
        start = np.where(arrival <= hi, np.maximum(arrival, lo), start)
    ok = eligible[arr["k"]] & (start < _NEVER)
    ok &= start + duration_s + t_out <= arr["latest_s"]
    if not ok.any():
        return None
    added = np.where(ok, t_in + t_out - travel[arr["prev"], arr["next"]], _NEVER)
    i = int(np.argmin(added))
    return int(added[i]), i


@dataclass(frozen=True, slots=True)
class StartSpan:
    """A place where a visit fits, the service starts it allows ([lo_s, hi_s]), and the travel
    it adds (the same for every start: it depends on the place only)."""

    place: Place
    lo_s: int
    hi_s: int
    added_s: int


def start_spans(
    places: Places,
    to_visit_s: IntArray,
    from_visit_s: IntArray,
    travel: IntArray,
    eligible: BoolArray,
    duration_s: int,
    span: Span,
) -> list[StartSpan]:
    """Every place where a visit of duration_s fits with its service starting in span, with ALL
    the starts it allows there (not only the earliest): a crew needs one start its members share.

    Exact: at a place the feasible starts form one interval. From the earliest arrival on, a later
    start only makes the technician free later, and forward() is non-decreasing in the moment it
    starts from, so "the rest of the route still reaches the next place by its latest start"
    holds up to some last start and never after it."""
    lo, hi = span
    found: list[StartSpan] = []
    if places.plain:
        arr = places.arrays
        t_in, t_out = to_visit_s[arr["prev"]], from_visit_s[arr["next"]]
        first = np.maximum(arr["free_s"] + t_in, lo)
        last = np.minimum(arr["latest_s"] - duration_s - t_out, hi)
        added = t_in + t_out - travel[arr["prev"], arr["next"]]
        ok = eligible[arr["k"]] & (first <= last)
        for i in np.flatnonzero(ok):
            found.append(StartSpan(places.plain[i], int(first[i]), int(last[i]), int(added[i])))
    for place in places.split:
        if eligible[place.k]:
            here = _split_starts(place, to_visit_s, from_visit_s, travel, duration_s, span)
            if here is not None:
                found.append(here)
    return found


def _split_starts(
    place: Place,
    to_visit_s: IntArray,
    from_visit_s: IntArray,
    travel: IntArray,
    duration_s: int,
    span: Span,
) -> StartSpan | None:
    """The starts a place next to a break allows: from the earliest arrival to the last start
    that keeps the rest of the route, found by bisection over whole seconds (monotone, exact)."""
    to_s, back_s = int(to_visit_s[place.prev]), int(from_visit_s[place.next])
    arrival_s = forward(place.free_s, to_s, place.breaks[: place.offset])
    if arrival_s is None or arrival_s > span[1]:
        return None

    def keeps(start_s: int) -> bool:
        next_s = forward(start_s + duration_s, back_s, place.breaks[place.offset :])
        return next_s is not None and next_s <= place.latest_s

    lo_s = max(arrival_s, span[0])
    if not keeps(lo_s):
        return None
    good, bad = lo_s, span[1]  # keeps(good); not keeps(bad) unless good reaches the span's end
    if keeps(span[1]):
        good = span[1]
    else:
        while bad - good > 1:
            mid = (good + bad) // 2
            good, bad = (mid, bad) if keeps(mid) else (good, mid)
    added = to_s + back_s - int(travel[place.prev, place.next])
    return StartSpan(place, lo_s, good, added)
