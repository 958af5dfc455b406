"""The benchmarks behind `purna bench`: Solomon VRPTW against best known; generated Jakarta days.

Every figure comes from the plan as optimizer.check sees it: a plan that breaks a rule or leaves a
customer out is reported as infeasible, whatever its distance.
"""

from __future__ import annotations

import csv
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rich.table import Table

from benchmarks.figures import hours, minutes, reasons_text
from optimizer import (
    AUTO,
    Plan,
    Problem,
    Progress,
    SolveParams,
    check,
    dimacs_distance,
    generate_day,
    generate_week,
    rank,
    read_bks,
    read_solomon,
    solve,
)

OURS = "Purna"


@dataclass(frozen=True, slots=True)
class SolomonRow:
    """One Solomon instance solved: distance in DIMACS units, checked by the validator."""

    instance: str
    vehicles: int
    distance: float
    bks: float | None
    assigned: int
    customers: int
    violations: int
    seconds: float
    solver: str = OURS
    engine: str = ""  # our plan's SolverInfo.engine (empty for a peer)

    @property
    def feasible(self) -> bool:
        """Every customer served and no rule broken."""
        return self.assigned == self.customers and self.violations == 0

    @property
    def gap_pct(self) -> float | None:
        """Distance above the best known, in percent (None without a best known)."""
        return None if not self.bks else 100.0 * (self.distance - self.bks) / self.bks


def solve_solomon(
    path: Path, time_limit_s: float, bks: float | None, engine: str = AUTO
) -> SolomonRow:
    """Solve one instance and measure it (runs in a worker process with --jobs)."""
    problem = read_solomon(path)
    started = time.perf_counter()
    plan = solve(problem, SolveParams(time_limit_s=time_limit_s, engine=engine))
    seconds = time.perf_counter() - started
    return SolomonRow(
        instance=problem.name or path.stem,
        vehicles=len(plan.routes),
        distance=dimacs_distance(plan),
        bks=bks,
        assigned=plan.totals.assigned,
        customers=len(problem.visits),
        violations=len(check(problem, plan)),
        seconds=round(seconds, 2),
        engine=plan.solver.engine,
    )


def solve_solomon_with_peers(
    path: Path, time_limit_s: float, bks: float | None, engine: str = AUTO
) -> list[SolomonRow]:
    """Our row, then PyVRP's and VROOM's on the same instance, one after the other (one core
    each; with --jobs, one instance per worker)."""
    from benchmarks import peers  # VROOM brings pandas: not for `purna solve` (api/commands/live)

    rows = [solve_solomon(path, time_limit_s, bks, engine)]
    problem = read_solomon(path)
    for run in (peers.run_pyvrp(problem, time_limit_s), peers.run_vroom(problem)):
        plan = run.plan
        rows.append(
            SolomonRow(
                instance=rows[0].instance,
                vehicles=0 if plan is None else len(plan.routes),
                distance=0.0 if plan is None else dimacs_distance(plan),
                bks=bks,
                assigned=0 if plan is None else plan.totals.assigned,
                customers=len(problem.visits),
                violations=run.violations if plan is not None else -1,
                seconds=round(run.seconds, 2),
                solver=run.solver,
            )
        )
    return rows


def run_solomon(
    paths: Sequence[Path],
    time_limit_s: float,
    jobs: int,
    on_done: Callable[[SolomonRow], None],
    with_peers: bool = False,
    engine: str = AUTO,
) -> list[SolomonRow]:
    """Solve the instances (with_peers: PyVRP and VROOM too), `jobs` instances at a time, in the
    order given; on_done after each instance with our row."""
    bks = _bks_near(paths)
    work = solve_solomon_with_peers if with_peers else _solve_solomon_alone
    if jobs <= 1:
        rows = []
        for p in paths:
            done = work(p, time_limit_s, bks.get(p.stem), engine)
            rows += done
            on_done(done[0])
        return rows
    # spawn, not fork: the parent runs rich's refresh thread, and forking with threads is unsafe
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(work, p, time_limit_s, bks.get(p.stem), engine) for p in paths]
        for future in as_completed(futures):
            on_done(future.result()[0])
        return [row for f in futures for row in f.result()]


def _solve_solomon_alone(
    path: Path, time_limit_s: float, bks: float | None, engine: str
) -> list[SolomonRow]:
    return [solve_solomon(path, time_limit_s, bks, engine)]


def _bks_near(paths: Sequence[Path]) -> dict[str, float]:
    """Best known values from bks_solomon.csv next to the instances (empty when there is none)."""
    found: dict[str, float] = {}
    for folder in {p.parent for p in paths}:
        if (folder / "bks_solomon.csv").is_file():
            found.update(read_bks(folder / "bks_solomon.csv"))
    return found


def solomon_table(rows: Sequence[SolomonRow], time_limit_s: float) -> Table:
    """One row per instance, DIMACS distances to one decimal."""
    table = Table(title=f"Solomon VRPTW (DIMACS distances), {time_limit_s:g} s per instance")
    for name in ("instance", "vehicles", "distance", "BKS", "gap %", "assigned", "feasible", "s"):
        table.add_column(name, justify="left" if name == "instance" else "right")
    for r in rows:
        gap = "-" if r.gap_pct is None else f"{r.gap_pct:.2f}"
        if r.gap_pct is not None and not r.feasible:
            gap = f"[dim]({gap})[/]"  # shown, but an infeasible plan's gap means nothing
        feasible = "yes" if r.feasible else f"[red]no[/] ({r.violations} violations)"
        table.add_row(
            r.instance, str(r.vehicles), f"{r.distance:.1f}",
            "-" if r.bks is None else f"{r.bks:.1f}", gap,
            f"{r.assigned}/{r.customers}", feasible, f"{r.seconds:.1f}",
        )  # fmt: skip
    return table


def solomon_summary(rows: Sequence[SolomonRow]) -> str:
    """Average and worst gap over the feasible plans, and how many are feasible."""
    gaps = [(r.gap_pct, r.instance) for r in rows if r.feasible and r.gap_pct is not None]
    feasible = sum(r.feasible for r in rows)
    if not gaps:
        return f"feasible {feasible}/{len(rows)}; no feasible plan with a best known value"
    worst = max(gaps)
    average = sum(g for g, _ in gaps) / len(gaps)
    return (
        f"average gap {average:.2f}%  worst gap {worst[0]:.2f}% ({worst[1]})  "
        f"feasible {feasible}/{len(rows)}"
    )


def write_solomon_csv(path: Path, rows: Sequence[SolomonRow]) -> None:
    """Save the rows, one line per instance."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        fields = [*asdict(rows[0]).keys(), "gap_pct", "feasible"] if rows else []
        writer.writerow(fields)
        for r in rows:
            gap = "" if r.gap_pct is None else f"{r.gap_pct:.3f}"
            writer.writerow([*asdict(r).values(), gap, r.feasible])


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One generated Jakarta day solved and checked."""

    size: str
    technicians: int
    visits: int
    assigned: int
    weight_assigned: int
    weight_total: int
    reasons: str
    travel_s: int
    overtime_s: int
    first_s: float | None
    within_1pct_s: float | None
    violations: str
    seconds: float
    solver: str = OURS
    cost: int = 0  # travel plus overtime at its cost, and preference costs (backends.rank)
    engine: str = ""  # SolverInfo.engine of our plan
    days: int = 1  # the horizon: a generated week has several
    movable: tuple[int, int] = (0, 0)  # movable visits served, of all movable visits
    crews: tuple[int, int] = (0, 0)  # crew visits served, of all crew visits
    wait_days: int = 0  # days the served visits wait past their earliest day


# The generated weeks of `purna bench fieldservice`: a fifth of the visits movable over a due
# range of days, one in twenty an AC installation for a crew of two (issue 16).
WEEK_SHARES = {"movable_share": 0.2, "crew_share": 0.05}


@dataclass(frozen=True, slots=True)
class DayOptions:
    """How to generate and solve the days: seed, overtime cost override, engine, and the threads
    of our VROOM runs."""

    seed: int = 0
    overtime_cost: int | None = None  # None: as generated (2 travel seconds a second)
    engine: str = AUTO
    threads: int = 1

    def day(self, technicians: int, visits: int, days: int = 1) -> Problem:
        """The generated day (or week of `days` days, WEEK_SHARES of its visits movable and for
        a crew), with the overtime cost overridden when asked."""
        if days > 1:
            problem = generate_week(technicians, visits, days, self.seed, **WEEK_SHARES)
        else:
            problem = generate_day(technicians, visits, self.seed)
        if self.overtime_cost is None:
            return problem
        cost = self.overtime_cost
        techs = tuple(replace(t, overtime_cost=cost) for t in problem.technicians)
        return replace(problem, technicians=techs)


class ProgressLog:
    """The solver's progress reports, recorded (pass it as SolveParams.on_progress)."""

    def __init__(self) -> None:
        self.events: list[Progress] = []

    def __call__(self, event: Progress) -> None:
        """Record one report (called by the solver)."""
        self.events.append(event)

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


def solve_fieldservice(
    technicians: int,
    visits: int,
    options: DayOptions,
    time_limit_s: float,
    log: ProgressLog,
    days: int = 1,
) -> FieldRow:
    """Generate a day (or a week of `days`), solve it while `log` records its progress, and
    check the plan."""
    problem = options.day(technicians, visits, days)
    started = time.perf_counter()
    params = SolveParams(
        time_limit_s=time_limit_s,
        on_progress=log,
        engine=options.engine,
        threads=options.threads,
    )
    plan = solve(problem, params)
    seconds = time.perf_counter() - started
    return _field_row(problem, plan, seconds, OURS, log.first_s, log.within_s(0.01))


SINGLE_DAYS = "single days"


def solve_week_by_days(
    technicians: int, visits: int, options: DayOptions, time_limit_s: float, days: int
) -> FieldRow:
    """The generated week planned as single days one after the other (week_days.py), each with
    time_limit_s, and checked: the baseline of the week's search."""
    from benchmarks.week_days import by_single_days

    problem = options.day(technicians, visits, days)
    started = time.perf_counter()
    params = SolveParams(time_limit_s=time_limit_s, engine=options.engine, threads=options.threads)
    plan = by_single_days(problem, params)
    seconds = time.perf_counter() - started
    return _field_row(problem, plan, seconds, SINGLE_DAYS, None, None)


def _field_row(
    problem: Problem,
    plan: Plan,
    seconds: float,
    solver: str,
    first_s: float | None,
    within_1pct_s: float | None,
) -> FieldRow:
    served = {s.visit for r in plan.routes for s in r.stops}
    codes = Counter(v.code for v in check(problem, plan))
    movable = [v.id for v in problem.visits if v.movable]
    crews = [v.id for v in problem.visits if v.crew_size > 1]
    days = problem.days
    return FieldRow(
        size=f"{len(problem.technicians)}x{len(problem.visits)}" + (f"x{days}" if days > 1 else ""),
        technicians=len(problem.technicians),
        visits=len(problem.visits),
        assigned=plan.totals.assigned,
        weight_assigned=sum(v.weight for v in problem.visits if v.id in served),
        weight_total=sum(v.weight for v in problem.visits),
        reasons=reasons_text(plan.unassigned),
        travel_s=plan.totals.travel_s,
        overtime_s=plan.totals.overtime_s,
        first_s=first_s,
        within_1pct_s=within_1pct_s,
        violations=", ".join(f"{c} {n}" for c, n in codes.most_common()) or "0",
        seconds=seconds,
        solver=solver,
        cost=rank(problem, plan)[1],
        engine=plan.solver.engine if solver == OURS else "",
        days=days,
        movable=(sum(1 for v in movable if v in served), len(movable)),
        crews=(sum(1 for v in crews if v in served), len(crews)),
        wait_days=plan.totals.wait_days,
    )


def fieldservice_table(rows: Sequence[FieldRow], how: str, seed: int) -> Table:
    """One column per size (and solver), one row per figure (the figures are many, the sizes
    few); how says how each day was searched ("10 s each, threads: ours 1")."""
    table = Table(title=f"Generated Jakarta days (seed {seed}), {how}")
    table.add_column("")
    for r in rows:
        table.add_column(r.size if r.solver == OURS else f"{r.size} {r.solver}", justify="right")
    figures: list[tuple[str, Callable[[FieldRow], str]]] = [
        ("engine", lambda r: r.engine or "-"),
        ("days", lambda r: str(r.days)),
        ("technicians", lambda r: str(r.technicians)),
        ("visits", lambda r: str(r.visits)),
        ("assigned", lambda r: _share(r.assigned, r.visits)),
        ("priority-weighted assigned", lambda r: _share(r.weight_assigned, r.weight_total)),
        ("movable served (days waited)", lambda r: _waited(r)),
        ("two-technician served", lambda r: _share(*r.crews)),
        ("unassigned by reason", lambda r: r.reasons),
        ("travel", lambda r: hours(r.travel_s)),
        ("overtime", lambda r: minutes(r.overtime_s)),
        ("cost (travel + overtime x its cost)", lambda r: hours(r.cost)),
        ("first feasible plan", lambda r: _seconds(r.first_s)),
        ("within 1% of final", lambda r: _seconds(r.within_1pct_s)),
        ("violations (check)", lambda r: r.violations),
        ("wall time", lambda r: _seconds(r.seconds)),
    ]
    for name, cell in figures:
        table.add_row(name, *(cell(r) for r in rows))
    return table


def _waited(r: FieldRow) -> str:
    return f"{_share(*r.movable)} ({r.wait_days})" if r.movable[1] else "-"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def _seconds(t_s: float | None) -> str:
    return "-" if t_s is None else f"{t_s:.1f} s"
