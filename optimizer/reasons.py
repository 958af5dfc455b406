"""Who may serve a visit, and why a visit is left unassigned: computed on the problem, not asked
of the solver.

A visit that no technician can serve even on its own gets the reason that rules it out; one that
some technician could serve alone but the plan leaves out gets `no_capacity` (the day is full).
On a multi-day problem "on its own" means on one of its shifts; a crew visit that fewer than
crew_size technicians could serve alone gets `crew_unavailable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from .plan import Reason, Unassigned
from .problem import Break, Location, Problem, Technician, Visit
from .timing import Span, break_starts, breaks_fit_shift, clipped, earliest_in, merged
from .travel import build_table


def may_serve(technician: Technician, visit: Visit) -> bool:
    """True when the rules alone let the technician serve the visit: skills, pin, capacity and
    breaks that fit its shift (when they do not, the technician cannot work at all)."""
    return (
        visit.skills <= technician.skills
        and visit.pinned_technician in (None, technician.id)
        and _carries(technician, visit)
        and breaks_fit_shift(technician)
    )


def explain(problem: Problem, dropped: Sequence[int]) -> tuple[Unassigned, ...]:
    """An Unassigned with reason and sentence per dropped visit (positions in problem.visits)."""
    techs = problem.technicians
    locations: list[Location] = [problem.visits[i].location for i in dropped]
    locations += [t.start for t in techs] + [t.end_location for t in techs]
    durations = build_table(problem.travel, locations).durations_s
    n, m = len(dropped), len(techs)
    result = []
    for row, i in enumerate(dropped):
        legs = [(int(durations[n + k, row]), int(durations[row, n + m + k])) for k in range(m)]
        result.append(_explain_one(problem, problem.visits[i], legs))
    return tuple(result)


def _explain_one(problem: Problem, visit: Visit, legs: list[tuple[int, int]]) -> Unassigned:
    """The first reason that rules the visit out, given travel (to, back) per technician."""
    found = _explain_solo(problem, visit, legs)
    if visit.crew_size == 1 or found.reason is not Reason.NO_CAPACITY:
        return found
    able = sum(
        1
        for t, leg in zip(problem.technicians, legs, strict=True)
        if visit.skills <= t.skills and _carries(t, visit) and _serves_some_day(t, visit, leg)
    )
    if able < visit.crew_size:
        msg = (
            f"It needs a crew of {visit.crew_size}, and only {able} technician(s) with the "
            "skills can serve it within a shift."
        )
        return _unassigned(visit, Reason.CREW_UNAVAILABLE, msg)
    msg = (
        f"A crew of {visit.crew_size} could serve it, but the plan has no common time left for one."
    )
    return _unassigned(visit, Reason.CREW_UNAVAILABLE, msg)


def _serves_some_day(tech: Technician, visit: Visit, leg: tuple[int, int]) -> bool:
    """True when the technician can serve the visit alone on one of its shifts."""
    return any(serves_alone(tech.on_shift(k), visit, *leg) for k in range(len(tech.shifts)))


def _explain_solo(problem: Problem, visit: Visit, legs: list[tuple[int, int]]) -> Unassigned:
    """The first reason that rules the visit out as if one technician served it."""
    techs = problem.technicians
    skilled = [k for k, t in enumerate(techs) if visit.skills <= t.skills]
    if not skilled:
        needs = ", ".join(sorted(visit.skills))
        return _unassigned(
            visit, Reason.NO_SKILLED_TECHNICIAN, f"No technician has the skills {needs}."
        )
    if visit.pinned_technician is not None:
        k = next(k for k, t in enumerate(techs) if t.id == visit.pinned_technician)
        why = _pin_fault(techs[k], visit, legs[k])
        if why:
            return _unassigned(visit, Reason.PINNED_TECHNICIAN_UNAVAILABLE, why)
    carrying = [k for k in skilled if _carries(techs[k], visit)]
    if not carrying:
        most = max(techs[k].capacity or 0 for k in skilled)
        msg = (
            f"Its demand {visit.demand} exceeds the capacity of every technician "
            f"with the skills (at most {most})."
        )
        return _unassigned(visit, Reason.DEMAND_EXCEEDS_CAPACITY, msg)
    if not any(_serves_some_day(techs[k], visit, legs[k]) for k in carrying):
        msg = (
            "No technician with the skills can reach one of its windows "
            "and be back by the end of the shift."
        )
        return _unassigned(visit, Reason.NO_WINDOW_REACHABLE, msg)
    msg = "A skilled technician could serve it on its own, but the plan has no room left for it."
    return _unassigned(visit, Reason.NO_CAPACITY, msg)


def _pin_fault(tech: Technician, visit: Visit, leg: tuple[int, int]) -> str:
    """Why the pinned technician cannot serve the visit ('' when it can, on its own)."""
    if not visit.skills <= tech.skills:
        lacking = ", ".join(sorted(visit.skills - tech.skills))
        return f"It is pinned to {tech.id}, who lacks the skills {lacking}."
    if not _carries(tech, visit):
        return (
            f"It is pinned to {tech.id}, whose capacity {tech.capacity} "
            f"is below its demand {visit.demand}."
        )
    if not _serves_some_day(tech, visit, leg):
        return f"It is pinned to {tech.id}, who cannot reach any of its windows within the shift."
    return ""


def _carries(tech: Technician, visit: Visit) -> bool:
    return tech.capacity is None or visit.demand <= tech.capacity


def _unassigned(visit: Visit, reason: Reason, message: str) -> Unassigned:
    return Unassigned(visit=visit.id, reason=reason, message=message)


def serves_alone(tech: Technician, visit: Visit, to_s: int, back_s: int) -> bool:
    """True when the technician can serve the visit as its only stop: leave no earlier than the
    shift start, start service in a window, be back by shift end plus overtime, breaks included."""
    if not breaks_fit_shift(tech):
        return False
    day = (tech.shift.start_s, tech.latest_end_s)
    windows = clipped(merged(visit.windows), day[0] + to_s, day[1] - back_s - visit.duration_s)
    domains = [break_starts(tech, b) for b in tech.breaks]
    # Each break is taken before the service (at base or on the way) or after it: try both sides.
    for sides in product((True, False), repeat=len(tech.breaks)):
        before = [(b, d) for b, d, s in zip(tech.breaks, domains, sides, strict=True) if s]
        after = [(b, d) for b, d, s in zip(tech.breaks, domains, sides, strict=True) if not s]
        placed = _place(before, day[0])
        if placed is None:
            continue
        ready_s = max(placed, day[0] + to_s + sum(b.duration_s for b, _ in before))
        start_s = earliest_in(windows, ready_s)
        if start_s is None:
            continue
        end_s = start_s + visit.duration_s
        done = _place(after, end_s)
        back_by_s = end_s + back_s + sum(b.duration_s for b, _ in after)
        if done is not None and done <= day[1] and back_by_s <= day[1]:
            return True
    return False


def _place(breaks: list[tuple[Break, list[Span]]], from_s: int) -> int | None:
    """Place the breaks one after another from from_s, each as early as its windows allow;
    the time the last one ends, or None when one cannot start."""
    t_s = from_s
    for brk, domain in sorted(breaks, key=lambda bd: bd[1][0][0]):
        start_s = earliest_in(domain, t_s)
        if start_s is None:
            return None
        t_s = start_s + brk.duration_s
    return t_s
