"""Who may be given a visit that needs parts: a technician whose van holds them, counted so
that no plan gives a van more visits than it has parts for.

The optimizer is not told about stock: dispatch.planning turns the answer into allowed
technicians (its eligibility mechanism). A technician "ample" in a part carries enough for
every visit of the day that needs it, and may take any of them; a scarce van's parts are
shared out in the order given (pinned visits, then priority), each visit to one such van only,
the nearest van that still has the parts, so that any plan the optimizer picks fits the stock
and the visits stay with technicians who start near them (not all on the fullest van). Parts
are not picked up on the way: a visit is served from a van's stock or not at all (a warehouse
stop would need a pickup at the route's start).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geopy.distance import great_circle
from sqlmodel import Session, col, select

from dispatch.parts import service as parts_service
from dispatch.parts.models import Part, Reservation, StockLevel, StockLocation
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit

Needs = Mapping[int, int]  # part id -> quantity
Stock = Mapping[tuple[int, int], int]  # (technician id, part id) -> available


@dataclass(frozen=True, slots=True)
class Demand:
    """A visit that needs parts, and the technicians who could serve it but for parts."""

    visit_id: int
    needs: Needs
    candidates: frozenset[int]
    # The candidates nearest first; without it a scarce part goes to the van with the most.
    preference: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Carriers:
    """Per visit that needs parts: the technicians who may take it, or the part nobody has."""

    allowed: dict[int, frozenset[int]]
    missing: dict[int, int]  # visit id -> part id


def share_out(demands: Sequence[Demand], stock: Stock) -> Carriers:
    """Which technicians may take each visit (see the module's docstring); demands in the order
    they should be served when a part is scarce."""
    total: dict[int, int] = {}
    for d in demands:
        for part, q in d.needs.items():
            total[part] = total.get(part, 0) + q
    budget = dict(stock)
    allowed: dict[int, frozenset[int]] = {}
    missing: dict[int, int] = {}
    for d in demands:
        ample = frozenset(
            t for t in d.candidates if all(stock.get((t, p), 0) >= total[p] for p in d.needs)
        )
        if ample:
            allowed[d.visit_id] = ample
            continue
        fits = [
            t
            for t in sorted(d.candidates)
            if all(budget.get((t, p), 0) >= q for p, q in d.needs.items())
        ]
        if not fits:
            missing[d.visit_id] = _first_missing(d, budget)
            continue
        nearest = [t for t in d.preference if t in fits]
        chosen = (
            nearest[0]
            if nearest
            else max(fits, key=lambda t: sum(budget.get((t, p), 0) for p in d.needs))
        )
        for p, q in d.needs.items():
            if stock.get((chosen, p), 0) < total[p]:
                budget[(chosen, p)] -= q
        allowed[d.visit_id] = frozenset({chosen})
    return Carriers(allowed, missing)


def _first_missing(demand: Demand, budget: Stock) -> int:
    """The first part (by id) that no candidate has enough of left; else the first part."""
    for part, q in sorted(demand.needs.items()):
        if not any(budget.get((t, part), 0) >= q for t in demand.candidates):
            return part
    return min(demand.needs)


def carriers(
    *, session: Session, visits: Sequence[Visit], technicians: Sequence[Technician]
) -> Carriers:
    """share_out for a day: pinned visits first (a dispatcher's decision), then by priority and
    window; the technicians with the skills (and the pin) for each, nearest first; van stock
    free for this day (holds for these visits count free)."""
    needs = parts_service.needs_of_many(session=session, visits=list(visits))
    ordered = sorted(
        (v for v in visits if (v.id or 0) in needs),
        key=lambda v: (v.pinned_technician_id is None, -v.priority, v.window_start, v.id),
    )
    demands = []
    for v in ordered:
        candidates = _candidates(v, technicians)
        nearest = sorted(
            (t for t in technicians if (t.id or 0) in candidates),
            key=lambda t: _km_from_start(v, t),
        )
        demands.append(
            Demand(v.id or 0, needs[v.id or 0], candidates, tuple(t.id or 0 for t in nearest))
        )
    return share_out(demands, _van_stock(session, technicians, [v.id or 0 for v in visits]))


def part_label(*, session: Session, part_id: int) -> str:
    """`EVAP-1PK-01 (evaporator fan motor)`, for messages."""
    part = session.get(Part, part_id)
    return f"{part.part_number} ({part.name})" if part else str(part_id)


def _km_from_start(visit: Visit, technician: Technician) -> float:
    """Great-circle km from the technician's start to the visit."""
    return float(
        great_circle((visit.lat, visit.lon), (technician.start_lat, technician.start_lon)).km
    )


def _candidates(visit: Visit, technicians: Sequence[Technician]) -> frozenset[int]:
    skills = set(visit.required_skills)
    return frozenset(
        t.id or 0
        for t in technicians
        if skills <= set(t.skills) and visit.pinned_technician_id in (None, t.id)
    )


def _van_stock(
    session: Session, technicians: Sequence[Technician], visit_ids: list[int]
) -> dict[tuple[int, int], int]:
    """(technician, part) -> free in its van, plus what the van holds for these visits (a
    new plan may give those parts out again)."""
    ids = [t.id or 0 for t in technicians]
    rows = session.exec(
        select(col(StockLocation.technician_id), StockLevel)
        .join(StockLevel, col(StockLevel.location_id) == col(StockLocation.id))
        .where(col(StockLocation.technician_id).in_(ids))
    ).all()
    free = {(t or 0, lvl.part_id): lvl.on_hand - lvl.reserved for t, lvl in rows}
    vans = {lvl.location_id: t or 0 for t, lvl in rows}
    for held in session.exec(select(Reservation).where(col(Reservation.visit_id).in_(visit_ids))):
        if held.location_id in vans:
            key = (vans[held.location_id], held.part_id)
            free[key] = free.get(key, 0) + held.quantity
    return free
