"""Which problems PyVRP's model holds exactly: asked of every solve, in a module of its own so
that asking does not import PyVRP (0.14 s, more on a loaded machine) for a day it cannot plan."""

from __future__ import annotations

from .problem import Problem
from .timing import merged


def expresses(problem: Problem) -> bool:
    """True when PyVRP's model holds every rule and cost of the problem: no breaks, overtime or
    skills that some technician lacks; one window per visit; no pinned, preferred or previous
    technicians that cost something; no fair workload or priced starts."""
    techs, visits = problem.technicians, problem.visits
    common = frozenset.intersection(*(t.skills for t in techs)) if techs else frozenset()
    return (
        all(not t.breaks and t.max_overtime_s == 0 for t in techs)
        and all(len(merged(v.windows)) == 1 and v.skills <= common for v in visits)
        and all(v.pinned_technician is None for v in visits)
        and (problem.preference_cost == 0 or all(v.preferred_technician is None for v in visits))
        and (problem.stability_cost == 0 or all(v.previous_technician is None for v in visits))
        and problem.fairness_cost == 0
        and (problem.start_move_cost == 0 or all(v.previous_start_s is None for v in visits))
    )
