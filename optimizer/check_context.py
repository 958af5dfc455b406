"""What every validator rule needs: the Violation type and the problem and plan indexed once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .plan import Plan, Route, Stop
from .problem import Location, Problem, Technician, TimeWindow, Visit
from .travel import TravelTable, build_table


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a stable snake_case code, a sentence, and who and what it concerns."""

    code: str
    message: str
    technician: str | None = None
    visit: str | None = None


@dataclass(frozen=True, slots=True)
class Leg:
    """Travel between two consecutive points of a route, and the time the plan leaves for it."""

    travel_s: int
    distance_m: int
    gap_start_s: int  # end of service before the leg (route start for the first leg)
    gap_end_s: int  # start of service after the leg (route end for the last leg)
    stop: Stop | None  # the stop the leg leads to; None for the way back


@dataclass(frozen=True)
class CheckContext:
    """The problem and plan, indexed once for all rules."""

    problem: Problem
    plan: Plan
    technicians: dict[str, Technician]
    visits: dict[str, Visit]
    table: TravelTable
    node_of_visit: dict[str, int]
    start_node: dict[str, int]
    end_node: dict[str, int]

    def routed(self) -> Iterator[tuple[Route, Technician]]:
        """The routes whose technician exists and works on the route's day, each with the
        technician on that day's shift alone (Technician.on_shift)."""
        for r in self.plan.routes:
            day = self.on_day(r)
            if day is not None:
                yield r, day

    def on_day(self, route: Route) -> Technician | None:
        """The route's technician on the shift of the route's day; None when either is missing."""
        tech = self.technicians.get(route.technician)
        k = None if tech is None else tech.shift_on(route.day)
        if tech is None or k is None:
            return None
        return tech if len(tech.shifts) == 1 else tech.on_shift(k)

    def stops(self) -> Iterator[tuple[Route, Stop, Visit]]:
        """Every stop whose visit exists, with its route and visit."""
        for r in self.plan.routes:
            for s in r.stops:
                if s.visit in self.visits:
                    yield r, s, self.visits[s.visit]

    def legs(self, route: Route) -> list[Leg] | None:
        """The legs start -> stops -> end; None when empty or a technician or visit is unknown."""
        if route.technician not in self.technicians or not route.stops:
            return None
        if any(s.visit not in self.visits for s in route.stops):
            return None
        nodes = [self.start_node[route.technician]]
        nodes += [self.node_of_visit[s.visit] for s in route.stops]
        nodes.append(self.end_node[route.technician])
        ends = [route.start_s] + [s.end_s for s in route.stops]
        starts = [s.start_s for s in route.stops] + [route.end_s]
        targets: list[Stop | None] = [*route.stops, None]
        return [
            Leg(
                travel_s=int(self.table.durations_s[a, b]),
                distance_m=int(self.table.distances_m[a, b]),
                gap_start_s=ends[k],
                gap_end_s=starts[k],
                stop=targets[k],
            )
            for k, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))
        ]


def make_context(problem: Problem, plan: Plan) -> CheckContext:
    """Index the problem and plan, and build the travel table over every location."""
    techs = problem.technicians
    n = len(techs)
    # Nodes: technician starts 0..n-1, technician ends n..2n-1, then the visits.
    locations: list[Location] = [t.start for t in techs] + [t.end_location for t in techs]
    locations += [v.location for v in problem.visits]
    return CheckContext(
        problem=problem,
        plan=plan,
        technicians={t.id: t for t in techs},
        visits={v.id: v for v in problem.visits},
        table=build_table(problem.travel, locations),
        node_of_visit={v.id: 2 * n + i for i, v in enumerate(problem.visits)},
        start_node={t.id: i for i, t in enumerate(techs)},
        end_node={t.id: n + i for i, t in enumerate(techs)},
    )


def clock(t_s: int) -> str:
    """Seconds from midnight as H:MM:SS (hours may pass 24 for overtime into the night)."""
    sign, t_s = ("-", -t_s) if t_s < 0 else ("", t_s)
    return f"{sign}{t_s // 3600}:{t_s // 60 % 60:02d}:{t_s % 60:02d}"


def windows_text(windows: tuple[TimeWindow, ...]) -> str:
    """Windows as H:MM:SS-H:MM:SS, comma-separated, for messages."""
    return ", ".join(f"{clock(w.start_s)}-{clock(w.end_s)}" for w in windows)


def overlap_s(a_start_s: int, a_end_s: int, b_start_s: int, b_end_s: int) -> int:
    """How long two intervals overlap (0 when they only touch or are apart)."""
    return max(0, min(a_end_s, b_end_s) - max(a_start_s, b_start_s))
