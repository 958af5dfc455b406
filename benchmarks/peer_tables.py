"""Side-by-side tables of `purna bench solomon --peers`: Purna, PyVRP and VROOM per instance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from rich.table import Table

from benchmarks.peers import PYVRP, VROOM
from benchmarks.routing import OURS, SolomonRow

SOLVERS = (OURS, PYVRP, VROOM)
AT_BKS_PCT = 0.005  # a gap below this is the best known value (distances have one decimal)


def by_instance(rows: Sequence[SolomonRow]) -> dict[str, dict[str, SolomonRow]]:
    """Rows grouped per instance (in the order given), then per solver."""
    grouped: dict[str, dict[str, SolomonRow]] = {}
    for r in rows:
        grouped.setdefault(r.instance, {})[r.solver] = r
    return grouped


def peer_table(rows: Sequence[SolomonRow], time_limit_s: float) -> Table:
    """Per instance each solver's distance and gap to the best known; infeasible plans say so."""
    title = (
        f"Solomon VRPTW, DIMACS distances: Purna and PyVRP {time_limit_s:g} s each, "
        "VROOM exploration 5; one core each"
    )
    table = Table(title=title)
    table.add_column("instance")
    table.add_column("BKS", justify="right")
    for solver in SOLVERS:
        table.add_column(solver, justify="right")
        table.add_column("gap %", justify="right")
    for instance, solvers in by_instance(rows).items():
        bks = next(iter(solvers.values())).bks
        cells = [instance, "-" if bks is None else f"{bks:.1f}"]
        for solver in SOLVERS:
            r = solvers.get(solver)
            cells += _cells(r)
        table.add_row(*cells)
    return table


def _cells(r: SolomonRow | None) -> list[str]:
    if r is None:
        return ["-", "-"]
    if not r.feasible:
        return ["[red]infeasible[/]", "-"]
    return [f"{r.distance:.1f}", "-" if r.gap_pct is None else f"{r.gap_pct:.2f}"]


@dataclass(frozen=True, slots=True)
class SolverSummary:
    """One solver over all instances: feasible count, gaps, time, and our distance against it."""

    solver: str
    feasible: int
    instances: int
    average_gap_pct: float | None
    worst_gap_pct: float | None
    worst_instance: str
    at_bks: int
    average_s: float
    ours_over_theirs: float | None  # mean of our distance / theirs, where both are feasible


def summaries(rows: Sequence[SolomonRow]) -> list[SolverSummary]:
    """Per solver: averages, worst case and the ratio of our distance to its distance."""
    grouped = by_instance(rows)
    result = []
    for solver in SOLVERS:
        mine = [s[solver] for s in grouped.values() if solver in s]
        if not mine:
            continue
        gaps = [(r.gap_pct, r.instance) for r in mine if r.feasible and r.gap_pct is not None]
        ratios = [
            s[OURS].distance / s[solver].distance
            for s in grouped.values()
            if solver in s and OURS in s and s[solver].feasible and s[OURS].feasible
        ]
        worst = max(gaps) if gaps else (None, "")
        result.append(
            SolverSummary(
                solver=solver,
                feasible=sum(r.feasible for r in mine),
                instances=len(mine),
                average_gap_pct=mean(g for g, _ in gaps) if gaps else None,
                worst_gap_pct=worst[0],
                worst_instance=worst[1],
                at_bks=sum(g < AT_BKS_PCT for g, _ in gaps),
                average_s=mean(r.seconds for r in mine),
                ours_over_theirs=mean(ratios) if ratios and solver != OURS else None,
            )
        )
    return result


def summary_table(rows: Sequence[SolomonRow]) -> Table:
    """One row per solver: feasible, average and worst gap, at best known, time, our ratio."""
    table = Table(title="Summary (gaps over feasible plans)")
    names = (
        "solver",
        "feasible",
        "average gap %",
        "worst gap %",
        "at BKS",
        "mean s",
        "ours/theirs",
    )
    for name in names:
        table.add_column(name, justify="left" if name == "solver" else "right")
    for s in summaries(rows):
        table.add_row(
            s.solver,
            f"{s.feasible}/{s.instances}",
            _pct(s.average_gap_pct),
            f"{_pct(s.worst_gap_pct)} ({s.worst_instance})" if s.worst_instance else "-",
            str(s.at_bks),
            f"{s.average_s:.1f}",
            "-" if s.ours_over_theirs is None else f"{s.ours_over_theirs:.4f}",
        )
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
