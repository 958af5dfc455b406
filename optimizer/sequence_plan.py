"""sequences_to_plan(problem, sequences) -> Plan: the times of routes given as sequences.

Each service starts as early as travel, breaks and windows allow; breaks are taken as early as
they may in their gap; the technician leaves base as late as the first service allows. The plan
names the visits of no sequence as unassigned, with the reasons optimizer.reasons gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from .errors import InvalidProblem
from .plan import BreakTime, Plan, PlanStatus, Route, SolverInfo, Stop, totals_of
from .problem import Problem, Technician, Visit
from .reasons import explain
from .stop_times import BreakSpans, Item, RouteShape, break_spans, break_times, forward
from .timing import Span, drive, earliest_in, latest_departure, merged
from .travel import TravelTable, build_table


def sequences_to_plan(problem: Problem, sequences: Mapping[str, Sequence[Item]]) -> Plan:
    """The plan of these routes; each sequence must list all of its technician's breaks.

    Raises:
        InvalidProblem: on a technician with several shifts, an unknown technician or visit, a
            missing break, or a route that cannot be timed (a window, break or the shift cannot
            be kept).
    """
    for t in problem.technicians:
        if len(t.shifts) != 1:  # a horizon: each shift a technician of its own (horizon_first)
            msg = f"works {len(t.shifts)} shifts; sequences are one day's routes."
            raise InvalidProblem(msg, field=t.id)
    techs = {t.id: k for k, t in enumerate(problem.technicians)}
    visit_pos = {v.id: i for i, v in enumerate(problem.visits)}
    n = len(problem.technicians)
    locations = [t.start for t in problem.technicians]
    locations += [t.end_location for t in problem.technicians]
    locations += [v.location for v in problem.visits]
    table = build_table(problem.travel, locations)
    routes = []
    for tech_id, items in sequences.items():
        if tech_id not in techs:
            raise InvalidProblem(f"technician {tech_id!r} is not in the problem.", field=tech_id)
        shape = RouteShape.of(items)
        if not shape.visits:
            continue
        unknown = [v for v in shape.visits if v not in visit_pos]
        if unknown:
            raise InvalidProblem(f"visit {unknown[0]!r} is not in the problem.", field=tech_id)
        k = techs[tech_id]
        nodes = [k] + [2 * n + visit_pos[v] for v in shape.visits] + [n + k]
        visits = [problem.visits[visit_pos[v]] for v in shape.visits]
        routes.append(_route(problem.technicians[k], shape, visits, nodes, table))
    served = {s.visit for r in routes for s in r.stops}
    dropped = [i for i, v in enumerate(problem.visits) if v.id not in served]
    unassigned = explain(problem, dropped)
    totals = totals_of(tuple(routes), len(unassigned))
    status = PlanStatus.FEASIBLE if routes else PlanStatus.EMPTY
    return Plan(tuple(routes), unassigned, totals, SolverInfo(status, 0.0, totals.travel_s))


def _route(
    tech: Technician, shape: RouteShape, visits: list[Visit], nodes: list[int], table: TravelTable
) -> Route:
    """One route with its times (see the module docstring)."""
    spans = break_spans(tech)
    given = sorted(b for gap in shape.gaps for b in gap)
    if given != list(range(len(spans))):
        msg = f"the sequence must name each of the {len(spans)} breaks once, got {given}."
        raise InvalidProblem(msg, field=tech.id)
    legs_s = [int(table.durations_s[a, b]) for a, b in pairwise(nodes)]
    gaps = [[spans[b] for b in gap] for gap in shape.gaps]
    starts_s, taken = _starts(tech, visits, legs_s, gaps)
    depart_s = latest_departure(tech.shift.start_s, starts_s[0], legs_s[0], taken[0])
    ends_s = [depart_s] + [s + v.duration_s for s, v in zip(starts_s, visits, strict=True)]
    stops = tuple(
        Stop(v.id, drive(ends_s[g], legs_s[g], _after(taken[g], ends_s[g])), s, s + v.duration_s)
        for g, (v, s) in enumerate(zip(visits, starts_s, strict=True))
    )
    end_s = drive(ends_s[-1], legs_s[-1], taken[-1])
    return Route(
        technician=tech.id,
        stops=stops,
        breaks=tuple(BreakTime(a, b) for gap in taken for a, b in gap),
        start_s=depart_s,
        end_s=end_s,
        travel_s=sum(legs_s),
        distance_m=sum(int(table.distances_m[a, b]) for a, b in pairwise(nodes)),
        overtime_s=max(0, end_s - tech.shift.end_s),
        day=tech.shifts[0].day,  # a day of a horizon searched alone (horizon_days.py)
    )


def _starts(
    tech: Technician, visits: list[Visit], legs_s: list[int], gaps: list[list[BreakSpans]]
) -> tuple[list[int], list[list[Span]]]:
    """The earliest service starts, and the breaks of each gap as forward places them."""
    taken: list[list[Span]] = []
    starts_s: list[int] = []
    free_s = tech.shift.start_s
    for g, visit in enumerate(visits):
        start_s = _next_start(tech, free_s, legs_s[g], gaps[g], merged(visit.windows))
        taken.append(break_times(free_s, gaps[g]) or [])
        starts_s.append(start_s)
        free_s = start_s + visit.duration_s
    last_taken = break_times(free_s, gaps[-1])
    back_s = forward(free_s, legs_s[-1], gaps[-1])
    if last_taken is None or back_s is None or back_s > tech.latest_end_s:
        raise InvalidProblem(f"route of {tech.id} cannot be back by the end of its shift.")
    return starts_s, [*taken, last_taken]


def _next_start(
    tech: Technician, free_s: int, travel_s: int, gap: list[BreakSpans], windows: list[Span]
) -> int:
    arrival_s = forward(free_s, travel_s, gap)
    start_s = None if arrival_s is None else earliest_in(windows, arrival_s)
    if start_s is None:
        raise InvalidProblem(f"route of {tech.id} cannot keep a window or break.")
    return start_s


def _after(breaks: list[Span], t_s: int) -> list[Span]:
    """The breaks of a gap that start once the technician has left (the others are at base)."""
    return [b for b in breaks if b[0] >= t_s]
