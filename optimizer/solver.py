"""solve(problem, params) -> Plan: build the routing model, search, and read the plan back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from . import backends, budget, horizon_days, horizon_first, horizon_week, model, warm_start
from .errors import InvalidProblem
from .horizon_previous import previous_week
from .make_room import make_room
from .model import RoutingContext, SolvedRoute
from .phases import PhaseClock
from .plan import (
    BreakTime,
    Plan,
    PlanStatus,
    Progress,
    Route,
    SolverInfo,
    Stop,
    totals_of,
    wait_days_of,
)
from .previous_plan import PREVIOUS, previous_plan, whole
from .problem import Problem
from .reasons import explain
from .soft_rules import kept_start
from .timing import Span, drive, earliest_in, latest_departure

# OR-Tools' RoutingSearchStatus, by name, for a search that returned a plan. Without a plan the
# status is NO_SOLUTION (ROUTING_FAIL, ROUTING_FAIL_TIMEOUT: a time limit before the first plan;
# ROUTING_INVALID: rejected parameters). Iterated local search leaves ROUTING_NOT_SOLVED even
# when it returns a plan (ortools 9.15), hence FEASIBLE for any name not listed.
# The end of a first plan's name (SolverInfo.first_plan) when make_room served more of it.
ROOM_LABEL = " + make room"
_STATUS_WITH_PLAN = {
    "ROUTING_OPTIMAL": PlanStatus.OPTIMAL,
    "ROUTING_SUCCESS": PlanStatus.FEASIBLE,
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": PlanStatus.FEASIBLE,
}


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How long and how to search.

    no_improvement_s stops the search when no better plan was found for that long. deterministic
    replaces the time limits by a work limit, work_limit search branches (OR-Tools decisions;
    solutions found with iterated local search), so that the same problem always gives the same
    plan (no_improvement_s is then ignored). first_solution is an OR-Tools FirstSolutionStrategy
    name, metaheuristic a LocalSearchMetaheuristic name or ITERATED_LOCAL_SEARCH (ruin and
    recreate: better on Solomon VRPTW, but stops on neither no_improvement_s nor should_stop).
    engine picks the search (backends.py): auto (PyVRP for the problems it expresses, else the
    best of our insertion plan and VROOM's runs improved by OR-Tools), ortools, pyvrp or
    vroom+ortools; deterministic mode always runs OR-Tools alone. threads is how many threads
    VROOM may use for its runs (OR-Tools and PyVRP use one); seed is PyVRP's (OR-Tools and VROOM
    use none).

    should_stop is asked all along the search (on the solving thread); once it returns True the
    search ends and solve returns the best plan found so far, or a NO_SOLUTION plan. VROOM runs
    in a child process, which is killed within POLL_S of a stop (vroom_runs.py). A cancel beats
    determinism, so a stopped deterministic run is not reproducible. Iterated local search cannot
    stop on it.

    Raises:
        InvalidProblem: on a non-positive limit, an unknown strategy name, or iterated local
            search with no_improvement_s or should_stop.
    """

    time_limit_s: float = 10.0
    no_improvement_s: float | None = None
    deterministic: bool = False
    work_limit: int = 2000
    on_progress: Callable[[Progress], None] | None = None
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    log_search: bool = False
    engine: str = backends.AUTO
    threads: int = 1
    seed: int = 0
    should_stop: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise InvalidProblem(f"must be > 0, got {self.time_limit_s}.", field="time_limit_s")
        if self.no_improvement_s is not None and not self.no_improvement_s > 0:
            msg = f"must be > 0 or None, got {self.no_improvement_s}."
            raise InvalidProblem(msg, field="no_improvement_s")
        if self.threads < 1:
            raise InvalidProblem(f"must be >= 1, got {self.threads}.", field="threads")
        if self.work_limit < 1:
            raise InvalidProblem(f"must be >= 1, got {self.work_limit}.", field="work_limit")
        if self.first_solution not in model.FIRST_SOLUTION_STRATEGIES:
            msg = f"unknown first solution strategy {self.first_solution!r}."
            raise InvalidProblem(msg, field="first_solution")
        if self.metaheuristic not in model.METAHEURISTICS:
            msg = f"unknown metaheuristic {self.metaheuristic!r}."
            raise InvalidProblem(msg, field="metaheuristic")
        if self.engine not in backends.ENGINES:
            known = ", ".join(sorted(backends.ENGINES))
            raise InvalidProblem(f"unknown engine {self.engine!r}; one of {known}.", field="engine")
        ils = self.metaheuristic == model.ITERATED_LOCAL_SEARCH
        if ils and self.no_improvement_s and not self.deterministic:
            msg = "iterated local search cannot stop on no_improvement_s; use time_limit_s."
            raise InvalidProblem(msg, field="no_improvement_s")
        if ils and self.should_stop is not None:  # even deterministic: it is honoured there
            msg = "iterated local search cannot stop on should_stop; use another metaheuristic."
            raise InvalidProblem(msg, field="should_stop")


def solve(problem: Problem, params: SolveParams | None = None) -> Plan:
    """Assign visits to technicians; visits that cannot be served come back in plan.unassigned.

    Raises:
        InvalidProblem: when the problem is too large for 64-bit objective values.
    """
    params = params if params is not None else SolveParams()
    started_s = time.perf_counter()
    if not problem.visits or not problem.technicians:
        return _unsolved(problem, PlanStatus.EMPTY, started_s)
    if _stop_asked(params):
        return _unsolved(problem, PlanStatus.NO_SOLUTION, started_s)
    engine = backends.choose(problem, params.engine, params.deterministic)
    if engine == backends.PYVRP:
        plan = _solve_pyvrp(problem, params, started_s)
        if plan is not None:
            return plan
        if _stop_asked(params):
            return _unsolved(problem, PlanStatus.NO_SOLUTION, started_s)
        engine = backends.ORTOOLS  # rejected by the validator: OR-Tools, with the time left
    clock = PhaseClock(started_s)
    if _horizon_start(problem, params, engine):
        return _noted(problem, _solve_horizon(problem, params, started_s, clock))
    first = None
    if engine == backends.VROOM_ORTOOLS and params.metaheuristic != model.ITERATED_LOCAL_SEARCH:
        first = _first_plan(problem, params, started_s, clock)
        if _stop_asked(params):  # cancelled during VROOM's runs: no OR-Tools search
            if first is None:
                return _unsolved(problem, PlanStatus.NO_SOLUTION, started_s)
            return _stamped(first, started_s, _engine_of(first), clock)
        if first is not None and _out_of_time(problem, params, started_s):
            return _stamped(first, started_s, _engine_of(first), clock)
    plan = _solve_ortools(problem, params, started_s, first, clock)
    if first is not None and backends.rank(problem, first) < backends.rank(problem, plan):
        plan = _stamped(first, started_s, _engine_of(first), clock)  # OR-Tools did no better
    if first is None:
        return _noted(problem, plan)
    if plan.solver.engine != backends.INSERTION:  # our insertion already placed what fits
        plan = backends.filled(problem, plan)
        clock.lap("fill")
    wall_s = time.perf_counter() - started_s
    return replace(plan, solver=replace(plan.solver, wall_s=wall_s, phases=clock.phases))


def _solve_horizon(
    problem: Problem, params: SolveParams, started_s: float, clock: PhaseClock
) -> Plan:
    """A multi-day or crew problem: our insertion plan over the technicians' shifts, then each
    day searched on its own and visits moved between days (horizon_week.py)."""
    first = _horizon_first(problem, params, started_s, clock)
    if _stop_asked(params):
        if first is None:
            return _unsolved(problem, PlanStatus.NO_SOLUTION, started_s)
        return _stamped(first, started_s, backends.INSERTION, clock)
    if first is None or problem.days == 1:
        plan = _solve_ortools(problem, params, started_s, first, clock)
    else:
        elapsed_s = time.perf_counter() - started_s + budget.READ_BACK_S
        left_s = budget.ortools_s(params.time_limit_s, elapsed_s, params.deterministic)
        days_s = budget.horizon_days_s(left_s)
        search = _day_search(params)
        plan = horizon_week.searched(problem, first, search, days_s, params.should_stop)
        clock.lap("days, then between days")
    if first is not None and backends.rank(problem, first) < backends.rank(problem, plan):
        return _stamped(first, started_s, backends.INSERTION, clock)  # OR-Tools did worse
    plan = horizon_first.filled(problem, plan)
    clock.lap("fill")
    engine = backends.ORTOOLS if first is None else backends.INSERTION_ORTOOLS
    label = "" if first is None else first.solver.first_plan
    info = replace(plan.solver, engine=engine, first_plan=label)
    info = replace(info, wall_s=time.perf_counter() - started_s, phases=clock.phases)
    return replace(plan, solver=info)


def _day_search(params: SolveParams) -> horizon_days.Improve:
    """The search of one day of a horizon: a day without crew visits as a single day is solved
    (VROOM's runs and OR-Tools), else the OR-Tools model from its part of the first plan."""

    def improve(day: Problem, start: Plan, seconds: float) -> Plan:
        now_s = time.perf_counter()
        day_params = replace(params, time_limit_s=seconds, on_progress=None)
        if day.single_day_solo:
            return solve(day, day_params)
        return _solve_ortools(day, day_params, now_s, start, PhaseClock(now_s))

    return improve


def _horizon_start(problem: Problem, params: SolveParams, engine: str) -> bool:
    """True when a multi-day or crew problem is planned from our insertion plan (not when
    OR-Tools alone was asked for, nor in deterministic mode)."""
    return (
        engine == backends.ORTOOLS
        and params.engine != backends.ORTOOLS
        and not params.deterministic
        and params.metaheuristic != model.ITERATED_LOCAL_SEARCH
        and bool(backends.only_ortools(problem))
    )


def _horizon_first(
    problem: Problem, params: SolveParams, started_s: float, clock: PhaseClock
) -> Plan | None:
    """The first plan of a multi-day or crew problem (horizon_first.py), reported at once; a
    re-plan that prices moves has the plan it replaces too (horizon_previous.py), the better
    by rank() kept, so that the search starts from it and keeps it when it finds no better."""
    first = horizon_first.first_plan(problem)
    kept = previous_week(problem)
    if kept is not None and (
        first is None or backends.rank(problem, kept) <= backends.rank(problem, first)
    ):
        first = kept
    clock.lap("first plan")
    if first is not None and params.on_progress is not None:
        params.on_progress(_progress(problem, first, started_s))
    return first


def _noted(problem: Problem, plan: Plan) -> Plan:
    """The plan with the note of why VROOM and PyVRP were skipped, when they were."""
    note = backends.only_ortools(problem)
    if not note:
        return plan
    return replace(plan, solver=replace(plan.solver, notes=(*plan.solver.notes, note)))


def _first_plan(
    problem: Problem, params: SolveParams, started_s: float, clock: PhaseClock
) -> Plan | None:
    """The plan the OR-Tools search starts from: ours by insertion (reported at once: a first
    plan within a second or two), then VROOM's runs for their share; the best by rank(). On a
    small day VROOM's cheap run is as quick as our insertion and better: the insertion is then
    made only when VROOM gives no plan. A re-plan that prices moves has the plan it replaces
    instead, for the search to beat from its own first solution, with VROOM's time too
    (previous_plan.py)."""
    share_s = budget.vroom_s(params.time_limit_s)
    kept = previous_plan(problem)
    if kept is not None and whole(kept):
        first: Plan | None = kept
    elif _vroom_first(problem, share_s):
        first = None
    else:  # a visit lost its place and waits for room: OR-Tools alone may not find it (a pin)
        backends.prepare_vroom(problem, share_s)
        first = _reported(problem, params, started_s, backends.insertion_plan(problem))
    clock.lap("first plan")
    if first is not None and first.solver.first_plan == PREVIOUS:
        return _reported(problem, params, started_s, first)
    vroom = backends.vroom_plan(
        problem,
        started_s + share_s - time.perf_counter(),
        params.threads,
        should_stop=params.should_stop,
    )
    clock.lap(backends.vroom_phase(problem))
    if vroom is not None and (
        first is None or backends.rank(problem, vroom) < backends.rank(problem, first)
    ):
        first = _reported(problem, params, started_s, vroom)
    elif first is None:  # VROOM gave no plan on a small day: ours after all
        first = _reported(problem, params, started_s, backends.insertion_plan(problem))
        clock.lap("first plan")
    return None if first is None else _with_room(problem, params, started_s, clock, first)


def _vroom_first(problem: Problem, share_s: float) -> bool:
    """True when VROOM's cheap run comes before our insertion: a small day (it runs in this
    process, budget.small_day) with time for it."""
    n = len(problem.visits)
    return budget.small_day(n) and share_s >= budget.min_vroom_s(n)


def _reported(
    problem: Problem, params: SolveParams, started_s: float, plan: Plan | None
) -> Plan | None:
    """The plan, reported as progress first when there is one (may raise: a job cancelled)."""
    if plan is not None and params.on_progress is not None:
        params.on_progress(_progress(problem, plan, started_s))
    return plan


def _with_room(
    problem: Problem, params: SolveParams, started_s: float, clock: PhaseClock, first: Plan
) -> Plan:
    """The first plan with room made for what it leaves out (make_room.py), until its share
    of the time limit ends; its first_plan then ends in `+ make room`."""
    end_s = started_s + budget.room_end_s(params.time_limit_s)
    if not first.unassigned or time.perf_counter() >= end_s or _stop_asked(params):
        return first
    roomy = make_room(problem, first, end_s, params.should_stop)
    clock.lap("make room")
    if roomy is first:
        return first
    label = f"{first.solver.first_plan}{ROOM_LABEL}"
    if params.on_progress is not None:
        params.on_progress(_progress(problem, roomy, started_s))
    return replace(roomy, solver=replace(roomy.solver, first_plan=label))


def _out_of_time(problem: Problem, params: SolveParams, started_s: float) -> bool:
    """True when the first plan used the whole time limit, the read back's included, and
    building the OR-Tools model would take longer than the short search it would then get."""
    n = len(problem.visits)
    elapsed_s = time.perf_counter() - started_s + budget.read_back_s(n)
    if budget.time_left_s(params.time_limit_s, elapsed_s) > 0:
        return False
    return budget.build_s(n) > budget.ortools_s(params.time_limit_s, elapsed_s, False)


def _progress(problem: Problem, plan: Plan, started_s: float) -> Progress:
    """A progress report of a plan found outside OR-Tools, its objective as OR-Tools counts it."""
    weight, cost = backends.rank(problem, plan)
    unserved = sum(v.weight for v in problem.visits) + weight
    objective = cost + model.penalty_unit(problem) * unserved
    return Progress(time.perf_counter() - started_s, objective, plan.totals.assigned)


def _engine_of(first: Plan) -> str:
    """The engine label of a first plan returned as it is: VROOM's, our insertion's or the
    plan a re-plan replaces."""
    source = first.solver.first_plan.removesuffix(ROOM_LABEL)
    if source in (backends.INSERTION, PREVIOUS):
        return source
    return backends.VROOM


def _solve_ortools(
    problem: Problem,
    params: SolveParams,
    started_s: float,
    first: Plan | None,
    clock: PhaseClock,
) -> Plan:
    """The OR-Tools search, from `first` when given (not the plan a re-plan replaces), for the
    time left of the time limit; searched again with more time to finalise each solution when
    the search from `first` failed to finalise one (_needs_retry)."""
    # Not from the plan a re-plan replaces: measured, OR-Tools' own first solution (which
    # knows the prices) led the search to better plans within a re-plan's seconds.
    kept = first is not None and first.solver.first_plan == PREVIOUS
    start = None if kept else first
    ctx, watch, assignment = _search(problem, params, started_s, start, clock, retry=False)
    if _needs_retry(problem, params, started_s, start, watch, assignment):
        ctx, watch, assignment = _search(problem, params, started_s, start, clock, retry=True)
    if watch.error is not None:
        raise watch.error
    # Stopped before its first solution, OR-Tools still returns an assignment (every visit
    # dropped, ortools 9.15): that is no plan found, not a day too full to serve anyone.
    if assignment is None or (watch.stopped and watch.best is None):
        return _unsolved(problem, PlanStatus.NO_SOLUTION, started_s)
    status = _STATUS_WITH_PLAN.get(model.status_name(ctx), PlanStatus.FEASIBLE)
    routes = model.read_routes(ctx, assignment)
    engine = backends.ORTOOLS if first is None or kept else backends.VROOM_ORTOOLS
    plan = _plan(ctx, routes, status, started_s, int(assignment.ObjectiveValue()), engine)
    clock.lap("read back")
    first_plan = "" if first is None else first.solver.first_plan
    info = replace(plan.solver, phases=clock.phases, first_plan=first_plan)
    return replace(plan, solver=info)


def _search(
    problem: Problem,
    params: SolveParams,
    started_s: float,
    start: Plan | None,
    clock: PhaseClock,
    retry: bool,
) -> tuple[RoutingContext, _Watch, Any]:
    """Build the model and search it from `start` (when given) for the time left: the model,
    the watch of the search and the assignment found (None when none)."""
    ctx = model.build_model(problem)
    watch = _Watch(ctx, params, started_s)
    initial_routes = None if start is None else warm_start.start_routes(ctx, start)
    clock.lap("build again" if retry else "build")
    deterministic = params.deterministic
    elapsed_s = time.perf_counter() - started_s + budget.read_back_s(len(problem.visits))
    assignment = model.search(
        ctx,
        first_solution=params.first_solution,
        metaheuristic=params.metaheuristic,
        time_limit_s=budget.ortools_s(params.time_limit_s, elapsed_s, deterministic),
        branch_limit=params.work_limit if deterministic else None,
        log_search=params.log_search,
        on_solution=watch.at_solution,
        should_stop=watch.should_stop if watch.may_stop else None,
        initial_routes=initial_routes,
        retry=retry,
    )
    clock.lap("ortools, finalising longer" if retry else "ortools")
    return ctx, watch, assignment


def _needs_retry(
    problem: Problem,
    params: SolveParams,
    started_s: float,
    start: Plan | None,
    watch: _Watch,
    assignment: Any,
) -> bool:
    """True when the search from a first plan ended without a plan, neither stopped nor
    failed, with time left: OR-Tools could not finalise a solution within its LNS time limit
    (ROUTING_FAIL; seen at 200x1000 under load), which more time for it cures."""
    if assignment is not None or start is None or watch.stopped or watch.error is not None:
        return False
    if params.deterministic or model.status_name(watch.ctx) != "ROUTING_FAIL":
        return False
    n = len(problem.visits)
    elapsed_s = time.perf_counter() - started_s + budget.read_back_s(n) + budget.build_s(n)
    return budget.time_left_s(params.time_limit_s, elapsed_s) > 0


def _solve_pyvrp(problem: Problem, params: SolveParams, started_s: float) -> Plan | None:
    """PyVRP's plan, checked by the validator; None when it has none or the validator objects."""
    watch = backends.PyvrpWatch(
        params.on_progress, started_s, params.no_improvement_s, params.should_stop
    )
    plan = backends.pyvrp_plan(problem, params.time_limit_s, watch, params.seed)
    return None if plan is None else _stamped(plan, started_s, backends.PYVRP)


def _stamped(plan: Plan, started_s: float, engine: str, clock: PhaseClock | None = None) -> Plan:
    """The plan with its solver info: feasible, the wall time so far, cost and engine, and
    where the time went (clock)."""
    cost = sum(r.travel_s for r in plan.routes)
    phases = () if clock is None else clock.phases
    info = SolverInfo(
        PlanStatus.FEASIBLE,
        time.perf_counter() - started_s,
        cost,
        engine,
        phases=phases,
        first_plan=plan.solver.first_plan,
    )
    return replace(plan, solver=info)


def _stop_asked(params: SolveParams) -> bool:
    """True when the caller's should_stop says to stop now."""
    return params.should_stop is not None and params.should_stop()


class _Watch:
    """Follows the search: reports improvements, and says when it has stalled or the caller
    asks it to stop."""

    def __init__(self, ctx: RoutingContext, params: SolveParams, started_s: float) -> None:
        self.ctx, self.params, self.started_s = ctx, params, started_s
        # Deterministic mode ignores no_improvement_s (a stall is a wall-time matter).
        self.no_improvement_s = None if params.deterministic else params.no_improvement_s
        self.may_stop = params.should_stop is not None or self.no_improvement_s is not None
        self.best: int | None = None
        self.stall_at_s = float("inf")  # when the search counts as stalled
        self.stopped = False  # the caller's should_stop ended the search
        self.error: Exception | None = None

    def at_solution(self, objective: int) -> bool:
        """Note a solution; True to end the search (the progress callback failed)."""
        if self.best is not None and objective >= self.best:
            return False
        now_s = time.perf_counter()
        self.best = objective
        self.stall_at_s = now_s + (self.no_improvement_s or float("inf"))
        if self.params.on_progress is not None:
            progress = Progress(now_s - self.started_s, objective, model.count_assigned(self.ctx))
            try:
                self.params.on_progress(progress)
            except Exception as e:  # raised again after the search: it cannot cross C++
                self.error = e
        return self.error is not None

    def should_stop(self) -> bool:
        """True when the caller asks to stop (or its should_stop failed), or when no better
        plan was found for no_improvement_s (never before a first one)."""
        try:
            self.stopped = self.stopped or _stop_asked(self.params)
        except Exception as e:  # raised again after the search: it cannot cross C++
            self.error = e
        return self.stopped or self.error is not None or time.perf_counter() >= self.stall_at_s


def _plan(
    ctx: RoutingContext,
    solved: tuple[SolvedRoute, ...],
    status: PlanStatus,
    started_s: float,
    objective: int,
    engine: str,
) -> Plan:
    """The plan of a solution: routes with their times, and the reasons for what is left out."""
    problem = ctx.problem
    routes = tuple(_route(ctx, r) for r in solved)
    served = {i for r in solved for i in r.visits}
    dropped = [i for i in range(len(problem.visits)) if i not in served]
    unassigned = explain(problem, dropped)
    return Plan(
        routes=routes,
        unassigned=unassigned,
        totals=totals_of(routes, len(unassigned), wait_days_of(problem, routes)),
        solver=SolverInfo(status, time.perf_counter() - started_s, objective, engine),
    )


def _unsolved(problem: Problem, status: PlanStatus, started_s: float) -> Plan:
    """A plan without routes: every visit unassigned with its reason."""
    unassigned = explain(problem, range(len(problem.visits)))
    return Plan(
        routes=(),
        unassigned=unassigned,
        totals=totals_of((), len(unassigned)),
        solver=SolverInfo(status, time.perf_counter() - started_s, 0),
    )


def _route(ctx: RoutingContext, solved: SolvedRoute) -> Route:
    """A route with its times: each service as early as the solver's order and breaks allow
    (a crew visit at the solver's start, which its crew shares), and the departure as late as
    the first service allows."""
    tech = ctx.vehicles[solved.vehicle]
    visits = [ctx.problem.visits[i] for i in solved.visits]
    nodes = [ctx.starts[solved.vehicle], *solved.nodes, ctx.ends[solved.vehicle]]
    travel_s = [int(ctx.table.durations_s[a, b]) for a, b in pairwise(nodes)]
    gaps = _breaks_per_gap(ctx, solved)
    starts_s: list[int] = []
    ready_s = tech.shift.start_s  # when the technician is free to drive on
    for g, (i, solver_start_s) in enumerate(
        zip(solved.visits, solved.service_starts_s, strict=True)
    ):
        earliest_s = max([drive(ready_s, travel_s[g], gaps[g])] + [b for _, b in gaps[g]])
        start_s = earliest_in(ctx.windows[i], earliest_s)
        if start_s is None or ctx.problem.visits[i].crew_size > 1:
            start_s = solver_start_s
        else:  # a priced start stays near its previous one (soft_rules)
            start_s = kept_start(ctx.problem, visits[g], ctx.windows[i], start_s, solver_start_s)
        starts_s.append(min(start_s, solver_start_s))
        ready_s = starts_s[-1] + visits[g].duration_s
    depart_s = latest_departure(tech.shift.start_s, starts_s[0], travel_s[0], gaps[0])
    free_s = [depart_s] + [s + v.duration_s for s, v in zip(starts_s, visits, strict=True)]
    arrivals_s = [
        drive(free_s[g], travel_s[g], [b for b in gaps[g] if b[0] >= free_s[g]])
        for g in range(len(visits))
    ]
    end_s = drive(free_s[-1], travel_s[-1], gaps[-1])
    stops = tuple(
        Stop(v.id, a, s, s + v.duration_s)
        for v, a, s in zip(visits, arrivals_s, starts_s, strict=True)
    )
    return Route(
        technician=tech.id,
        stops=stops,
        breaks=tuple(BreakTime(a, b) for a, b in solved.breaks),
        start_s=depart_s,
        end_s=end_s,
        travel_s=sum(travel_s),
        distance_m=sum(int(ctx.table.distances_m[a, b]) for a, b in pairwise(nodes)),
        overtime_s=max(0, end_s - tech.shift.end_s),
        day=tech.shifts[0].day,
    )


def _breaks_per_gap(ctx: RoutingContext, solved: SolvedRoute) -> list[list[Span]]:
    """For each gap between the solver's services (shift start -> first, ..., last -> route
    end), the breaks the solver placed in it."""
    visits = ctx.problem.visits
    ends_s = [ctx.vehicles[solved.vehicle].shift.start_s] + [
        s + visits[i].duration_s
        for i, s in zip(solved.visits, solved.service_starts_s, strict=True)
    ]
    starts_s = [*solved.service_starts_s, solved.end_s]
    return [
        [b for b in solved.breaks if lo_s <= b[0] and b[1] <= hi_s]
        for lo_s, hi_s in zip(ends_s, starts_s, strict=True)
    ]
