"""Time at rest is UTC; regions plan in local days and seconds from local midnight.

The optimizer speaks integer seconds from midnight of the planning day in the region's zone.
Seconds are elapsed time since local midnight, so a day with a DST change still maps
one-to-one onto UTC (Indonesia has no DST; the rule matters for regions elsewhere).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dispatch.errors import InvalidInput

DAY_S = 24 * 3600


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called name, e.g. "Asia/Jakarta".

    Raises:
        InvalidInput: when no such zone exists.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}.", loc=("timezone",)) from exc


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Value converted to UTC; naive datetimes are refused because their zone is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must carry a time zone, got naive {value.isoformat()}.")
    return value.astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight starting day, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local day in UTC."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def to_utc(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The UTC moment `seconds` after local midnight of day (may run past the next midnight)."""
    return local_midnight(day, tz) + timedelta(seconds=seconds)


def seconds_from_midnight(moment: datetime, day: date, tz: ZoneInfo) -> int:
    """Whole seconds from local midnight of day to moment (negative before it), rounded down."""
    delta = require_aware(moment) - local_midnight(day, tz)
    return delta // timedelta(seconds=1)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar day on which moment falls."""
    return require_aware(moment).astimezone(tz).date()


def add_months(day: date, months: int) -> date:
    """day plus whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
