"""Crew visits in a day's ledger: each held by all its members at one common start.

A crew visit of k members is k visits of the ledger's problem: the visit itself and a partner
copy per other member ("<id>~2", "~3"), each on a route of its own. Routes are timed each on its
own, so the members would drift apart were their windows the promised one: once a common start
is found (a booking's crew insertion, the published plan, or placing the crew here), every
member's window is narrowed to that start, [t, t]. The narrowed windows live in the stored
ledger's problem and are carried over whenever the day is rebuilt (starts_of, at_starts).

The optimizer is used through its public API only (optimizer/__init__.py, import-linter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import optimizer as opt
from optimizer import DayRoutes, Item

PARTNER = "~"


def member_ids(visit_id: str, crew_size: int) -> list[str]:
    """The ledger's ids of a crew visit's members: the visit itself, then its partner copies."""
    return [visit_id] + [f"{visit_id}{PARTNER}{n}" for n in range(2, crew_size + 1)]


def lead_of(item_id: str) -> str:
    """The visit a ledger id stands for (a partner copy's visit)."""
    return item_id.split(PARTNER)[0]


def with_partners(problem: opt.Problem) -> opt.Problem:
    """The problem with each crew visit of k members as k visits of one: the visit itself and
    a partner copy per other member, same place, windows, length and skills."""
    if all(v.crew_size == 1 for v in problem.visits):
        return problem
    visits: list[opt.Visit] = []
    for v in problem.visits:
        visits.append(replace(v, crew_size=1))
        visits += [
            replace(
                v,
                id=copy_id,
                crew_size=1,
                pinned_technician=None,
                preferred_technician=None,
                previous_technician=None,
            )
            for copy_id in member_ids(v.id, v.crew_size)[1:]
        ]
    return replace(problem, visits=tuple(visits))


def crews_of(problem: opt.Problem) -> dict[str, list[str]]:
    """The crew visits of a problem with partners: visit id -> its members' ids, lead first."""
    members: dict[str, list[str]] = defaultdict(list)
    for v in problem.visits:
        members[lead_of(v.id)].append(v.id)
    return {lead: ids for lead, ids in members.items() if len(ids) > 1}


def starts_of(problem: opt.Problem) -> dict[str, int]:
    """The common start of each crew visit held at one (its members' windows narrowed to it)."""
    crews = crews_of(problem)
    return {
        v.id: v.windows[0].start_s
        for v in problem.visits
        if v.id in crews and len(v.windows) == 1 and v.windows[0].start_s == v.windows[0].end_s
    }


def at_starts(problem: opt.Problem, starts: Mapping[str, int]) -> opt.Problem:
    """The problem with the members of each crew visit given a start narrowed to it, where the
    start is still inside the visit's promised window (a moved visit's old start is dropped)."""
    crews = crews_of(problem)
    by_id = {v.id: v for v in problem.visits}
    held = {
        lead: t
        for lead, t in starts.items()
        if lead in crews and any(w.start_s <= t <= w.end_s for w in by_id[lead].windows)
    }
    if not held:
        return problem
    visits = tuple(
        replace(v, windows=(opt.TimeWindow(held[lead_of(v.id)], held[lead_of(v.id)]),))
        if lead_of(v.id) in held
        else v
        for v in problem.visits
    )
    return replace(problem, visits=visits)


@dataclass(frozen=True)
class Placed:
    """The day after placing the crews not yet held at a start."""

    problem: opt.Problem
    sequences: dict[str, tuple[Item, ...]]
    unplaced: tuple[str, ...]


def loose(problem: opt.Problem) -> set[str]:
    """The members' ids of every crew visit not held at a common start."""
    held = starts_of(problem)
    return {m for lead, ids in crews_of(problem).items() if lead not in held for m in ids}


def broken(problem: opt.Problem, unplaced: Collection[str]) -> set[str]:
    """The crew visits held at a start some member of which fits nowhere at that start."""
    crews = crews_of(problem)
    return {lead_of(x) for x in unplaced if lead_of(x) in crews}


def place_crews(
    problem: opt.Problem, sequences: Mapping[str, Sequence[Item]], visit_ids: Collection[str]
) -> Placed:
    """Put each of these crew visits (none of its members routed) at the cheapest common start
    of distinct members (DayRoutes.crew_insertions), most urgent first, and hold it there."""
    crews = crews_of(problem)
    by_id = {v.id: v for v in problem.visits}
    current = {t: tuple(items) for t, items in sequences.items()}
    unplaced: list[str] = []
    for lead in sorted(visit_ids, key=lambda vid: _urgency(by_id[vid])):
        visit = replace(by_id[lead], crew_size=len(crews[lead]))
        routes = DayRoutes(problem, current)
        found = [c for c in routes.crew_insertions(visit, visit.windows) if c is not None]
        if not found:
            unplaced += crews[lead]
            continue
        best = min(found, key=lambda c: (c.added_travel_s, c.start_s))
        current = routes.with_crew(best, crews[lead])
        problem = at_starts(problem, {lead: best.start_s})
    return Placed(problem, current, tuple(unplaced))


def _urgency(visit: opt.Visit) -> tuple[int, int, str]:
    return (-visit.priority, min(w.end_s for w in visit.windows), visit.id)
