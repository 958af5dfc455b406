"""Where a solve's seconds go: a clock that notes each phase as it ends (SolverInfo.phases)."""

from __future__ import annotations

import time


class PhaseClock:
    """Laps from a start time: lap(name) ends the phase running since the last lap."""

    def __init__(self, started_s: float) -> None:
        self._last_s = started_s
        self._phases: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        """End the current phase under this name."""
        now_s = time.perf_counter()
        self._phases.append((name, round(now_s - self._last_s, 3)))
        self._last_s = now_s

    @property
    def phases(self) -> tuple[tuple[str, float], ...]:
        """(name, seconds) of each phase so far, in order."""
        return tuple(self._phases)
