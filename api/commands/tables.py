"""Rich tables and number formats shared by the optimizer commands (HH:MM, hours, minutes)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group
from rich.progress import ProgressColumn, Task
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from benchmarks.figures import hours as hours  # re-exported: the commands' number formats
from benchmarks.figures import minutes as minutes
from benchmarks.figures import reasons_text as reasons_text
from optimizer import Plan, Problem, Route, TimeWindow, Visit, build_table

PIPE_WIDTH = 120  # rich's default of 80 columns wraps wide tables in logs and pipes


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout or stderr; wide enough for the tables when it is not a terminal."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=PIPE_WIDTH)
    return console


def hhmm(t_s: int) -> str:
    """Seconds from midnight as HH:MM (hours past 24 keep counting: 25:10)."""
    minutes = t_s // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def windows_text(windows: Iterable[TimeWindow]) -> str:
    """Windows as `08:00-10:00, 13:00-15:00`."""
    return ", ".join(f"{hhmm(w.start_s)}-{hhmm(w.end_s)}" for w in windows)


class TimeBarColumn(ProgressColumn):
    """A bar that fills with elapsed time against the task's total (the time limit, in seconds)."""

    def render(self, task: Task) -> ProgressBar:
        total = task.total or 1.0
        return ProgressBar(total=total, completed=min(task.elapsed or 0.0, total), width=30)


def route_view(problem: Problem, route: Route) -> Group:
    """One technician's day: every stop and break in order, with times and travel legs."""
    tech = problem.technician(route.technician)
    visits = {v.id: v for v in problem.visits}
    stops = [visits[s.visit] for s in route.stops]
    places = [tech.start, *(v.location for v in stops), tech.end_location]
    legs = build_table(problem.travel, places).durations_s
    # The heading is printed above the table, not as its title, so that it never wraps.
    shift = tech.shifts[tech.shift_on(route.day) or 0]
    day = f"day {route.day}  " if problem.days > 1 else ""
    heading = (
        f"[bold]{tech.id}[/]  {day}{', '.join(sorted(tech.skills)) or 'no skills'}  "
        f"shift {windows_text([shift.window])}  {len(route.stops)} visits  "
        f"travel {hours(route.travel_s)}  overtime {minutes(route.overtime_s)}"
    )
    table = Table(expand=False)
    for name in ("#", "visit", "skill", "prio", "window", "arrival", "start", "end", "travel"):
        table.add_column(name, justify="right" if name in ("#", "prio", "travel") else "left")
    rows: list[tuple[int, list[str]]] = [
        (route.start_s, ["", "leave base", "", "", "", "", hhmm(route.start_s), "", ""])
    ]
    for k, (stop, visit) in enumerate(zip(route.stops, stops, strict=True), start=1):
        cells = [str(k), visit.id, _skill(visit), str(visit.priority), windows_text(visit.windows)]
        times = [hhmm(stop.arrival_s), hhmm(stop.start_s), hhmm(stop.end_s)]
        rows.append((stop.start_s, [*cells, *times, minutes(int(legs[k - 1, k]))]))
    for b in route.breaks:
        rows.append((b.start_s, ["", "break", "", "", "", "", hhmm(b.start_s), hhmm(b.end_s), ""]))
    back = minutes(int(legs[len(stops), len(stops) + 1]))
    rows.append((route.end_s, ["", "back at base", "", "", "", hhmm(route.end_s), "", "", back]))
    for _, cells in sorted(rows, key=lambda r: r[0]):
        table.add_row(*cells, style="dim" if not cells[0] else None)
    return Group(Text.from_markup(heading), table)


def unassigned_table(problem: Problem, plan: Plan) -> Table:
    """The visits left unassigned, with their reason."""
    visits = {v.id: v for v in problem.visits}
    table = Table(title="Unassigned visits", title_justify="left")
    for name in ("visit", "skill", "prio", "window", "reason", "why"):
        table.add_column(name)
    for u in plan.unassigned:
        v = visits.get(u.visit)
        known = [_skill(v), str(v.priority), windows_text(v.windows)] if v else ["?", "?", "?"]
        table.add_row(u.visit, *known, str(u.reason), u.message)
    return table


def _skill(visit: Visit) -> str:
    return ", ".join(sorted(visit.skills)) or "-"
