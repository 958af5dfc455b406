"""Showing a solve while it runs: a live bar on a terminal, plain lines in a log, or nothing."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress as ProgressBar
from rich.progress import SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from api.commands.tables import TimeBarColumn
from benchmarks.routing import ProgressLog
from optimizer import Progress

PLAIN_EVERY_S = 1.0  # in a log, a line a second is plenty: the search improves many times a second


class Watch(ProgressLog):
    """The solver's improvements, recorded, and shown on `console` (None: recorded only).

    Pass the Watch as SolveParams.on_progress and use it as a context manager around solve().
    """

    def __init__(
        self, console: Console | None, time_limit_s: float, visits: int, label: str = "solving"
    ) -> None:
        super().__init__()
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
        """Record one report (called by the solver) and show it."""
        super().__call__(event)
        text = f"best {event.objective:,}  assigned {event.assigned}/{self._visits}"
        if self._bar is not None:
            self._bar.update(self._task, best=text)
        elif self._console is not None and event.elapsed_s - self._last_line_s >= PLAIN_EVERY_S:
            self._last_line_s = event.elapsed_s
            self._console.print(f"{self._label}: {event.elapsed_s:6.1f} s  {text}")
