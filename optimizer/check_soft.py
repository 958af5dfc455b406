"""The validator's figures of the soft rules: working time per technician, the fair-workload
cost, and how far a re-plan moves the visits of the last plan.

Like checker.py it shares no code with the solver (model.py, soft_rules.py): it reads the plan's
stops and the travel table. Working time is reported per technician id, all its routes (one per
day of a longer horizon) summed; the fair-workload cost prices the longest working day (route),
as the model does: one vehicle per technician and day, a span cost over the vehicles.
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Plan
from .problem import Problem
from .travel import build_table


@dataclass(frozen=True, slots=True)
class SoftCosts:
    """What the soft rules see in a plan, and what they add to its objective."""

    work_s: dict[str, int]  # per technician of the problem: travel plus service (0: no route)
    fairness_cost: int  # Problem.fairness_cost x the longest working day (one route's work)
    reassigned: int  # routed visits served by another than their previous_technician
    moved: int  # routed visits starting away from their previous_start_s
    moved_s: int  # the seconds they moved, summed
    stability_cost: int  # stability_cost x reassigned + start_move_cost x moved_s

    @property
    def cost(self) -> int:
        """The soft rules' part of the objective: fairness plus stability."""
        return self.fairness_cost + self.stability_cost


def soft_costs(problem: Problem, plan: Plan) -> SoftCosts:
    """The soft figures of a plan (stops of unknown visits or technicians are skipped)."""
    days = _work_by_route(problem, plan)
    work = {t.id: 0 for t in problem.technicians}
    for (technician, _), work_s in days.items():
        work[technician] += work_s
    visits = {v.id: v for v in problem.visits}
    reassigned = moved = moved_s = 0
    for route in plan.routes:
        for stop in route.stops:
            v = visits.get(stop.visit)
            if v is None:
                continue
            reassigned += v.previous_technician not in (None, route.technician)
            if v.previous_start_s is not None and stop.start_s != v.previous_start_s:
                moved += 1
                moved_s += abs(stop.start_s - v.previous_start_s)
    return SoftCosts(
        work_s=work,
        fairness_cost=problem.fairness_cost * max(days.values(), default=0),
        reassigned=reassigned,
        moved=moved,
        moved_s=moved_s,
        stability_cost=problem.stability_cost * reassigned + problem.start_move_cost * moved_s,
    )


def work_by_technician(problem: Problem, plan: Plan) -> dict[str, int]:
    """Per technician, the travel (start -> stops -> end of each of its routes, from the travel
    table) plus the service (stop start to end) of all its routes; waiting is not work."""
    work = {t.id: 0 for t in problem.technicians}
    for (technician, _), work_s in _work_by_route(problem, plan).items():
        work[technician] += work_s
    return work


def _work_by_route(problem: Problem, plan: Plan) -> dict[tuple[str, int], int]:
    """Per route (technician id, day), its travel plus service; routes of unknown technicians
    and routes without known stops are left out."""
    techs = problem.technicians
    n = len(techs)
    locations = [t.start for t in techs] + [t.end_location for t in techs]
    locations += [v.location for v in problem.visits]
    table = build_table(problem.travel, locations)
    node = {v.id: 2 * n + i for i, v in enumerate(problem.visits)}
    position = {t.id: i for i, t in enumerate(techs)}
    work: dict[tuple[str, int], int] = {}
    for route in plan.routes:
        k = position.get(route.technician)
        stops = [s for s in route.stops if s.visit in node]
        if k is None or not stops:
            continue
        path = [k, *(node[s.visit] for s in stops), n + k]
        travel_s = sum(int(table.durations_s[a, b]) for a, b in zip(path, path[1:], strict=False))
        key = (route.technician, route.day)
        work[key] = work.get(key, 0) + travel_s + sum(s.end_s - s.start_s for s in stops)
    return work
