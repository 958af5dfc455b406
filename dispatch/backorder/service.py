"""Backorder services: record what a failed visit waits for, and open its follow-up (with the
customer's notice, in their language) when stock arrives.

Waits are served oldest first, each taking what it needs out of the region's free stock; a
part promised to a follow-up that is not planned yet stays promised (it is held only once the
follow-up is planned), so one arrival never promises the same part to two customers.
"""

from datetime import datetime

from sqlalchemy.orm import aliased as sa_alias
from sqlmodel import Session, col, select

from dispatch import events
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.compose import visit_key
from dispatch.outreach.models import MessageKind
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import (
    Part,
    PartWait,
    ReceiptResult,
    StockLevel,
    StockLocation,
    StockReceipt,
)
from dispatch.visit import lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, Visit, VisitStatus


def waits(*, session: Session, region_id: int | None = None) -> list[PartWait]:
    """The parts failed visits still wait for, oldest first (in one region when given)."""
    query = select(PartWait).where(col(PartWait.arrived_at).is_(None))
    if region_id is not None:
        query = query.join(Visit, col(Visit.id) == col(PartWait.visit_id)).where(
            Visit.region_id == region_id
        )
    return list(session.exec(query.order_by(col(PartWait.created_at), col(PartWait.id))).all())


def receive_in_region(
    *, session: Session, region_id: int, receipt: StockReceipt, at: datetime
) -> ReceiptResult:
    """receive at a location of the region (NotFound for one elsewhere): the new balance and
    the follow-ups opened."""
    stock.in_region(session=session, location_id=receipt.location_id, region_id=region_id)
    opened = receive(session=session, receipt=receipt, at=at)
    level = stock.level(session=session, location_id=receipt.location_id, part_id=receipt.part_id)
    part = session.get(Part, receipt.part_id)
    assert level is not None and part is not None  # the receipt made the balance
    return ReceiptResult(
        level=stock.public(level, part), follow_up_visit_ids=[v.id or 0 for v in opened]
    )


def receive(*, session: Session, receipt: StockReceipt, at: datetime) -> list[Visit]:
    """Parts arrived: the ledger records them, and every failed visit of the region now able
    to get its parts gets its follow-up visit; those follow-ups."""
    stock.receive(
        session=session,
        location_id=receipt.location_id,
        part_id=receipt.part_id,
        quantity=receipt.quantity,
        at=at,
        note=receipt.note,
    )
    location = stock.get_location_or_raise(session=session, location_id=receipt.location_id)
    opened = open_ready(session=session, region_id=location.region_id, at=at)
    session.commit()
    return opened


def wait_for_parts(*, session: Session, visit: Visit, at: datetime) -> list[PartWait]:
    """Step: the failed visit waits for the parts it needs; opened at once if they are in stock."""
    needs = parts_service.needs_of(session=session, visit=visit)
    rows = [
        PartWait(visit_id=visit.id or 0, part_id=part_id, quantity=quantity, created_at=at)
        for part_id, quantity in sorted(needs.items())
    ]
    session.add_all(rows)
    session.flush()
    open_ready(session=session, region_id=visit.region_id, at=at)
    return rows


def open_ready(*, session: Session, region_id: int, at: datetime) -> list[Visit]:
    """Step: follow-ups for the region's waiting visits whose parts are all free in its stock,
    oldest first."""
    free = _free_in_region(session, region_id)
    for part_id, quantity in _promised(session, region_id).items():
        free[part_id] = free.get(part_id, 0) - quantity
    by_visit: dict[int, list[PartWait]] = {}
    for w in waits(session=session, region_id=region_id):
        by_visit.setdefault(w.visit_id, []).append(w)
    opened = []
    for visit_id, rows in by_visit.items():
        if any(free.get(w.part_id, 0) < w.quantity for w in rows):
            continue
        for w in rows:
            free[w.part_id] -= w.quantity
            w.arrived_at = at
            session.add(w)
        opened.append(_open_follow_up(session, visit_id, rows[0].part_id, at))
    session.flush()
    return opened


def _open_follow_up(session: Session, failed_id: int, part_id: int, at: datetime) -> Visit:
    failed = visit_service.get_or_raise(session=session, visit_id=failed_id)
    follow_up = visit_service.follow_up_of(session=session, visit=failed)
    if follow_up is None:
        follow_up = lifecycle.follow_up(failed, at)
        session.add(follow_up)
        session.flush()
        parts_service.copy_visit_needs(session=session, source=failed, target=follow_up)
    _tell_customer(session, follow_up, part_id, at)
    return follow_up


def _tell_customer(session: Session, visit: Visit, part_id: int, at: datetime) -> None:
    """Queue the part-arrived notice in the customer's language (once per follow-up)."""
    facts = compose.facts_of(session, visit)
    part = session.get(Part, part_id)
    language = facts.customer.language
    label = "-" if part is None else f"{texts.part_name(part.name, part.name_id, language)} "
    extra = {"part": f"{label}({part.part_number})" if part else label}
    key = visit_key(visit.id, MessageKind.PART_ARRIVED)
    outbox.enqueue(
        session=session,
        draft=compose.for_customer(facts, MessageKind.PART_ARRIVED, key, at, extra),
    )


def _free_in_region(session: Session, region_id: int) -> dict[int, int]:
    """part id -> on hand minus reserved over the region's warehouses and vans."""
    rows = session.exec(
        select(StockLevel)
        .join(StockLocation, col(StockLocation.id) == col(StockLevel.location_id))
        .where(StockLocation.region_id == region_id)
    ).all()
    free: dict[int, int] = {}
    for lvl in rows:
        free[lvl.part_id] = free.get(lvl.part_id, 0) + lvl.on_hand - lvl.reserved
    return free


def _promised(session: Session, region_id: int) -> dict[int, int]:
    """part id -> quantity promised to the region's follow-ups opened on arrival and not yet
    planned (a planned one holds its parts in a van)."""
    follow_up = sa_alias(Visit)
    rows = session.exec(
        select(PartWait)
        .join(follow_up, col(follow_up.follow_up_of_id) == col(PartWait.visit_id))
        .where(
            col(PartWait.arrived_at).is_not(None),
            follow_up.region_id == region_id,
            col(follow_up.status).in_([VisitStatus.REQUESTED, VisitStatus.BOOKED]),
        )
    ).all()
    promised: dict[int, int] = {}
    for w in rows:
        promised[w.part_id] = promised.get(w.part_id, 0) + w.quantity
    return promised


def _on_visit_changed(change: events.VisitChanged) -> None:
    """A visit failed for a part it is known to need: it waits for the part (the field service
    left its follow-up to us)."""
    visit = change.visit
    if (
        change.source == "field"
        and visit.status is VisitStatus.FAILED
        and visit.failure_reason is FailureReason.PART_MISSING
        and visit_service.follow_up_of(session=change.session, visit=visit) is None
        and parts_service.needs_of(session=change.session, visit=visit)
    ):
        wait_for_parts(session=change.session, visit=visit, at=change.at)


events.subscribe(_on_visit_changed)
