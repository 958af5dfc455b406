"""Region services: create, update and look up service areas."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.db import changes, commit_or_conflict
from dispatch.errors import Conflict, NotFound
from dispatch.region.models import Region, RegionCreate, RegionUpdate


def get(*, session: Session, region_id: int) -> Region | None:
    """The region with this id, or None."""
    return session.get(Region, region_id)


def get_or_raise(*, session: Session, region_id: int) -> Region:
    """The region with this id; raises NotFound."""
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound(f"region {region_id} does not exist.", loc=("region_id",))
    return region


def get_by_code(*, session: Session, code: str) -> Region | None:
    """The region with this code (e.g. "jkt-south"), or None."""
    return session.exec(select(Region).where(Region.code == code)).first()


def list_all(*, session: Session, offset: int = 0, limit: int = 100) -> tuple[list[Region], int]:
    """A page of regions ordered by code, and how many there are in all."""
    count = session.exec(select(func.count()).select_from(Region)).one()
    rows = session.exec(select(Region).order_by(Region.code).offset(offset).limit(limit)).all()
    return list(rows), count


def list_by_codes(*, session: Session, codes: Collection[str] | None) -> list[Region]:
    """The regions with these codes (every region for None), ordered by code."""
    query = select(Region).order_by(Region.code)
    if codes is not None:
        query = query.where(col(Region.code).in_(list(codes)))
    return list(session.exec(query).all())


def create(
    *, session: Session, region_in: RegionCreate, default_timezone: str = "Asia/Jakarta"
) -> Region:
    """A new region; its time zone defaults to the deployment's (Settings.default_timezone)."""
    if get_by_code(session=session, code=region_in.code) is not None:
        raise Conflict(f"a region with code {region_in.code!r} exists.", loc=("code",))
    timezone = region_in.timezone or default_timezone
    region = Region.model_validate(region_in, update={"timezone": timezone})
    session.add(region)
    commit_or_conflict(session, f"a region with code {region_in.code!r} exists.", loc=("code",))
    session.refresh(region)
    return region


def update(*, session: Session, region: Region, region_in: RegionUpdate) -> Region:
    """The region with the fields given in region_in changed."""
    region.sqlmodel_update(changes(region_in, clearable={"osrm_url"}))
    session.add(region)
    session.commit()
    session.refresh(region)
    return region
