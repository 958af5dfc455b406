"""The window a movable visit is promised once planned: the customer's 2-hour arrival window
around the planned start, never outside the window the visit was due in."""

import pytest

from dispatch.visit.models import DayWindow, arrival_window

H = 3600
WORKING_DAY = DayWindow(start_s=8 * H, end_s=17 * H)


@pytest.mark.parametrize(
    ("start_s", "due", "promised"),
    [
        (9 * H + 1800, WORKING_DAY, (8 * H, 10 * H)),  # 09:30: the 08-10 window
        (10 * H, WORKING_DAY, (10 * H, 12 * H)),  # on a border: the window it begins
        (17 * H, WORKING_DAY, (15 * H, 17 * H)),  # the day's last moment: the last window
        (12 * H + 1200, WORKING_DAY, (12 * H, 14 * H)),  # over lunch: two hours from 12:00
        (9 * H, DayWindow(start_s=9 * H, end_s=12 * H), (9 * H, 11 * H)),  # cut at 09:00
        (12 * H + 600, DayWindow(start_s=12 * H, end_s=12 * H + 1800), (12 * H, 12 * H + 1800)),
    ],
)
def test_a_planned_start_is_promised_its_arrival_window_within_the_due_window(
    start_s: int, due: DayWindow, promised: tuple[int, int]
) -> None:
    window = arrival_window(start_s, due)
    assert window == promised
    assert window[0] <= start_s <= window[1]
    assert due.start_s <= window[0] < window[1] <= due.end_s
