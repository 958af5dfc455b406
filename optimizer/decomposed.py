"""A first plan for a big day by decomposition (issue 14): VROOM on each cluster (clusters.py),
the routes joined, then improved across cluster borders.

VROOM needs about 100 s for a whole 100x500 day on one core, and Purna's VROOM phase is cut off
long before that; on clusters of about 100 visits it needs 1-2 s each. After the join, what is
left out goes to its cheapest place anywhere (insertion.py), then pairs of neighbouring clusters
are planned again as one (their routes, their left-out visits) while the time allows: a pair is
kept when the whole day ranks better. Clusters and pairs that share nothing run side by side on
`threads` cores, each VROOM run in a child process of its own (vroom_runs.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from .backend_vroom import WEIGHTS, Sequences
from .backends import checked_plan, rank
from .clusters import (
    VISITS_PER_CLUSTER,
    Cluster,
    neighbour_pairs,
    pairs_unmatched,
    split,
    subproblem,
)
from .errors import InvalidProblem
from .insertion import place
from .plan import Plan
from .problem import Problem
from .stop_times import Item
from .vroom_runs import VroomRun, run_vroom

RUN = VroomRun(WEIGHTS, 5)
# A pair of clusters takes about this many times its two clusters' time (VROOM's time grows
# faster than the size: 20x100 1.4 s, 50x250 15 s); a pair is started only when that is left.
PAIR_FACTOR = 3.0


@dataclass
class _Day:
    """The joined day as it improves: routes per technician, and its plan and rank."""

    problem: Problem
    sequences: dict[str, tuple[Item, ...]]
    plan: Plan
    home: dict[str, int]  # visit id -> its cluster

    @property
    def score(self) -> tuple[int, int]:
        return rank(self.problem, self.plan)


def decomposed_plan(
    problem: Problem,
    deadline_s: float,
    threads: int,
    should_stop: Callable[[], bool],
    visits_per_cluster: int = VISITS_PER_CLUSTER,
) -> Plan | None:
    """The best joined plan of VROOM's runs on the clusters and on pairs of neighbouring
    clusters, by the deadline (a perf_counter time); None when no checked plan came out. Its
    solver.first_plan says how many clusters and pairs ran."""
    clusters = split(problem, visits_per_cluster)
    solved = _run_all(problem, [(c,) for c in clusters], deadline_s, threads, should_stop)
    joined: dict[str, tuple[Item, ...]] = {}
    for sequences, _ in solved:
        joined.update({t: tuple(items) for t, items in (sequences or {}).items()})
    home = {problem.visits[i].id: c for c, cl in enumerate(clusters) for i in cl.visits}
    day = _day(problem, joined, home)
    if day is None:
        return None
    seconds = [s for _, s in solved]
    tried, kept = _improve_pairs(day, clusters, seconds, deadline_s, threads, should_stop)
    label = f"{len(clusters)} clusters, {RUN.name}; {kept} of {tried} pairs kept"
    return replace(day.plan, solver=replace(day.plan.solver, first_plan=label))


def _improve_pairs(
    day: _Day,
    clusters: Sequence[Cluster],
    seconds: Sequence[float],
    deadline_s: float,
    threads: int,
    should_stop: Callable[[], bool],
) -> tuple[int, int]:
    """Plan pairs of neighbouring clusters again, round after round while the time allows and
    a pair's input has changed since it was last tried; (pairs tried, pairs kept)."""
    tried_inputs: set[frozenset[str]] = set()
    tried = kept = 0
    rounds = pairs_unmatched(neighbour_pairs(clusters))
    progress = True
    while progress:
        progress = False
        for pairs in rounds:
            batch = []
            for a, b in pairs:
                left_s = deadline_s - time.perf_counter()
                if should_stop() or left_s < PAIR_FACTOR * (seconds[a] + seconds[b]):
                    continue
                groups = _pair_input(day, clusters, (a, b))
                key = frozenset(groups[0]) | frozenset(groups[1])
                if key not in tried_inputs:
                    tried_inputs.add(key)
                    batch.append(groups)
            if not batch:
                continue
            parts = [_part(day.problem, techs, visits) for techs, visits in batch]
            results = _run_all(day.problem, parts, deadline_s, threads, should_stop)
            for (techs, visits), (sequences, _) in zip(batch, results, strict=True):
                tried += 1
                if sequences is not None and _adopt(day, techs, visits, sequences):
                    kept += 1
                    progress = True
    return tried, kept


def _pair_input(
    day: _Day, clusters: Sequence[Cluster], pair: tuple[int, int]
) -> tuple[list[str], list[str]]:
    """The pair's technician ids, and the visits they serve now plus those left out whose home
    is in the pair."""
    techs = [day.problem.technicians[k].id for c in pair for k in clusters[c].technicians]
    visits = [v for t in techs for v in day.sequences.get(t, ()) if isinstance(v, str)]
    visits += [u.visit for u in day.plan.unassigned if day.home.get(u.visit) in pair]
    return techs, visits


def _part(problem: Problem, techs: Sequence[str], visits: Sequence[str]) -> tuple[Problem]:
    """The sub-day of these technician and visit ids, as a one-problem job for _run_all."""
    t_pos = {t.id: k for k, t in enumerate(problem.technicians)}
    v_pos = {v.id: i for i, v in enumerate(problem.visits)}
    return (subproblem(problem, [t_pos[t] for t in techs], [v_pos[v] for v in visits]),)


def _adopt(day: _Day, techs: Sequence[str], visits: Sequence[str], found: Sequences) -> bool:
    """Put the pair's new routes in the day when the whole day then ranks better."""
    ours = set(visits)
    sequences = {
        t: tuple(x for x in items if x not in ours)
        for t, items in day.sequences.items()
        if t not in techs
    }
    sequences.update({t: tuple(items) for t, items in found.items()})
    better = _day(day.problem, sequences, day.home)
    if better is None or better.score >= day.score:
        return False
    day.sequences, day.plan = better.sequences, better.plan
    return True


def _day(
    problem: Problem, sequences: dict[str, tuple[Item, ...]], home: dict[str, int]
) -> _Day | None:
    """The day of these routes with what they leave out placed where it fits, checked; None
    when the validator rejects it."""
    served = {x for items in sequences.values() for x in items if isinstance(x, str)}
    try:
        placement = place(problem, sequences, [v.id for v in problem.visits if v.id not in served])
    except InvalidProblem:  # a route that cannot be timed by our rules: keep it as it was
        placement = None
    filled = sequences if placement is None else placement.sequences
    plan = checked_plan(problem, filled)
    return None if plan is None else _Day(problem, dict(filled), plan, home)


def _run_all(
    problem: Problem,
    jobs: Sequence[tuple[Cluster] | tuple[Problem]],
    deadline_s: float,
    threads: int,
    should_stop: Callable[[], bool],
) -> list[tuple[Sequences | None, float]]:
    """VROOM on each job (a cluster of the problem, or a sub-day), `threads` at a time, each on
    one thread; per job its routes (None when cut off) and seconds. One after the other, each
    job may use twice its share of the time left by its size."""
    days = [
        j[0] if isinstance(j[0], Problem) else subproblem(problem, j[0].technicians, j[0].visits)
        for j in jobs
    ]
    sizes = [max(1, len(d.visits)) for d in days]

    def one(n: int) -> tuple[Sequences | None, float]:
        started_s = time.perf_counter()
        if threads == 1:
            share = 2 * sizes[n] / sum(sizes[n:])
            end_s = min(deadline_s, started_s + share * (deadline_s - started_s))
        else:
            end_s = deadline_s
        if not days[n].visits or not days[n].technicians:
            return {}, 0.0
        return run_vroom(days[n], RUN, 1, end_s, should_stop), time.perf_counter() - started_s

    if threads == 1:
        return [one(n) for n in range(len(days))]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(len(days))))
