"""First response and resolution times of complaints beside those of service requests, by
category and region, with the values worked out by hand.

Tuesday 2026-03-10 in Jakarta, region jkt-cx:
| what | category | filed | first response | resolved |
| request | installation | 07:00 | 07:30 (booked) | - |
| complaint A | late_visit | 08:00 | 09:00 (acknowledged) | 14:00 |
| complaint B | workmanship | 10:00 | 13:00 (in progress) | - |
| complaint C | billing | 11:00 | - | - |
and in region bks-cx a billing complaint answered after 5 hours, left out of jkt-cx's report.
"""

from sqlmodel import Session

from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import Complaint, ComplaintCategory, ComplaintStatus
from dispatch.kpis import service as kpi_service
from dispatch.kpis.models import Grouping
from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from tests.factories import DAY, local, make_complaint, make_region, make_request, make_visit

S = ComplaintStatus
C = ComplaintCategory


def _complaint(
    session: Session, region: Region, category: C, filed: int, moves: list[tuple[S, int]]
) -> Complaint:
    complaint = make_complaint(
        session, region=region, category=category, created_at=local(DAY, filed)
    )
    for status, hour in moves:
        complaint = complaint_service.transition(
            session=session, complaint=complaint, to=status, at=local(DAY, hour)
        )
    return complaint


def _day(session: Session) -> None:
    region = make_region(session, code="jkt-cx")
    other = make_region(session, code="bks-cx", name="Bekasi")
    request = make_request(session, region=region, created_at=local(DAY, 7))
    visit = make_visit(session, request=request, status=VisitStatus.REQUESTED)
    visit_service.book(
        session=session,
        visit=visit,
        window_start=local(DAY, 13),
        window_end=local(DAY, 15),
        at=local(DAY, 7, 30),
    )
    _complaint(session, region, C.LATE_VISIT, 8, [(S.ACKNOWLEDGED, 9), (S.RESOLVED, 14)])
    _complaint(session, region, C.WORKMANSHIP, 10, [(S.IN_PROGRESS, 13)])
    _complaint(session, region, C.BILLING, 11, [])
    _complaint(session, other, C.BILLING, 8, [(S.ACKNOWLEDGED, 13)])


def test_complaint_times_in_total_and_by_category(session: Session) -> None:
    """Totals: complaints answered after (1 + 3) / 2 = 2 h, resolved after 6 h; requests
    answered after 30 min. Rows: one per complaint category and request kind with facts."""
    _day(session)
    report = kpi_service.report(
        session=session, region_codes=["jkt-cx"], start=DAY, end=DAY, by=Grouping.CATEGORY
    )
    total = report.total
    assert (total.complaint_first_response_s, total.complaint_responses) == (7200.0, 2)
    assert (total.complaint_resolution_s, total.complaint_resolutions) == (21600.0, 1)
    assert (total.first_response_s, total.responses) == (1800.0, 1)
    rows = {r.key: (r.label, r.values) for r in report.rows}
    assert list(rows) == ["complaint:late_visit", "complaint:workmanship", "request:installation"]
    label, late = rows["complaint:late_visit"]
    assert label == "complaint: late visit"
    assert (late.complaint_first_response_s, late.complaint_resolution_s) == (3600.0, 21600.0)
    _, workmanship = rows["complaint:workmanship"]
    assert (workmanship.complaint_first_response_s, workmanship.complaint_resolution_s) == (
        10800.0,
        None,
    )
    _, installation = rows["request:installation"]
    assert (installation.first_response_s, installation.complaint_responses) == (1800.0, 0)


def test_complaint_times_by_region(session: Session) -> None:
    """Every region: Bekasi's billing complaint answered after 5 h is its own row."""
    _day(session)
    report = kpi_service.report(
        session=session, region_codes=["bks-cx", "jkt-cx"], start=DAY, end=DAY, by=Grouping.REGION
    )
    rows = {r.key: r.values for r in report.rows}
    assert rows["bks-cx"].complaint_first_response_s == 5 * 3600.0
    assert rows["jkt-cx"].complaint_first_response_s == 7200.0
    assert report.total.complaint_responses == 3
