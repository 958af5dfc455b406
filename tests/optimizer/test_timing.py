"""Time arithmetic along a technician's day: windows, break domains, driving around breaks."""

from __future__ import annotations

from optimizer.problem import Break
from optimizer.timing import break_starts, drive, earliest_in, latest_departure, merged

from .conftest import H, M, make_technician, window


def test_merged_joins_overlapping_and_touching_windows() -> None:
    """Overlapping or touching windows become one span; the others stay apart, sorted."""
    spans = merged([window(13, 14), window(8, 9), window(9, 10), window(9.5, 11)])
    assert spans == [(8 * H, 11 * H), (13 * H, 14 * H)]


def test_earliest_in_finds_the_next_open_moment() -> None:
    """Inside a span: the moment itself; in a gap: the next span's start; after all: None."""
    spans = [(10, 20), (30, 40)]
    assert [earliest_in(spans, t) for t in (5, 15, 25, 45)] == [10, 15, 30, None]


def test_break_starts_stay_within_shift_and_overtime() -> None:
    """A break may start in its window, no earlier than the shift, over by end + overtime."""
    tech = make_technician(shift=window(8, 12), max_overtime_s=30 * M)
    brk = Break(windows=(window(7, 8.5), window(11, 13)), duration_s=H)
    assert break_starts(tech, brk) == [(8 * H, 8 * H + 30 * M), (11 * H, 11 * H + 30 * M)]


def test_drive_pauses_for_a_break_on_the_way() -> None:
    """Leaving at 100 for 50 s with a break 120-170: arrival at 200."""
    assert drive(100, 50, [(120, 170)]) == 200


def test_drive_takes_later_breaks_at_the_destination() -> None:
    """A break that starts after arrival does not delay it."""
    assert drive(100, 50, [(150, 200)]) == 150
    assert drive(100, 50, []) == 150


def test_latest_departure_moves_a_break_before_leaving() -> None:
    """Arrive by 300 after 50 s of travel, break 100-160: leave at 250, break taken at base."""
    assert latest_departure(0, 300, 50, [(100, 160)]) == 250


def test_latest_departure_keeps_a_late_break_on_the_way() -> None:
    """A break 240-290 right before the arrival at 300 must stay on the way: leave at 200."""
    assert latest_departure(0, 300, 50, [(240, 290)]) == 200
