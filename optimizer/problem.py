"""Problem types: technicians, visits, windows, breaks and travel, frozen and checked on creation.

Times are integer seconds from midnight of the horizon's first day (local time): a problem may
span several days (day d runs from d x DAY_S); distances are integer metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from .errors import InvalidProblem

IntArray = npt.NDArray[np.int64]

DAY_S = 24 * 3600
# A plan covers one day or a horizon of up to 14; this leaves room for a last night shift and
# its overtime (and keeps every objective far inside 64 bits).
MAX_TIME_S = 16 * DAY_S

# A visit of priority p weighs PRIORITY_WEIGHT[p]: one step up outweighs ten visits one step down.
PRIORITY_WEIGHT: dict[int, int] = {1: 1, 2: 10, 3: 100, 4: 1_000, 5: 10_000}


def _check_time(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidProblem(f"must be an integer number of seconds, got {value!r}.", field=name)
    if not 0 <= value <= MAX_TIME_S:
        raise InvalidProblem(
            f"must be between 0 and {MAX_TIME_S} seconds, got {value}.", field=name
        )


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval [start_s, end_s] of seconds from midnight."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        _check_time(self.start_s, "start_s")
        _check_time(self.end_s, "end_s")
        if self.end_s < self.start_s:
            raise InvalidProblem(
                f"time window ends ({self.end_s}) before it starts ({self.start_s}).", field="end_s"
            )

    def contains(self, t_s: int) -> bool:
        """True when t_s lies inside the window (both ends included)."""
        return self.start_s <= t_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Location:
    """A point: coordinates, and with the matrix travel model an index into the matrix."""

    lat: float
    lon: float
    index: int | None = None

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidProblem(f"latitude must be within [-90, 90], got {self.lat}.", field="lat")
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidProblem(
                f"longitude must be within [-180, 180], got {self.lon}.", field="lon"
            )
        if self.index is not None and self.index < 0:
            raise InvalidProblem(f"matrix index must be >= 0, got {self.index}.", field="index")


@dataclass(frozen=True, slots=True)
class Break:
    """A break of duration_s that must start inside one of its windows (lunch, Friday prayer)."""

    windows: tuple[TimeWindow, ...]
    duration_s: int

    def __post_init__(self) -> None:
        if not self.windows:
            raise InvalidProblem("a break needs at least one window.", field="windows")
        _check_time(self.duration_s, "duration_s")


@dataclass(frozen=True, slots=True)
class Shift:
    """One working day of a technician: it may leave at start_s, is due back by end_s, and
    takes these breaks that day."""

    start_s: int
    end_s: int
    breaks: tuple[Break, ...] = ()

    def __post_init__(self) -> None:
        TimeWindow(self.start_s, self.end_s)  # the same checks as a window

    @property
    def window(self) -> TimeWindow:
        """[start_s, end_s] as a window."""
        return TimeWindow(self.start_s, self.end_s)

    @property
    def day(self) -> int:
        """The horizon day the shift starts on (0 = the first day)."""
        return self.start_s // DAY_S


@dataclass(frozen=True, slots=True, init=False)
class Technician:
    """A technician over the horizon: where each working day starts and ends, one shift (with
    its breaks) per working day, skills and capacity (per day).

    Built either with `shifts` (one per working day, in time order) or, as for a single day,
    with `shift` and `breaks`. Overtime beyond each shift's end_s is allowed up to
    max_overtime_s, at overtime_cost per second (in units of travel seconds).

    Raises:
        InvalidProblem: on no shift, both forms given, shifts out of order or overlapping
            (overtime included), or two shifts starting on one day.
    """

    id: str
    start: Location
    shifts: tuple[Shift, ...]
    end: Location | None = None  # None: back to start
    max_overtime_s: int = 0
    overtime_cost: int = 2
    skills: frozenset[str] = field(default_factory=frozenset)
    capacity: int | None = None

    def __init__(  # the dataclass fields, plus the one-day form (shift, breaks)
        self,
        id: str,
        start: Location,
        shift: TimeWindow | None = None,
        end: Location | None = None,
        max_overtime_s: int = 0,
        overtime_cost: int = 2,
        breaks: tuple[Break, ...] | None = None,
        skills: frozenset[str] = frozenset(),
        capacity: int | None = None,
        *,
        shifts: tuple[Shift, ...] = (),
    ) -> None:
        shifts = _one_day_form(shifts, shift, breaks)
        values = (id, start, tuple(shifts), end, max_overtime_s, overtime_cost, skills, capacity)
        for name, value in zip(_TECHNICIAN_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)
        self._check()

    def _check(self) -> None:
        if not self.id:
            raise InvalidProblem("a technician needs a non-empty id.", field="id")
        _check_time(self.max_overtime_s, "max_overtime_s")
        if self.overtime_cost < 0:
            raise InvalidProblem("must be >= 0.", field="overtime_cost")
        if self.capacity is not None and self.capacity < 0:
            raise InvalidProblem(f"must be >= 0 or null, got {self.capacity}.", field="capacity")
        for k, (a, b) in enumerate(zip(self.shifts, self.shifts[1:], strict=False)):
            if a.end_s + self.max_overtime_s > b.start_s:
                msg = "must start after the shift before it ends, overtime included."
                raise InvalidProblem(msg, field=f"shifts[{k + 1}].start_s")
            if a.day == b.day:
                msg = f"is a second shift on day {b.day}; one shift per working day."
                raise InvalidProblem(msg, field=f"shifts[{k + 1}].start_s")

    @property
    def shift(self) -> TimeWindow:
        """The shift of a one-day technician. Raises: ValueError when it works several days."""
        return self._only_shift().window

    @property
    def breaks(self) -> tuple[Break, ...]:
        """The breaks of a one-day technician. Raises: ValueError when it works several days."""
        return self._only_shift().breaks

    def _only_shift(self) -> Shift:
        if len(self.shifts) != 1:
            msg = f"technician {self.id} works {len(self.shifts)} shifts: read its shifts."
            raise ValueError(msg)
        return self.shifts[0]

    @property
    def end_location(self) -> Location:
        """Where the technician's day ends (the start when no end is given)."""
        return self.end if self.end is not None else self.start

    @property
    def latest_end_s(self) -> int:
        """The latest moment the technician may be back: last shift end plus allowed overtime."""
        return self.shifts[-1].end_s + self.max_overtime_s

    def on_shift(self, k: int) -> Technician:
        """The technician on its k-th shift only: a one-day technician with the same id."""
        return replace(self, shifts=(self.shifts[k],))

    def shift_on(self, day: int) -> int | None:
        """The index of the shift that starts on this horizon day, or None when off that day."""
        return next((k for k, s in enumerate(self.shifts) if s.day == day), None)


def _one_day_form(
    shifts: tuple[Shift, ...], shift: TimeWindow | None, breaks: tuple[Break, ...] | None
) -> tuple[Shift, ...]:
    """The shifts of a technician given in the one-day form (shift, breaks) or as shifts; the
    one-day form may also change a single shift (dataclasses.replace(t, breaks=...))."""
    if not shifts:
        if shift is None:
            raise InvalidProblem("a technician needs a shift.", field="shifts")
        return (Shift(shift.start_s, shift.end_s, tuple(breaks or ())),)
    if shift is None and breaks is None:
        return tuple(shifts)
    if len(shifts) != 1:
        msg = "give either shifts or shift with breaks, not both."
        raise InvalidProblem(msg, field="shifts")
    one = shifts[0]
    window = shift if shift is not None else one.window
    return (Shift(window.start_s, window.end_s, one.breaks if breaks is None else tuple(breaks)),)


_TECHNICIAN_FIELDS = (
    "id",
    "start",
    "shifts",
    "end",
    "max_overtime_s",
    "overtime_cost",
    "skills",
    "capacity",
)


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit to serve: service must start inside one of its windows and last duration_s."""

    id: str
    location: Location
    duration_s: int
    windows: tuple[TimeWindow, ...]
    skills: frozenset[str] = field(default_factory=frozenset)
    priority: int = 1
    pinned_technician: str | None = None  # hard: only this technician may serve it
    preferred_technician: str | None = None  # soft: a small cost when someone else serves it
    previous_technician: str | None = None  # for re-planning: who had it in the last plan
    demand: int = 0
    crew_size: int = 1  # how many technicians serve it together, starting at the same time
    previous_start_s: int | None = None  # for re-planning: its start in the last plan

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidProblem("a visit needs a non-empty id.", field="id")
        _check_time(self.duration_s, "duration_s")
        if not self.windows:
            raise InvalidProblem("a visit needs at least one window.", field="windows")
        if self.priority not in PRIORITY_WEIGHT:
            raise InvalidProblem(f"priority must be 1-5, got {self.priority}.", field="priority")
        if self.demand < 0:
            raise InvalidProblem(f"must be >= 0, got {self.demand}.", field="demand")
        if isinstance(self.crew_size, bool) or not isinstance(self.crew_size, int):
            msg = f"must be an integer, got {self.crew_size!r}."
            raise InvalidProblem(msg, field="crew_size")
        if self.crew_size < 1:
            raise InvalidProblem(f"must be >= 1, got {self.crew_size}.", field="crew_size")
        if self.previous_start_s is not None:
            _check_time(self.previous_start_s, "previous_start_s")

    @property
    def weight(self) -> int:
        """How much serving this visit is worth, relative to a priority-1 visit."""
        return PRIORITY_WEIGHT[self.priority]

    @property
    def earliest_day(self) -> int:
        """The day of its first window: serving it later costs Problem.day_wait_cost a day."""
        return min(w.start_s for w in self.windows) // DAY_S

    @property
    def movable(self) -> bool:
        """True when its windows lie on several days: the plan picks the day."""
        return len({w.start_s // DAY_S for w in self.windows}) > 1

    def wait_days(self, start_s: int) -> int:
        """How many days past its earliest day a service starting at start_s waits (the day of
        the earliest window holding start_s; 0 when none holds it)."""
        days = [w.start_s // DAY_S for w in self.windows if w.contains(start_s)]
        return min(days) - self.earliest_day if days else 0


@dataclass(frozen=True, slots=True)
class GreatCircle:
    """Travel by great-circle distance times a road factor, at an average speed."""

    speed_kmh: float = 25.0
    road_factor: float = 1.4

    def __post_init__(self) -> None:
        if not self.speed_kmh > 0:
            raise InvalidProblem(f"must be > 0, got {self.speed_kmh}.", field="travel.speed_kmh")
        if not self.road_factor >= 1.0:
            raise InvalidProblem(
                f"must be >= 1.0, got {self.road_factor}.", field="travel.road_factor"
            )


@dataclass(frozen=True, slots=True)
class Matrix:
    """Travel given as square duration (s) and distance (m) matrices, indexed by Location.index.

    The checks and every later lookup run on numpy copies made once here (durations, distances):
    a Python loop over the cells of a 700x700 matrix took over a second.
    """

    durations_s: tuple[tuple[int, ...], ...]
    distances_m: tuple[tuple[int, ...], ...]
    durations: IntArray = field(init=False, repr=False, compare=False, hash=False)
    distances: IntArray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        n = len(self.durations_s)
        for name, rows in (("durations_s", self.durations_s), ("distances_m", self.distances_m)):
            if len(rows) != n:
                raise InvalidProblem(
                    f"must have {n} rows, got {len(rows)}.", field=f"travel.{name}"
                )
            for i, row in enumerate(rows):
                if len(row) != n:
                    raise InvalidProblem(
                        f"row {i} must have {n} entries, got {len(row)}.", field=f"travel.{name}"
                    )
            cells = np.array(rows, dtype=np.int64).reshape(n, n)
            negative = np.flatnonzero((cells < 0).any(axis=1))
            if negative.size:
                msg = f"row {int(negative[0])} has a negative entry."
                raise InvalidProblem(msg, field=f"travel.{name}")
            cells.flags.writeable = False  # shared by every table built from this matrix
            object.__setattr__(self, name.split("_")[0], cells)

    @property
    def size(self) -> int:
        """The number of locations the matrix covers."""
        return len(self.durations_s)


Travel = GreatCircle | Matrix


@dataclass(frozen=True, slots=True)
class Problem:
    """A planning day or horizon of days: technicians, visits and how to travel between them.

    stability_cost: for re-planning, the cost (in travel seconds) of giving a visit to another
    technician than its previous_technician; 0 switches stability off.
    preference_cost: the cost (in travel seconds) of not giving a visit to its preferred technician.
    day_wait_cost: the cost (in travel seconds) of each day a visit is served past its earliest
    day (a movable visit), so that early days fill first; it never outweighs serving a visit.
    fairness_cost: the cost (in travel seconds) of each second of the longest working day (travel
    plus service) of a technician; 0 switches fair workload off (optimizer/soft_rules.py).
    start_move_cost: for re-planning, the cost (in travel seconds) of each second a visit starts
    before or after its previous_start_s; 0 switches it off.

    Raises:
        InvalidProblem: on duplicate ids, unknown pinned or preferred technicians, or matrix
            indices that are missing or out of range.
    """

    technicians: tuple[Technician, ...]
    visits: tuple[Visit, ...]
    travel: Travel = field(default_factory=GreatCircle)
    name: str = ""
    stability_cost: int = 0
    preference_cost: int = 900
    day_wait_cost: int = 600
    fairness_cost: int = 0
    start_move_cost: int = 0

    def __post_init__(self) -> None:
        tech_ids = [t.id for t in self.technicians]
        _check_unique(tech_ids, "technicians")
        _check_unique([v.id for v in self.visits], "visits")
        known = set(tech_ids)
        for i, v in enumerate(self.visits):
            if v.pinned_technician is not None and v.pinned_technician not in known:
                raise InvalidProblem(
                    f"pinned technician {v.pinned_technician!r} does not exist.",
                    field=f"visits[{i}].pinned_technician",
                )
            if v.preferred_technician is not None and v.preferred_technician not in known:
                raise InvalidProblem(
                    f"preferred technician {v.preferred_technician!r} does not exist.",
                    field=f"visits[{i}].preferred_technician",
                )
        if min(self.stability_cost, self.preference_cost, self.day_wait_cost) < 0:
            raise InvalidProblem("stability_cost, preference_cost and day_wait_cost must be >= 0.")
        for name in ("fairness_cost", "start_move_cost"):
            if getattr(self, name) < 0:
                raise InvalidProblem(f"must be >= 0, got {getattr(self, name)}.", field=name)
        if isinstance(self.travel, Matrix):
            self._check_indices(self.travel.size)

    def _check_indices(self, size: int) -> None:
        def check(loc: Location, name: str) -> None:
            if loc.index is None:
                raise InvalidProblem("needs an index with the matrix travel model.", field=name)
            if loc.index >= size:
                raise InvalidProblem(
                    f"index {loc.index} is outside the {size}x{size} matrix.", field=name
                )

        for i, t in enumerate(self.technicians):
            check(t.start, f"technicians[{i}].start")
            check(t.end_location, f"technicians[{i}].end")
        for i, v in enumerate(self.visits):
            check(v.location, f"visits[{i}].location")

    @property
    def days(self) -> int:
        """How many days the horizon spans: up to the last day a shift starts on."""
        return 1 + max((s.day for t in self.technicians for s in t.shifts), default=0)

    @property
    def single_day_solo(self) -> bool:
        """True when every technician works one shift and every visit needs one technician:
        the problems every engine (PyVRP, VROOM, insertion) can plan."""
        return all(len(t.shifts) == 1 for t in self.technicians) and all(
            v.crew_size == 1 for v in self.visits
        )

    def technician(self, technician_id: str) -> Technician:
        """The technician with this id (KeyError when there is none)."""
        for t in self.technicians:
            if t.id == technician_id:
                return t
        raise KeyError(technician_id)


def _check_unique(ids: list[str], name: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise InvalidProblem(f"id {x!r} appears twice.", field=f"{name}[{i}].id")
        seen.add(x)
