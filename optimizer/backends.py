"""Which search solves a problem, and the searches other than OR-Tools' own.

- pyvrp: PyVRP alone, for the problems it expresses exactly (backend_pyvrp.expresses): no
  breaks, one window per visit, no overtime, skills or technician preferences. The Solomon VRPTW
  instances are such problems.
- vroom+ortools: VROOM finds a first plan quickly, within a share of the time, and the OR-Tools
  model (which adds overtime cost, preferred and previous technicians) improves it for the rest.
- ortools: the OR-Tools model alone; deterministic mode always uses it (SolveParams).
A plan says which in SolverInfo.engine; "vroom" when OR-Tools did not improve VROOM's plan.
Every plan another library returns is checked with the validator; a plan that breaks a rule is
dropped and OR-Tools takes over. What a plan is worth is rank(): priority weight served first,
then cost, as in the OR-Tools objective.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import budget
from .check_soft import soft_costs
from .checker import check
from .errors import InvalidProblem
from .plan import Plan, Progress
from .problem import Problem
from .pyvrp_rules import expresses
from .sequence_plan import sequences_to_plan
from .stop_times import Item

# backend_pyvrp and backend_vroom are imported where first used: pyvrp takes 0.15 s to import and
# vroom 0.34 s (it brings pandas), which every `import optimizer` would pay otherwise.

AUTO = "auto"
ORTOOLS = "ortools"
PYVRP = "pyvrp"
VROOM_ORTOOLS = "vroom+ortools"
ENGINES = frozenset({AUTO, ORTOOLS, PYVRP, VROOM_ORTOOLS})
VROOM = "vroom"  # not an engine to ask for: a plan of VROOM's that OR-Tools did not improve
INSERTION = "insertion"  # nor this: our insertion plan, when neither VROOM nor OR-Tools beat it
INSERTION_ORTOOLS = "insertion+ortools"  # nor this: a multi-day or crew problem (only_ortools)


def choose(problem: Problem, engine: str, deterministic: bool) -> str:
    """The engine that will solve the problem: `engine` unless it is auto or cannot apply.

    Only the OR-Tools model plans several shifts per technician and crew visits (see
    only_ortools); VROOM, PyVRP and our insertion plan one day with one technician a visit.
    """
    if deterministic or engine == ORTOOLS or not problem.visits or not problem.technicians:
        return ORTOOLS
    if only_ortools(problem):
        return ORTOOLS
    if engine in (PYVRP, AUTO):
        if expresses(problem):
            return PYVRP
        return ORTOOLS if engine == PYVRP else VROOM_ORTOOLS
    return engine


def only_ortools(problem: Problem) -> str:
    """Why only the OR-Tools model can plan this problem ('' when every engine can)."""
    if problem.single_day_solo:
        return ""
    what = []
    if any(len(t.shifts) > 1 for t in problem.technicians):
        what.append(f"spans {problem.days} days with several shifts per technician")
    if any(v.crew_size > 1 for v in problem.visits):
        what.append("has crew visits")
    return (
        f"The problem {' and '.join(what)}: VROOM and PyVRP, which plan one day with one "
        "technician a visit, are skipped for the whole; a first plan by insertion over each "
        "technician's shifts (crews first, at a common start) is improved by the OR-Tools "
        "model (one day), or day by day (VROOM and OR-Tools on each day, its crews held) and "
        "by moves of visits between days (several days); insertion fills in what is left out."
    )


def rank(problem: Problem, plan: Plan) -> tuple[int, int]:
    """Smaller is better: minus the priority weight served, then travel, overtime, preference,
    stability and waiting costs, fair workload and moved starts (the OR-Tools objective without
    its penalties)."""
    crews: dict[str, set[str]] = {}
    starts: dict[str, int] = {}
    for r in plan.routes:
        for s in r.stops:
            crews.setdefault(s.visit, set()).add(r.technician)
            starts.setdefault(s.visit, s.start_s)
    weight = sum(v.weight for v in problem.visits if v.id in crews)
    techs = {t.id: t for t in problem.technicians}
    cost = sum(r.travel_s + techs[r.technician].overtime_cost * r.overtime_s for r in plan.routes)
    for v in problem.visits:
        crew = crews.get(v.id)
        if crew is None:
            continue
        if v.preferred_technician is not None and v.preferred_technician not in crew:
            cost += problem.preference_cost
        if v.previous_technician is not None and v.previous_technician not in crew:
            cost += problem.stability_cost
        cost += problem.day_wait_cost * v.wait_days(starts[v.id])
    if problem.fairness_cost or problem.start_move_cost:  # else skip building the table
        soft = soft_costs(problem, plan)
        cost += soft.fairness_cost + problem.start_move_cost * soft.moved_s
    return -weight, cost


def checked_plan(problem: Problem, sequences: Mapping[str, Sequence[Item]]) -> Plan | None:
    """The plan of another library's routes, or None when the validator rejects it."""
    try:
        plan = sequences_to_plan(problem, sequences)
    except InvalidProblem:  # a route that cannot be timed under our rules
        return None
    return None if check(problem, plan) else plan


@dataclass
class PyvrpWatch:
    """PyVRP's callbacks: reports each better plan, stops on a stall, a failed report or when
    the caller's stop says so."""

    on_progress: Callable[[Progress], None] | None  # SolveParams.on_progress
    started_s: float
    no_improvement_s: float | None
    stop: Callable[[], bool] | None = None  # SolveParams.should_stop
    error: Exception | None = None
    last_best_s: float | None = None
    reported: bool = False

    def on_best(self, best: Any) -> None:
        """A better feasible solution: note when, and report it."""
        self.last_best_s = time.perf_counter()
        self._report(int(best.distance()), best.num_clients())

    def _report(self, objective: int, assigned: int) -> None:
        if self.on_progress is None or self.error is not None:
            return
        self.reported = True
        try:
            self.on_progress(Progress(time.perf_counter() - self.started_s, objective, assigned))
        except Exception as e:  # raised again by solve() once PyVRP has stopped
            self.error = e

    def finish(self, plan: Plan | None) -> None:
        """Report the plan when PyVRP never beat its initial solution (nothing reported yet),
        and raise what a report raised."""
        if plan is not None and not self.reported:
            self._report(sum(r.travel_s for r in plan.routes), plan.totals.assigned)
        if self.error is not None:
            raise self.error

    def should_stop(self, _best_cost: float) -> bool:
        """True when a report failed, the caller's stop says so, or nothing better came for
        no_improvement_s (counted from the start when PyVRP's initial solution is never
        beaten). PyVRP asks at every iteration."""
        if self.error is not None or (self.stop is not None and self.stop()):
            return True
        if self.no_improvement_s is None:
            return False
        if self.last_best_s is None:
            self.last_best_s = time.perf_counter()
        return time.perf_counter() - self.last_best_s >= self.no_improvement_s


def pyvrp_plan(
    problem: Problem, time_limit_s: float, watch: PyvrpWatch, seed: int = 0
) -> Plan | None:
    """PyVRP's plan, checked; None when it found none or the validator rejects it."""
    from .backend_pyvrp import pyvrp_sequences

    sequences = pyvrp_sequences(
        problem,
        time_limit_s=time_limit_s,
        seed=seed,
        on_best=watch.on_best,
        stop=watch.should_stop,
    )
    plan = checked_plan(problem, sequences) if sequences and watch.error is None else None
    watch.finish(plan)
    return plan


def vroom_plan(
    problem: Problem,
    time_limit_s: float,
    threads: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> Plan | None:
    """The best checked plan of VROOM's runs (vroom_runs.PORTFOLIO) within time_limit_s on
    `threads` threads, by rank(); its solver.first_plan names the run. A big day is planned in
    clusters instead (decomposes(), decomposed.py). None when no run gave a plan the validator
    accepts, or should_stop ended the first run."""
    deadline_s = time.perf_counter() + time_limit_s  # importing VROOM (0.3 s and more) counts
    if time_limit_s < budget.min_vroom_s(len(problem.visits)):  # not worth importing VROOM
        return None
    if decomposes(problem):
        from .decomposed import decomposed_plan

        return decomposed_plan(problem, deadline_s, threads, should_stop or _never)
    from .vroom_runs import portfolio

    best: Plan | None = None
    for result in portfolio(problem, deadline_s, threads, should_stop or _never):
        plan = None if result.sequences is None else checked_plan(problem, result.sequences)
        if plan is not None and (best is None or rank(problem, plan) < rank(problem, best)):
            best = replace(plan, solver=replace(plan.solver, first_plan=result.run.name))
    return best


def decomposes(problem: Problem) -> bool:
    """True when VROOM plans the day in clusters (decomposed.py) rather than whole: a big day,
    which VROOM alone plans in minutes (100x500: 100-170 s on one core)."""
    return len(problem.visits) >= budget.DECOMPOSE_MIN_VISITS


def vroom_phase(problem: Problem) -> str:
    """The name of the VROOM phase in the plan's solver.phases."""
    return "vroom clusters" if decomposes(problem) else "vroom"


def prepare_vroom(problem: Problem, share_s: float) -> None:
    """Get VROOM's child processes ready (vroom_runs.start_server) while other work goes on,
    when a run of VROOM's share of share_s seconds may need one (vroom_runs.needs_children)."""
    from .vroom_runs import needs_children, start_server

    if needs_children(problem, share_s):
        start_server()


def insertion_plan(problem: Problem) -> Plan | None:
    """Our own first plan: each visit at its cheapest place, most urgent first (insertion.py),
    checked; None when the validator rejects it."""
    from .insertion import place

    placement = place(problem, {}, [v.id for v in problem.visits])
    plan = checked_plan(problem, placement.sequences)
    return (
        None if plan is None else replace(plan, solver=replace(plan.solver, first_plan=INSERTION))
    )


def filled(problem: Problem, plan: Plan) -> Plan:
    """The plan with the visits it leaves out put at their cheapest feasible places, when that
    serves more weight (a search stopped by its time limit may leave a visit that still fits);
    else the plan itself (always on a multi-day or crew problem: see only_ortools)."""
    from .insertion import place

    if not plan.unassigned or not problem.single_day_solo:
        return plan
    sequences = {r.technician: [s.visit for s in r.stops] for r in plan.routes}
    try:
        placement = place(problem, sequences, [u.visit for u in plan.unassigned])
    except InvalidProblem:  # a route our insertion cannot time as given: keep the plan
        return plan
    if len(placement.unplaced) == len(plan.unassigned):
        return plan
    better = checked_plan(problem, placement.sequences)
    if better is None or rank(problem, better) >= rank(problem, plan):
        return plan
    return replace(better, solver=plan.solver)


def _never() -> bool:
    return False
