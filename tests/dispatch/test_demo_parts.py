"""The demo's spare parts: genuine part numbers per product model, rules per visit kind, a
stocked warehouse per region and a van per technician carrying what its skills call for."""

from sqlmodel import Session, select

from dispatch.demo.loader import load_demo
from dispatch.demo.parts import PARTS, VAN_STOCK, WAREHOUSE_STOCK
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import LocationKind, Part, StockLocation
from dispatch.product.models import ProductModel, VisitKind
from dispatch.technician.models import Technician
from tests.dispatch.conftest import TINY, TODAY


def test_demo_load_stocks_warehouses_and_vans_once(session: Session) -> None:
    summary = load_demo(session, today=TODAY, size=TINY)
    technicians = session.exec(select(Technician)).all()
    assert (summary.parts, summary.stock_locations) == (len(PARTS), 4 + len(technicians))
    ac = session.exec(select(ProductModel).where(ProductModel.name == "AC Split 1 PK")).one()
    [capacitor] = [p for p in session.exec(select(Part)).all() if p.part_number == "SJK-CAP-35UF"]
    assert capacitor.product_model_id == ac.id
    rules = parts_service.kind_needs(session=session, product_model_id=ac.id or 0)
    assert [(r.kind, r.part_id) for r in rules] == [(VisitKind.REPAIR, capacitor.id)]
    warehouses = session.exec(
        select(StockLocation).where(StockLocation.kind == LocationKind.WAREHOUSE)
    ).all()
    for warehouse in warehouses:
        levels = stock.levels(session=session, location_ids=[warehouse.id or 0])
        assert {lvl.on_hand for lvl, _ in levels} == {WAREHOUSE_STOCK}
        assert len(levels) == len(PARTS)
    ac_repairer = next(t for t in technicians if "ac_repair" in t.skills)
    carried = stock.van_levels(session=session, technician_id=ac_repairer.id or 0)
    assert ("SJK-CAP-35UF", VAN_STOCK) in {(lvl.part_number, lvl.available) for lvl in carried}
    again = load_demo(session, today=TODAY, size=TINY)
    assert (again.parts, again.stock_locations) == (0, 0)
