"""Local days and seconds from local midnight <-> UTC, and calendar-month arithmetic."""

from datetime import UTC, date, datetime

import pytest

from dispatch import localtime
from dispatch.errors import InvalidInput

JAKARTA = localtime.zone("Asia/Jakarta")
BERLIN = localtime.zone("Europe/Berlin")


def test_to_utc_jakarta_is_seven_hours_ahead() -> None:
    """08:00 in Jakarta on 2026-03-10 is 01:00 UTC the same day."""
    assert localtime.to_utc(date(2026, 3, 10), 8 * 3600, JAKARTA) == datetime(
        2026, 3, 10, 1, 0, tzinfo=UTC
    )


def test_seconds_from_midnight_round_trips_to_utc() -> None:
    """Seconds -> UTC -> seconds gives the same number, also past the next midnight."""
    day = date(2026, 3, 10)
    for seconds in (0, 1, 8 * 3600 + 17, 86_399, 86_400 + 3600):
        moment = localtime.to_utc(day, seconds, JAKARTA)
        assert localtime.seconds_from_midnight(moment, day, JAKARTA) == seconds


def test_seconds_from_midnight_counts_elapsed_time_across_dst() -> None:
    """On a DST day, seconds are elapsed time: 05:00 CEST on 2026-03-29 is 4 h after midnight."""
    day = date(2026, 3, 29)  # Europe/Berlin skips 02:00-03:00
    five_local = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 05:00 CEST
    assert localtime.seconds_from_midnight(five_local, day, BERLIN) == 4 * 3600


def test_day_bounds_cover_the_local_day() -> None:
    """The Jakarta day 2026-03-10 runs from 17:00 UTC the day before to 17:00 UTC."""
    start, end = localtime.day_bounds(date(2026, 3, 10), JAKARTA)
    assert start == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def test_local_day_of_late_utc_evening_is_next_day_in_jakarta() -> None:
    """18:00 UTC on 2026-03-09 is already 2026-03-10 in Jakarta."""
    assert localtime.local_day(datetime(2026, 3, 9, 18, tzinfo=UTC), JAKARTA) == date(2026, 3, 10)


def test_require_aware_refuses_naive_datetime() -> None:
    """A naive datetime has no known instant: InvalidInput."""
    with pytest.raises(InvalidInput, match="naive"):
        localtime.require_aware(datetime(2026, 3, 10, 8))


def test_zone_unknown_is_invalid_input() -> None:
    """An unknown zone name is the caller's error."""
    with pytest.raises(InvalidInput, match="Mars/Olympus"):
        localtime.zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 2), 12, date(2027, 3, 2)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamps to Feb 29
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    """Adding months keeps the day of month, or the month's last day when it has fewer days."""
    assert localtime.add_months(start, months) == expected
