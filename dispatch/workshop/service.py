"""Workshop services: register a partner workshop with its hours and services, read them back."""

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.errors import Conflict, NotFound
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.workshop.models import (
    OpeningHours,
    Workshop,
    WorkshopCreate,
    WorkshopHours,
    WorkshopPublic,
    WorkshopService,
)


def create(*, session: Session, workshop_in: WorkshopCreate) -> Workshop:
    """A new workshop in its region; raises NotFound for an unknown region, Conflict for a name
    the region has already."""
    region = region_service.get_by_code(session=session, code=workshop_in.region)
    if region is None:
        raise NotFound(f"region {workshop_in.region!r} does not exist.", loc=("body", "region"))
    taken = session.exec(
        select(Workshop.id).where(
            Workshop.region_id == region.id, Workshop.name == workshop_in.name
        )
    ).first()
    if taken is not None:
        msg = f"region {region.code} has a workshop named {workshop_in.name!r} already."
        raise Conflict(msg, loc=("body", "name"))
    workshop = Workshop.model_validate(workshop_in, update={"region_id": region.id})
    session.add(workshop)
    session.flush()
    for hours in workshop_in.hours:
        session.add(WorkshopHours(workshop_id=workshop.id or 0, **hours.model_dump()))
    for kind in workshop_in.services:
        session.add(WorkshopService(workshop_id=workshop.id or 0, kind=kind))
    session.commit()
    session.refresh(workshop)
    return workshop


def get_or_raise(*, session: Session, workshop_id: int) -> Workshop:
    """The workshop with this id; raises NotFound."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(f"workshop {workshop_id} does not exist.", loc=("workshop_id",))
    return workshop


def find_by_name(*, session: Session, region_id: int, name: str) -> Workshop | None:
    """The region's workshop with this name, or None."""
    query = select(Workshop).where(Workshop.region_id == region_id, Workshop.name == name)
    return session.exec(query).first()


def list_offering(
    *,
    session: Session,
    kind: VisitKind | None = None,
    region_ids: Collection[int] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Workshop], int]:
    """A page of the active workshops (offering kind, in these regions, when given), by name."""
    where = [col(Workshop.active).is_(True)]
    if kind is not None:
        offering = select(WorkshopService.workshop_id).where(WorkshopService.kind == kind)
        where.append(col(Workshop.id).in_(offering))
    if region_ids is not None:
        where.append(col(Workshop.region_id).in_(list(region_ids)))
    count = session.exec(select(func.count()).select_from(Workshop).where(*where)).one()
    query = select(Workshop).where(*where).order_by(col(Workshop.name), col(Workshop.id))
    return list(session.exec(query.offset(offset).limit(limit)).all()), count


def hours_of(*, session: Session, workshop_id: int) -> dict[int, WorkshopHours]:
    """The workshop's opening hours by weekday (0 = Monday); closed days are missing."""
    rows = session.exec(select(WorkshopHours).where(WorkshopHours.workshop_id == workshop_id))
    return {h.weekday: h for h in rows.all()}


def services_of(*, session: Session, workshop_id: int) -> list[VisitKind]:
    """The kinds of service the workshop offers."""
    rows = session.exec(
        select(WorkshopService.kind).where(WorkshopService.workshop_id == workshop_id)
    ).all()
    return sorted(VisitKind(k) for k in rows)


def region_of(*, session: Session, workshop: Workshop) -> Region:
    """The workshop's region (its time zone rules the opening hours)."""
    return region_service.get_or_raise(session=session, region_id=workshop.region_id)


def public(*, session: Session, workshop: Workshop) -> WorkshopPublic:
    """The workshop with its region, hours and services."""
    region = region_of(session=session, workshop=workshop)
    hours = hours_of(session=session, workshop_id=workshop.id or 0)
    return WorkshopPublic(
        **workshop.model_dump(exclude={"region_id"}),
        region=region.code,
        timezone=region.timezone,
        hours=[
            OpeningHours(weekday=d, opens=h.opens, closes=h.closes)
            for d, h in sorted(hours.items())
        ],
        services=services_of(session=session, workshop_id=workshop.id or 0),
    )
