"""Generated after-sales days in Greater Jakarta, for demos and benchmarks.

Technicians with skill profiles leave service centres spread over Jakarta, Bekasi, Tangerang,
Depok and Bogor; customers cluster in neighbourhoods near those centres. The same seed always gives
the same day (numpy's PCG64 generator). generate_week makes a horizon of several days: each
technician has a day off, some visits are movable over a due range of days and some
installations need a crew of two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InvalidProblem
from .problem import (
    DAY_S,
    Break,
    GreatCircle,
    Location,
    Problem,
    Shift,
    Technician,
    TimeWindow,
    Visit,
)

H = 3600
M = 60
SHIFT = TimeWindow(8 * H, 17 * H)
MAX_OVERTIME_S = 1 * H
LUNCH = Break(windows=(TimeWindow(11 * H + 30 * M, 13 * H + 30 * M),), duration_s=60 * M)
# Friday: the midday break starts before Jumu'ah (about 11:50-12:40 in Jakarta) and covers it.
FRIDAY_BREAK = Break(windows=(TimeWindow(11 * H + 15 * M, 11 * H + 45 * M),), duration_s=90 * M)
# Promised 2-hour arrival windows, as after-sales call centres in Jakarta offer them.
SLOTS = tuple(TimeWindow(s * H, (s + 2) * H) for s in (8, 10, 13, 15))
DAY_END_S = 17 * H

# name -> (lat, lon): the service centres of Greater Jakarta, where technicians start; the one
# list, also for the demo business's regions (dispatch.demo.catalogue).
SERVICE_CENTRES: dict[str, tuple[float, float]] = {
    "Gambir": (-6.1754, 106.8272),
    "Kebayoran Baru": (-6.2440, 106.7996),
    "Kebon Jeruk": (-6.1920, 106.7690),
    "Kelapa Gading": (-6.1580, 106.9080),
    "Jatinegara": (-6.2250, 106.8700),
    "Bekasi": (-6.2383, 106.9756),
    "Tangerang": (-6.1783, 106.6319),
    "BSD Serpong": (-6.3020, 106.6520),
    "Depok": (-6.4025, 106.7942),
    "Bogor": (-6.5950, 106.8166),
    "Cibubur": (-6.3650, 106.8800),  # the demo's second East Jakarta centre, not generated
}
CENTRE_WEIGHTS = (0.14, 0.14, 0.12, 0.11, 0.11, 0.11, 0.08, 0.07, 0.07, 0.05)
# (name, lat, lon): the centres generated days draw technicians from, one per area, weighted.
CENTRES = tuple((name, *place) for name, place in SERVICE_CENTRES.items())[: len(CENTRE_WEIGHTS)]

# (name, lat, lon): residential neighbourhoods where customers live.
NEIGHBOURHOODS = (
    ("Menteng", -6.1963, 106.8317),
    ("Tanah Abang", -6.2030, 106.8130),
    ("Kemang", -6.2607, 106.8138),
    ("Pondok Indah", -6.2659, 106.7830),
    ("Cilandak", -6.2900, 106.8000),
    ("Pasar Minggu", -6.2840, 106.8440),
    ("Tebet", -6.2260, 106.8530),
    ("Kelapa Gading", -6.1600, 106.9050),
    ("Sunter", -6.1390, 106.8680),
    ("Pluit", -6.1170, 106.7900),
    ("Grogol", -6.1670, 106.7900),
    ("Cengkareng", -6.1500, 106.7350),
    ("Kebon Jeruk", -6.1950, 106.7750),
    ("Duren Sawit", -6.2340, 106.9180),
    ("Cakung", -6.1830, 106.9400),
    ("Cibubur", -6.3700, 106.8870),
    ("Bekasi Barat", -6.2480, 106.9890),
    ("Bekasi Timur", -6.2480, 107.0160),
    ("Harapan Indah", -6.1830, 106.9700),
    ("Jatiasih", -6.3000, 106.9600),
    ("Karawaci", -6.2260, 106.6070),
    ("Alam Sutera", -6.2240, 106.6530),
    ("Bintaro", -6.2720, 106.7360),
    ("Ciputat", -6.3130, 106.7440),
    ("BSD", -6.3000, 106.6660),
    ("Margonda", -6.3800, 106.8320),
    ("Cinere", -6.3330, 106.7830),
    ("Sawangan", -6.4040, 106.7580),
    ("Bogor Tengah", -6.5970, 106.7990),
    ("Cibinong", -6.4810, 106.8540),
)
NEAR_KM = 10.0  # customers of a centre live in neighbourhoods within this distance
SPREAD_DEG = 0.012  # about 1.3 km: how far homes scatter around a neighbourhood centre


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of visit: the skill it needs, its duration range (min, step 5) and its share."""

    skill: str
    min_minutes: int
    max_minutes: int
    share: float
    repair: bool = False


KINDS = (
    Kind("ac_install", 90, 150, 0.18),
    Kind("ac_service", 45, 60, 0.25),
    Kind("ac_repair", 60, 90, 0.12, repair=True),
    Kind("appliance_install", 30, 60, 0.10),
    Kind("appliance_repair", 45, 90, 0.12, repair=True),
    Kind("motorcycle_service", 60, 60, 0.15),
    Kind("car_service", 90, 120, 0.08),
)

# (skills, share): AC teams, appliance teams, vehicle mechanics and a few multi-skilled people.
PROFILES: tuple[tuple[frozenset[str], float], ...] = (
    (frozenset({"ac_install", "ac_service", "ac_repair"}), 0.30),
    (frozenset({"ac_service", "ac_repair"}), 0.10),
    (frozenset({"appliance_install", "appliance_repair"}), 0.18),
    (frozenset({"motorcycle_service"}), 0.15),
    (frozenset({"car_service"}), 0.10),
    (frozenset({"ac_service", "ac_repair", "appliance_repair"}), 0.10),
    (frozenset({"motorcycle_service", "car_service"}), 0.07),
)

FIRST_NAMES = (
    "agus", "budi", "dewi", "eko", "fajar", "gita", "hadi", "indra", "joko", "kurnia",
    "lina", "made", "nur", "oki", "putu", "rizky", "sari", "taufik", "udin", "wahyu",
)  # fmt: skip


def generate_day(technicians: int, visits: int, seed: int = 0, *, friday: bool = False) -> Problem:
    """A generated day of after-sales visits in Greater Jakarta; the same seed gives the same day.

    Raises:
        InvalidProblem: when technicians < 1 or visits < 0.
    """
    if technicians < 1:
        raise InvalidProblem(f"must be >= 1, got {technicians}.", field="technicians")
    if visits < 0:
        raise InvalidProblem(f"must be >= 0, got {visits}.", field="visits")
    rng = np.random.default_rng(seed)
    techs = _technicians(rng, technicians, FRIDAY_BREAK if friday else LUNCH)
    day = tuple(_visit(rng, i, techs) for i in range(visits))
    return Problem(
        technicians=techs,
        visits=day,
        travel=GreatCircle(speed_kmh=25.0, road_factor=1.4),
        name=f"jakarta-{technicians}x{visits}-seed{seed}",
    )


def _technicians(rng: np.random.Generator, n: int, lunch: Break) -> tuple[Technician, ...]:
    """n technicians, spread over the centres, each with a skill profile."""
    centres = rng.choice(len(CENTRES), size=n, p=_normalised(CENTRE_WEIGHTS))
    shares = _normalised([share for _, share in PROFILES])
    profiles = rng.choice(len(PROFILES), size=n, p=shares)
    # The first profiles go round the list, so that even a small team covers every skill.
    profiles[: min(n, len(PROFILES))] = np.arange(min(n, len(PROFILES)))
    result = []
    for i in range(n):
        _, lat, lon = CENTRES[int(centres[i])]
        result.append(
            Technician(
                id=f"{FIRST_NAMES[i % len(FIRST_NAMES)]}-{i + 1:02d}",
                start=Location(lat, lon),
                shift=SHIFT,
                max_overtime_s=MAX_OVERTIME_S,
                breaks=(lunch,),
                skills=PROFILES[int(profiles[i])][0],
            )
        )
    return tuple(result)


def _visit(rng: np.random.Generator, i: int, techs: tuple[Technician, ...]) -> Visit:
    """One customer visit: kind, place near a technician's centre, windows, priority."""
    # Centres staff for their demand, so demand follows the workforce: pick the technician whose
    # area and trade the call falls into, then a kind of work that technician does.
    home = techs[int(rng.integers(len(techs)))]
    kind = _kind(rng, home.skills)
    location = _home_near(rng, home.start)
    minutes = int(rng.choice(np.arange(kind.min_minutes, kind.max_minutes + 1, 5)))
    preferred = None
    if rng.random() < 0.05:
        preferred = home.id  # a returning customer asks for the technician who came last time
    return Visit(
        id=f"v{i + 1:03d}",
        location=location,
        duration_s=minutes * M,
        windows=_windows(rng, minutes * M),
        skills=frozenset({kind.skill}),
        priority=_priority(rng, kind),
        preferred_technician=preferred,
    )


def _kind(rng: np.random.Generator, skills: frozenset[str]) -> Kind:
    """A kind of visit that needs one of these skills, by the kinds' shares."""
    kinds = [k for k in KINDS if k.skill in skills]
    return kinds[int(rng.choice(len(kinds), p=_normalised([k.share for k in kinds])))]


def _home_near(rng: np.random.Generator, centre: Location) -> Location:
    """A home in a neighbourhood near the centre (the nearest one when none is within NEAR_KM)."""
    km = [_km(centre, lat, lon) for _, lat, lon in NEIGHBOURHOODS]
    near = [j for j, d in enumerate(km) if d <= NEAR_KM] or [int(np.argmin(km))]
    _, lat, lon = NEIGHBOURHOODS[near[int(rng.integers(len(near)))]]
    dlat, dlon = rng.normal(0.0, SPREAD_DEG, size=2)
    return Location(round(lat + float(dlat), 5), round(lon + float(dlon), 5))


def _windows(rng: np.random.Generator, duration_s: int) -> tuple[TimeWindow, ...]:
    """Mostly one 2-hour slot; a few customers give two slots or the whole day."""
    u = rng.random()
    if u < 0.08:  # "any time today": done by the end of the working day
        return (TimeWindow(SHIFT.start_s, max(SHIFT.start_s, DAY_END_S - duration_s)),)
    if u < 0.18:
        a, b = sorted(int(x) for x in rng.choice(len(SLOTS), size=2, replace=False))
        return (SLOTS[a], SLOTS[b])
    return (SLOTS[int(rng.integers(len(SLOTS)))],)


def _priority(rng: np.random.Generator, kind: Kind) -> int:
    """Mostly 1-2; some repairs are urgent (4-5): a broken AC in the heat, a dead fridge."""
    if kind.repair and rng.random() < 0.2:
        return int(rng.choice((4, 5), p=(0.7, 0.3)))
    return int(rng.choice((1, 2, 3), p=(0.65, 0.30, 0.05)))


def _km(a: Location, lat: float, lon: float) -> float:
    """Equirectangular distance in km: plenty accurate across one metropolitan area."""
    x = np.radians(lon - a.lon) * np.cos(np.radians((lat + a.lat) / 2))
    y = np.radians(lat - a.lat)
    return float(6371.0 * np.hypot(x, y))


def _normalised(weights: list[float] | tuple[float, ...]) -> list[float]:
    """Weights scaled to sum to 1, as numpy's choice wants them."""
    total = sum(weights)
    return [w / total for w in weights]


# A generated week starts on a Monday: day 4 is a Friday (the longer midday break for Jumu'ah).
FRIDAY = 4
DUE_DAYS = (2, 5)  # a movable visit may be served within 2 to 5 days from its earliest day
CREW_MINUTES = (120, 180)  # a large split AC or a cassette unit: two installers, 2-3 hours


def generate_week(
    technicians: int,
    visits: int,
    days: int = 7,
    seed: int = 0,
    *,
    movable_share: float = 0.2,
    crew_share: float = 0.05,
) -> Problem:
    """A generated horizon of `days` days in Greater Jakarta: every technician works all days
    but one (its day off rotates), `visits` visits spread over the days; a share is movable
    (the whole working day on each day of a due range) and a share are AC installations for a
    crew of two. The same seed gives the same week.

    Raises:
        InvalidProblem: when technicians < 1, visits < 0, days < 1 or a share is outside [0, 1].
    """
    _check_week(technicians, visits, days, movable_share, crew_share)
    rng = np.random.default_rng(seed)
    techs = tuple(
        replace_shifts(t, _week_shifts(days, day_off=i % 7 if days > 1 else None))
        for i, t in enumerate(_technicians(rng, technicians, LUNCH))
    )
    kinds = rng.random(visits)
    week = tuple(
        _week_visit(rng, i, techs, days, movable=u < movable_share, crew=u > 1 - crew_share)
        for i, u in enumerate(kinds)
    )
    return Problem(
        technicians=techs,
        visits=week,
        travel=GreatCircle(speed_kmh=25.0, road_factor=1.4),
        name=f"jakarta-week-{technicians}x{visits}x{days}d-seed{seed}",
    )


def _check_week(technicians: int, visits: int, days: int, *shares: float) -> None:
    if technicians < 1:
        raise InvalidProblem(f"must be >= 1, got {technicians}.", field="technicians")
    if visits < 0:
        raise InvalidProblem(f"must be >= 0, got {visits}.", field="visits")
    if not 1 <= days <= 14:
        raise InvalidProblem(f"must be within 1-14, got {days}.", field="days")
    if not all(0.0 <= x <= 1.0 for x in shares):
        raise InvalidProblem("shares must lie within [0, 1].", field="movable_share")


def replace_shifts(tech: Technician, shifts: tuple[Shift, ...]) -> Technician:
    """The technician with these shifts instead of its own."""
    return Technician(
        tech.id,
        tech.start,
        end=tech.end,
        max_overtime_s=tech.max_overtime_s,
        overtime_cost=tech.overtime_cost,
        skills=tech.skills,
        capacity=tech.capacity,
        shifts=shifts,
    )


def _week_shifts(days: int, day_off: int | None) -> tuple[Shift, ...]:
    """08:00-17:00 with lunch on every day but the day off (Friday: the Jumu'ah break)."""
    return tuple(
        _on_day(d, FRIDAY_BREAK if d % 7 == FRIDAY else LUNCH)
        for d in range(days)
        if d % 7 != day_off
    )


def _on_day(day: int, lunch: Break) -> Shift:
    at = day * DAY_S
    windows = tuple(TimeWindow(w.start_s + at, w.end_s + at) for w in lunch.windows)
    return Shift(SHIFT.start_s + at, SHIFT.end_s + at, (Break(windows, lunch.duration_s),))


def _week_visit(
    rng: np.random.Generator,
    i: int,
    techs: tuple[Technician, ...],
    days: int,
    *,
    movable: bool,
    crew: bool,
) -> Visit:
    """A visit of the week: a day's visit moved to its day, made movable or a crew installation."""
    base = _visit(rng, i, techs)
    last = days - 1 if not movable else max(0, days - 2)
    day = int(rng.integers(last + 1))
    windows = _moved(base.windows, day)
    duration_s, skills = base.duration_s, base.skills
    if crew:
        duration_s = int(rng.choice(np.arange(CREW_MINUTES[0], CREW_MINUTES[1] + 1, 15))) * M
        skills = frozenset({"ac_install"})
        windows = _moved((SLOTS[int(rng.integers(3))],), day)  # not the last slot: a long job
    elif movable:
        due = min(days - 1, day + int(rng.integers(DUE_DAYS[0], DUE_DAYS[1] + 1)))
        latest_s = DAY_END_S - duration_s
        windows = tuple(
            TimeWindow(SHIFT.start_s + d * DAY_S, max(SHIFT.start_s, latest_s) + d * DAY_S)
            for d in range(day, due + 1)
        )
    return Visit(
        id=base.id,
        location=base.location,
        duration_s=duration_s,
        windows=windows,
        skills=skills,
        priority=base.priority,
        preferred_technician=base.preferred_technician,
        crew_size=2 if crew else 1,
    )


def _moved(windows: tuple[TimeWindow, ...], day: int) -> tuple[TimeWindow, ...]:
    """The windows of day 0 moved to this day."""
    return tuple(TimeWindow(w.start_s + day * DAY_S, w.end_s + day * DAY_S) for w in windows)
