"""The stock ledger: every change is a movement row and one guarded UPDATE of the balance.

A reservation, a transfer or a consumption changes a StockLevel with a single UPDATE whose
WHERE clause says the result stays within 0 <= reserved <= on_hand, checked by its row count;
the CHECK constraint backs it. Concurrent reservations therefore never take what is not there:
PostgreSQL serialises the UPDATEs on the row lock, SQLite runs one writer at a time.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from dispatch import localtime
from dispatch.errors import InvalidInput, NotFound, OutOfStock
from dispatch.parts.models import (
    LocationKind,
    MovementKind,
    Part,
    StockLevel,
    StockLevelPublic,
    StockLocation,
    StockLocationPublic,
    StockLocationView,
    StockMovement,
    StockTransfer,
    StockView,
)

M = MovementKind


def get_location_or_raise(*, session: Session, location_id: int) -> StockLocation:
    """The stock location with this id; raises NotFound."""
    location = session.get(StockLocation, location_id)
    if location is None:
        raise NotFound(f"stock location {location_id} does not exist.", loc=("location_id",))
    return location


def van_of(*, session: Session, technician_id: int) -> StockLocation | None:
    """The technician's van, or None when it carries no stock."""
    query = select(StockLocation).where(StockLocation.technician_id == technician_id)
    return session.exec(query).first()


def locations(*, session: Session, region_ids: Iterable[int] | None = None) -> list[StockLocation]:
    """Warehouses and vans, in the given regions when named, warehouses first."""
    query = select(StockLocation)
    if region_ids is not None:
        query = query.where(col(StockLocation.region_id).in_(list(region_ids)))
    return list(session.exec(query.order_by(col(StockLocation.kind).desc(), col(StockLocation.id))))


def level(*, session: Session, location_id: int, part_id: int) -> StockLevel | None:
    """The balance of one part at one location, as the database has it now."""
    query = select(StockLevel).where(
        StockLevel.location_id == location_id, StockLevel.part_id == part_id
    )
    return session.exec(query.execution_options(populate_existing=True)).first()


def levels(*, session: Session, location_ids: Iterable[int]) -> list[tuple[StockLevel, Part]]:
    """The balances at these locations with their parts, by location and part number."""
    query = (
        select(StockLevel, Part)
        .join(Part, col(Part.id) == col(StockLevel.part_id))
        .where(col(StockLevel.location_id).in_(list(location_ids)))
        .order_by(col(StockLevel.location_id), col(Part.part_number))
    )
    return [(lvl, part) for lvl, part in session.exec(query).all()]


def movements(*, session: Session, location_id: int, limit: int = 200) -> list[StockMovement]:
    """The location's ledger, newest first."""
    query = (
        select(StockMovement)
        .where(StockMovement.location_id == location_id)
        .order_by(col(StockMovement.at).desc(), col(StockMovement.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def receive(
    *,
    session: Session,
    location_id: int,
    part_id: int,
    quantity: int,
    at: datetime,
    note: str | None = None,
) -> StockLevel:
    """Step: parts arrived at the location."""
    _check_quantity(quantity)
    _part_or_raise(session, part_id)
    get_location_or_raise(session=session, location_id=location_id)
    return move(
        session=session,
        location_id=location_id,
        part_id=part_id,
        kind=M.RECEIPT,
        on_hand=quantity,
        at=at,
        note=note,
    )


def transfer(
    *, session: Session, from_id: int, to_id: int, part_id: int, quantity: int, at: datetime
) -> StockLevel:
    """Step: parts leave one location for another (a van loaded at the warehouse); what is
    reserved at the source stays there. Raises OutOfStock when not enough is free."""
    _check_quantity(quantity)
    _part_or_raise(session, part_id)
    source = get_location_or_raise(session=session, location_id=from_id)
    target = get_location_or_raise(session=session, location_id=to_id)
    if source.region_id != target.region_id:
        raise InvalidInput("stock moves within one region only.", loc=("to_location_id",))
    move(
        session=session,
        location_id=from_id,
        part_id=part_id,
        kind=M.TRANSFER_OUT,
        on_hand=-quantity,
        at=at,
        note=f"to {target.name}",
    )
    return move(
        session=session,
        location_id=to_id,
        part_id=part_id,
        kind=M.TRANSFER_IN,
        on_hand=quantity,
        at=at,
        note=f"from {source.name}",
    )


def move(
    *,
    session: Session,
    location_id: int,
    part_id: int,
    kind: MovementKind,
    at: datetime,
    on_hand: int = 0,
    reserved: int = 0,
    visit_id: int | None = None,
    note: str | None = None,
) -> StockLevel:
    """Step: one ledger line and its guarded balance change; raises OutOfStock when the balance
    would leave 0 <= reserved <= on_hand (nothing is changed then)."""
    _ensure_level(session, location_id, part_id)
    new_on_hand = col(StockLevel.on_hand) + on_hand
    new_reserved = col(StockLevel.reserved) + reserved
    result = session.execute(
        update(StockLevel)
        .where(
            col(StockLevel.location_id) == location_id,
            col(StockLevel.part_id) == part_id,
            new_reserved >= 0,
            new_reserved <= new_on_hand,
        )
        .values(on_hand=new_on_hand, reserved=new_reserved)
        .execution_options(synchronize_session=False)
    )
    balance = level(session=session, location_id=location_id, part_id=part_id)
    assert balance is not None  # _ensure_level made it
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise OutOfStock(_short_of(session, balance, on_hand, reserved), loc=("quantity",))
    session.add(
        StockMovement(
            location_id=location_id,
            part_id=part_id,
            kind=kind,
            on_hand_delta=on_hand,
            reserved_delta=reserved,
            visit_id=visit_id,
            note=note,
            at=localtime.require_aware(at, "at"),
        )
    )
    return balance


def _ensure_level(session: Session, location_id: int, part_id: int) -> None:
    """The balance row exists (INSERT ... ON CONFLICT DO NOTHING: two first receipts race)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(StockLevel)
        .values(location_id=location_id, part_id=part_id, on_hand=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["location_id", "part_id"])
    )


def _short_of(session: Session, balance: StockLevel, on_hand: int, reserved: int) -> str:
    part = session.get(Part, balance.part_id)
    location = session.get(StockLocation, balance.location_id)
    where = location.name if location else f"location {balance.location_id}"
    number = part.part_number if part else str(balance.part_id)
    free = balance.on_hand - balance.reserved
    if reserved < 0:
        return f"{where} holds only {balance.reserved} of part {number} reserved."
    asked = max(-on_hand, 0) + max(reserved, 0)
    return f"{where} has {free} of part {number} free, {asked} asked."


def _part_or_raise(session: Session, part_id: int) -> Part:
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound(f"part {part_id} does not exist.", loc=("part_id",))
    return part


def _check_quantity(quantity: int) -> None:
    if quantity <= 0:
        raise InvalidInput("quantity must be positive.", loc=("quantity",))


def in_region(*, session: Session, location_id: int, region_id: int) -> StockLocation:
    """The location, if it is in the region; raises NotFound otherwise (ids do not leak)."""
    location = session.get(StockLocation, location_id)
    if location is None or location.region_id != region_id:
        raise NotFound(f"stock location {location_id} does not exist.", loc=("location_id",))
    return location


def public(level: StockLevel, part: Part) -> StockLevelPublic:
    """A balance as the API shows it."""
    return StockLevelPublic(
        location_id=level.location_id,
        part_id=level.part_id,
        part_number=part.part_number,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.on_hand - level.reserved,
    )


def view(*, session: Session, region_id: int) -> StockView:
    """The region's warehouses and vans with their balances."""
    places = locations(session=session, region_ids=[region_id])
    by_location: dict[int, list[StockLevelPublic]] = {}
    for lvl, part in levels(session=session, location_ids=[p.id or 0 for p in places]):
        by_location.setdefault(lvl.location_id, []).append(public(lvl, part))
    out = [lvl for rows in by_location.values() for lvl in rows if lvl.available == 0]
    warehouses = {p.id for p in places if p.kind is LocationKind.WAREHOUSE}
    return StockView(
        stock_outs=len(out),
        warehouse_stock_outs=sum(lvl.location_id in warehouses for lvl in out),
        data=[
            StockLocationView(
                **StockLocationPublic.model_validate(p, from_attributes=True).model_dump(),
                levels=by_location.get(p.id or 0, []),
            )
            for p in places
        ]
    )


def transfer_in_region(
    *, session: Session, region_id: int, transfer_in: StockTransfer, at: datetime
) -> StockLevelPublic:
    """Move parts between two locations of the region (e.g. load a van) and commit; the
    target's new balance."""
    for location_id in (transfer_in.from_location_id, transfer_in.to_location_id):
        in_region(session=session, location_id=location_id, region_id=region_id)
    level = transfer(
        session=session,
        from_id=transfer_in.from_location_id,
        to_id=transfer_in.to_location_id,
        part_id=transfer_in.part_id,
        quantity=transfer_in.quantity,
        at=at,
    )
    session.commit()
    return public(level, _part_or_raise(session, transfer_in.part_id))


def van_levels(*, session: Session, technician_id: int) -> list[StockLevelPublic]:
    """The balances of the technician's van; none when it has no van."""
    van = van_of(session=session, technician_id=technician_id)
    if van is None:
        return []
    return [public(lvl, part) for lvl, part in levels(session=session, location_ids=[van.id or 0])]
