"""A crew visit's insertion into a day's routes: k distinct technicians, one common start.

Per window, every place of every route where the visit fits gives the interval of service
starts it allows and the travel it adds (insertion_places.start_spans). A crew fits at start t
when k technicians each have a place whose interval holds t; its cost is the sum of their
cheapest such places. That cost changes only where an interval begins or ends, and the chosen
places' intervals all hold the latest of their own beginnings, so trying each interval's first
start finds the cheapest common start exactly (no grid); ties go to the earliest start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .insertion_places import StartSpan
from .problem import TimeWindow

IntArray = npt.NDArray[np.int64]
_NEVER = np.iinfo(np.int64).max // 8  # "no place at this start"; k of them still do not overflow


@dataclass(frozen=True, slots=True)
class CrewMember:
    """One member's part: the technician, the index in its sequence, the travel it adds."""

    technician: str
    position: int
    added_travel_s: int


@dataclass(frozen=True, slots=True)
class CrewInsertion:
    """Where a crew visit goes: one start shared by distinct members, cheapest member first."""

    start_s: int
    members: tuple[CrewMember, ...]
    window: TimeWindow

    @property
    def added_travel_s(self) -> int:
        """The travel the visit adds to the day, over all its members."""
        return sum(m.added_travel_s for m in self.members)

    @property
    def technicians(self) -> tuple[str, ...]:
        """The crew, cheapest member first."""
        return tuple(m.technician for m in self.members)


def cheapest_crew(
    spans: Sequence[StartSpan], crew_size: int, n_techs: int, pinned: int | None = None
) -> tuple[int, list[StartSpan]] | None:
    """(start, one span per member) of the cheapest common start of crew_size distinct
    technicians among the spans (technician `pinned` among them, when given), or None when no
    start has that many."""
    if len({s.place.k for s in spans}) < crew_size:
        return None
    lo = np.array([s.lo_s for s in spans], dtype=np.int64)
    hi = np.array([s.hi_s for s in spans], dtype=np.int64)
    cost = np.array([s.added_s for s in spans], dtype=np.int64)
    tech = np.array([s.place.k for s in spans], dtype=np.int64)
    starts = np.unique(lo)  # sorted: argmin below keeps the earliest of equal totals
    holds = (lo[None, :] <= starts[:, None]) & (starts[:, None] <= hi[None, :])
    by_span = np.where(holds, cost[None, :], _NEVER)
    by_tech = np.full((len(starts), n_techs), _NEVER, dtype=np.int64)
    for k in np.unique(tech):
        by_tech[:, k] = by_span[:, tech == k].min(axis=1)
    total = _crew_totals(by_tech, crew_size, pinned)
    best = int(np.argmin(total))
    if total[best] >= _NEVER:
        return None
    start_s = int(starts[best])
    cheapest: dict[int, StartSpan] = {}
    for s in spans:
        if s.lo_s <= start_s <= s.hi_s and (
            s.place.k not in cheapest or s.added_s < cheapest[s.place.k].added_s
        ):
            cheapest[s.place.k] = s
    chosen = sorted(cheapest.values(), key=lambda s: (s.place.k != pinned, s.added_s, s.place.k))
    return start_s, chosen[:crew_size]


def _crew_totals(by_tech: IntArray, crew_size: int, pinned: int | None) -> IntArray:
    """Per start (row), the sum of the crew_size cheapest technicians' costs (the pinned one's
    and the crew_size - 1 cheapest others'), _NEVER where too few can."""
    if pinned is not None:
        own = by_tech[:, pinned]
        others = np.delete(by_tech, pinned, axis=1)
        rest = _crew_totals(others, crew_size - 1, None) if crew_size > 1 else np.zeros_like(own)
        return np.where((own < _NEVER) & (rest < _NEVER), own + rest, _NEVER)
    if by_tech.shape[1] < crew_size:
        return np.full(by_tech.shape[0], _NEVER, dtype=np.int64)
    crew = np.partition(by_tech, crew_size - 1, axis=1)[:, :crew_size]
    return np.where((crew < _NEVER).all(axis=1), crew.sum(axis=1), _NEVER)
