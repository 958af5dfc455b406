"""Parts, warehouses and vans for tests: an AC model with a compressor its repairs need."""

import itertools
from dataclasses import dataclass

from sqlmodel import Session

from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import (
    KindPartNeedCreate,
    LocationKind,
    Part,
    PartCreate,
    StockLocation,
    StockLocationCreate,
)
from dispatch.product.models import ProductModel, VisitKind
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from tests.factories import REQUESTED_AT

_serial = itertools.count(1)


def make_part(session: Session, product_model: ProductModel, name: str = "compressor") -> Part:
    part_in = PartCreate(
        part_number=f"CMP-{next(_serial):04d}",
        name=name,
        name_id=f"{name} (id)",
        product_model_id=product_model.id or 0,
        price=1_200_000,
    )
    return parts_service.create_part(session=session, part_in=part_in)


def make_warehouse(session: Session, region: Region) -> StockLocation:
    location_in = StockLocationCreate(
        kind=LocationKind.WAREHOUSE, name=f"gudang {next(_serial)}", region_id=region.id
    )
    return parts_service.create_location(session=session, location_in=location_in)


def make_van(session: Session, technician: Technician) -> StockLocation:
    location_in = StockLocationCreate(kind=LocationKind.VAN, technician_id=technician.id)
    return parts_service.create_location(session=session, location_in=location_in)


def stock_up(session: Session, location: StockLocation, part: Part, quantity: int) -> None:
    """quantity of the part received at the location, committed."""
    stock.receive(
        session=session,
        location_id=location.id or 0,
        part_id=part.id or 0,
        quantity=quantity,
        at=REQUESTED_AT,
    )
    session.commit()


def repairs_need(
    session: Session, product_model: ProductModel, part: Part, quantity: int = 1
) -> None:
    """Every repair of the model needs quantity of the part."""
    parts_service.add_kind_need(
        session=session,
        product_model=product_model,
        need_in=KindPartNeedCreate(
            product_model_id=product_model.id or 0,
            kind=VisitKind.REPAIR,
            part_id=part.id or 0,
            quantity=quantity,
        ),
    )


@dataclass
class Balance:
    on_hand: int
    reserved: int


def balance(session: Session, location: StockLocation, part: Part) -> Balance:
    level = stock.level(session=session, location_id=location.id or 0, part_id=part.id or 0)
    return Balance(0, 0) if level is None else Balance(level.on_hand, level.reserved)
