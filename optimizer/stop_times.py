"""The times at each stop of a technician's route, given as a sequence of visits and breaks.

A route's sequence lists visit ids (str) and the technician's breaks (int: the index into
technician.breaks) in the order they happen. A break between two visits is taken somewhere in
the gap between them: the technician drives as much of the leg as it can before the break and
the rest after it (at base for the first and last gap: before leaving or after coming back).

Two passes make every insertion check O(breaks in the gap):
- forward: when the technician is free to leave each place at the earliest (service end);
- backward: the latest start at each visit (and arrival at the end) that keeps every later
  visit inside its windows and the route inside shift plus overtime.
Service always starts as early as the windows allow, which dominates: every later rule is an
upper bound on time. See tests/optimizer/test_insertion.py for the brute-force cross-check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .problem import Technician
from .timing import Span, break_starts, earliest_in

Item = str | int  # a visit id, or the index of one of the technician's breaks


@dataclass(frozen=True, slots=True)
class BreakSpans:
    """One break of a technician: where it may start (within shift plus overtime), how long."""

    spans: tuple[Span, ...]
    duration_s: int


def break_spans(technician: Technician) -> tuple[BreakSpans, ...]:
    """The technician's breaks with their possible starts, in technician.breaks order."""
    return tuple(
        BreakSpans(tuple(break_starts(technician, b)), b.duration_s) for b in technician.breaks
    )


def latest_in(spans: Sequence[Span], t_s: int) -> int | None:
    """The latest time <= t_s inside one of the sorted spans, or None when there is none."""
    for lo, hi in reversed(spans):
        if lo <= t_s:
            return min(hi, t_s)
    return None


def forward(free_s: int, travel_s: int, breaks: Sequence[BreakSpans]) -> int | None:
    """The earliest arrival when free at free_s, with travel_s to drive and the breaks to take
    on the way, each as early as it may start; None when a break can no longer start."""
    t_s, left_s = free_s, travel_s
    for b in breaks:
        start_s = earliest_in(b.spans, t_s)
        if start_s is None:
            return None
        left_s -= min(left_s, start_s - t_s)  # drive while waiting for the break
        t_s = start_s + b.duration_s
    return t_s + left_s


def backward(arrive_by_s: int, travel_s: int, breaks: Sequence[BreakSpans]) -> int | None:
    """The latest moment to be free that still arrives by arrive_by_s with the breaks taken on
    the way (the mirror of forward); None when no moment does."""
    t_s, left_s = arrive_by_s, travel_s
    for b in reversed(breaks):
        start_s = latest_in(b.spans, t_s - b.duration_s)
        if start_s is None:
            return None
        left_s -= min(left_s, t_s - (start_s + b.duration_s))  # drive after the break
        t_s = start_s
    return t_s - left_s


def break_times(free_s: int, breaks: Sequence[BreakSpans]) -> list[Span] | None:
    """Where forward places the breaks of a gap: each as early as it may start."""
    spans: list[Span] = []
    t_s = free_s
    for b in breaks:
        start_s = earliest_in(b.spans, t_s)
        if start_s is None:
            return None
        spans.append((start_s, start_s + b.duration_s))
        t_s = start_s + b.duration_s
    return spans


@dataclass(frozen=True, slots=True)
class RouteShape:
    """A sequence split into its visits and the breaks of each gap (len(visits) + 1 gaps)."""

    visits: tuple[str, ...]
    gaps: tuple[tuple[int, ...], ...]

    @staticmethod
    def of(items: Sequence[Item]) -> RouteShape:
        """Split a sequence of visit ids and break indices."""
        visits: list[str] = []
        gaps: list[list[int]] = [[]]
        for item in items:
            if isinstance(item, int):
                gaps[-1].append(item)
            else:
                visits.append(item)
                gaps.append([])
        return RouteShape(tuple(visits), tuple(tuple(g) for g in gaps))

    def items(self) -> tuple[Item, ...]:
        """The sequence again: breaks of gap 0, first visit, breaks of gap 1, ..."""
        out: list[Item] = list(self.gaps[0])
        for visit, gap in zip(self.visits, self.gaps[1:], strict=True):
            out.append(visit)
            out.extend(gap)
        return tuple(out)

    def item_index(self, gap: int, offset: int) -> int:
        """The index in items() of the place `offset` breaks into gap `gap`."""
        return sum(len(g) for g in self.gaps[:gap]) + gap + offset


@dataclass(frozen=True, slots=True)
class RouteTimes:
    """The two passes over a route; feasible is False when the route breaks a rule of time.

    free_s[i]: when the technician may leave place i at the earliest (0 = start: shift start;
    i >= 1: end of service of visit i). latest_s[i]: the latest start of service at place i
    (i = n + 1: the latest arrival at the end location) that keeps the rest of the route.
    starts_s[i - 1]: the earliest service start of visit i.
    """

    feasible: bool
    free_s: tuple[int, ...] = ()
    latest_s: tuple[int, ...] = ()
    starts_s: tuple[int, ...] = ()
    back_s: int = 0  # the earliest arrival at the end location (or end of its last break there)


def route_times(
    technician: Technician,
    shape: RouteShape,
    legs_s: Sequence[int],
    windows: Sequence[Sequence[Span]],
    durations_s: Sequence[int],
    breaks: Sequence[BreakSpans],
) -> RouteTimes:
    """Both passes over a route; legs_s[g] is the travel of gap g, windows and durations_s are
    per visit of the shape (windows as sorted spans)."""
    n = len(shape.visits)
    gap_breaks = [[breaks[b] for b in gap] for gap in shape.gaps]
    free_s, starts_s = [technician.shifts[0].start_s], []  # one shift: .shift builds a window
    for i in range(n):
        arrival_s = forward(free_s[-1], legs_s[i], gap_breaks[i])
        start_s = None if arrival_s is None else earliest_in(windows[i], arrival_s)
        if start_s is None:
            return RouteTimes(False)
        starts_s.append(start_s)
        free_s.append(start_s + durations_s[i])
    back_s = forward(free_s[-1], legs_s[n], gap_breaks[n])
    if back_s is None or back_s > technician.latest_end_s:
        return RouteTimes(False)
    latest_s = [0] * (n + 2)
    latest_s[n + 1] = technician.latest_end_s
    for i in range(n, 0, -1):
        leave_s = backward(latest_s[i + 1], legs_s[i], gap_breaks[i])
        start_s = (
            None if leave_s is None else latest_in(windows[i - 1], leave_s - durations_s[i - 1])
        )
        if start_s is None:  # cannot happen when the forward pass succeeded; kept as a guard
            return RouteTimes(False)
        latest_s[i] = start_s
    return RouteTimes(True, tuple(free_s), tuple(latest_s), tuple(starts_s), back_s)
