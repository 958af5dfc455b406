"""Number formats of the benchmark tables, shared with the command line's tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from optimizer import Unassigned


def hours(t_s: int) -> str:
    """A duration in hours, one decimal."""
    return f"{t_s / 3600:.1f} h"


def minutes(t_s: int) -> str:
    """A duration in whole minutes."""
    return f"{round(t_s / 60)} min"


def reasons_text(unassigned: Sequence[Unassigned]) -> str:
    """Unassigned visits counted by reason: `no_window_reachable 3, no_capacity 1`, or `-`."""
    counts = Counter(str(u.reason) for u in unassigned)
    return ", ".join(f"{reason} {n}" for reason, n in counts.most_common()) or "-"
