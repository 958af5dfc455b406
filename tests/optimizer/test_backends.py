"""Which search solves a problem (PyVRP, VROOM then OR-Tools, OR-Tools), and that every rule
still holds whichever it is: a plan another library returns is checked, and dropped when broken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from optimizer import backend_pyvrp, backend_vroom, backends, vroom_runs
from optimizer.backend_vroom import LINEAR, WEIGHTS, priority_scale
from optimizer.errors import InvalidProblem
from optimizer.plan import Plan, Progress
from optimizer.problem import PRIORITY_WEIGHT, Problem
from optimizer.solver import SolveParams, solve
from tests.optimizer.conftest import (
    QUICK,
    lunch,
    make_problem,
    make_random_problem,
    make_technician,
    make_visit,
    window,
)

Solver = Callable[..., Plan]
FAST = SolveParams(time_limit_s=1.0)


def _plain_problem() -> Problem:
    """Two technicians, five visits due by 10:00 (more than one technician can reach), no
    breaks, one window each: PyVRP expresses it."""
    visits = [make_visit(f"v{i}", place=i, windows=(window(8, 10),)) for i in range(1, 6)]
    return make_problem([make_technician("t1"), make_technician("t2", home=10)], visits)


def _weight(problem: Problem, plan: Plan) -> int:
    return -backends.rank(problem, plan)[0]


def test_choose_plain_problem_goes_to_pyvrp(solve_valid: Solver) -> None:
    """Without breaks, skills or a second window, auto solves with PyVRP."""
    problem = _plain_problem()
    assert backends.choose(problem, backends.AUTO, deterministic=False) == backends.PYVRP
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "pyvrp"
    assert plan.totals.assigned == 5


@pytest.mark.parametrize(
    "change",
    [
        {"technicians": (make_technician("t1", breaks=(lunch(),)),)},
        {"visits": (make_visit("a", windows=(window(8, 9), window(13, 14))),)},
        {
            "technicians": (make_technician("t1", skills=frozenset({"ac"})), make_technician("t2")),
            "visits": (make_visit("a", skills=frozenset({"ac"})),),
        },
        {"technicians": (make_technician("t1", max_overtime_s=3600),)},
    ],
    ids=["break", "two windows", "skill", "overtime"],
)
def test_choose_problem_pyvrp_cannot_express_never_goes_to_pyvrp(
    change: dict[str, Any], solve_valid: Solver
) -> None:
    """A break, a second window, a skill or overtime send auto to VROOM and OR-Tools."""
    fields: dict[str, Any] = {"technicians": (make_technician("t1"),), "visits": (make_visit(),)}
    fields.update(change)
    problem = make_problem(fields["technicians"], fields["visits"])
    assert not backend_pyvrp.expresses(problem)
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "vroom+ortools"
    assert plan.totals.assigned == 1


def test_choose_deterministic_is_ortools_alone(solve_valid: Solver) -> None:
    """Deterministic mode keeps OR-Tools alone, whatever the engine asked."""
    problem = _plain_problem()
    assert backends.choose(problem, backends.PYVRP, deterministic=True) == backends.ORTOOLS
    assert solve_valid(problem, QUICK).solver.engine == "ortools"


def test_solve_params_unknown_engine_is_invalid() -> None:
    """An engine name that does not exist is rejected on the field."""
    with pytest.raises(InvalidProblem) as info:
        SolveParams(engine="cplex")
    assert info.value.field == "engine"


@pytest.mark.parametrize(
    "routes",
    [{"t1": ["v1", "v1"]}, {"t1": ["v1", "v2", "v3", "v4", "v5"]}],
    ids=["visit twice", "window missed"],
)
def test_solve_pyvrp_plan_the_validator_rejects_falls_back_to_ortools(
    routes: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch, solve_valid: Solver
) -> None:
    """A PyVRP plan that serves a visit twice, or a route that cannot keep its windows (t1 alone
    cannot start all five by 10:00), is dropped, and OR-Tools plans the day instead."""
    problem = _plain_problem()
    monkeypatch.setattr(backend_pyvrp, "pyvrp_sequences", lambda *a, **k: routes)
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "ortools"
    assert plan.totals.assigned == 5


def test_solve_seed_reaches_pyvrp(monkeypatch: pytest.MonkeyPatch, solve_valid: Solver) -> None:
    """SolveParams.seed is the seed PyVRP searches with; its plan is still checked and used."""
    problem = _plain_problem()
    seeds: list[int] = []
    real = backend_pyvrp.pyvrp_sequences

    def recording(*args: object, seed: int = 0, **kwargs: object) -> object:
        seeds.append(seed)
        return real(*args, seed=seed, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backend_pyvrp, "pyvrp_sequences", recording)
    plan = solve_valid(problem, SolveParams(time_limit_s=1.0, seed=7))
    assert seeds == [7]
    assert plan.solver.engine == "pyvrp"
    assert plan.totals.assigned == 5


def test_solve_vroom_plan_the_validator_rejects_falls_back_to_ortools(
    monkeypatch: pytest.MonkeyPatch, solve_valid: Solver
) -> None:
    """A VROOM route that gives a visit to a technician without its skill is not a start: the
    search starts from our insertion plan instead."""
    problem = make_problem(
        [make_technician("t1", skills=frozenset({"ac"})), make_technician("t2")],
        [make_visit("a", skills=frozenset({"ac"}))],
    )
    monkeypatch.setattr(backend_vroom, "vroom_sequences", lambda *a, **k: {"t2": ["a"]})
    # In this process, where the replaced VROOM is (a fork-server child would load the real one).
    monkeypatch.setattr(vroom_runs, "_fork_context", lambda: None)
    plan = solve_valid(problem, FAST)
    assert plan.solver.first_plan == "insertion"
    assert plan.technician_of("a") == "t1"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warm_start_never_serves_less_weight_than_vroom(
    seed: int, monkeypatch: pytest.MonkeyPatch, solve_valid: Solver
) -> None:
    """The plan from VROOM's start serves at least the priority weight VROOM's plan serves."""
    problem = make_random_problem(seed, technicians=3, visits=30)
    starts: list[Plan | None] = []
    vroom_plan = backends.vroom_plan

    def recorded(p: Problem, time_limit_s: float, threads: int = 1, **kw: Any) -> Plan | None:
        starts.append(vroom_plan(p, time_limit_s, threads, **kw))
        return starts[-1]

    monkeypatch.setattr(backends, "vroom_plan", recorded)
    plan = solve_valid(problem, FAST)
    assert starts and starts[0] is not None
    assert _weight(problem, plan) >= _weight(problem, starts[0])
    assert backends.rank(problem, plan) <= backends.rank(problem, starts[0])


def test_vroom_pinned_skills_and_preferred_still_hold(solve_valid: Solver) -> None:
    """From VROOM's start (which knows no preferences): the pin is kept, skills hold, and the
    OR-Tools search gives `liked` to t1, who costs 20 min of extra travel against a 60-minute
    preference cost, where VROOM would leave it to t2 at the same place as the pinned visit."""
    problem = make_problem(
        [
            make_technician("t1", skills=frozenset({"ac"}), breaks=(lunch(),)),
            make_technician("t2", skills=frozenset({"ac"}), breaks=(lunch(),)),
            make_technician("t3", home=5, breaks=(lunch(),)),
        ],
        [
            make_visit("pinned", place=1, pinned_technician="t2"),
            make_visit("ac", place=9, skills=frozenset({"ac"})),
            make_visit("liked", place=1, preferred_technician="t1"),
        ],
        preference_cost=3600,
    )
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "vroom+ortools"
    assert plan.technician_of("pinned") == "t2"
    assert plan.technician_of("ac") in {"t1", "t2"}
    assert plan.technician_of("liked") == "t1"


def test_vroom_priorities_keep_the_order_of_our_weights() -> None:
    """On both scales VROOM's 0-100 priorities rise with ours and cover every priority; with
    priorities up to 3 the weights scale is our weights exactly (1, 10, 100)."""
    ours = sorted(PRIORITY_WEIGHT, key=PRIORITY_WEIGHT.__getitem__)
    urgent = make_problem([make_technician("t1")], [make_visit("a", priority=5)])
    for scale in (WEIGHTS, LINEAR):
        theirs = [priority_scale(urgent, scale)[p] for p in ours]
        assert theirs == sorted(set(theirs)) and theirs[0] >= 0 and theirs[-1] <= 100
    plain = make_problem([make_technician("t1")], [make_visit("a", priority=3)])
    assert [priority_scale(plain, WEIGHTS)[p] for p in (1, 2, 3)] == [1, 10, 100]


def test_pyvrp_full_day_drops_low_priority_first(solve_valid: Solver) -> None:
    """PyVRP's prizes follow our weights: when one of two visits fits, the urgent one is kept,
    and the dropped one gets its reason from optimizer.reasons."""
    problem = make_problem(
        [make_technician("t1")],
        [
            make_visit("low", place=1, duration_s=7 * 3600, windows=(window(8, 9),)),
            make_visit("high", place=2, duration_s=7 * 3600, priority=3, windows=(window(8, 9),)),
        ],
    )
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "pyvrp"
    assert plan.technician_of("high") == "t1"
    assert [(u.visit, u.reason.value) for u in plan.unassigned] == [("low", "no_capacity")]


def test_vroom_start_uses_overtime_only_when_it_serves_more(solve_valid: Solver) -> None:
    """A visit that only fits with overtime is served with it (and stated), from VROOM's start."""
    problem = make_problem(
        [make_technician("t1", shift=window(8, 10), max_overtime_s=3600)],
        [make_visit("long", place=1, duration_s=2 * 3600, windows=(window(8, 8.5),))],
    )
    plan = solve_valid(problem, FAST)
    assert plan.solver.engine == "vroom+ortools"
    route = plan.route_of("t1")
    assert route is not None and route.stops[0].visit == "long"
    assert route.overtime_s == 20 * 60  # 08:10-10:10 at the customer, back at 10:20


def test_vroom_start_is_reported_and_a_failing_report_ends_the_solve() -> None:
    """VROOM's plan is reported before OR-Tools starts; an exception there reaches the caller
    (how a cancelled planning job stops)."""
    problem = make_problem([make_technician("t1", breaks=(lunch(),))], [make_visit()])
    seen: list[Progress] = []

    def cancel(progress: Progress) -> None:
        seen.append(progress)
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        solve(problem, SolveParams(time_limit_s=1.0, on_progress=cancel))
    assert len(seen) == 1 and seen[0].assigned == 1
