"""Parts in planning: a visit goes only to a technician whose van holds its parts, a planned
visit holds them, and they are released on un-assign or cancel and consumed on completion."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from dispatch.booking import service as booking_service
from dispatch.config import Settings
from dispatch.errors import Conflict
from dispatch.field import service as field_service
from dispatch.field.models import VisitEvent, VisitEventCreate
from dispatch.parts import reservations, stock
from dispatch.parts.eligibility import Demand, share_out
from dispatch.parts.models import MovementKind, Part, StockLocation
from dispatch.planning import pins, solving
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan
from dispatch.planning.pins import PinRefused
from dispatch.product.models import ProductModel, VisitKind
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.parts_world import (
    Balance,
    balance,
    make_part,
    make_van,
    make_warehouse,
    repairs_need,
    stock_up,
)
from tests.dispatch.planning_day import FAST, KEMANG, TEBET, two_technicians
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_product_model,
    make_region,
    make_request,
    make_visit,
)

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def _repair(
    session: Session, region: Region, model: ProductModel, place: tuple[float, float], hour: int
) -> Visit:
    """A booked repair of a unit of the model, promised hour to hour + 2 on DAY."""
    asset = make_asset(session, product_model=model)
    return make_visit(
        session,
        request=make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR),
        lat=place[0],
        lon=place[1],
        window_start=local(DAY, hour),
        window_end=local(DAY, hour + 2),
    )


def _world(session: Session) -> tuple[Region, ProductModel, Part, list[StockLocation]]:
    """Two technicians with vans; repairs of the AC model need one compressor; no stock yet."""
    region = make_region(session)
    techs = two_technicians(session, region)
    model = make_product_model(session)
    compressor = make_part(session, model)
    repairs_need(session, model, compressor)
    return region, model, compressor, [make_van(session, t) for t in techs]


def _plan(session: Session, region: Region) -> Plan:
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    assert solving.check_stored(plan) == []
    return plan


def _technician_of(plan: Plan, visit: Visit) -> int | None:
    return next(
        (r.technician_id for r in plan.routes for s in r.stops if s.visit_id == visit.id), None
    )


def test_a_repair_goes_to_the_technician_whose_van_holds_its_part(session: Session) -> None:
    """Only the second van holds the compressor: the repair near the first goes to the second."""
    region, model, compressor, vans = _world(session)
    stock_up(session, vans[1], compressor, 1)
    repair = _repair(session, region, model, KEMANG, 9)
    plan = _plan(session, region)
    assert _technician_of(plan, repair) == vans[1].technician_id


def test_a_repair_whose_part_nobody_carries_is_unassigned_saying_which(session: Session) -> None:
    region, model, compressor, vans = _world(session)
    make_warehouse(session, region)
    repair = _repair(session, region, model, KEMANG, 9)
    plan = _plan(session, region)
    [row] = plan.unassigned_visits
    assert (row.visit_id, row.reason) == (repair.id, "no_part_carrier")
    assert f"No technician carries part {compressor.part_number}" in row.message


def test_a_van_is_never_given_more_visits_than_it_has_parts(session: Session) -> None:
    """One compressor in one van, two repairs needing it: one planned, the other unassigned."""
    region, model, compressor, vans = _world(session)
    stock_up(session, vans[0], compressor, 1)
    repairs = [
        _repair(session, region, model, KEMANG, 9),
        _repair(session, region, model, TEBET, 13),
    ]
    plan = _plan(session, region)
    assert plan.assigned == 1
    [row] = plan.unassigned_visits
    assert row.reason == "no_part_carrier" and row.visit_id in {r.id for r in repairs}
    planning_service.publish(session=session, plan=plan, at=local(DAY, 7))
    assert balance(session, vans[0], compressor) == Balance(1, 1)


def test_a_van_with_enough_takes_every_repair(session: Session) -> None:
    region, model, compressor, vans = _world(session)
    stock_up(session, vans[0], compressor, 2)
    repairs = [
        _repair(session, region, model, KEMANG, 9),
        _repair(session, region, model, TEBET, 13),
    ]
    plan = _plan(session, region)
    assert {_technician_of(plan, r) for r in repairs} == {vans[0].technician_id}
    planning_service.publish(session=session, plan=plan, at=local(DAY, 7))
    assert balance(session, vans[0], compressor) == Balance(2, 2)


def _planned_repair(session: Session) -> tuple[Visit, Part, StockLocation]:
    region, model, compressor, vans = _world(session)
    stock_up(session, vans[0], compressor, 1)
    repair = _repair(session, region, model, KEMANG, 9)
    planning_service.publish(session=session, plan=_plan(session, region), at=local(DAY, 7))
    session.refresh(repair)
    assert repair.status is VisitStatus.PLANNED
    assert balance(session, vans[0], compressor) == Balance(1, 1)
    return repair, compressor, vans[0]


def test_a_cancelled_repair_releases_its_part(session: Session) -> None:
    repair, compressor, van = _planned_repair(session)
    booking_service.cancel(session=session, visit=repair, now=local(DAY, 8))
    assert balance(session, van, compressor) == Balance(1, 0)
    assert reservations.of_visit(session=session, visit_id=repair.id or 0) == []


def test_a_repair_a_new_plan_drops_releases_its_part(session: Session) -> None:
    """Moved after every shift, the repair is left out of the next plan: publishing it sends
    the repair back to booked and releases its part."""
    repair, compressor, van = _planned_repair(session)
    repair.window_start, repair.window_end = local(DAY, 20), local(DAY, 22)  # after every shift
    session.add(repair)
    session.commit()
    region = session.get(Region, repair.region_id)
    assert region is not None
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan, at=local(DAY, 7, 30))
    session.refresh(repair)
    assert repair.status is VisitStatus.BOOKED
    assert balance(session, van, compressor) == Balance(1, 0)


def test_a_completed_repair_consumes_its_part(session: Session) -> None:
    repair, compressor, van = _planned_repair(session)
    for k, event in enumerate((VisitEvent.EN_ROUTE, VisitEvent.ARRIVED, VisitEvent.COMPLETED)):
        field_service.record_event(
            session=session,
            visit=repair,
            event_in=VisitEventCreate(event=event, at=local(DAY, 9) + timedelta(minutes=30 * k)),
            settings=SETTINGS,
        )
    assert balance(session, van, compressor) == Balance(0, 0)
    kinds = [m.kind for m in stock.movements(session=session, location_id=van.id or 0)]
    assert kinds[0] is MovementKind.CONSUME


def test_publish_refuses_a_plan_whose_van_was_emptied_meanwhile(session: Session) -> None:
    region, model, compressor, vans = _world(session)
    warehouse = make_warehouse(session, region)
    stock_up(session, vans[1], compressor, 1)
    _repair(session, region, model, KEMANG, 9)
    plan = _plan(session, region)
    stock.transfer(
        session=session,
        from_id=vans[1].id or 0,
        to_id=warehouse.id or 0,
        part_id=compressor.id or 0,
        quantity=1,
        at=local(DAY, 6),
    )
    session.commit()
    with pytest.raises(Conflict, match="out of date: .* has 0 of part"):
        planning_service.publish(session=session, plan=plan, at=local(DAY, 7))


def test_share_out_gives_ample_vans_every_visit_and_scarce_ones_one_each() -> None:
    """Technician 1 holds 5 (ample for 2 visits), 2 holds 1: both visits may go to 1, and
    the scarce van of 2 goes to the first visit only."""
    demands = [Demand(10, {7: 1}, frozenset({1, 2})), Demand(11, {7: 1}, frozenset({1, 2}))]
    found = share_out(demands, {(1, 7): 5, (2, 7): 1})
    assert found.allowed == {10: frozenset({1}), 11: frozenset({1})}
    scarce = share_out(demands, {(1, 7): 1, (2, 7): 1})
    assert scarce.allowed == {10: frozenset({1}), 11: frozenset({2})}
    assert share_out(demands, {(2, 7): 1}).missing == {11: 7}


def test_share_out_names_the_part_no_candidate_has() -> None:
    """A visit needing parts 7 and 8, whose only skilled technician holds 7: part 8 is named."""
    found = share_out([Demand(10, {7: 1, 8: 1}, frozenset({1}))], {(1, 7): 3, (2, 8): 3})
    assert (found.allowed, found.missing) == ({}, {10: 8})


def test_a_pin_to_a_technician_without_the_part_is_refused(session: Session) -> None:
    region, model, compressor, vans = _world(session)
    stock_up(session, vans[1], compressor, 1)
    repair = _repair(session, region, model, KEMANG, 9)
    without, carrier = (session.get_one(Technician, v.technician_id) for v in vans)
    with pytest.raises(PinRefused, match=f"does not carry part {compressor.part_number}"):
        pins.pin(session=session, visit=repair, technician_id=without.id or 0, now=local(DAY, 6))
    pinned = pins.pin(
        session=session, visit=repair, technician_id=carrier.id or 0, now=local(DAY, 6)
    )
    assert pinned.pinned_technician_id == carrier.id


def test_slot_capacity_counts_a_visit_whatever_van_carries_its_part(session: Session) -> None:
    """The booking ledger's day keeps every promised visit, also one nobody has the part for
    (planning leaves it out, the day's time is still promised)."""
    region, model, _, _ = _world(session)
    repair = _repair(session, region, model, KEMANG, 9)
    planned = planning_service.build_problem(session=session, region=region, day=DAY)
    capacity = planning_service.build_problem(
        session=session, region=region, day=DAY, with_parts=False
    )
    assert [v.id for v in planned.problem.visits] == []
    assert [v.id for v in capacity.problem.visits] == [str(repair.id)]


def test_share_out_gives_a_scarce_part_to_the_nearest_van_that_has_it() -> None:
    """No van is ample: each visit goes to the first van of its preference (nearest first)
    with the part left, not to the fullest van; a van used up passes to the next nearest."""
    demands = [
        Demand(10, {7: 1}, frozenset({1, 2}), preference=(2, 1)),
        Demand(11, {7: 1}, frozenset({1, 2}), preference=(2, 1)),
        Demand(12, {7: 1}, frozenset({1, 2}), preference=(1, 2)),
    ]
    found = share_out(demands, {(1, 7): 2, (2, 7): 1})
    assert found.allowed == {10: frozenset({2}), 11: frozenset({1}), 12: frozenset({1})}
