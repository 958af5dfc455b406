"""Part services: the catalogue, stock locations, and the parts a visit needs."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.asset.models import Asset
from dispatch.db import commit_or_conflict
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.parts.models import (
    KindPartNeed,
    KindPartNeedCreate,
    LocationKind,
    Part,
    PartCreate,
    PartNeedBase,
    StockLocation,
    StockLocationCreate,
    VisitPartNeed,
)
from dispatch.product import service as product_service
from dispatch.product.models import ProductModel
from dispatch.region import service as region_service
from dispatch.technician import service as technician_service
from dispatch.visit.models import Visit, VisitStatus

S = VisitStatus
# The parts of a visit may change until it ends: on site, the technician names the part that
# turned out to be needed (what is held for it stays as it is).
NEEDS_EDITABLE = frozenset({S.REQUESTED, S.BOOKED, S.PLANNED, S.EN_ROUTE, S.ON_SITE})
Needs = dict[int, int]  # part id -> quantity


def get_part_or_raise(*, session: Session, part_id: int) -> Part:
    """The part with this id; raises NotFound."""
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound(f"part {part_id} does not exist.", loc=("part_id",))
    return part


def get_part_by_number(*, session: Session, part_number: str) -> Part:
    """The part with this OEM number; raises NotFound."""
    part = session.exec(select(Part).where(Part.part_number == part_number)).first()
    if part is None:
        raise NotFound(f"part number {part_number} does not exist.", loc=("part_number",))
    return part


def list_parts(
    *, session: Session, product_model_id: int | None = None, offset: int = 0, limit: int = 100
) -> tuple[list[Part], int]:
    """A page of parts by part number (of one product model when given), and the count."""
    where = [] if product_model_id is None else [Part.product_model_id == product_model_id]
    count = session.exec(select(func.count()).select_from(Part).where(*where)).one()
    query = select(Part).where(*where).order_by(col(Part.part_number)).offset(offset).limit(limit)
    return list(session.exec(query).all()), count


def create_part(*, session: Session, part_in: PartCreate) -> Part:
    """A genuine part of a product model; part numbers are unique."""
    product_service.get_or_raise(session=session, product_model_id=part_in.product_model_id)
    msg = f"part number {part_in.part_number} exists."
    if session.exec(select(Part).where(Part.part_number == part_in.part_number)).first():
        raise Conflict(msg, loc=("part_number",))
    part = Part.model_validate(part_in)
    session.add(part)
    commit_or_conflict(session, msg, loc=("part_number",))
    session.refresh(part)
    return part


def create_location(*, session: Session, location_in: StockLocationCreate) -> StockLocation:
    """A warehouse of a region, or a technician's van (named after it, in its region; a
    region_id given must be the technician's)."""
    if location_in.kind is LocationKind.VAN:
        technician = technician_service.get_or_raise(
            session=session, technician_id=location_in.technician_id or 0
        )
        if location_in.region_id not in (None, technician.region_id):
            raise InvalidInput(
                f"technician {technician.id} works in another region.", loc=("technician_id",)
            )
        location = StockLocation(
            kind=LocationKind.VAN,
            name=location_in.name or f"van of {technician.name}",
            region_id=technician.region_id,
            technician_id=technician.id,
        )
    else:
        if location_in.region_id is None:
            raise InvalidInput("a warehouse needs region_id.", loc=("region_id",))
        region_service.get_or_raise(session=session, region_id=location_in.region_id)
        location = StockLocation(
            kind=LocationKind.WAREHOUSE,
            name=location_in.name or "",
            region_id=location_in.region_id,
        )
    session.add(location)
    commit_or_conflict(session, "this technician has a van already.", loc=("technician_id",))
    session.refresh(location)
    return location


def add_kind_need(
    *, session: Session, product_model: ProductModel, need_in: KindPartNeedCreate
) -> KindPartNeed:
    """Every visit of this kind to this model needs the part from now on."""
    part = _part_fitting(session, product_model, need_in.part_id)
    product_service.policy_for(product_model=product_model, kind=need_in.kind)
    need = KindPartNeed(
        product_model_id=product_model.id or 0,
        kind=need_in.kind,
        part_id=part.id or 0,
        quantity=need_in.quantity,
    )
    session.add(need)
    commit_or_conflict(
        session,
        f"{need_in.kind} of this model needs part {part.part_number} already.",
        loc=("part_id",),
    )
    session.refresh(need)
    return need


def kind_needs(*, session: Session, product_model_id: int) -> list[KindPartNeed]:
    """The model's part rules, by kind."""
    query = select(KindPartNeed).where(KindPartNeed.product_model_id == product_model_id)
    return list(session.exec(query.order_by(col(KindPartNeed.kind), col(KindPartNeed.id))))


def needs_of(*, session: Session, visit: Visit) -> Needs:
    """The parts the visit needs: its kind's rule for the unit's model, then what was set on
    the visit itself (which wins for a part named in both)."""
    return needs_of_many(session=session, visits=[visit]).get(visit.id or 0, {})


def needs_of_many(*, session: Session, visits: list[Visit]) -> dict[int, Needs]:
    """needs_of for many visits in two queries; visits needing nothing are left out."""
    if not visits:
        return {}
    models = dict(
        session.exec(
            select(col(Asset.id), col(Asset.product_model_id)).where(
                col(Asset.id).in_({v.request.asset_id for v in visits})
            )
        ).all()
    )
    rules: dict[tuple[int, str], Needs] = {}
    for rule in session.exec(
        select(KindPartNeed).where(col(KindPartNeed.product_model_id).in_(set(models.values())))
    ):
        rules.setdefault((rule.product_model_id, rule.kind), {})[rule.part_id] = rule.quantity
    own: dict[int, Needs] = {}
    for need in session.exec(
        select(VisitPartNeed).where(col(VisitPartNeed.visit_id).in_([v.id for v in visits]))
    ):
        own.setdefault(need.visit_id, {})[need.part_id] = need.quantity
    result = {}
    for v in visits:
        needs = dict(rules.get((models.get(v.request.asset_id, 0), v.request.kind), {}))
        needs |= own.get(v.id or 0, {})
        if needs:
            result[v.id or 0] = needs
    return result


def set_visit_needs(
    *, session: Session, visit: Visit, parts: list[PartNeedBase]
) -> list[VisitPartNeed]:
    """Step: the parts this visit needs beyond its kind's rule, replacing what was set before;
    each must fit the unit's model. The caller re-syncs reservations and commits."""
    if visit.status not in NEEDS_EDITABLE:
        raise Conflict(
            f"visit {visit.id} is {visit.status}; its parts can no longer change.",
            loc=("status",),
        )
    asset = session.get(Asset, visit.request.asset_id)
    assert asset is not None  # a request's asset cannot be deleted
    for k, need in enumerate(parts):
        _part_fitting(session, asset.product_model, need.part_id, loc=("parts", k, "part_id"))
    for old in session.exec(select(VisitPartNeed).where(VisitPartNeed.visit_id == visit.id)):
        session.delete(old)
    session.flush()
    rows = [
        VisitPartNeed(visit_id=visit.id or 0, part_id=p.part_id, quantity=p.quantity) for p in parts
    ]
    session.add_all(rows)
    session.flush()
    return rows


def copy_visit_needs(*, session: Session, source: Visit, target: Visit) -> None:
    """Step: the target visit (a follow-up) needs what was set on the source."""
    for need in session.exec(select(VisitPartNeed).where(VisitPartNeed.visit_id == source.id)):
        session.add(
            VisitPartNeed(visit_id=target.id or 0, part_id=need.part_id, quantity=need.quantity)
        )


def _part_fitting(
    session: Session,
    product_model: ProductModel,
    part_id: int,
    loc: tuple[str | int, ...] = ("part_id",),
) -> Part:
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound(f"part {part_id} does not exist.", loc=loc)
    if part.product_model_id != product_model.id:
        raise InvalidInput(
            f"part {part.part_number} is not a part of {product_model.brand} {product_model.name}.",
            loc=loc,
        )
    return part
