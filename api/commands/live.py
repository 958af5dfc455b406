"""Showing a solve while it runs: a live bar on a terminal, plain lines in a log, or nothing."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress as ProgressBar
from rich.progress import SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from api.commands.tables import TimeBarColumn
from optimizer import Progress

PLAIN_EVERY_S = 1.0  # in a log, a line a second is plenty: the search improves many times a second


class Watch:
    """The solver's improvements, recorded, and shown on `console` (None: recorded only).

    Pass the Watch as SolveParams.on_progress and use it as a context manager around solve().
    """

    def __init__(
        self, console: Console | None, time_limit_s: float, visits: int, label: str = "solving"
    ) -> None:
        self.events: list[Progress] = []
        self._console = console
        self._visits = visits
        self._label = label
        self._time_limit_s = time_limit_s
        self._last_line_s = -PLAIN_EVERY_S
        self._bar: ProgressBar | None = None
        self._task = TaskID(0)

    def __enter__(self) -> Watch:
        if self._console is not None and self._console.is_terminal:
            self._bar = ProgressBar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeBarColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[best]}"),
                console=self._console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=self._time_limit_s, best="")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, event: Progress) -> None:
        """Record one improvement (called by the solver) and show it."""
        self.events.append(event)
        text = f"best {event.objective:,}  assigned {event.assigned}/{self._visits}"
        if self._bar is not None:
            self._bar.update(self._task, best=text)
        elif self._console is not None and event.elapsed_s - self._last_line_s >= PLAIN_EVERY_S:
            self._last_line_s = event.elapsed_s
            self._console.print(f"{self._label}: {event.elapsed_s:6.1f} s  {text}")

    @property
    def first_s(self) -> float | None:
        """When the search found its first plan, or None when it reported none."""
        return self.events[0].elapsed_s if self.events else None

    def within_s(self, fraction: float) -> float | None:
        """When the search first came within `fraction` of its last reported objective."""
        if not self.events:
            return None
        final = self.events[-1].objective
        limit = final + abs(final) * fraction
        return next(e.elapsed_s for e in self.events if e.objective <= limit)
