"""A small planning day in Jakarta Selatan for the planning tests: two AC technicians, a few
visits on Tuesday 2026-03-10 (tests.factories.DAY) with 2-hour windows."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.planning.models import PlanOptions
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus
from tests.factories import (
    DAY,
    local,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

FAST = PlanOptions(time_limit_s=1.0, deterministic=True)
BLOK_M = (-6.2443, 106.8004)
KEMANG = (-6.2607, 106.8137)
TEBET = (-6.2260, 106.8530)
CILANDAK = (-6.2900, 106.8000)


@dataclass
class Day:
    region: Region
    technicians: list[Technician]
    visits: list[Visit]


def add_visit(
    session: Session,
    region: Region,
    place: tuple[float, float],
    hour: int,
    *,
    hours: int = 2,
    **overrides: Any,
) -> Visit:
    """A booked AC installation (2 h) at place, promised from hour to hour + hours on DAY."""
    return make_visit(
        session,
        request=make_request(session, region=region),
        lat=place[0],
        lon=place[1],
        window_start=local(DAY, hour),
        window_end=local(DAY, hour + hours),
        **overrides,
    )


def two_technicians(session: Session, region: Region) -> list[Technician]:
    """Two AC technicians working Monday to Friday 08:00-17:00 with lunch, at Blok M and Tebet."""
    techs = [
        make_technician(session, region=region, start_lat=BLOK_M[0], start_lon=BLOK_M[1]),
        make_technician(session, region=region, start_lat=TEBET[0], start_lon=TEBET[1]),
    ]
    for t in techs:
        make_weekly_pattern(session, t)
    return techs


def small_day(session: Session) -> Day:
    """Two technicians and four visits that fit easily."""
    region = make_region(session)
    techs = two_technicians(session, region)
    visits = [
        add_visit(session, region, KEMANG, 8),
        add_visit(session, region, CILANDAK, 13),
        add_visit(session, region, TEBET, 9),
        add_visit(session, region, BLOK_M, 14),
    ]
    return Day(region, techs, visits)


def walk(session: Session, visit: Visit, steps: list[tuple[VisitStatus, datetime]]) -> Visit:
    """Move a planned visit through the lifecycle at the given moments."""
    for status, at in steps:
        visit = visit_service.transition(session=session, visit=visit, to=status, at=at)
    return visit
