"""Plan types: a route per technician and working day, the visits left unassigned with a reason,
and totals. A visit with a crew is a stop on each crew member's route, at the same start."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .problem import Problem


class Reason(StrEnum):
    """Why a visit is left unassigned."""

    NO_SKILLED_TECHNICIAN = "no_skilled_technician"
    PINNED_TECHNICIAN_UNAVAILABLE = "pinned_technician_unavailable"
    NO_WINDOW_REACHABLE = "no_window_reachable"
    DEMAND_EXCEEDS_CAPACITY = "demand_exceeds_capacity"
    NO_CAPACITY = "no_capacity"
    CREW_UNAVAILABLE = "crew_unavailable"


class PlanStatus(StrEnum):
    """How the search ended, mirroring OR-Tools' RoutingSearchStatus."""

    OPTIMAL = "optimal"  # proven optimal (tiny instances only)
    FEASIBLE = "feasible"  # a plan found; the search stopped at a limit
    NO_SOLUTION = "no_solution"  # the search found nothing: every visit comes back unassigned
    EMPTY = "empty"  # nothing to plan


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit on a route: when the technician arrives, starts and ends service."""

    visit: str
    arrival_s: int
    start_s: int
    end_s: int


@dataclass(frozen=True, slots=True)
class BreakTime:
    """A break taken on a route."""

    start_s: int
    end_s: int


@dataclass(frozen=True, slots=True)
class Route:
    """A technician's working day: leaves start at start_s, back at the end location at end_s.

    day is the horizon day its shift starts on (0 on a one-day problem); a technician has at
    most one route a day.
    """

    technician: str
    stops: tuple[Stop, ...]
    breaks: tuple[BreakTime, ...]
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int
    overtime_s: int
    day: int = 0


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A visit the plan does not serve, with a reason code and a sentence for people."""

    visit: str
    reason: Reason
    message: str


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over all routes: assigned counts each visit once (a crew visit too), wait_days the
    days visits are served past their earliest day (Visit.wait_days)."""

    assigned: int
    unassigned: int
    travel_s: int
    distance_m: int
    overtime_s: int
    wait_days: int = 0


@dataclass(frozen=True, slots=True)
class SolverInfo:
    """How the plan was found."""

    status: PlanStatus
    wall_s: float
    objective: int
    # Which search produced the plan: ortools, pyvrp or vroom+ortools (optimizer/backends.py).
    engine: str = "ortools"
    # Where the seconds went, in order: (phase, seconds), e.g. ("read", 0.2), ("vroom", 1.4).
    phases: tuple[tuple[str, float], ...] = ()
    # Which first plan the search improved: "insertion", or a VROOM run ("vroom linear x5").
    first_plan: str = ""
    # Sentences on how the search was shaped, e.g. why a phase was skipped on a multi-day problem.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported by solve() on each better plan found (SolveParams.on_progress)."""

    elapsed_s: float
    objective: int
    assigned: int


@dataclass(frozen=True, slots=True)
class Plan:
    """The routes (one per technician and working day with stops; empty routes omitted), the
    unassigned visits and totals."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    totals: Totals
    solver: SolverInfo

    def route_of(self, technician_id: str, day: int = 0) -> Route | None:
        """The route of this technician on this day, or None when it has no stops."""
        return next(
            (r for r in self.routes if r.technician == technician_id and r.day == day), None
        )

    def routes_of(self, technician_id: str) -> tuple[Route, ...]:
        """Every route of this technician, by day."""
        return tuple(sorted((r for r in self.routes if r.technician == technician_id), key=_day))

    def technician_of(self, visit_id: str) -> str | None:
        """Who serves this visit (the first crew member), or None when it is unassigned."""
        crew = self.crew_of(visit_id)
        return crew[0] if crew else None

    def crew_of(self, visit_id: str) -> tuple[str, ...]:
        """Everyone who serves this visit, in route order (empty when it is unassigned)."""
        return tuple(r.technician for r in self.routes if any(s.visit == visit_id for s in r.stops))

    def to_dict(self) -> dict[str, Any]:
        """The plan in the purna.plan/2 JSON shape."""
        data = asdict(self)
        return {"format": "purna.plan/2", **data}


def _day(route: Route) -> int:
    return route.day


def totals_of(routes: tuple[Route, ...], unassigned: int, wait_days: int = 0) -> Totals:
    """Totals summed over the routes; each visit counted once, however many crew members."""
    return Totals(
        assigned=len({s.visit for r in routes for s in r.stops}),
        unassigned=unassigned,
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        overtime_s=sum(r.overtime_s for r in routes),
        wait_days=wait_days,
    )


def wait_days_of(problem: Problem, routes: tuple[Route, ...]) -> int:
    """The days the routed visits wait past their earliest day, each visit counted once."""
    visits = {v.id: v for v in problem.visits}
    starts = {s.visit: s.start_s for r in routes for s in r.stops if s.visit in visits}
    return sum(visits[vid].wait_days(start_s) for vid, start_s in starts.items())
