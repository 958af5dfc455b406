"""Solomon VRPTW instances as Problems, under the DIMACS 2021 VRPTW challenge convention.

Units: the instances have no units. Following DIMACS, the distance between two customers is the
Euclidean distance truncated to one decimal; we keep it in integer *tenths* (isqrt(100 * d^2)),
and use it as both travel time and distance. Ready times, due dates and service times are
multiplied by 10 too, so every "_s" and "_m" field of the Problem is in tenths of a Solomon unit.
dimacs_distance() turns a plan's total back into the published unit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from math import isqrt
from pathlib import Path

from .errors import InvalidProblem
from .plan import Plan
from .problem import Location, Matrix, Problem, Technician, TimeWindow, Visit

SCALE = 10  # tenths: DIMACS truncates distances to one decimal


@dataclass(frozen=True, slots=True)
class _Node:
    """One line of the CUSTOMER section (node 0 is the depot)."""

    number: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


def read_solomon(path: str | Path) -> Problem:
    """Read a Solomon text instance into a Problem (see the module docstring for units).

    Raises:
        InvalidProblem: when the file does not follow the Solomon format.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InvalidProblem(f"cannot read the instance: {e.strerror}.", field=str(path)) from e
    return parse_solomon(text, default_name=path.stem)


def parse_solomon(text: str, default_name: str = "") -> Problem:
    """Parse the text of a Solomon instance into a Problem."""
    lines = [ln.split() for ln in text.splitlines()]
    name = lines[0][0] if lines and lines[0] else default_name
    vehicles, capacity = _fleet(lines)
    nodes = _nodes(lines)
    depot, customers = nodes[0], nodes[1:]
    shift = TimeWindow(depot.ready * SCALE, depot.due * SCALE)
    technicians = tuple(
        Technician(id=f"v{k}", start=Location(0.0, 0.0, 0), shift=shift, capacity=capacity)
        for k in range(1, vehicles + 1)
    )
    visits = tuple(
        Visit(
            id=str(c.number),
            location=Location(0.0, 0.0, i),
            duration_s=c.service * SCALE,
            windows=(TimeWindow(c.ready * SCALE, c.due * SCALE),),
            demand=c.demand,
        )
        for i, c in enumerate(customers, start=1)
    )
    table = dimacs_matrix([(n.x, n.y) for n in nodes])
    return Problem(
        technicians=technicians,
        visits=visits,
        travel=Matrix(durations_s=table, distances_m=table),
        name=name,
    )


def dimacs_matrix(points: list[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    """Euclidean distances truncated to one decimal, in integer tenths: floor(10 * d)."""
    return tuple(
        tuple(isqrt(100 * ((xa - xb) ** 2 + (ya - yb) ** 2)) for xb, yb in points)
        for xa, ya in points
    )


def dimacs_distance(plan: Plan) -> float:
    """The plan's total distance in the published DIMACS unit (one decimal)."""
    return plan.totals.distance_m / SCALE


def read_bks(csv_path: str | Path) -> dict[str, float]:
    """Best known DIMACS distances by instance name, from the `distance_dimacs` column."""
    with Path(csv_path).open(newline="", encoding="utf-8") as f:
        return {row["instance"]: float(row["distance_dimacs"]) for row in csv.DictReader(f)}


def _fleet(lines: list[list[str]]) -> tuple[int, int]:
    """Vehicle count and capacity: the line after `NUMBER CAPACITY`."""
    for i, words in enumerate(lines):
        if words[:2] == ["NUMBER", "CAPACITY"]:
            following = next((w for w in lines[i + 1 :] if w), [])
            try:
                vehicles, capacity = (int(w) for w in following[:2])
            except ValueError as e:
                raise InvalidProblem("expected two integers.", field="VEHICLE") from e
            return vehicles, capacity
    raise InvalidProblem("no `NUMBER CAPACITY` line found.", field="VEHICLE")


def _nodes(lines: list[list[str]]) -> list[_Node]:
    """The rows of the CUSTOMER section: seven integers each, depot first."""
    start = next((i for i, w in enumerate(lines) if w[:1] == ["CUSTOMER"]), None)
    if start is None:
        raise InvalidProblem("no CUSTOMER section found.", field="CUSTOMER")
    nodes: list[_Node] = []
    for words in lines[start + 1 :]:
        if len(words) != 7 or not words[0].isdigit():
            continue  # the header line and blank lines
        try:
            nodes.append(_Node(*(int(float(w)) for w in words)))
        except ValueError as e:
            raise InvalidProblem(f"bad row {' '.join(words)!r}.", field="CUSTOMER") from e
    if len(nodes) < 2 or nodes[0].number != 0:
        raise InvalidProblem("needs the depot (node 0) and a customer.", field="CUSTOMER")
    return nodes
