"""Big days in clusters: technicians and the visits they can reach grouped by place and skills,
VROOM on each group, the routes joined and improved across the borders (decomposed.py)."""

from __future__ import annotations

import time

import pytest

from optimizer import backends, budget, generate_day
from optimizer.clusters import neighbour_pairs, pairs_unmatched, split
from optimizer.decomposed import decomposed_plan
from optimizer.reasons import may_serve
from optimizer.solver import SolveParams, solve

from .conftest import assert_plan_valid


def test_split_puts_everyone_in_one_cluster_with_someone_who_may_serve_each_visit() -> None:
    """A generated 60x300 day in clusters of about 50 visits: none much bigger, every technician
    and visit in exactly one cluster, and each visit's cluster has a technician with its
    skills."""
    problem = generate_day(60, 300, seed=3)
    clusters = split(problem, visits_per_cluster=50)
    assert len(clusters) >= 6
    assert all(len(c.visits) <= 1.4 * 50 for c in clusters)
    techs = sorted(k for c in clusters for k in c.technicians)
    visits = sorted(i for c in clusters for i in c.visits)
    assert techs == list(range(60)) and visits == list(range(300))
    for c in clusters:
        assert c.technicians
        for i in c.visits:
            v = problem.visits[i]
            assert any(may_serve(problem.technicians[k], v) for k in c.technicians), v.id


def test_neighbour_pairs_come_in_rounds_that_share_no_cluster() -> None:
    """Pairs of bordering clusters, grouped in rounds whose pairs can run side by side."""
    clusters = split(generate_day(30, 150, seed=4), visits_per_cluster=25)
    pairs = neighbour_pairs(clusters)
    assert pairs and all(a < b for a, b in pairs)
    rounds = pairs_unmatched(pairs)
    assert sorted(p for r in rounds for p in r) == sorted(pairs)
    for r in rounds:
        used = [c for pair in r for c in pair]
        assert len(used) == len(set(used))


@pytest.mark.parametrize("threads", [1, 2])
def test_decomposed_plan_is_valid_and_says_it_ran_in_clusters(threads: int) -> None:
    """A 12x60 day in clusters of about 20: a checked plan serving most visits, whose solver details
    name the clusters and the pairs tried."""
    problem = generate_day(12, 60, seed=5)
    plan = decomposed_plan(problem, time.perf_counter() + 30.0, threads, lambda: False, 20)
    assert plan is not None
    assert_plan_valid(problem, plan)
    assert plan.solver.first_plan.startswith("4 clusters, vroom weights x5;")
    assert plan.totals.assigned >= 45


def test_a_stop_before_the_first_cluster_gives_no_plan_from_vroom() -> None:
    """Asked to stop at once, no VROOM run starts; the day is still joined from empty routes
    filled by insertion, and valid."""
    problem = generate_day(6, 30, seed=6)
    plan = decomposed_plan(problem, time.perf_counter() + 30.0, 1, lambda: True, 10)
    assert plan is not None
    assert_plan_valid(problem, plan)
    assert "0 of 0 pairs kept" in plan.solver.first_plan


def test_solve_plans_a_big_day_in_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    """A day at the size threshold is planned in clusters: the phase is named so and the plan
    is valid (the threshold lowered to a 12x60 day to keep the test quick)."""
    monkeypatch.setattr(budget, "DECOMPOSE_MIN_VISITS", 60)
    problem = generate_day(12, 60, seed=7)
    assert backends.decomposes(problem)
    plan = solve(problem, SolveParams(time_limit_s=4.0))
    assert_plan_valid(problem, plan)
    names = [name for name, _ in plan.solver.phases]
    assert "vroom clusters" in names


def test_ortools_searches_the_time_left_after_the_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the clusters' plan, OR-Tools is given the rest of the time limit and searches it
    (at 200x1000 it once gave up after 5.7 s of 170: budget.lns_s); its plan is no worse."""
    monkeypatch.setattr(budget, "DECOMPOSE_MIN_VISITS", 60)
    problem = generate_day(12, 60, seed=7)
    plan = solve(problem, SolveParams(time_limit_s=4.0))
    assert_plan_valid(problem, plan)
    phases = plan.solver.phases
    at = [name for name, _ in phases].index("ortools")
    left_s = 4.0 - sum(s for _, s in phases[:at]) - budget.read_back_s(60)
    assert phases[at][1] > 0.8 * left_s
