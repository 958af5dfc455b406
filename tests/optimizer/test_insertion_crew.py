"""Crew insertion: k distinct technicians at one common start, cheapest total travel.

Cross-checked against the single insertion asked every two minutes of the window with a point
window [t, t] per technician (what a grid search would do): the exact search never does worse,
finds a crew whenever the grid does, and every crew it finds passes the validator as a crew
visit (all members on distinct routes, one start).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.checker import check
from optimizer.fieldservice import SLOTS, generate_day
from optimizer.insertion import CrewInsertion, DayRoutes, place
from optimizer.problem import Break, Location, TimeWindow, Visit
from optimizer.sequence_plan import sequences_to_plan

H = 3600


def _busy_day(seed: int, *, prayer: bool = False) -> DayRoutes:
    """A generated day of 8 technicians, most of their hours promised already."""
    problem = generate_day(8, 24, seed=seed)
    if prayer:  # a second break: places next to breaks are checked one by one
        asr = Break(windows=(TimeWindow(15 * H, 15 * H + 2700),), duration_s=900)
        techs = tuple(replace(t, breaks=(*t.breaks, asr)) for t in problem.technicians)
        problem = replace(problem, technicians=techs)
    return DayRoutes(problem, place(problem, {}, [v.id for v in problem.visits]).sequences)


def _installation(day: DayRoutes, n: int, crew_size: int = 2) -> Visit:
    template = day.problem.visits[n % len(day.problem.visits)]
    return replace(
        template,
        id=f"crew{n}",
        location=Location(template.location.lat + 0.01, template.location.lon - 0.01),
        duration_s=3600,
        windows=(TimeWindow(8 * H, 17 * H),),
        crew_size=crew_size,
        pinned_technician=None,
        preferred_technician=None,
        previous_technician=None,
    )


def _grid_cost(day: DayRoutes, visit: Visit, window: TimeWindow) -> int | None:
    """The cheapest crew over starts every two minutes, each member asked alone at [t, t]."""
    best = None
    for t in range(window.start_s, window.end_s + 1, 120):
        costs = []
        for tech in day.problem.technicians:
            one = replace(visit, crew_size=1, pinned_technician=tech.id)
            found = day.best_insertions(one, [TimeWindow(t, t)])[0]
            if found is not None:
                costs.append(found.added_travel_s)
        if len(costs) >= visit.crew_size:
            total = sum(sorted(costs)[: visit.crew_size])
            best = total if best is None else min(best, total)
    return best


def _as_crew_plan(day: DayRoutes, visit: Visit, crew: CrewInsertion) -> None:
    """Put the crew in the routes and assert the validator accepts the crew visit."""
    ids = [visit.id] + [f"{visit.id}~{m}" for m in range(2, visit.crew_size + 1)]
    sequences = day.with_crew(crew, ids)
    at_start = (TimeWindow(crew.start_s, crew.start_s),)
    expanded = replace(
        day.problem,
        visits=(
            *day.problem.visits,
            *(replace(visit, id=i, crew_size=1, windows=at_start) for i in ids),
        ),
    )
    plan = sequences_to_plan(expanded, sequences)
    assert check(expanded, plan) == []
    starts = {s.start_s for r in plan.routes for s in r.stops if s.visit in ids}
    assert starts == {crew.start_s}
    assert len({r.technician for r in plan.routes for s in r.stops if s.visit in ids}) == len(ids)
    assert crew.window.start_s <= crew.start_s <= crew.window.end_s


@pytest.mark.parametrize(("seed", "prayer"), [(1, False), (2, True), (3, False)])
def test_crew_insertion_is_never_worse_than_a_grid(seed: int, prayer: bool) -> None:
    """Per offered window, the exact common start costs no more than the best start of a
    two-minute grid, exists whenever the grid finds one, and its crew passes the validator."""
    day = _busy_day(seed, prayer=prayer)
    windows = list(SLOTS)
    found_some = 0
    for n in range(2):
        visit = _installation(day, n)
        for window, crew in zip(windows, day.crew_insertions(visit, windows), strict=True):
            grid = _grid_cost(day, visit, window)
            if crew is None:
                assert grid is None
                continue
            found_some += 1
            assert grid is None or crew.added_travel_s <= grid
            _as_crew_plan(day, visit, crew)
    assert found_some > 0


def test_crew_of_two_needs_two_technicians_with_room_at_the_same_time() -> None:
    """Two technicians free at different hours give no crew; free together, one crew at the
    moment both can be there."""
    problem = generate_day(2, 0, seed=7)
    a, b = problem.technicians
    shifts = {a.id: TimeWindow(8 * H, 12 * H), b.id: TimeWindow(13 * H, 17 * H)}
    apart = replace(
        problem,
        technicians=tuple(replace(t, shift=shifts[t.id], breaks=()) for t in problem.technicians),
    )
    visit = replace(
        Visit("big", a.start, 3600, (TimeWindow(0, 1),), frozenset(a.skills & b.skills)),
        crew_size=2,
    )
    day = DayRoutes(apart, {})
    assert day.crew_insertions(visit, [TimeWindow(8 * H, 17 * H)]) == [None]
    alone = day.best_insertions(replace(visit, crew_size=1), [TimeWindow(8 * H, 17 * H)])
    assert alone[0] is not None
    overlap = replace(
        apart, technicians=(apart.technicians[0], replace(b, shift=TimeWindow(10 * H, 17 * H)))
    )
    crew = DayRoutes(overlap, {}).crew_insertions(visit, [TimeWindow(8 * H, 17 * H)])[0]
    assert crew is not None
    assert set(crew.technicians) == {a.id, b.id}
    # The visit is at a's base; b leaves its own at 10:00 and drives there (and back: twice the
    # drive added): the crew starts the moment b arrives, the earliest common start.
    drive_s = crew.members[1].added_travel_s // 2
    assert crew.members[0] == replace(crew.members[0], technician=a.id, added_travel_s=0)
    assert crew.start_s == 10 * H + drive_s


def test_pinned_crew_visit_keeps_its_technician_in_the_crew() -> None:
    """A pinned crew visit's crew holds the pinned technician even when two others are cheaper."""
    problem = generate_day(4, 0, seed=7)
    skill = frozenset({"ac_install"})
    problem = replace(
        problem, technicians=tuple(replace(t, skills=skill) for t in problem.technicians)
    )
    day = DayRoutes(problem, {})
    here = problem.technicians[0].start
    visit = replace(Visit("big", here, 3600, (TimeWindow(0, 1),), skill), crew_size=2)
    whole_day = [TimeWindow(8 * H, 17 * H)]
    free = day.crew_insertions(visit, whole_day)[0]
    assert free is not None
    left_out = next(t.id for t in problem.technicians if t.id not in free.technicians)
    pinned = day.crew_insertions(replace(visit, pinned_technician=left_out), whole_day)[0]
    assert pinned is not None
    assert pinned.technicians[0] == left_out
    assert pinned.added_travel_s >= free.added_travel_s
    _as_crew_plan(day, visit, pinned)
