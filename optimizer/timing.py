"""Time along a technician's day: window sets, where breaks may start, and driving around breaks.

Pure arithmetic on integer seconds, shared by the model (break domains), the plan read-out
(arrival, start and departure times) and the reasons for unassigned visits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .problem import Break, Technician, TimeWindow

Span = tuple[int, int]  # a closed interval [start_s, end_s]


def merged(windows: Iterable[TimeWindow]) -> list[Span]:
    """The windows as sorted, disjoint closed spans (touching or overlapping windows merge)."""
    spans: list[Span] = []
    for lo, hi in sorted((w.start_s, w.end_s) for w in windows):
        if spans and lo <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def clipped(spans: Iterable[Span], lo_s: int, hi_s: int) -> list[Span]:
    """The parts of the spans inside [lo_s, hi_s]."""
    out = [(max(a, lo_s), min(b, hi_s)) for a, b in spans]
    return [(a, b) for a, b in out if a <= b]


def earliest_in(spans: Sequence[Span], t_s: int) -> int | None:
    """The earliest time >= t_s inside one of the sorted spans, or None when there is none."""
    for lo, hi in spans:
        if t_s <= hi:
            return max(lo, t_s)
    return None


def break_starts(technician: Technician, brk: Break) -> list[Span]:
    """Where the break may start: in one of its windows, and over by shift end plus overtime."""
    latest_s = technician.latest_end_s - brk.duration_s
    return clipped(merged(brk.windows), technician.shift.start_s, latest_s)


def breaks_fit_shift(technician: Technician) -> bool:
    """True when every break of each shift can be taken within that shift (plus overtime)."""
    days = [technician]
    if len(technician.shifts) > 1:
        days = [technician.on_shift(k) for k in range(len(technician.shifts))]
    return all(break_starts(day, b) for day in days for b in day.breaks)


def drive(depart_s: int, travel_s: int, breaks: Sequence[Span]) -> int:
    """When the technician arrives, leaving at depart_s and pausing for the breaks on the way.

    A break that starts before the technician would arrive interrupts the drive; the others are
    taken at the destination. `breaks` are sorted and do not overlap.
    """
    t_s, left_s = depart_s, travel_s
    for start_s, end_s in breaks:
        if end_s <= t_s:
            continue
        if start_s >= t_s + left_s:
            break
        left_s -= max(0, start_s - t_s)
        t_s = end_s
    return t_s + left_s


def latest_departure(
    earliest_s: int, arrive_by_s: int, travel_s: int, breaks: Sequence[Span]
) -> int:
    """The latest departure >= earliest_s that still arrives by arrive_by_s.

    The sorted `breaks` lie between earliest_s and arrive_by_s; leaving later moves the first of
    them before the departure (taken at base), and each remaining one must still fit on the way.
    """
    best_s = earliest_s
    for k in range(len(breaks) + 1):
        after_s = breaks[k - 1][1] if k > 0 else earliest_s  # the breaks before k are taken at base
        until_s = breaks[k][0] if k < len(breaks) else arrive_by_s
        leave_s = min(until_s, arrive_by_s - travel_s - sum(b - a for a, b in breaks[k:]))
        if leave_s >= after_s:
            best_s = max(best_s, leave_s)
    return best_s
