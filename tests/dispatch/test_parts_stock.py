"""Spare parts: the catalogue, stock as a ledger, the parts a visit needs, and reservations
that never take more than is there, also when they race."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dispatch.errors import Conflict, InvalidInput, OutOfStock
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import (
    MovementKind,
    PartCreate,
    PartNeedBase,
    StockLevel,
    StockMovement,
)
from dispatch.product.models import VisitKind
from dispatch.visit.models import VisitStatus
from tests.dispatch.parts_world import (
    Balance,
    balance,
    make_part,
    make_van,
    make_warehouse,
    repairs_need,
    stock_up,
)
from tests.factories import (
    REQUESTED_AT,
    make_asset,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
)

THREADS = 10


def test_receipt_and_transfer_move_stock_and_write_the_ledger(session: Session) -> None:
    """5 compressors arrive at the warehouse, 2 go to a van: 3 and 2, four ledger lines."""
    model = make_product_model(session)
    part = make_part(session, model)
    region = make_region(session)
    warehouse, van = (
        make_warehouse(session, region),
        make_van(session, make_technician(session, region=region)),
    )
    stock_up(session, warehouse, part, 5)
    stock.transfer(
        session=session,
        from_id=warehouse.id or 0,
        to_id=van.id or 0,
        part_id=part.id or 0,
        quantity=2,
        at=REQUESTED_AT,
    )
    session.commit()
    assert (balance(session, warehouse, part).on_hand, balance(session, van, part).on_hand) == (
        3,
        2,
    )
    kinds = [m.kind for m in stock.movements(session=session, location_id=warehouse.id or 0)]
    assert sorted(kinds) == [MovementKind.RECEIPT, MovementKind.TRANSFER_OUT]


def test_transfer_of_more_than_is_free_is_refused_and_changes_nothing(session: Session) -> None:
    """A warehouse with 3, one of them reserved, cannot send 3: OutOfStock, balances unchanged."""
    model = make_product_model(session)
    part = make_part(session, model)
    region = make_region(session)
    warehouse, van = (
        make_warehouse(session, region),
        make_van(session, make_technician(session, region=region)),
    )
    stock_up(session, warehouse, part, 3)
    stock.move(
        session=session,
        location_id=warehouse.id or 0,
        part_id=part.id or 0,
        kind=MovementKind.RESERVE,
        reserved=1,
        at=REQUESTED_AT,
    )
    session.commit()
    with pytest.raises(OutOfStock, match="has 2 of part CMP-.* free, 3 asked"):
        stock.transfer(
            session=session,
            from_id=warehouse.id or 0,
            to_id=van.id or 0,
            part_id=part.id or 0,
            quantity=3,
            at=REQUESTED_AT,
        )
    session.rollback()
    assert balance(session, warehouse, part) == Balance(3, 1)
    assert balance(session, van, part).on_hand == 0


def test_transfer_to_another_region_is_refused(session: Session) -> None:
    model = make_product_model(session)
    part = make_part(session, model)
    here, there = (
        make_warehouse(session, make_region(session)),
        make_warehouse(session, make_region(session)),
    )
    stock_up(session, here, part, 2)
    with pytest.raises(InvalidInput, match="within one region"):
        stock.transfer(
            session=session,
            from_id=here.id or 0,
            to_id=there.id or 0,
            part_id=part.id or 0,
            quantity=1,
            at=REQUESTED_AT,
        )


def test_balance_equals_the_sum_of_its_ledger(session: Session) -> None:
    """Receipt, reserve, consume, release: the balance row is the ledger's running sum."""
    model = make_product_model(session)
    part = make_part(session, model)
    warehouse = make_warehouse(session, make_region(session))
    stock_up(session, warehouse, part, 4)
    for kind, on_hand, reserved in (
        (MovementKind.RESERVE, 0, 2),
        (MovementKind.CONSUME, -1, -1),
        (MovementKind.RELEASE, 0, -1),
    ):
        stock.move(
            session=session,
            location_id=warehouse.id or 0,
            part_id=part.id or 0,
            kind=kind,
            on_hand=on_hand,
            reserved=reserved,
            at=REQUESTED_AT,
        )
    session.commit()
    lines = stock.movements(session=session, location_id=warehouse.id or 0)
    summed = (sum(m.on_hand_delta for m in lines), sum(m.reserved_delta for m in lines))
    now = balance(session, warehouse, part)
    assert summed == (now.on_hand, now.reserved) == (3, 0)


def test_releasing_more_than_is_reserved_is_refused(session: Session) -> None:
    model = make_product_model(session)
    part = make_part(session, model)
    warehouse = make_warehouse(session, make_region(session))
    stock_up(session, warehouse, part, 2)
    with pytest.raises(OutOfStock, match="holds only 0"):
        stock.move(
            session=session,
            location_id=warehouse.id or 0,
            part_id=part.id or 0,
            kind=MovementKind.RELEASE,
            reserved=-1,
            at=REQUESTED_AT,
        )


def test_database_refuses_reserved_above_on_hand(session: Session) -> None:
    """Even a direct UPDATE cannot reserve what is not there: the CHECK constraint refuses it."""
    model = make_product_model(session)
    part = make_part(session, model)
    warehouse = make_warehouse(session, make_region(session))
    stock_up(session, warehouse, part, 1)
    level = session.exec(select(StockLevel)).one()
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.text(f"UPDATE stock_level SET reserved = 2 WHERE id = {level.id}"))
        session.flush()


def test_part_numbers_are_unique_and_a_van_is_one_per_technician(session: Session) -> None:
    model = make_product_model(session)
    part = make_part(session, model)
    duplicate = PartCreate(
        part_number=part.part_number, name="x", name_id="x", product_model_id=model.id or 0
    )
    with pytest.raises(Conflict, match="exists"):
        parts_service.create_part(session=session, part_in=duplicate)
    technician = make_technician(session)
    make_van(session, technician)
    with pytest.raises(Conflict, match="has a van already"):
        make_van(session, technician)


def test_a_visit_needs_its_kinds_parts_and_what_is_set_on_it(session: Session) -> None:
    """Repairs need 1 compressor; this repair also needs 2 capacitors and a second compressor."""
    model = make_product_model(session)
    compressor, capacitor = make_part(session, model), make_part(session, model, "capacitor")
    repairs_need(session, model, compressor)
    asset = make_asset(session, product_model=model)
    repair = make_visit(session, request=make_request(session, asset=asset, kind=VisitKind.REPAIR))
    assert parts_service.needs_of(session=session, visit=repair) == {compressor.id: 1}
    parts_service.set_visit_needs(
        session=session,
        visit=repair,
        parts=[
            PartNeedBase(part_id=capacitor.id or 0, quantity=2),
            PartNeedBase(part_id=compressor.id or 0, quantity=2),
        ],
    )
    assert parts_service.needs_of(session=session, visit=repair) == {
        compressor.id: 2,
        capacitor.id: 2,
    }
    installation = make_visit(
        session, request=make_request(session, asset=make_asset(session, product_model=model))
    )
    assert parts_service.needs_of(session=session, visit=installation) == {}


def test_a_part_of_another_model_or_a_finished_visit_is_refused(session: Session) -> None:
    model, other = make_product_model(session), make_product_model(session)
    foreign = make_part(session, other)
    visit = make_visit(
        session, request=make_request(session, asset=make_asset(session, product_model=model))
    )
    with pytest.raises(InvalidInput, match="is not a part of"):
        parts_service.set_visit_needs(
            session=session, visit=visit, parts=[PartNeedBase(part_id=foreign.id or 0)]
        )
    done = make_visit(session, status=VisitStatus.COMPLETED)
    with pytest.raises(Conflict, match="can no longer change"):
        parts_service.set_visit_needs(session=session, visit=done, parts=[])


def test_concurrent_reservations_take_exactly_what_is_on_hand(engine: Engine) -> None:
    """Ten threads reserve one compressor each from a van holding 3: exactly 3 succeed, and
    the balance and ledger say 3 reserved."""
    with Session(engine) as session:
        model = make_product_model(session)
        part = make_part(session, model)
        van = make_van(session, make_technician(session))
        stock_up(session, van, part, 3)
        part_id, van_id = part.id or 0, van.id or 0
    barrier = threading.Barrier(THREADS)

    def reserve() -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                stock.move(
                    session=session,
                    location_id=van_id,
                    part_id=part_id,
                    kind=MovementKind.RESERVE,
                    reserved=1,
                    at=REQUESTED_AT,
                )
                session.commit()
            except OutOfStock:
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(reserve) for _ in range(THREADS)]]
    assert results.count(True) == 3
    with Session(engine) as session:
        level = stock.level(session=session, location_id=van_id, part_id=part_id)
        assert level is not None and (level.on_hand, level.reserved) == (3, 3)
        reserves = session.exec(
            select(StockMovement).where(StockMovement.kind == MovementKind.RESERVE)
        ).all()
        assert len(reserves) == 3
