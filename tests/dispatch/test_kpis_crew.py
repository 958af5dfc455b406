"""KPIs of a crew visit: work for each member (utilisation, first-time fix, survey and
resolution by technician), but one visit to the customer (arrivals, on-time, totals)."""

import pytest
from sqlmodel import Session

from dispatch.kpis import service as kpi_service
from dispatch.kpis.models import Grouping, KpiReport
from dispatch.visit import crew
from tests.dispatch.kpi_day import answer, new_visit, serve
from tests.factories import DAY, make_region, make_technician, make_weekly_pattern


def crew_day(session: Session) -> tuple[int, int]:
    """Region jkt-crew on DAY: two technicians (8 h available each); one two-installer visit,
    window 09-11, planned on Budi with Agus as partner, arrived 09:30, completed 11:30 (2 h of
    service), rated 5 10 7. The technicians' ids."""
    region = make_region(session, code="jkt-crew", name="Jakarta crew")
    budi = make_technician(session, region=region, name="Budi Santoso")
    agus = make_technician(session, region=region, name="Agus Wijaya")
    for t in (budi, agus):
        make_weekly_pattern(session, t)
    visit = new_visit(session, region)
    visit.crew_size = 2
    serve(session, visit, budi, window=(9, 11), booked=(7, 30), en_route=(9, 0),
          arrived=(9, 30), ended=(11, 30))  # fmt: skip
    crew.set_members(session=session, visit=visit, technician_ids=[budi.id or 0, agus.id or 0])
    session.commit()
    answer(session, visit, 5, 10, 7)
    return budi.id or 0, agus.id or 0


def _report(session: Session, by: Grouping | None = None) -> KpiReport:
    return kpi_service.report(session=session, region_codes=["jkt-crew"], start=DAY, end=DAY, by=by)


def test_a_crew_visit_is_one_visit_to_the_customer(session: Session) -> None:
    """The region's total: one arrival, on time, one first visit fixed, one survey; the two
    hours of service are four hours of work (two technicians) of the 16 h available."""
    crew_day(session)
    total = _report(session).total
    assert (total.arrivals, total.on_time_pct) == (1, 100.0)
    assert (total.first_visits, total.first_time_fix_pct) == (1, 100.0)
    assert (total.surveys, total.resolutions) == (1, 1)
    assert (total.service_s, total.available_s) == (4 * 3600, 16 * 3600)
    assert total.utilisation_pct == pytest.approx(25.0)


def test_a_crew_visit_is_work_for_each_member(session: Session) -> None:
    """By technician, the partner's row counts the visit as the planned technician's does:
    two hours of service of 8 h, a first-time fix, the survey and the resolution."""
    budi, agus = crew_day(session)
    rows = {row.key: row.values for row in _report(session, Grouping.TECHNICIAN).rows}
    for member in (str(budi), str(agus)):
        values = rows[member]
        assert values.service_s == 7200
        assert values.utilisation_pct == pytest.approx(25.0)
        assert (values.first_visits, values.first_time_fix_pct) == (1, 100.0)
        assert (values.arrivals, values.on_time_pct) == (1, 100.0)
        assert (values.surveys, values.csat_pct) == (1, 100.0)
        assert values.resolutions == 1


def test_by_region_a_crew_visit_counts_once(session: Session) -> None:
    """The region's row is the customer's view: one arrival, one survey."""
    crew_day(session)
    (row,) = _report(session, Grouping.REGION).rows
    assert (row.values.arrivals, row.values.surveys, row.values.first_visits) == (1, 1, 1)
