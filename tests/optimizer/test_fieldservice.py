"""Generated Jakarta days: deterministic, the right size, and every visit servable by someone."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import InvalidProblem
from optimizer.fieldservice import FRIDAY_BREAK, KINDS, LUNCH, generate_day, generate_week
from optimizer.formats import read_problem
from optimizer.problem import GreatCircle

BENCH_SIZES = [(20, 100), (50, 250), (100, 500)]


def test_generate_day_is_deterministic_for_a_seed() -> None:
    """The same seed gives an equal problem; another seed gives a different one."""
    assert generate_day(8, 40, seed=7) == generate_day(8, 40, seed=7)
    assert generate_day(8, 40, seed=7) != generate_day(8, 40, seed=8)


@pytest.mark.parametrize(("technicians", "visits"), BENCH_SIZES)
def test_generate_day_has_the_sizes_asked(technicians: int, visits: int) -> None:
    """The bench sizes give exactly that many technicians and visits."""
    problem = generate_day(technicians, visits, seed=0)
    assert len(problem.technicians) == technicians
    assert len(problem.visits) == visits


@pytest.mark.parametrize(("technicians", "seed"), [(1, 0), (2, 1), (3, 2), (20, 3), (100, 4)])
def test_generate_day_every_visit_skill_is_held(technicians: int, seed: int) -> None:
    """Each visit needs one skill, and some technician of the day holds it, even in tiny teams."""
    problem = generate_day(technicians, 60, seed=seed)
    held = set().union(*(t.skills for t in problem.technicians))
    assert all(len(v.skills) == 1 and v.skills <= held for v in problem.visits)


def test_generate_day_visits_are_realistic() -> None:
    """Durations match their kind, windows lie in 08:00-17:00, priorities 1-5 mostly 1-2."""
    problem = generate_day(50, 250, seed=3)
    ranges = {k.skill: (k.min_minutes * 60, k.max_minutes * 60) for k in KINDS}
    for v in problem.visits:
        (skill,) = v.skills
        low, high = ranges[skill]
        assert low <= v.duration_s <= high, v
        assert all(8 * 3600 <= w.start_s <= w.end_s <= 17 * 3600 for w in v.windows), v
    low_priority = sum(v.priority <= 2 for v in problem.visits)
    assert low_priority >= 0.8 * len(problem.visits)
    assert any(v.priority >= 4 for v in problem.visits)
    assert any(len(v.windows) == 2 for v in problem.visits)


def test_generate_day_places_everyone_in_greater_jakarta() -> None:
    """Bases and customers lie in a box around Greater Jakarta; travel is 25 km/h, factor 1.4."""
    problem = generate_day(20, 100, seed=5)
    places = [t.start for t in problem.technicians] + [v.location for v in problem.visits]
    assert all(-6.75 < p.lat < -6.0 and 106.5 < p.lon < 107.25 for p in places)
    assert problem.travel == GreatCircle(speed_kmh=25.0, road_factor=1.4)


def test_generate_day_shifts_and_breaks() -> None:
    """Shifts run 08:00-17:00 with 1 h overtime and a lunch hour; Fridays get the prayer break."""
    tech = generate_day(3, 5, seed=0).technicians[0]
    assert (tech.shift.start_s, tech.shift.end_s, tech.max_overtime_s) == (28800, 61200, 3600)
    assert tech.breaks == (LUNCH,)
    assert generate_day(3, 5, seed=0, friday=True).technicians[0].breaks == (FRIDAY_BREAK,)


def test_generate_day_preferred_technicians_hold_the_skill() -> None:
    """A few visits prefer a technician, and that technician can do the visit."""
    problem = generate_day(50, 250, seed=2)
    preferred = [v for v in problem.visits if v.preferred_technician is not None]
    assert 0 < len(preferred) < 0.15 * len(problem.visits)
    for v in preferred:
        assert v.preferred_technician is not None
        assert v.skills <= problem.technician(v.preferred_technician).skills


def test_generate_day_rejects_an_empty_team() -> None:
    """Zero technicians is an InvalidProblem naming the argument."""
    with pytest.raises(InvalidProblem) as info:
        generate_day(0, 10)
    assert info.value.field == "technicians"


def test_generate_day_demo_fixture_is_seed_4() -> None:
    """fixtures/demo_day.json (for `purna demo-day`) is generate_day(8, 40, seed=4), unedited."""
    demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo_day.json"
    assert read_problem(demo) == generate_day(8, 40, seed=4)


# --- generated weeks ------------------------------------------------------------------------


def test_generate_week_shape() -> None:
    """A generated week: each technician works six days of seven (Friday with the Jumu'ah
    break), a fifth of the visits movable over 2-6 days (cut at the horizon), crews of two for
    AC installations; the same seed gives the same week."""
    week = generate_week(10, 200, 7, seed=3)
    assert week == generate_week(10, 200, 7, seed=3)
    assert all(len(t.shifts) == 6 for t in week.technicians)
    friday = [s for t in week.technicians for s in t.shifts if s.day == 4]
    assert friday and all(s.breaks[0].duration_s == 90 * 60 for s in friday)
    movable = [v for v in week.visits if v.movable]
    crews = [v for v in week.visits if v.crew_size == 2]
    assert 25 <= len(movable) <= 55 and 3 <= len(crews) <= 20
    assert all(2 <= len(v.windows) <= 6 for v in movable)
    assert all(v.skills == {"ac_install"} and not v.movable for v in crews)
    assert week.days == 7 and not week.single_day_solo


@pytest.mark.parametrize(
    ("args", "field"),
    [((0, 10, 7), "technicians"), ((2, -1, 7), "visits"), ((2, 10, 15), "days")],
)
def test_generate_week_rejects_bad_sizes(args: tuple[int, int, int], field: str) -> None:
    """Sizes outside their ranges are refused with the field named."""
    with pytest.raises(InvalidProblem) as info:
        generate_week(*args)
    assert info.value.field == field
