"""Technician services: create, update, look up, and find who has the skills a visit needs."""

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.db import changes
from dispatch.errors import NotFound
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.technician.models import (
    Technician,
    TechnicianCreate,
    TechnicianSkill,
    TechnicianUpdate,
)


def get(*, session: Session, technician_id: int) -> Technician | None:
    """The technician with this id, or None."""
    return session.get(Technician, technician_id)


def get_or_raise(*, session: Session, technician_id: int) -> Technician:
    """The technician with this id; raises NotFound."""
    technician = session.get(Technician, technician_id)
    if technician is None:
        raise NotFound(f"technician {technician_id} does not exist.", loc=("technician_id",))
    return technician


def list_for_region(
    *,
    session: Session,
    region_id: int,
    active_only: bool = True,
    skills: Collection[str] = (),
) -> list[Technician]:
    """The region's technicians ordered by id; with skills, only those having all of them."""
    query = select(Technician).where(Technician.region_id == region_id)
    if active_only:
        query = query.where(col(Technician.active).is_(True))
    wanted = set(skills)
    if wanted:
        having_all = (
            select(TechnicianSkill.technician_id)
            .where(col(TechnicianSkill.skill).in_(wanted))
            .group_by(col(TechnicianSkill.technician_id))
            .having(func.count() == len(wanted))
        )
        query = query.where(col(Technician.id).in_(having_all))
    return list(session.exec(query.order_by(col(Technician.id))).all())


def list_all(
    *,
    session: Session,
    region_codes: Collection[str] | None = None,
    active_only: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Technician], int]:
    """A page of technicians ordered by id (of the regions with these codes when given), and
    how many there are in all."""
    query = select(Technician)
    if region_codes is not None:
        in_regions = select(Region.id).where(col(Region.code).in_(list(region_codes)))
        query = query.where(col(Technician.region_id).in_(in_regions))
    if active_only:
        query = query.where(col(Technician.active).is_(True))
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = query.order_by(col(Technician.id)).offset(offset).limit(limit)
    return list(session.exec(page).all()), count


def create(*, session: Session, technician_in: TechnicianCreate) -> Technician:
    """A new technician with its skills, in an existing region."""
    region_service.get_or_raise(session=session, region_id=technician_in.region_id)
    technician = Technician.model_validate(technician_in.model_dump(exclude={"skills"}))
    session.add(technician)
    session.flush()  # the id the skill rows point at
    technician.skill_rows = [
        TechnicianSkill(technician_id=technician.id or 0, skill=s) for s in technician_in.skills
    ]
    session.commit()
    session.refresh(technician)
    return technician


def update(
    *, session: Session, technician: Technician, technician_in: TechnicianUpdate
) -> Technician:
    """The technician with the given fields changed; skills, when given, replace the old ones."""
    data = changes(technician_in, clearable={"capacity"})
    skills = data.pop("skills", None)
    if "region_id" in data:
        region_service.get_or_raise(session=session, region_id=data["region_id"])
    technician.sqlmodel_update(data)
    if skills is not None:
        _replace_skills(session, technician, skills)
    session.add(technician)
    session.commit()
    session.refresh(technician)
    return technician


def _replace_skills(session: Session, technician: Technician, skills: list[str]) -> None:
    """Keep rows of skills that stay (no delete-and-insert of the same primary key)."""
    kept = [row for row in technician.skill_rows if row.skill in skills]
    have = {row.skill for row in kept}
    added = [
        TechnicianSkill(technician_id=technician.id or 0, skill=s) for s in skills if s not in have
    ]
    technician.skill_rows = kept + added
    session.flush()
