"""Crew visits: the technicians a published plan gives a visit that needs more than one.

The first member is the visit's planned_technician_id (everything that asks "whose visit is
it" keeps working); visit_crew holds every member, so that each sees the visit on their route.
"""

from collections.abc import Collection, Sequence

from sqlalchemy import delete
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col, select

from dispatch.visit.models import Visit, VisitCrew


def set_members(*, session: Session, visit: Visit, technician_ids: Sequence[int]) -> None:
    """Step: the visit's crew is these technicians (the first becomes its planned technician's
    partner list head); one technician or none clears it."""
    session.execute(delete(VisitCrew).where(col(VisitCrew.visit_id) == visit.id))
    if len(technician_ids) > 1:
        for technician_id in dict.fromkeys(technician_ids):
            session.add(VisitCrew(visit_id=visit.id or 0, technician_id=technician_id))


def clear(*, session: Session, visit: Visit) -> None:
    """Step: the visit has no crew any more (back to booked, cancelled)."""
    set_members(session=session, visit=visit, technician_ids=())


def members(*, session: Session, visit_ids: Collection[int]) -> dict[int, list[int]]:
    """Per crew visit among visit_ids, its technicians' ids in order (one query)."""
    if not visit_ids:
        return {}
    rows = session.exec(
        select(VisitCrew.visit_id, VisitCrew.technician_id)
        .where(col(VisitCrew.visit_id).in_(list(visit_ids)))
        .order_by(col(VisitCrew.visit_id), col(VisitCrew.technician_id))
    ).all()
    found: dict[int, list[int]] = {}
    for visit_id, technician_id in rows:
        found.setdefault(visit_id, []).append(technician_id)
    return found


def is_member(*, session: Session, visit: Visit, technician_id: int) -> bool:
    """True when the technician is the visit's planned technician or one of its crew."""
    if visit.planned_technician_id == technician_id:
        return True
    return technician_id in members(session=session, visit_ids=[visit.id or 0]).get(
        visit.id or 0, []
    )


def visits_of(technician_id: int) -> ScalarSelect[int]:
    """The ids of the crew visits the technician is a member of (a subquery)."""
    return (
        select(VisitCrew.visit_id).where(VisitCrew.technician_id == technician_id).scalar_subquery()
    )
