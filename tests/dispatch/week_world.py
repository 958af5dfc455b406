"""A small week in Jakarta Selatan for the week and crew tests: two AC technicians working
Monday to Friday, fixed visits on one day, movable periodic services due over several days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from dispatch.visit.models import DayWindow, Visit, VisitCreate
from tests.dispatch.planning_day import BLOK_M, KEMANG, TEBET, two_technicians
from tests.factories import DAY, local, make_region, make_request, make_visit

H = 3600
MONDAY = DAY - timedelta(days=1)  # 2026-03-09
MORNING = DayWindow(start_s=8 * H, end_s=12 * H)


def day_after(n: int) -> date:
    """DAY (a Tuesday) plus n days."""
    return DAY + timedelta(days=n)


def promised(
    session: Session, region: Region, place: tuple[float, float], day: date, hour: int
) -> Visit:
    """A booked AC installation (1 h) at place, promised from hour to hour + 2 on day."""
    return make_visit(
        session,
        request=make_request(session, region=region),
        lat=place[0],
        lon=place[1],
        duration_s=H,
        window_start=local(day, hour),
        window_end=local(day, hour + 2),
    )


def movable(
    session: Session,
    region: Region,
    first: date,
    last: date,
    *,
    place: tuple[float, float] = KEMANG,
    windows: tuple[DayWindow, ...] = (MORNING,),
    **overrides: Any,
) -> Visit:
    """A periodic AC service due on any day from first to last, starting in one of windows."""
    request = make_request(session, region=region, **overrides)
    return visit_service.create(
        session=session,
        visit_in=VisitCreate(
            request_id=request.id or 0,
            lat=place[0],
            lon=place[1],
            duration_s=H,
            due_from=first,
            due_until=last,
            due_windows=list(windows),
        ),
    )


def small_week(session: Session) -> tuple[Region, list[Any], list[Visit]]:
    """Two technicians (Mon-Fri), a fixed visit on Tuesday and one on Thursday, and a movable
    service due Tuesday to Friday."""
    region = make_region(session)
    techs = two_technicians(session, region)
    fixed = [
        promised(session, region, TEBET, DAY, 9),
        promised(session, region, BLOK_M, day_after(2), 9),
    ]
    return region, techs, [*fixed, movable(session, region, DAY, day_after(3))]
