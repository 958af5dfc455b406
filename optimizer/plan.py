"""Plan types: a route per technician, the visits left unassigned with a reason, and totals."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why a visit is left unassigned."""

    NO_SKILLED_TECHNICIAN = "no_skilled_technician"
    PINNED_TECHNICIAN_UNAVAILABLE = "pinned_technician_unavailable"
    NO_WINDOW_REACHABLE = "no_window_reachable"
    DEMAND_EXCEEDS_CAPACITY = "demand_exceeds_capacity"
    NO_CAPACITY = "no_capacity"


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
    """A technician's day: leaves start at start_s, back at the end location at end_s."""

    technician: str
    stops: tuple[Stop, ...]
    breaks: tuple[BreakTime, ...]
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int
    overtime_s: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A visit the plan does not serve, with a reason code and a sentence for people."""

    visit: str
    reason: Reason
    message: str


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over all routes."""

    assigned: int
    unassigned: int
    travel_s: int
    distance_m: int
    overtime_s: int


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


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported by solve() on each better plan found (SolveParams.on_progress)."""

    elapsed_s: float
    objective: int
    assigned: int


@dataclass(frozen=True, slots=True)
class Plan:
    """The routes (one per technician that works, empty routes omitted), unassigned and totals."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    totals: Totals
    solver: SolverInfo

    def route_of(self, technician_id: str) -> Route | None:
        """The route of this technician, or None when it has no stops."""
        return next((r for r in self.routes if r.technician == technician_id), None)

    def technician_of(self, visit_id: str) -> str | None:
        """Who serves this visit, or None when it is unassigned."""
        for r in self.routes:
            if any(s.visit == visit_id for s in r.stops):
                return r.technician
        return None

    def to_dict(self) -> dict[str, Any]:
        """The plan in the purna.plan/1 JSON shape."""
        data = asdict(self)
        return {"format": "purna.plan/1", **data}


def totals_of(routes: tuple[Route, ...], unassigned: int) -> Totals:
    """Totals summed over the routes."""
    return Totals(
        assigned=sum(len(r.stops) for r in routes),
        unassigned=unassigned,
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        overtime_s=sum(r.overtime_s for r in routes),
    )
