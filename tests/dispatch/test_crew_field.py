"""Crew visits in the field, on real databases: two phones reporting at the same moment move
the visit once (the second sees the first's change and does nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.config import Settings
from dispatch.errors import InvalidTransition
from dispatch.field import service as field_service
from dispatch.field.models import VisitEvent, VisitEventCreate
from dispatch.visit import crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.planning_day import KEMANG, two_technicians
from tests.dispatch.week_world import promised
from tests.factories import DAY, local, make_region


def _on_site(engine: Engine, crew_size: int) -> int:
    """A visit both technicians of a region are planned on (a crew when crew_size is 2),
    arrived at 09:30; its id."""
    with Session(engine) as session:
        region = make_region(session)
        techs = two_technicians(session, region)
        visit = promised(session, region, KEMANG, DAY, 9)
        visit.crew_size = crew_size
        start = local(DAY, 9, 30)
        visit_service.set_planned(
            session=session,
            visit=visit,
            technician_id=techs[0].id or 0,
            start=start,
            end=start + timedelta(hours=1),
        )
        if crew_size > 1:
            crew.set_members(
                session=session, visit=visit, technician_ids=[t.id or 0 for t in techs]
            )
        session.commit()
        visit_service.transition(session=session, visit=visit, to=VisitStatus.ON_SITE, at=start)
        return visit.id or 0


def _read(session: Session, visit_id: int) -> Visit:
    """The visit as a phone's request reads it: on site; the read's transaction ends at once
    (SQLite has one writer at a time), the loaded visit kept as it was read."""
    visit = session.get(Visit, visit_id)
    assert visit is not None and visit.status is VisitStatus.ON_SITE
    session.commit()
    return visit


def _complete(session: Session, visit: Visit, minute: int) -> Visit:
    event = VisitEventCreate(event=VisitEvent.COMPLETED, at=local(DAY, 10, minute))
    return field_service.record_event(
        session=session, visit=visit, event_in=event, settings=Settings()
    )


def test_crew_completions_racing_complete_the_visit_once(engine: Engine) -> None:
    """Both phones read the visit on site; one completes it at 10:30, the other's completion,
    read before that, finds it completed and leaves it as it is."""
    visit_id = _on_site(engine, crew_size=2)
    with Session(engine, expire_on_commit=False) as second:
        theirs = _read(second, visit_id)
        with Session(engine) as first:
            _complete(first, _read(first, visit_id), 30)
        done = _complete(second, theirs, 32)
    assert (done.status, done.ended_at) == (VisitStatus.COMPLETED, local(DAY, 10, 30))


def test_completions_racing_on_a_visit_served_alone_refuse_the_second(engine: Engine) -> None:
    """Without a crew the same race is a conflict: the second completion is refused."""
    visit_id = _on_site(engine, crew_size=1)
    with Session(engine, expire_on_commit=False) as second:
        theirs = _read(second, visit_id)
        with Session(engine) as first:
            _complete(first, _read(first, visit_id), 30)
        with pytest.raises(InvalidTransition):
            _complete(second, theirs, 32)
