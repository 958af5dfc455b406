"""`purna solve`, `purna check`, `purna demo-day`, `purna bench`: the optimizer on the command line.

Bad input never shows a traceback: it gives one line on stderr naming the field, and exit code 2.
Exit codes: 0 done (and valid), 1 the plan breaks a rule, 2 the input is unusable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.live import Watch
from api.commands.tables import (
    hours,
    make_console,
    minutes,
    reasons_text,
    route_view,
    unassigned_table,
)
from benchmarks import peer_tables
from benchmarks import routing as bench
from optimizer import (
    InvalidProblem,
    Plan,
    Problem,
    SolveParams,
    Violation,
    check,
    plan_to_dict,
    read_plan,
    read_problem,
    solve,
    write_json,
)

T = TypeVar("T")
BAD_INPUT = 2
BROKEN_PLAN = 1
REPO_ROOT = Path(__file__).resolve().parents[2]

bench_app = typer.Typer(help="Benchmarks that print tables.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the optimizer commands to the purna app."""
    app.command("solve")(solve_command)
    app.command("check")(check_command)
    app.command("demo-day")(run_command)  # `purna run` starts the whole system (serve_commands)
    app.add_typer(bench_app, name="bench")


@contextmanager
def _bad_input() -> Iterator[None]:
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
    with _bad_input():
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
) -> None:
    """Solve a problem and write the plan; exit 1 when the validator finds the plan broken."""
    problem = _read(problem_path, read_problem)
    # The plan may go to stdout: then everything else goes to stderr, so stdout stays JSON.
    info = None if quiet else make_console(stderr=output is None)
    plan = _solve(problem, time_limit, info)
    with _bad_input():
        if output is None:
            typer.echo(json.dumps(plan_to_dict(plan), indent=2))
        else:
            write_json(output, plan_to_dict(plan))
    violations = check(problem, plan)
    if info is not None:
        print_summary(info, problem, plan, violations)
    elif violations:
        typer.echo(f"error: the plan breaks {len(violations)} rules.", err=True)
    if violations:
        raise typer.Exit(BROKEN_PLAN)


def _solve(problem: Problem, time_limit_s: float, console: Console | None) -> Plan:
    with Watch(console, time_limit_s, len(problem.visits)) as watch, _bad_input():
        return solve(problem, SolveParams(time_limit_s=time_limit_s, on_progress=watch))


def print_summary(
    console: Console, problem: Problem, plan: Plan, violations: list[Violation]
) -> None:
    """Assigned and unassigned, travel, overtime, search status, and the validator's verdict."""
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
    if violations:
        console.print(violations_table(violations))
        console.print(f"[red]check: {len(violations)} violations[/]")
    else:
        console.print("check: valid")


def violations_table(violations: list[Violation]) -> Table:
    """One row per broken rule."""
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
    problem = _read(problem_path or fixture("demo_day.json"), read_problem)
    console = make_console()
    plan = _solve(problem, time_limit, make_console(stderr=True))
    for route in plan.routes:
        console.print(route_view(problem, route))
        console.print()
    if plan.unassigned:
        console.print(unassigned_table(problem, plan))
    print_summary(console, problem, plan, check(problem, plan))


@bench_app.command("solomon")
def bench_solomon(
    folder: Annotated[
        Path | None, typer.Argument(metavar="DIR", help="Default: fixtures/solomon.")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds per instance.")] = 30.0,
    instances: Annotated[
        str | None, typer.Option(help="Comma-separated names, e.g. C101,R101 (default all).")
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Instances solved in parallel.")] = 1,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also save rows here.")] = None,
    peers: Annotated[
        bool, typer.Option("--peers", help="Also run PyVRP (same time) and VROOM (level 5).")
    ] = False,
    engine: Annotated[str, typer.Option(help="auto, ortools, pyvrp or vroom+ortools.")] = "auto",
) -> None:
    """Solve Solomon VRPTW instances and compare with the best known (DIMACS convention)."""
    paths = _instances(folder or fixture("solomon"), instances)
    console, status = make_console(), make_console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=status, transient=True, disable=not status.is_terminal,
    )  # fmt: skip
    task = bar.add_task(f"Solomon, {jobs} at a time", total=len(paths))

    def done(row: bench.SolomonRow) -> None:
        bar.advance(task)
        if not status.is_terminal:
            status.print(f"{row.instance}: {row.distance:.1f} in {row.seconds:.1f} s")

    with bar, _bad_input():
        SolveParams(engine=engine)  # an unknown engine: one line and exit 2, before any work
        rows = bench.run_solomon(paths, time_limit, jobs, done, with_peers=peers, engine=engine)
    if peers:
        console.print(peer_tables.peer_table(rows, time_limit))
        console.print(peer_tables.summary_table(rows))
    else:
        console.print(bench.solomon_table(rows, time_limit))
        console.print(bench.solomon_summary(rows))
    if csv_path is not None:
        with _bad_input():
            bench.write_solomon_csv(csv_path, rows)


def _instances(folder: Path, names: str | None) -> list[Path]:
    """The instance files to run: all *.txt of the folder, or the named ones in that order."""
    if not folder.is_dir():
        _fail(f"{folder}: no such directory.")
    if names is None:
        return sorted(folder.glob("*.txt"))
    paths = [folder / f"{n.strip()}.txt" for n in names.split(",") if n.strip()]
    missing = [p.stem for p in paths if not p.is_file()]
    if missing or not paths:
        _fail(f"--instances: no instance file for {', '.join(missing) or names!r} in {folder}.")
    return paths


@bench_app.command("fieldservice")
def bench_fieldservice(
    sizes: Annotated[
        str, typer.Option(help="TECHNICIANSxVISITS, comma-separated.")
    ] = "20x100,50x250,100x500",
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds per day.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the generated days.")] = 0,
    peers: Annotated[
        bool,
        typer.Option("--peers", help="Also run VROOM (level 5); we get its time."),
    ] = False,
    engine: Annotated[str, typer.Option(help="auto, ortools, pyvrp or vroom+ortools.")] = "auto",
    threads: Annotated[int, typer.Option(min=1, help="Threads for our VROOM first plan.")] = 1,
    peer_threads: Annotated[
        int, typer.Option(min=1, help="Threads for the VROOM peer (with --peers).")
    ] = 1,
    overtime_cost: Annotated[
        int | None,
        typer.Option(min=0, help="Override the overtime cost (0: free, as VROOM models it)."),
    ] = None,
) -> None:
    """Solve generated Jakarta days of several sizes and report assignment, travel and speed.

    With --peers, VROOM plans each day first and Purna then gets VROOM's wall time as its time
    limit (--time-limit is ignored); PyVRP is left out, as it cannot express breaks.
    """
    parsed = _sizes(sizes)
    with _bad_input():
        SolveParams(engine=engine)  # an unknown engine: one line and exit 2
    options = bench.DayOptions(
        seed=seed,
        overtime_cost=overtime_cost,
        engine=engine,
        threads=threads,
        peer_threads=peer_threads,
    )
    status = make_console(stderr=True)
    rows = []
    for t, v in parsed:
        limit_s = time_limit
        if peers:
            rows.append(bench.vroom_fieldservice(t, v, options))
            limit_s = rows[-1].seconds
        with Watch(status, limit_s, v, label=f"{t}x{v}") as watch:
            rows.append(bench.solve_fieldservice(t, v, options, limit_s, watch))
    how = "VROOM's time each" if peers else f"{time_limit:g} s each"
    if overtime_cost is not None:
        how += f", overtime cost {overtime_cost}"
    how += f", threads: ours {threads}" + (f", VROOM's {peer_threads}" if peers else "")
    make_console().print(bench.fieldservice_table(rows, how, seed))


def _sizes(text: str) -> list[tuple[int, int]]:
    """`20x100,50x250` as [(20, 100), (50, 250)]."""
    result = []
    for part in text.split(","):
        a, _, b = part.strip().partition("x")
        if not (a.isdigit() and b.isdigit() and int(a) > 0):
            _fail(f"--sizes: expected TECHNICIANSxVISITS such as 20x100, got {part.strip()!r}.")
        result.append((int(a), int(b)))
    return result


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(BAD_INPUT)
