"""Parts held for visits: reserved in the van when planned, released when un-assigned,
cancelled or failed, consumed when completed. sync brings a visit's holds in line with its
status; it is a step (the caller commits) and idempotent."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from dispatch import events
from dispatch.errors import OutOfStock
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import (
    MovementKind,
    Part,
    PartNeedPublic,
    Reservation,
    VisitPartNeeds,
)
from dispatch.visit.models import Visit, VisitStatus

S = VisitStatus
M = MovementKind
# A visit in these states has its parts held in its technician's van.
HOLDING = frozenset({S.PLANNED, S.EN_ROUTE, S.ON_SITE})


def of_visit(*, session: Session, visit_id: int) -> list[Reservation]:
    """What is held for the visit, by part."""
    query = select(Reservation).where(Reservation.visit_id == visit_id)
    return list(session.exec(query.order_by(col(Reservation.part_id))).all())


def sync(*, session: Session, visits: Sequence[Visit], at: datetime) -> None:
    """Step: every visit's holds as its status says; all releases come before any reservation,
    so that parts moving between visits of one van never count twice. Raises OutOfStock when
    a planned visit's technician does not carry its parts (nothing is reserved then)."""
    wanted = {v.id or 0: _wanted(session, v) for v in visits}
    for v in visits:
        for held in of_visit(session=session, visit_id=v.id or 0):
            want = wanted[v.id or 0]
            if v.status is S.COMPLETED:
                _end(session, held, M.CONSUME, at)
            elif want.get(held.part_id) != (held.location_id, held.quantity):
                _end(session, held, M.RELEASE, at)
    session.flush()
    for v in visits:
        held_parts = {r.part_id for r in of_visit(session=session, visit_id=v.id or 0)}
        for part_id, (location_id, quantity) in wanted[v.id or 0].items():
            if part_id not in held_parts:
                _hold(session, v, part_id, location_id, quantity, at)


def replace_needs(
    *, session: Session, visit: Visit, needs_in: VisitPartNeeds, at: datetime
) -> list[PartNeedPublic]:
    """The parts this visit needs beyond its kind's rule, replacing those set before; a
    planned visit's holds follow (OutOfStock, nothing changed, when its van lacks them)."""
    parts_service.set_visit_needs(session=session, visit=visit, parts=needs_in.parts)
    sync(session=session, visits=[visit], at=at)
    session.commit()
    return needs_public(session=session, visit=visit)


def needs_public(*, session: Session, visit: Visit) -> list[PartNeedPublic]:
    """What the visit needs, by part number, with where each part is held for it."""
    needs = parts_service.needs_of(session=session, visit=visit)
    held = {r.part_id: r.location_id for r in of_visit(session=session, visit_id=visit.id or 0)}
    rows = []
    for part_id, quantity in needs.items():
        part = parts_service.get_part_or_raise(session=session, part_id=part_id)
        rows.append(
            PartNeedPublic(
                part_id=part_id,
                part_number=part.part_number,
                name=part.name,
                quantity=quantity,
                reserved_at=held.get(part_id),
            )
        )
    return sorted(rows, key=lambda r: r.part_number)


def _wanted(session: Session, visit: Visit) -> dict[int, tuple[int, int]]:
    """part id -> (location, quantity) that should be held for the visit now. A visit already
    on its way keeps what it holds: the technician is not stopped for a changed rule."""
    if visit.status in (S.EN_ROUTE, S.ON_SITE):
        return {
            r.part_id: (r.location_id, r.quantity)
            for r in of_visit(session=session, visit_id=visit.id or 0)
        }
    if visit.status is not S.PLANNED or visit.planned_technician_id is None:
        return {}
    needs = parts_service.needs_of(session=session, visit=visit)
    if not needs:
        return {}
    van = stock.van_of(session=session, technician_id=visit.planned_technician_id)
    if van is None:
        part = session.get(Part, min(needs))
        number = part.part_number if part else str(min(needs))
        raise OutOfStock(
            f"technician {visit.planned_technician_id} has no van stock for visit {visit.id}, "
            f"which needs part {number}.",
            loc=("technician_id",),
        )
    return {part_id: (van.id or 0, quantity) for part_id, quantity in needs.items()}


def _hold(
    session: Session, visit: Visit, part_id: int, location_id: int, quantity: int, at: datetime
) -> None:
    stock.move(
        session=session,
        location_id=location_id,
        part_id=part_id,
        kind=M.RESERVE,
        reserved=quantity,
        visit_id=visit.id,
        at=at,
    )
    session.add(
        Reservation(
            visit_id=visit.id or 0, part_id=part_id, location_id=location_id, quantity=quantity
        )
    )


def _end(session: Session, held: Reservation, kind: MovementKind, at: datetime) -> None:
    """Release the hold, or consume it (the part leaves stock with it)."""
    taken = -held.quantity if kind is M.CONSUME else 0
    stock.move(
        session=session,
        location_id=held.location_id,
        part_id=held.part_id,
        kind=kind,
        reserved=-held.quantity,
        on_hand=taken,
        visit_id=held.visit_id,
        at=at,
    )
    session.delete(held)


def _on_visit_changed(change: events.VisitChanged) -> None:
    """A field event or booking change: completion consumes, cancel, failure and un-assign
    release (planning reserves when it publishes)."""
    if change.visit.status not in HOLDING:
        sync(session=change.session, visits=[change.visit], at=change.at)


events.subscribe(_on_visit_changed)
