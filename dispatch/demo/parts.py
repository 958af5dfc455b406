"""The demo's genuine spare parts: OEM part numbers per product model, the parts each kind of
visit needs, a warehouse per region and a stocked van per technician."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from dispatch.localtime import utc_now
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

K = VisitKind
WAREHOUSE_STOCK = 12  # of each part in each region's warehouse
VAN_STOCK = 6  # of each part a technician's skills call for


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A genuine part of one product model; needed_by: the kind of visit that always needs it;
    skill: the technicians whose vans carry it."""

    product: str  # brand and name, as dispatch.demo.specs.product_key
    part_number: str
    name: str
    name_id: str
    price: int
    skill: str
    needed_by: VisitKind | None = None


PARTS: tuple[PartSpec, ...] = (
    PartSpec(
        "Sejuk AC Split 1 PK",
        "SJK-CAP-35UF",
        "run capacitor 35 uF",
        "kapasitor 35 uF",
        85_000,
        "ac_repair",
        K.REPAIR,
    ),
    PartSpec(
        "Sejuk AC Split 1 PK",
        "SJK-CMP-09K",
        "compressor 9000 BTU",
        "kompresor 9000 BTU",
        1_850_000,
        "ac_repair",
    ),
    PartSpec(
        "Sejuk AC Split 1.5 PK",
        "SJK-CAP-45UF",
        "run capacitor 45 uF",
        "kapasitor 45 uF",
        95_000,
        "ac_repair",
        K.REPAIR,
    ),
    PartSpec(
        "Sejuk AC Split 1.5 PK",
        "SJK-CMP-12K",
        "compressor 12000 BTU",
        "kompresor 12000 BTU",
        2_250_000,
        "ac_repair",
    ),
    PartSpec(
        "Sejuk AC Split 2 PK",
        "SJK-CAP-50UF",
        "run capacitor 50 uF",
        "kapasitor 50 uF",
        110_000,
        "ac_repair",
        K.REPAIR,
    ),
    PartSpec(
        "Sejuk AC Split 2 PK",
        "SJK-FAN-2PK",
        "indoor fan motor",
        "motor kipas indoor",
        450_000,
        "ac_repair",
    ),
    PartSpec(
        "Kilat Front Load 8 kg",
        "KLT-PMP-FL8",
        "drain pump",
        "pompa pembuangan",
        320_000,
        "appliance_repair",
    ),
    PartSpec(
        "Kilat Top Load 7 kg", "KLT-BLT-TL7", "drive belt", "van belt", 75_000, "appliance_repair"
    ),
    PartSpec(
        "Segar Kulkas 2 Pintu 260 L",
        "SGR-THM-260",
        "thermostat",
        "termostat",
        180_000,
        "appliance_repair",
    ),
    PartSpec(
        "Gesit Bebek 125",
        "GST-OLF-125",
        "oil filter",
        "filter oli",
        35_000,
        "motorcycle_service",
        K.OIL_CHANGE,
    ),
    PartSpec("Gesit Bebek 125", "GST-SPK-125", "spark plug", "busi", 28_000, "motorcycle_service"),
    PartSpec(
        "Gesit Matic 110",
        "GST-OLF-110",
        "oil filter",
        "filter oli",
        35_000,
        "motorcycle_service",
        K.OIL_CHANGE,
    ),
    PartSpec(
        "Gesit Matic 110", "GST-VBL-110", "CVT belt", "v-belt CVT", 160_000, "motorcycle_repair"
    ),
    PartSpec(
        "Jaya MPV 1.5",
        "JYA-OLF-15",
        "oil filter",
        "filter oli",
        90_000,
        "car_service",
        K.OIL_CHANGE,
    ),
    PartSpec(
        "Jaya MPV 1.5", "JYA-BRK-15", "front brake pads", "kampas rem depan", 420_000, "car_repair"
    ),
)


def load_parts(
    session: Session,
    products: dict[str, ProductModel],
    regions: dict[str, Region],
    technicians: dict[tuple[str, str], Technician],
) -> tuple[int, int]:
    """The parts, their kind rules, warehouses and vans, each stocked when it is created;
    idempotent. How many parts and stock locations were added."""
    parts = _parts(session, products)
    added_parts = len(parts)
    have = {p.part_number: p for p in session.exec(select(Part)).all()}
    have_locations = {(loc.region_id, loc.name) for loc in session.exec(select(StockLocation))}
    added_locations = 0
    for region in regions.values():
        name = f"Gudang {region.name}"
        if (region.id, name) in have_locations:
            continue
        warehouse = parts_service.create_location(
            session=session,
            location_in=StockLocationCreate(
                kind=LocationKind.WAREHOUSE, name=name, region_id=region.id
            ),
        )
        _stock(session, warehouse, list(have.values()), WAREHOUSE_STOCK)
        added_locations += 1
    vans = {loc.technician_id for loc in session.exec(select(StockLocation))}
    for technician in technicians.values():
        if technician.id in vans:
            continue
        van = parts_service.create_location(
            session=session,
            location_in=StockLocationCreate(kind=LocationKind.VAN, technician_id=technician.id),
        )
        carried = [have[s.part_number] for s in PARTS if s.skill in technician.skills]
        _stock(session, van, carried, VAN_STOCK)
        added_locations += 1
    return added_parts, added_locations


def _parts(session: Session, products: dict[str, ProductModel]) -> list[Part]:
    """The catalogue's parts not yet there, with their kind rules."""
    have = {p.part_number for p in session.exec(select(Part)).all()}
    added = []
    for spec in PARTS:
        if spec.part_number in have:
            continue
        model = products[spec.product]
        part = parts_service.create_part(
            session=session,
            part_in=PartCreate(
                part_number=spec.part_number,
                name=spec.name,
                name_id=spec.name_id,
                product_model_id=model.id or 0,
                price=spec.price,
            ),
        )
        if spec.needed_by is not None:
            need = KindPartNeedCreate(
                product_model_id=model.id or 0, kind=spec.needed_by, part_id=part.id or 0
            )
            parts_service.add_kind_need(session=session, product_model=model, need_in=need)
        added.append(part)
    return added


def _stock(session: Session, location: StockLocation, parts: list[Part], quantity: int) -> None:
    """Step: quantity of each part received at the location, then committed."""
    for part in parts:
        stock.receive(
            session=session,
            location_id=location.id or 0,
            part_id=part.id or 0,
            quantity=quantity,
            at=utc_now(),
            note="opening stock",
        )
    session.commit()
