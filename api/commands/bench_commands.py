"""`purna bench solomon` and `purna bench fieldservice`: the optimizer's benchmark tables.

The benchmarks import the solvers and the peers (VROOM brings pandas): this module is loaded only
when a bench command runs (api/cli.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.commands.live import Watch
from api.commands.optimizer_commands import bad_input, fail, fixture
from api.commands.tables import make_console
from benchmarks import peer_tables
from benchmarks import routing as bench
from optimizer import SolveParams

bench_app = typer.Typer(help="Benchmarks that print tables.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add `purna bench` (solomon, fieldservice) to the purna app."""
    app.add_typer(bench_app, name="bench")


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

    with bar, bad_input():
        SolveParams(engine=engine)  # an unknown engine: one line and exit 2, before any work
        rows = bench.run_solomon(paths, time_limit, jobs, done, with_peers=peers, engine=engine)
    if peers:
        console.print(peer_tables.peer_table(rows, time_limit))
        console.print(peer_tables.summary_table(rows))
    else:
        console.print(bench.solomon_table(rows, time_limit))
        console.print(bench.solomon_summary(rows))
    if csv_path is not None:
        with bad_input():
            bench.write_solomon_csv(csv_path, rows)


def _instances(folder: Path, names: str | None) -> list[Path]:
    """The instance files to run: all *.txt of the folder, or the named ones in that order."""
    if not folder.is_dir():
        fail(f"{folder}: no such directory.")
    if names is None:
        return sorted(folder.glob("*.txt"))
    paths = [folder / f"{n.strip()}.txt" for n in names.split(",") if n.strip()]
    missing = [p.stem for p in paths if not p.is_file()]
    if missing or not paths:
        fail(f"--instances: no instance file for {', '.join(missing) or names!r} in {folder}.")
    return paths


@bench_app.command("fieldservice")
def bench_fieldservice(
    sizes: Annotated[
        str,
        typer.Option(
            help="TECHNICIANSxVISITS (a day) or TECHNICIANSxVISITSxDAYS (a generated week: 20% "
            "movable, 5% two-technician visits), comma-separated."
        ),
    ] = "20x100,50x250,100x500,50x1250x7",
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds per day (a week of D days gets D times it).")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the generated days.")] = 0,
    peers: Annotated[
        bool,
        typer.Option("--peers", help="Against VROOM (both scales) at equal threads and time."),
    ] = False,
    engine: Annotated[str, typer.Option(help="auto, ortools, pyvrp or vroom+ortools.")] = "auto",
    threads: Annotated[int, typer.Option(min=1, help="Threads for our VROOM runs.")] = 1,
    peer_threads: Annotated[
        str, typer.Option(help="With --peers: thread counts, each for both solvers, e.g. 1,2.")
    ] = "1,2",
    overtime_cost: Annotated[
        int | None,
        typer.Option(min=0, help="Override the overtime cost (0: free, as VROOM models it)."),
    ] = None,
    single_days: Annotated[
        bool,
        typer.Option(
            "--single-days", help="Also plan each week as single days, one after the other."
        ),
    ] = False,
) -> None:
    """Solve generated Jakarta days (and weeks) of several sizes and report assignment, travel
    and speed; every plan is checked by the validator.

    With --peers, per day and thread count VROOM plans the day on both priority scales, then
    `purna solve` runs in a new process to end within the better VROOM run's wall time
    (--time-limit and --threads are ignored; benchmarks/peer_days.py).
    """
    parsed = _sizes(sizes)
    with bad_input():
        SolveParams(engine=engine)  # an unknown engine: one line and exit 2
    options = bench.DayOptions(
        seed=seed, overtime_cost=overtime_cost, engine=engine, threads=threads
    )
    status = make_console(stderr=True)
    how = "" if overtime_cost is None else f", overtime cost {overtime_cost}"
    if peers:
        if any(d > 1 for _, _, d in parsed):
            fail("--peers: VROOM plans one day; give sizes without days.")
        _peers([(t, v) for t, v, _ in parsed], options, _counts(peer_threads), how)
        return
    rows = []
    for t, v, d in parsed:
        label = f"{t}x{v}" + (f"x{d}" if d > 1 else "")
        with Watch(status, time_limit * d, v, label=label) as watch:
            rows.append(bench.solve_fieldservice(t, v, options, time_limit * d, watch, days=d))
        if single_days and d > 1:
            status.print(f"{label}: as single days, {time_limit:g} s each")
            rows.append(bench.solve_week_by_days(t, v, options, time_limit, d))
    how = f"{time_limit:g} s a day{how}, threads {threads}"
    make_console().print(bench.fieldservice_table(rows, how, seed))


def _peers(
    sizes: list[tuple[int, int]], options: bench.DayOptions, counts: list[int], how: str
) -> None:
    """The peers table: VROOM on both scales and Purna, per day and thread count."""
    from benchmarks import peer_days

    status = make_console(stderr=True)
    runs: list[peer_days.DayRun] = []

    def shown(run: peer_days.DayRun) -> None:
        status.print(f"{run.size} {run.threads} thread(s) {run.solver}: {run.seconds:.1f} s")

    for t, v in sizes:
        for n in counts:
            runs += peer_days.compare_day(t, v, options, n, shown)
    title = f"Generated Jakarta days (seed {options.seed}){how}: Purna against VROOM"
    make_console().print(peer_days.peers_table(runs, title))


def _counts(text: str) -> list[int]:
    """`1,2` as [1, 2]."""
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        fail(f"--peer-threads: expected thread counts such as 1,2, got {text!r}.")
    return [int(p) for p in parts]


def _sizes(text: str) -> list[tuple[int, int, int]]:
    """`20x100,50x1250x7` as [(20, 100, 1), (50, 1250, 7)]: technicians, visits, days."""
    result = []
    for part in text.split(","):
        numbers = part.strip().split("x")
        ok = len(numbers) in (2, 3) and all(n.isdigit() for n in numbers)
        if not ok or int(numbers[0]) < 1 or (len(numbers) == 3 and not 1 <= int(numbers[2]) <= 14):
            fail(
                "--sizes: expected TECHNICIANSxVISITS such as 20x100, or with DAYS (1-14) such "
                f"as 50x1250x7, got {part.strip()!r}."
            )
        result.append(
            (int(numbers[0]), int(numbers[1]), int(numbers[2]) if len(numbers) == 3 else 1)
        )
    return result
