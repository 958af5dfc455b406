"""The OR-Tools routing model of a Problem, its search, and reading a solution back.

The only module that imports ortools. As in the OR-Tools samples, a *node* is a place and an
*index* is the solver's position for it; only manager.NodeToIndex / IndexToNode cross between them.
Vehicles: one per technician and shift (a technician working five days is five vehicles, each
bounded by that day's shift, with that day's breaks and overtime); on a one-day problem vehicle
k is technician k.
Nodes: first the visit nodes, one per window of a visit and per assignment cost (a visit with a
preferred or previous technician gets a node for that technician and one, costing
preference_cost or stability_cost, for the others; a window on a later day than the visit's
earliest costs day_wait_cost a day), all of a visit's nodes in one disjunction of which at most
one is served; then one node per distinct start or end location (technicians leaving from the
same place share it). So every vehicle has the same arc costs and OR-Tools keeps one cost class:
per-vehicle costs would make a class per technician and slow the search.
A crew visit (crew_size c) has c members, each with its nodes (one per window); member m's
nodes form a disjunction of their own, tied to member 0's: the same window node is served by
all members or by none, at the same service start, on distinct vehicles (see _add_crews).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from ortools.constraint_solver import routing_enums_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

from . import budget, soft_rules
from .errors import InvalidProblem
from .problem import Problem, Technician, Visit
from .reasons import may_serve
from .timing import Span, break_starts, clipped, merged
from .travel import TravelTable, build_table

TIME = "time"
CAPACITY = "capacity"

# Iterated local search (ruin and recreate) is not a LocalSearchMetaheuristic in OR-Tools but a
# solve method of its own; we offer it under this name.
ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"
_ENUMS = routing_enums_pb2
FIRST_SOLUTION_STRATEGIES = frozenset(_ENUMS.FirstSolutionStrategy.Value.keys()) - {"UNSET"}
METAHEURISTICS = frozenset(_ENUMS.LocalSearchMetaheuristic.Value.keys()) - {"UNSET"}
METAHEURISTICS |= {ITERATED_LOCAL_SEARCH}

# The objective is an int64 sum; keep a margin for the solver's own penalties (GLS) on top.
_MAX_OBJECTIVE = 2**60
_SLOW_LNS_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)


@dataclass(frozen=True, slots=True)
class VisitNode:
    """A node of a visit: its position, one window, who may serve it there and at what cost."""

    visit: int
    window: Span
    vehicles: tuple[int, ...]
    cost: int = 0  # preference, stability and waiting cost of serving it here by these vehicles
    member: int = 0  # which crew member of a crew visit (0 for every other visit)
    alternative: int = 0  # which of the visit's (merged) windows the node serves


@dataclass(frozen=True)
class RoutingContext:
    """The model of one problem: manager, routing model, dimensions and the node layout."""

    problem: Problem
    vehicles: tuple[Technician, ...]  # per vehicle, its technician on that one shift
    nodes: tuple[VisitNode, ...]  # the visit nodes, node = position in this tuple
    starts: tuple[int, ...]  # per vehicle, its start node
    ends: tuple[int, ...]  # per vehicle, its end node
    table: TravelTable  # durations and distances between nodes
    manager: Any  # pywrapcp.RoutingIndexManager
    routing: Any  # pywrapcp.RoutingModel
    time: Any  # the time dimension: cumul = service start (route start/end at the depots)
    windows: tuple[tuple[Span, ...], ...]  # per visit, its windows within the eligible shifts
    penalty_unit: int  # the cost of leaving out a visit of weight 1
    breaks: dict[int, list[Any]] = field(default_factory=dict)  # vehicle -> break intervals
    dimensions: dict[str, Any] = field(default_factory=dict)

    def node_values(self, per_visit: list[int] | tuple[int, ...]) -> list[int]:
        """A per-visit value for every node (0 at the start and end nodes)."""
        return _per_node(self.nodes, len(self.table.durations_s), per_visit)


def _per_node(nodes: tuple[VisitNode, ...], n_all: int, per_visit: Any) -> list[int]:
    return [per_visit[n.visit] for n in nodes] + [0] * (n_all - len(nodes))


def build_model(problem: Problem) -> RoutingContext:
    """The routing model with every rule of RULES added (needs >= 1 technician).

    Raises:
        InvalidProblem: when the objective could overflow 64-bit integers.
    """
    techs = vehicles_of(problem)
    nodes, windows = _visit_nodes(problem, techs)
    depots = list(dict.fromkeys([t.start for t in techs] + [t.end_location for t in techs]))
    locations = [problem.visits[n.visit].location for n in nodes] + depots
    table = build_table(problem.travel, locations)
    starts = [len(nodes) + depots.index(t.start) for t in techs]
    ends = [len(nodes) + depots.index(t.end_location) for t in techs]
    # Imported here: the solver's C++ library takes 0.25 s to load (seconds on a loaded machine),
    # which a solve whose first plan uses its whole limit never needs (issue 14).
    from ortools.constraint_solver import pywrapcp

    manager = pywrapcp.RoutingIndexManager(len(locations), len(techs), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    service_s = _per_node(nodes, len(locations), [v.duration_s for v in problem.visits])
    # Transit from a node = its service duration + travel to the next: cumul = service start.
    time_transits = table.durations_s + np.array(service_s, dtype=np.int64)[:, None]
    time_cb = routing.RegisterTransitMatrix(time_transits.tolist())
    horizon_s = max(t.latest_end_s for t in techs)
    fix_start_cumul_to_zero = False
    routing.AddDimension(time_cb, horizon_s, horizon_s, fix_start_cumul_to_zero, TIME)
    ctx = RoutingContext(
        problem=problem,
        vehicles=techs,
        nodes=nodes,
        starts=tuple(starts),
        ends=tuple(ends),
        table=table,
        manager=manager,
        routing=routing,
        time=routing.GetDimensionOrDie(TIME),
        windows=windows,
        penalty_unit=penalty_unit(problem),
    )
    for rule in RULES + soft_rules.RULES:
        rule(ctx)
    return ctx


def vehicles_of(problem: Problem) -> tuple[Technician, ...]:
    """The vehicles: each technician on each of its shifts, technician by technician."""
    return tuple(t.on_shift(k) for t in problem.technicians for k in range(len(t.shifts)))


def _visit_nodes(
    problem: Problem, techs: tuple[Technician, ...]
) -> tuple[tuple[VisitNode, ...], tuple[tuple[Span, ...], ...]]:
    """The visit nodes: per window of each visit and per assignment cost, the vehicles that
    may serve it (per crew member for a crew visit); and per visit its windows clipped to the
    shifts (a visit nobody may serve keeps one node without vehicles)."""
    nodes: list[VisitNode] = []
    windows: list[tuple[Span, ...]] = []
    for i, v in enumerate(problem.visits):
        mine: list[VisitNode] = []
        for member in range(v.crew_size):
            mine += _member_nodes(problem, techs, i, member)
        nodes += mine or [VisitNode(i, (v.windows[0].start_s, v.windows[0].end_s), ())]
        windows.append(tuple(sorted({n.window for n in mine})))
    return tuple(nodes), tuple(windows)


def _member_nodes(
    problem: Problem, techs: tuple[Technician, ...], i: int, member: int
) -> list[VisitNode]:
    """The nodes of one (crew member of a) visit. A crew visit's members share one node per
    window (no preference costs: the members' nodes must pair up window by window); the pin
    binds member 0, the wait cost is charged on member 0."""
    v = problem.visits[i]
    crew = v.crew_size > 1
    costs = [0] * len(techs) if crew else _assignment_costs(problem, techs, i)
    rules = replace(v, pinned_technician=None) if member > 0 else v
    days = [
        (k, (t.shift.start_s, t.latest_end_s - v.duration_s))
        for k, t in enumerate(techs)
        if may_serve(t, rules)
    ]
    mine: list[VisitNode] = []
    for alternative, span in enumerate(merged(v.windows)):
        reach = [(k, d) for k, d in days if clipped([span], *d)]
        wait = 0 if member > 0 else problem.day_wait_cost * v.wait_days(span[0])
        for cost in sorted({costs[k] for k, _ in reach}):
            group = [(k, d) for k, d in reach if costs[k] == cost]
            lo_s, hi_s = min(d[0] for _, d in group), max(d[1] for _, d in group)
            window = clipped([span], lo_s, hi_s)[0]  # the part some day of theirs covers
            vehicles = tuple(k for k, _ in group)
            mine.append(VisitNode(i, window, vehicles, cost + wait, member, alternative))
    return mine


def penalty_unit(problem: Problem) -> int:
    """More than the travel, overtime, preference, stability, waiting and soft_rules costs of any
    plan."""
    techs = vehicles_of(problem)
    travel_s = sum(t.latest_end_s - t.shift.start_s for t in techs)  # travel fits in the day
    overtime = sum(t.overtime_cost * t.max_overtime_s for t in techs)
    moves = (problem.preference_cost + problem.stability_cost) * len(problem.visits)
    waits = problem.day_wait_cost * sum(_most_wait_days(v) for v in problem.visits)
    unit = travel_s + overtime + moves + waits + soft_rules.most_cost(problem) + 1
    if unit * sum(v.weight for v in problem.visits) > _MAX_OBJECTIVE:
        raise InvalidProblem("the problem is too large: its objective would overflow 64 bits.")
    return unit


def _most_wait_days(visit: Visit) -> int:
    return max(visit.wait_days(w.start_s) for w in visit.windows)


# --- rules --------------------------------------------------------------------------------------


def _add_arc_costs(ctx: RoutingContext) -> None:
    """Penalty: travel seconds, plus preference and stability costs of the visit node left."""
    # A visit node carries the preference and stability cost of the technicians it is for
    # (see _visit_nodes); adding it to the arcs leaving the node (a served node has exactly one)
    # charges it once, with the same arc costs for every vehicle.
    node_cost = np.array(ctx.node_values([0] * len(ctx.problem.visits)), dtype=np.int64)
    node_cost[: len(ctx.nodes)] = [n.cost for n in ctx.nodes]
    costs = ctx.table.durations_s + node_cost[:, None]
    ctx.routing.SetArcCostEvaluatorOfAllVehicles(ctx.routing.RegisterTransitMatrix(costs.tolist()))


def _add_time_windows(ctx: RoutingContext) -> None:
    """Hard: service starts inside the window of the node (one node per window of a visit)."""
    for node, vn in enumerate(ctx.nodes):
        if vn.vehicles:  # a node nobody may serve is kept out by _add_allowed_technicians
            ctx.time.CumulVar(ctx.manager.NodeToIndex(node)).SetRange(*vn.window)


def _add_shifts(ctx: RoutingContext) -> None:
    """Hard: a technician leaves no earlier than its shift start, is back by end + max overtime."""
    for k, t in enumerate(ctx.vehicles):
        ctx.time.CumulVar(ctx.routing.Start(k)).SetRange(t.shift.start_s, t.latest_end_s)
        ctx.time.CumulVar(ctx.routing.End(k)).SetRange(t.shift.start_s, t.latest_end_s)


def _add_overtime(ctx: RoutingContext) -> None:
    """Penalty: overtime_cost per second a technician is back after its shift end."""
    for k, t in enumerate(ctx.vehicles):
        if t.max_overtime_s > 0 and t.overtime_cost > 0:
            end_index = ctx.routing.End(k)
            ctx.time.SetCumulVarSoftUpperBound(end_index, t.shift.end_s, t.overtime_cost)


def _add_breaks(ctx: RoutingContext) -> None:
    """Hard: each break starts in a window of its own, within the shift, never during service."""
    routing, solver = ctx.routing, ctx.routing.solver()
    service_s = ctx.node_values([v.duration_s for v in ctx.problem.visits])
    # Indexed by *index* (OR-Tools calls it node_visit_transits): service time at each index.
    visit_transits = [service_s[ctx.manager.IndexToNode(index)] for index in range(routing.Size())]
    for k, t in enumerate(ctx.vehicles):
        domains = [break_starts(t, b) for b in t.breaks]
        if not t.breaks or not all(domains):
            continue  # no breaks, or breaks that cannot fit: the technician gets no visit
        intervals = []
        for j, (brk, spans) in enumerate(zip(t.breaks, domains, strict=True)):
            start = solver.IntVar(spans[0][0], spans[-1][1], f"break {j} start of {t.id}")
            for (_, gap_from), (gap_to, _) in zip(spans, spans[1:], strict=False):
                start.RemoveInterval(gap_from + 1, gap_to - 1)
            intervals.append(solver.FixedDurationIntervalVar(start, brk.duration_s, f"break {j}"))
        ctx.time.SetBreakIntervalsOfVehicle(intervals, k, visit_transits)
        ctx.breaks[k] = intervals


def _add_allowed_technicians(ctx: RoutingContext) -> None:
    """Hard: only technicians with all its skills, the capacity and (if pinned) the pin serve it."""
    everyone = len(ctx.vehicles)
    for node, vn in enumerate(ctx.nodes):
        index = ctx.manager.NodeToIndex(node)
        if not vn.vehicles:
            ctx.routing.ActiveVar(index).SetValue(0)
        elif len(vn.vehicles) < everyone:
            # SetAllowedVehiclesForIndex takes an absl::Span, which the Python binding of
            # ortools 9.15 cannot build; restricting the vehicle var (-1: unperformed) is its twin.
            ctx.routing.VehicleVar(index).SetValues([-1, *vn.vehicles])


def _assignment_costs(problem: Problem, techs: tuple[Technician, ...], visit: int) -> list[int]:
    """Per vehicle, what giving it the visit costs (preference and stability)."""
    v = problem.visits[visit]
    return [
        (problem.preference_cost if v.preferred_technician not in (None, t.id) else 0)
        + (problem.stability_cost if v.previous_technician not in (None, t.id) else 0)
        for t in techs
    ]


def _add_capacity(ctx: RoutingContext) -> None:
    """Hard: the demand of a route's visits fits the technician's capacity (none = unbounded)."""
    techs, visits = ctx.vehicles, ctx.problem.visits
    total = sum(v.demand * v.crew_size for v in visits)
    if total == 0 or all(t.capacity is None for t in techs):
        return
    demand_cb = ctx.routing.RegisterUnaryTransitVector(ctx.node_values([v.demand for v in visits]))
    capacities = [total if t.capacity is None else t.capacity for t in techs]
    fix_start_cumul_to_zero = True
    ctx.routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, capacities, fix_start_cumul_to_zero, CAPACITY
    )
    ctx.dimensions[CAPACITY] = ctx.routing.GetDimensionOrDie(CAPACITY)


def _allow_unassigned(ctx: RoutingContext) -> None:
    """Penalty: leaving a visit out costs penalty_unit x its priority weight (beats any saving);
    a crew visit's penalty is on member 0, the others follow it (_add_crews)."""
    per_member: dict[tuple[int, int], list[int]] = {}
    for node, vn in enumerate(ctx.nodes):
        per_member.setdefault((vn.visit, vn.member), []).append(ctx.manager.NodeToIndex(node))
    max_cardinality = 1  # at most one of a visit's window nodes is served
    for (i, member), indices in per_member.items():
        penalty = ctx.penalty_unit * ctx.problem.visits[i].weight if member == 0 else 0
        ctx.routing.AddDisjunction(indices, penalty, max_cardinality)


def _add_crews(ctx: RoutingContext) -> None:
    """Hard: a crew visit is served by all its members or none, in the same window, at the same
    service start, on distinct vehicles (equal starts on distinct vehicles of one technician are
    impossible: its shifts do not overlap, so the crew is distinct technicians)."""
    solver, routing, index_of = ctx.routing.solver(), ctx.routing, ctx.manager.NodeToIndex
    crews: dict[tuple[int, int], dict[int, int]] = {}  # (visit, alternative) -> member -> node
    for node, vn in enumerate(ctx.nodes):
        if ctx.problem.visits[vn.visit].crew_size > 1 and vn.vehicles:
            crews.setdefault((vn.visit, vn.alternative), {})[vn.member] = node
    for (i, _), members in crews.items():
        indices = [index_of(members[m]) for m in sorted(members)]
        if len(members) < ctx.problem.visits[i].crew_size:  # some member cannot make it
            for index in indices:
                routing.ActiveVar(index).SetValue(0)
            continue
        lead = indices[0]
        for index in indices[1:]:
            solver.Add(routing.ActiveVar(index) == routing.ActiveVar(lead))
            solver.Add(ctx.time.CumulVar(index) == ctx.time.CumulVar(lead))
        unperformed = -1
        solver.Add(solver.AllDifferentExcept([routing.VehicleVar(x) for x in indices], unperformed))


RULES: tuple[Callable[[RoutingContext], None], ...] = (
    _add_arc_costs,
    _add_time_windows,
    _add_shifts,
    _add_overtime,
    _add_breaks,
    _add_allowed_technicians,
    _add_capacity,
    _allow_unassigned,
    _add_crews,
)


# --- search -------------------------------------------------------------------------------------


def search(
    ctx: RoutingContext,
    *,
    first_solution: str,
    metaheuristic: str,
    time_limit_s: float,
    branch_limit: int | None,
    log_search: bool,
    on_solution: Callable[[int], bool],
    should_stop: Callable[[], bool] | None,
    initial_routes: list[list[int]] | None = None,
    retry: bool = False,
) -> Any | None:
    """Run the search; the best assignment found, or None when it found none.

    initial_routes, per vehicle its visit indices in order, is where the search starts from when
    OR-Tools accepts it as a solution (local search from there; not with iterated local search).

    on_solution gets each solution's objective and returns True to end the search there;
    should_stop, when given, is asked all along (at every neighbour) and ends it when True.
    Python search monitors are avoided: OR-Tools would call them at every event. Iterated local
    search honours neither should_stop nor the branch limit (measured with 9.15): it counts
    solutions for the branch limit instead, and the caller must not pass should_stop. retry gives
    each solution more time to be finalised (budget.lns_s), after a search that failed on it.
    """
    routing = ctx.routing
    params = _search_parameters(first_solution, metaheuristic, time_limit_s, log_search)
    _fit_lns_time_limit(ctx, params, retry)

    def at_solution() -> None:
        if on_solution(routing.CostVar().Max()):
            routing.solver().FinishCurrentSearch()

    routing.AddAtSolutionCallback(at_solution)
    if should_stop is not None:
        routing.AddSearchMonitor(routing.solver().CustomLimit(should_stop))
    if branch_limit is not None:  # counts search decisions: the same run for the same input
        routing.AddSearchMonitor(routing.solver().BranchesLimit(branch_limit))
    if metaheuristic == ITERATED_LOCAL_SEARCH:
        if branch_limit is not None:
            params.solution_limit = branch_limit
        return routing.SolveWithIteratedLocalSearch(params)
    if initial_routes is not None:
        routing.CloseModelWithParameters(params)
        ignore_inactive_indices = True
        start = routing.ReadAssignmentFromRoutes(initial_routes, ignore_inactive_indices)
        if start is not None:
            return routing.SolveFromAssignmentWithParameters(start, params)
    return routing.SolveWithParameters(params)


def _fit_lns_time_limit(ctx: RoutingContext, params: Any, retry: bool = False) -> None:
    """Give OR-Tools time to finalise each solution when many routes have breaks.

    Each solution is finalised (cumuls, breaks) within lns_time_limit. Its default of 0.1 s is
    too short once many routes have breaks: a VROOM plan of a 100x500 day could not be restored
    (ROUTING_FAIL in 0.17 s; fine with 1 s), nor the search's own best solution. With the limit
    raised, the insertion LNS operators overran the time limit by 5 s in a 5 s search (each of
    their sub-searches may take that long); without them, by 0.2 s.
    """
    with_breaks = sum(1 for t in ctx.vehicles if t.breaks)
    lns_s = budget.lns_s(with_breaks, retry)
    if lns_s is None:
        return
    params.lns_time_limit.FromMilliseconds(round(lns_s * 1000))
    operators = params.local_search_operators
    for name in _SLOW_LNS_OPERATORS:
        setattr(operators, name, optional_boolean_pb2.BOOL_FALSE)


def _search_parameters(
    first_solution: str, metaheuristic: str, time_limit_s: float, log_search: bool
) -> Any:
    """OR-Tools search parameters; iterated local search ruins with SISR (strings of ~10)."""
    from ortools.constraint_solver import pywrapcp

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.Value.Value(
        first_solution
    )
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    params.log_search = log_search
    if metaheuristic != ITERATED_LOCAL_SEARCH:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value.Value(
            metaheuristic
        )
        return params
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.UNSET
    ruin_recreate = params.iterated_local_search_parameters.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]  # the default names none, which 9.15 rejects
    sisr = ruin_recreate.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size, sisr.avg_num_removed_visits, sisr.bypass_factor = 10, 10, 0.01
    ruin_recreate.ruin_composition_strategy = (
        routing_ils_pb2.RuinCompositionStrategy.RUN_ALL_SEQUENTIALLY
    )
    return params


def status_name(ctx: RoutingContext) -> str:
    """The RoutingSearchStatus of the last search, by name (ROUTING_SUCCESS, ...)."""
    return str(routing_enums_pb2.RoutingSearchStatus.Value.Name(ctx.routing.status()))


def count_assigned(ctx: RoutingContext) -> int:
    """How many visits the solution being reported serves (call only from on_solution)."""
    index_of = ctx.manager.NodeToIndex
    leads = (node for node, vn in enumerate(ctx.nodes) if vn.member == 0)  # a crew counts once
    return sum(ctx.routing.ActiveVar(index_of(node)).Min() for node in leads)


# --- solution -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SolvedRoute:
    """A technician's route as the solver left it: visits in order and the solver's times."""

    vehicle: int
    nodes: tuple[int, ...]  # the visit nodes in order
    visits: tuple[int, ...]  # their positions in problem.visits
    service_starts_s: tuple[int, ...]
    end_s: int  # when the solver has the technician back
    breaks: tuple[Span, ...]  # (start_s, end_s) of each break, in time order


def read_routes(ctx: RoutingContext, assignment: Any) -> tuple[SolvedRoute, ...]:
    """The routes with at least one visit, read from the assignment."""
    routing, manager, time = ctx.routing, ctx.manager, ctx.time
    routes = []
    for k in range(len(ctx.vehicles)):
        nodes, starts = [], []
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            starts.append(assignment.Min(time.CumulVar(index)))
            index = assignment.Value(routing.NextVar(index))
        if not nodes:
            continue
        breaks = sorted(
            (assignment.StartMin(iv), assignment.StartMin(iv) + assignment.DurationMin(iv))
            for iv in ctx.breaks.get(k, ())
        )
        routes.append(
            SolvedRoute(
                vehicle=k,
                nodes=tuple(nodes),
                visits=tuple(ctx.nodes[node].visit for node in nodes),
                service_starts_s=tuple(starts),
                end_s=assignment.Min(time.CumulVar(index)),
                breaks=tuple(breaks),
            )
        )
    return tuple(routes)
