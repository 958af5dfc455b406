"""`purna solve`, `purna check`, `purna demo-day`, `purna bench`: the optimizer on the command line.

Bad input never shows a traceback: it gives one line on stderr naming the field, and exit code 2.
Exit codes: 0 done (and valid), 1 the plan breaks a rule, 2 the input is unusable.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

if TYPE_CHECKING:  # imported where used: `purna solve --help` needs none of them (api/cli.py)
    from rich.console import Console
    from rich.table import Table

    from optimizer import Plan, Problem, Violation

T = TypeVar("T")
BAD_INPUT = 2
BROKEN_PLAN = 1
REPO_ROOT = Path(__file__).resolve().parents[2]
# Checking and writing the plan (20x100: 0.01 s; 100x500 about 0.2 s) are kept out of the
# search's time, a tenth of a second plus a share per visit, so that `purna solve --time-limit
# T` ends within T, the interpreter's start and the reading included (its exit is at once).
_AFTER_SEARCH_S = 0.05
_AFTER_SEARCH_PER_VISIT_S = 0.0003


def register(app: typer.Typer) -> None:
    """Add the optimizer commands to the purna app."""
    app.command("solve")(solve_command)
    app.command("check")(check_command)
    app.command("demo-day")(run_command)  # `purna run` starts the whole system (serve_commands)


@contextmanager
def bad_input() -> Iterator[None]:
    """Turn a malformed or unreadable input into `error: field: sentence` and exit code 2."""
    try:
        yield
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        typer.echo(f"error: {where}{(e.strerror or str(e)).lower()}.", err=True)
        raise typer.Exit(BAD_INPUT) from None
    except ValueError as e:  # InvalidProblem, and json/unicode errors a reader let through
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(BAD_INPUT) from None


def _read(path: Path, reader: Callable[[Path], T]) -> T:
    """reader(path), with a fault of the whole file reported against the file's name."""
    from optimizer import InvalidProblem

    with bad_input():
        try:
            return reader(path)
        except InvalidProblem as e:
            if e.field:
                raise
            # A fault of the whole file (malformed JSON, wrong format): name the file instead.
            raise InvalidProblem(e.reason, field=str(path)) from None


def fixture(name: str) -> Path:
    """A file of fixtures/, from the working directory when it has one, else from the repository."""
    here = Path("fixtures") / name
    return here if here.exists() else REPO_ROOT / "fixtures" / name


def solve_command(
    problem_path: Annotated[Path, typer.Argument(metavar="PROBLEM.json", help="The problem.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the plan here (default stdout).")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds to search.")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the plan.")] = False,
    threads: Annotated[int, typer.Option(min=1, help="Threads for VROOM's runs.")] = 1,
) -> None:
    """Solve a problem and write the plan; exit 1 when the validator finds the plan broken."""
    # The whole process counts (issue 14): the interpreter's start and the command line's imports
    # before this line, the solver's imports and the reading after it.
    begun_s = time.perf_counter()
    started_s = begun_s - process_age_s()
    from optimizer import check, plan_to_dict, read_problem, write_json

    problem = _read(problem_path, read_problem)
    read_s = time.perf_counter() - begun_s
    # The plan may go to stdout: then everything else goes to stderr, so stdout stays JSON.
    info = None if quiet else _console(stderr=output is None)
    # The search gets what is left of the limit after reading and before checking and writing.
    after_s = _AFTER_SEARCH_S + _AFTER_SEARCH_PER_VISIT_S * len(problem.visits)
    left_s = time_limit - (time.perf_counter() - started_s) - after_s
    plan = _solve(problem, max(0.1, left_s), info, threads)
    checked_s = time.perf_counter()
    violations = check(problem, plan)
    before = (("start", begun_s - started_s),) if begun_s > started_s else ()
    phases = (
        *before,
        ("read", read_s),
        *plan.solver.phases,
        ("check", time.perf_counter() - checked_s),
    )
    wall_s = time.perf_counter() - started_s
    plan = replace(plan, solver=replace(plan.solver, wall_s=wall_s, phases=phases))
    with bad_input():
        if output is None:
            typer.echo(json.dumps(plan_to_dict(plan), indent=2))
        else:
            write_json(output, plan_to_dict(plan))
    if info is not None:
        print_summary(info, problem, plan, violations)
    elif violations:
        typer.echo(f"error: the plan breaks {len(violations)} rules.", err=True)
    _leave(BROKEN_PLAN if violations else 0, standalone=started_s < begun_s)


def _leave(code: int, standalone: bool) -> None:
    """End the command with this exit code; at once when the process was started for it: the
    interpreter's teardown of the solver's objects took 0.1-0.2 s more after the plan was on
    disk (20x100, 2026-12-03), seconds a user or a script waits for nothing. Inside another
    program (a test runner) the usual way."""
    if standalone:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # the fork server ends by itself when this process's pipe to it closes
    if code:
        raise typer.Exit(code)


def process_age_s() -> float:
    """Seconds since this process started when it was started for this command (`purna solve`,
    Linux: /proc); 0.0 inside another program (a test runner) or where /proc cannot be read."""
    if sys.argv[1:2] != ["solve"]:
        return 0.0
    try:
        stat = Path("/proc/self/stat").read_text()
        started_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime
        uptime_s = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime_s - started_ticks / os.sysconf("SC_CLK_TCK"))


def _console(stderr: bool) -> Console:
    """The console of the summary and the live bar (rich: imported only when shown, since a
    quiet solve's seconds are counted from its process's start)."""
    from api.commands.tables import make_console

    return make_console(stderr=stderr)


def _solve(
    problem: Problem, time_limit_s: float, console: Console | None, threads: int = 1
) -> Plan:
    from optimizer import SolveParams, solve

    if console is None:  # quiet: nothing to show while it runs
        with bad_input():
            return solve(problem, SolveParams(time_limit_s=time_limit_s, threads=threads))
    from api.commands.live import Watch

    with Watch(console, time_limit_s, len(problem.visits)) as watch, bad_input():
        params = SolveParams(time_limit_s=time_limit_s, on_progress=watch, threads=threads)
        return solve(problem, params)


def print_summary(
    console: Console, problem: Problem, plan: Plan, violations: list[Violation]
) -> None:
    """Assigned and unassigned, travel, overtime, search status, and the validator's verdict."""
    from api.commands.tables import hours, minutes, reasons_text

    t = plan.totals
    console.print(
        f"assigned {t.assigned}/{len(problem.visits)}, unassigned {t.unassigned}"
        f" ({reasons_text(plan.unassigned)})"
    )
    console.print(
        f"travel {hours(t.travel_s)}, {t.distance_m / 1000:.1f} km;"
        f" overtime {minutes(t.overtime_s)}; {plan.solver.status} in {plan.solver.wall_s:.1f} s,"
        f" objective {plan.solver.objective:,}"
    )
    if plan.solver.phases:
        spent = ", ".join(f"{name} {s:.2f}" for name, s in plan.solver.phases)
        console.print(
            f"seconds: {spent}"
            + (f"; first plan {plan.solver.first_plan}" if plan.solver.first_plan else "")
        )
    if violations:
        console.print(violations_table(violations))
        console.print(f"[red]check: {len(violations)} violations[/]")
    else:
        console.print("check: valid")


def violations_table(violations: list[Violation]) -> Table:
    """One row per broken rule."""
    from rich.table import Table

    table = Table(title="Violations", title_justify="left")
    for name in ("code", "technician", "visit", "message"):
        table.add_column(name)
    for v in violations:
        table.add_row(v.code, v.technician or "", v.visit or "", v.message)
    return table


def check_command(
    problem_path: Annotated[Path, typer.Argument(metavar="PROBLEM.json")],
    plan_path: Annotated[Path, typer.Argument(metavar="PLAN.json")],
) -> None:
    """Check a plan against its problem: list the violations (exit 1), or print `valid`."""
    from api.commands.tables import make_console
    from optimizer import check, read_plan, read_problem

    problem = _read(problem_path, read_problem)
    # The problem fills in route times that a plan written by another tool may leave out.
    plan = _read(plan_path, lambda p: read_plan(p, problem))
    violations = check(problem, plan)
    console = make_console()
    if not violations:
        console.print("valid")
        return
    console.print(violations_table(violations))
    console.print(f"{len(violations)} violations")
    raise typer.Exit(BROKEN_PLAN)


def run_command(
    problem_path: Annotated[
        Path | None, typer.Argument(metavar="PROBLEM.json", help="Default: the demo day.")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds to search.")] = 10.0,
) -> None:
    """Plan the demo day (fixtures/demo_day.json) and print every technician's route."""
    from api.commands.tables import make_console, route_view, unassigned_table
    from optimizer import check, read_problem

    problem = _read(problem_path or fixture("demo_day.json"), read_problem)
    console = make_console()
    plan = _solve(problem, time_limit, make_console(stderr=True))
    for route in plan.routes:
        console.print(route_view(problem, route))
        console.print()
    if plan.unassigned:
        console.print(unassigned_table(problem, plan))
    print_summary(console, problem, plan, check(problem, plan))


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(BAD_INPUT)
