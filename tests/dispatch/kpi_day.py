"""A hand-made day of field work for KPI tests, with every answer worked out by hand.

The day (Tuesday 2026-03-10, Jakarta), two technicians working 08-17 with a 1-hour lunch
(8 h = 28,800 s available each). Requests opened at 07:00, booked as noted.

| visit | tech | window | booked | en route | arrived | ended | outcome | survey (CSAT NPS CES) |
| V1 | T1 | 09-12 | 07:30 | 08:30 | 09:00 | 10:00 | completed | 5 10 7 |
| V2 | T1 | 13-15 | 08:00 | 12:30 | 13:20 | 14:20 | completed | 4 8 5 |
| V3 | T2 | 09-11 | 07:15 | 10:40 | 11:10 | 11:40 | failed, part missing | - |
| V4 | T2 | 13-15 | 07:15 | 12:50 | 13:00 | 13:10 | failed, customer absent | - |
| V5 | T2 | 15-17 | 12:00 | -     | 15:30 | 16:30 | completed, follow-up of V3 | 2 3 3 |

The asset of V1 has a free installation (used by V1) and a free service (unused), both
valid until that day.
"""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from dispatch.entitlement.models import Entitlement
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import SurveyAnswer
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, Visit, VisitStatus
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

S = VisitStatus
HM = tuple[int, int]


def serve(
    session: Session,
    visit: Visit,
    technician: Technician,
    *,
    day: date = DAY,
    window: tuple[int, int],
    booked: HM,
    en_route: HM | None,
    arrived: HM,
    ended: HM,
    failure: FailureReason | None = None,
) -> Visit:
    """Walk a visit through booking, plan and the technician's events at the given times."""
    start, end = local(day, window[0]), local(day, window[1])
    visit_service.book(
        session=session, visit=visit, window_start=start, window_end=end, at=local(day, *booked)
    )
    visit_service.set_planned(
        session=session,
        visit=visit,
        technician_id=technician.id or 0,
        start=start,
        end=start + timedelta(seconds=visit.duration_s),
    )
    session.commit()
    if en_route is not None:
        visit_service.transition(
            session=session, visit=visit, to=S.EN_ROUTE, at=local(day, *en_route)
        )
    visit_service.transition(session=session, visit=visit, to=S.ON_SITE, at=local(day, *arrived))
    to = S.FAILED if failure else S.COMPLETED
    return visit_service.transition(
        session=session, visit=visit, to=to, at=local(day, *ended), failure_reason=failure
    )


def new_visit(session: Session, region: Region, *, day: date = DAY, asset: Any = None) -> Visit:
    request = make_request(
        session, region=region, created_at=local(day, 7), **({"asset": asset} if asset else {})
    )
    return make_visit(session, request=request, status=S.REQUESTED)


def answer(session: Session, visit: Visit, csat: int, nps: int, ces: int) -> None:
    token = feedback_service.issue(session=session, visit=visit, now=local(DAY, 17), valid_days=30)
    session.commit()
    assert token is not None
    answer = SurveyAnswer(csat=csat, nps=nps, ces=ces)
    survey = feedback_service.get_by_token_or_raise(session=session, token=token)
    feedback_service.answer(session=session, survey=survey, answer_in=answer, now=local(DAY, 18))


def kpi_day(session: Session) -> tuple[Region, Technician, Technician]:
    """The day of the module docstring."""
    region = make_region(session, code="jkt-kpi", name="Jakarta KPI")
    t1 = make_technician(session, region=region, name="Budi Santoso")
    t2 = make_technician(session, region=region, name="Agus Wijaya")
    for t in (t1, t2):
        make_weekly_pattern(session, t)
    asset = make_asset(session)
    v1 = serve(
        session,
        new_visit(session, region, asset=asset),
        t1,
        window=(9, 12),
        booked=(7, 30),
        en_route=(8, 30),
        arrived=(9, 0),
        ended=(10, 0),
    )
    v2 = serve(
        session,
        new_visit(session, region),
        t1,
        window=(13, 15),
        booked=(8, 0),
        en_route=(12, 30),
        arrived=(13, 20),
        ended=(14, 20),
    )
    v3 = serve(
        session,
        new_visit(session, region),
        t2,
        window=(9, 11),
        booked=(7, 15),
        en_route=(10, 40),
        arrived=(11, 10),
        ended=(11, 40),
        failure=FailureReason.PART_MISSING,
    )
    serve(
        session,
        new_visit(session, region),
        t2,
        window=(13, 15),
        booked=(7, 15),
        en_route=(12, 50),
        arrived=(13, 0),
        ended=(13, 10),
        failure=FailureReason.CUSTOMER_ABSENT,
    )
    follow_up = visit_service.follow_up_of(session=session, visit=v3)
    assert follow_up is not None
    v5 = serve(session, follow_up, t2, window=(15, 17), booked=(12, 0), en_route=None,
                arrived=(15, 30), ended=(16, 30))  # fmt: skip
    for visit, scores in ((v1, (5, 10, 7)), (v2, (4, 8, 5)), (v5, (2, 3, 3))):
        answer(session, visit, *scores)
    # The asset of V1 had a free installation (used by V1) and a free service, both ending today.
    for entitlement in session.exec(select(Entitlement).where(Entitlement.asset_id == asset.id)):
        entitlement.valid_until = DAY
        session.add(entitlement)
    session.commit()
    return region, t1, t2
