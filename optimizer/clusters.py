"""A big day cut into clusters: groups of technicians with the visits they can reach, by
geography and skills, each small enough for VROOM to plan in a second or two (decomposed.py).

Visits are grouped by k-means on their coordinates; each group gets technicians in proportion
to its hours of work, nearest start first; a visit that no technician of its group may serve
(skills, pin) moves to the nearest group that has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from .problem import Problem
from .reasons import may_serve

FloatArray = npt.NDArray[np.float64]

# VROOM at exploration 5 plans 20x100 in 1-1.5 s on this machine's idle core, 50x250 in 15 s and
# 100x500 in about 100 s (README): its time grows with the square of the size and more, so a
# cluster holds about this many visits.
VISITS_PER_CLUSTER = 100
KMEANS_ROUNDS = 20
SEED = 0  # the same day always gives the same clusters
NEIGHBOURS = 2  # each cluster is paired with this many nearest others
BIG = 1.4  # a cluster above this many times VISITS_PER_CLUSTER is cut in two


@dataclass(frozen=True, slots=True)
class Cluster:
    """Positions in problem.technicians and problem.visits, and where the cluster lies."""

    technicians: tuple[int, ...]
    visits: tuple[int, ...]
    centre: tuple[float, float]  # lat, lon


def split(problem: Problem, visits_per_cluster: int = VISITS_PER_CLUSTER) -> list[Cluster]:
    """The day's clusters (a single one for a small day); every technician and visit is in
    exactly one."""
    n_visits, n_techs = len(problem.visits), len(problem.technicians)
    k = min(n_techs, max(1, round(n_visits / visits_per_cluster)))
    if k <= 1:
        return [Cluster(tuple(range(n_techs)), tuple(range(n_visits)), _mean(problem))]
    points = _points([(v.location.lat, v.location.lon) for v in problem.visits])
    centres, groups = _split_big(points, *_kmeans(points, k), visits_per_cluster)
    k = len(centres)
    durations = [float(v.duration_s) for v in problem.visits]
    hours = np.bincount(groups, durations, minlength=k).astype(np.float64)
    techs_of = _technicians(problem, centres, _quotas(hours, n_techs))
    groups = _reachable(problem, groups, centres, techs_of)
    return [
        Cluster(
            tuple(techs_of[c]),
            tuple(int(i) for i in np.flatnonzero(groups == c)),
            _latlon(centres[c]),
        )
        for c in range(k)
        if techs_of[c] or np.any(groups == c)
    ]


def neighbour_pairs(clusters: Sequence[Cluster]) -> list[tuple[int, int]]:
    """Pairs of clusters that border each other (each with its NEIGHBOURS nearest), nearest
    first."""
    centres = _points([c.centre for c in clusters])
    pairs: set[tuple[int, int]] = set()
    for a in range(len(clusters)):
        far = np.linalg.norm(centres - centres[a], axis=1)
        for b in (int(x) for x in np.argsort(far)[1 : NEIGHBOURS + 1]):
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs, key=lambda p: float(np.linalg.norm(centres[p[0]] - centres[p[1]])))


def subproblem(problem: Problem, technicians: Sequence[int], visits: Sequence[int]) -> Problem:
    """The day of these technicians and visits only (same travel, same ids); a preference for a
    technician outside it is dropped (it could not be met there anyway)."""
    techs = tuple(problem.technicians[k] for k in technicians)
    ids = {t.id for t in techs}
    day = tuple(
        v if v.preferred_technician in (None, *ids) else replace(v, preferred_technician=None)
        for v in (problem.visits[i] for i in visits)
    )
    return replace(problem, technicians=techs, visits=day, name=f"{problem.name} part")


def pairs_unmatched(pairs: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The pairs in rounds of pairs that share no cluster (solved side by side), in order."""
    rounds: list[list[tuple[int, int]]] = []
    for pair in pairs:
        for r in rounds:
            if all(not set(pair) & set(other) for other in r):
                r.append(pair)
                break
        else:
            rounds.append([pair])
    return rounds


def _points(latlon: Sequence[tuple[float, float]]) -> FloatArray:
    """Coordinates on a plane (degrees, longitude shrunk by the latitude's cosine)."""
    arr = np.asarray(latlon, dtype=np.float64).reshape(-1, 2)
    scale = np.cos(np.radians(arr[:, 0].mean())) if len(arr) else 1.0
    return np.column_stack([arr[:, 0], arr[:, 1] * scale])


def _latlon(point: FloatArray) -> tuple[float, float]:
    return float(point[0]), float(point[1])


def _mean(problem: Problem) -> tuple[float, float]:
    locations = [v.location for v in problem.visits] or [t.start for t in problem.technicians]
    return (
        float(np.mean([x.lat for x in locations])),
        float(np.mean([x.lon for x in locations])),
    )


def _kmeans(points: FloatArray, k: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """k centres (k-means++ start, then Lloyd's rounds) and each point's group."""
    rng = np.random.default_rng(SEED)
    centres = [points[int(rng.integers(len(points)))]]
    for _ in range(1, k):
        near = np.min([np.sum((points - c) ** 2, axis=1) for c in centres], axis=0)
        total = float(near.sum())
        pick = int(rng.choice(len(points), p=near / total)) if total > 0 else len(centres)
        centres.append(points[pick % len(points)])
    at = np.array(centres)
    groups = np.zeros(len(points), dtype=np.int64)
    for _ in range(KMEANS_ROUNDS):
        groups = np.argmin(((points[:, None, :] - at[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = np.array(
            [points[groups == c].mean(axis=0) if np.any(groups == c) else at[c] for c in range(k)]
        )
        if np.allclose(moved, at):
            break
        at = moved
    return at, groups


def _split_big(
    points: FloatArray,
    centres: FloatArray,
    groups: npt.NDArray[np.int64],
    visits_per_cluster: int,
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """The groups with each one above BIG times the size cut in two (k-means again) until none
    is: VROOM's
    time grows faster than the size, so the biggest cluster sets the pace (100x500: 157 visits
    against 41-135 in the others)."""
    groups = groups.copy()
    centres_out = list(centres)
    c = 0
    while c < len(centres_out):  # the halves are looked at again in turn
        members = np.flatnonzero(groups == c)
        c += 1
        if len(members) <= BIG * visits_per_cluster:
            continue
        halves, split_groups = _kmeans(points[members], 2)
        centres_out[c - 1] = halves[0]
        centres_out.append(halves[1])
        groups[members[split_groups == 1]] = len(centres_out) - 1
    return np.array(centres_out), groups


def _quotas(hours: FloatArray, n_techs: int) -> list[int]:
    """Technicians per group in proportion to its hours of work, at least one each (largest
    remainders)."""
    k = len(hours)
    share = hours / hours.sum() * (n_techs - k) if hours.sum() > 0 else np.zeros(k)
    quotas = [1 + int(s) for s in share]
    for c in np.argsort(-(share - np.floor(share)))[: n_techs - sum(quotas)]:
        quotas[int(c)] += 1
    return quotas


def _technicians(problem: Problem, centres: FloatArray, quotas: list[int]) -> list[list[int]]:
    """Each group's technicians: nearest start to a group's centre first, within the quotas."""
    starts = _points([(t.start.lat, t.start.lon) for t in problem.technicians])
    far = np.linalg.norm(starts[:, None, :] - centres[None, :, :], axis=2)
    techs_of: list[list[int]] = [[] for _ in quotas]
    taken: set[int] = set()
    for flat in np.argsort(far, axis=None):
        k, c = divmod(int(flat), len(quotas))
        if k not in taken and len(techs_of[c]) < quotas[c]:
            techs_of[c].append(k)
            taken.add(k)
    return techs_of


def _reachable(
    problem: Problem,
    groups: npt.NDArray[np.int64],
    centres: FloatArray,
    techs_of: list[list[int]],
) -> npt.NDArray[np.int64]:
    """The groups, with each visit no technician of its group may serve moved to the nearest
    group that has one (left where it is when no technician at all may)."""
    groups = groups.copy()
    order = [np.argsort(np.linalg.norm(centres - centres[c], axis=1)) for c in range(len(centres))]
    for i, v in enumerate(problem.visits):
        home = int(groups[i])
        for c in (int(x) for x in order[home]):
            if any(may_serve(problem.technicians[k], v) for k in techs_of[c]):
                groups[i] = c
                break
    return groups


__all__ = ["Cluster", "neighbour_pairs", "pairs_unmatched", "split", "subproblem"]
