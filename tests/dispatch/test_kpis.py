"""KPIs: each definition of docs/kpis.md on a hand-made day (tests/dispatch/kpi_day.py)."""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session

from dispatch.errors import InvalidInput, NotFound
from dispatch.kpis import definitions
from dispatch.kpis import service as kpi_service
from dispatch.kpis.models import Grouping, KpiReport, KpiValues, SurveyFact, VisitFact
from dispatch.product.models import VisitKind, VisitKindPolicyCreate
from dispatch.visit.models import VisitStatus
from tests.dispatch.kpi_day import answer, kpi_day, new_visit, serve
from tests.factories import (
    DAY,
    ac_policies,
    local,
    make_asset,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
)

HANDOVER_KINDS = [
    VisitKindPolicyCreate(kind=VisitKind.DELIVERY, duration_s=1800, skill="delivery", price=0),
    VisitKindPolicyCreate(kind=VisitKind.TRAINING, duration_s=2700, skill="training", price=0),
]

S = VisitStatus


def _report(session: Session, by: Grouping | None = None, **kw: object) -> KpiReport:
    args: dict[str, object] = {
        "region_codes": ["jkt-kpi"], "start": DAY, "end": DAY, "as_of": DAY + timedelta(days=1),
    } | kw  # fmt: skip
    return kpi_service.report(session=session, by=by, **args)  # type: ignore[arg-type]


def test_kpis_of_the_hand_made_day(session: Session) -> None:
    """Every KPI of the day matches the hand-worked answer."""
    kpi_day(session)
    total = _report(session).total
    assert total.csat_pct == pytest.approx(200 / 3)  # 5 and 4 satisfied, 2 not
    assert total.nps == pytest.approx(0.0)  # promoter 10, passive 8, detractor 3
    assert total.ces == pytest.approx(5.0)  # (7 + 5 + 3) / 3
    assert total.surveys == 3
    assert total.first_response_s == pytest.approx(1800)  # 30, 60, 15, 15 min
    assert total.responses == 4
    assert total.resolution_s == pytest.approx(23_800)  # 3 h, 7 h 20, 9 h 30 (V3 by V5)
    assert total.resolutions == 3
    assert total.first_time_fix_pct == pytest.approx(200 / 3)  # V1, V2 of V1, V2, V3
    assert total.first_visits == 3
    assert total.part_missing_pct == pytest.approx(100 / 3)  # V3 failed for a part
    assert total.on_time_pct == pytest.approx(80.0)  # V3 arrived 11:10 for 09-11
    assert total.arrivals == 5
    assert (total.service_s, total.available_s) == (13_200, 57_600)
    assert total.utilisation_pct == pytest.approx(100 * 13_200 / 57_600)
    assert total.travel_per_visit_s == pytest.approx(1800)  # 30, 50, 30, 10 min
    assert total.drives == 4
    assert total.entitlement_use_pct == pytest.approx(50.0)  # installation used, service not
    assert total.entitlements_expired == 2


def test_kpis_by_technician(session: Session) -> None:
    """Per technician: each one's visits, surveys, resolutions and shifts."""
    _, t1, t2 = kpi_day(session)
    rows = {row.key: row for row in _report(session, Grouping.TECHNICIAN).rows}
    assert sorted(rows) == sorted([str(t1.id), str(t2.id)])
    budi, agus = rows[str(t1.id)], rows[str(t2.id)]
    assert budi.label == "Budi Santoso"
    assert (budi.values.csat_pct, budi.values.nps, budi.values.ces) == (100.0, 50.0, 6.0)
    assert (agus.values.csat_pct, agus.values.nps, agus.values.ces) == (0.0, -100.0, 3.0)
    assert budi.values.utilisation_pct == pytest.approx(25.0)  # 2 h of 8 h
    assert agus.values.utilisation_pct == pytest.approx(100 * 6000 / 28_800)
    assert budi.values.resolution_s == pytest.approx(18_600)  # 3 h and 7 h 20
    assert agus.values.resolution_s == pytest.approx(34_200)  # 9 h 30
    assert budi.values.first_response_s is None  # an office measure, not a technician's
    assert agus.values.first_time_fix_pct == 0.0  # V3 failed; V4 absent, V5 follow-up
    assert agus.values.on_time_pct == pytest.approx(200 / 3)
    assert budi.values.entitlement_use_pct is None


def test_kpis_by_region_and_week(session: Session) -> None:
    """Rows per region (by code) and per ISO week; a region filter keeps other regions out."""
    kpi_day(session)
    other = make_region(session, code="bekasi-kpi", name="Bekasi")
    t3 = make_technician(session, region=other)
    later = DAY + timedelta(days=7)
    v6 = serve(session, new_visit(session, other, day=later), t3, day=later, window=(9, 12),
                booked=(7, 0), en_route=None, arrived=(9, 0), ended=(10, 0))  # fmt: skip
    answer(session, v6, 1, 0, 1)
    both = ["jkt-kpi", "bekasi-kpi"]
    by_region = _report(session, Grouping.REGION, region_codes=both, end=later).rows
    assert [(r.key, r.label, r.values.surveys) for r in by_region] == [
        ("bekasi-kpi", "Bekasi", 1),
        ("jkt-kpi", "Jakarta KPI", 3),
    ]
    weeks = _report(session, Grouping.WEEK, region_codes=both, end=later).rows
    assert [(w.key, w.label, w.values.surveys) for w in weeks] == [
        ("2026-03-09", "2026-W11", 3),
        ("2026-03-16", "2026-W12", 1),
    ]
    assert _report(session, end=later).total.surveys == 3  # jkt-kpi only


def test_kpis_of_an_empty_period_are_none_not_zero(session: Session) -> None:
    """Nothing to count gives None for each KPI, so an empty week does not read as bad."""
    make_region(session, code="jkt-kpi")
    total = _report(session).total
    assert total == KpiValues(
        csat_pct=None, nps=None, ces=None, surveys=0, first_response_s=None, responses=0,
        resolution_s=None, resolutions=0, complaint_first_response_s=None,
        complaint_responses=0, complaint_resolution_s=None, complaint_resolutions=0,
        first_time_fix_pct=None, first_visits=0,
        part_missing_pct=None, on_time_pct=None, arrivals=0, utilisation_pct=None, service_s=0,
        available_s=0, travel_per_visit_s=None, drives=0, entitlement_use_pct=None,
        entitlements_expired=0,
        vouchers_issued=0, vouchers_redeemed=0, voucher_redemption_pct=None,
        repeat_with_voucher_pct=None, customers_with_voucher=0,
        repeat_without_voucher_pct=None, customers_without_voucher=0,
    )  # fmt: skip


def test_kpis_count_entitlements_only_once_expired(session: Session) -> None:
    """An entitlement still valid on the report day is not counted as unused yet."""
    kpi_day(session)
    assert _report(session, as_of=DAY).total.entitlements_expired == 0


def test_kpis_refuse_a_bad_period_and_an_unknown_region(session: Session) -> None:
    """The period must run forwards, at most 366 days; regions must exist."""
    make_region(session, code="jkt-kpi")
    with pytest.raises(InvalidInput, match="ends .2026-03-09. before it starts"):
        _report(session, end=DAY - timedelta(days=1))
    with pytest.raises(InvalidInput, match="at most 366 days"):
        _report(session, end=DAY + timedelta(days=366))
    with pytest.raises(NotFound, match="region 'nowhere' does not exist"):
        _report(session, region_codes=["nowhere"])


def _survey(csat: int = 3, nps: int = 7, ces: int = 4) -> SurveyFact:
    return SurveyFact(region_id=1, technician_id=1, day=DAY, csat=csat, nps=nps, ces=ces)


def test_nps_counts_9_and_10_as_promoters_and_0_to_6_as_detractors() -> None:
    """7 and 8 are passives: they count in the total but on neither side."""
    surveys = [_survey(nps=n) for n in (6, 7, 8, 9)]
    assert definitions.nps(surveys) == 0.0  # one promoter, one detractor, of four
    assert definitions.nps([_survey(nps=10)]) == 100.0
    assert definitions.nps([_survey(nps=0), _survey(nps=8)]) == -50.0


def test_csat_counts_only_4_and_5_as_satisfied() -> None:
    """A 3 is neutral, not satisfied."""
    assert definitions.csat_pct([_survey(csat=c) for c in (3, 4, 5, 1)]) == 50.0


def test_on_time_includes_both_ends_of_the_window() -> None:
    """Arriving exactly at the window's start or end is on time; a minute early is not."""
    start, end = local(DAY, 9), local(DAY, 11)

    def arrived_at(moment: datetime) -> VisitFact:
        return VisitFact(
            visit_id=1, region_id=1, technician_id=1, day=DAY, status=S.COMPLETED,
            follow_up=False, failure_reason=None, window_start=start, window_end=end,
            en_route_at=None, arrived_at=moment, started_at=moment, ended_at=end,
        )  # fmt: skip

    edges = [arrived_at(start), arrived_at(end), arrived_at(start - timedelta(minutes=1))]
    assert definitions.on_time_pct(edges) == pytest.approx(200 / 3)


def test_kpis_refuse_days_outside_the_supported_range(session: Session) -> None:
    """Year 1 or 9999 is refused clearly instead of overflowing a UTC conversion."""
    make_region(session, code="jkt-kpi")
    with pytest.raises(InvalidInput, match="from must lie between 1970-01-01 and 2999-12-31"):
        _report(session, start=date(1, 1, 1), end=date(1, 1, 2))
    with pytest.raises(InvalidInput, match="to must lie between"):
        _report(session, end=date(9999, 12, 31))


def test_kpis_default_period_ends_today_in_the_deployments_zone(session: Session) -> None:
    """Without from/to the report covers the 28 local days up to today; at 00:30 in Jakarta
    (still the day before in UTC) today is the new local day, so the entitlements valid until
    yesterday count as expired."""
    kpi_day(session)
    just_after_midnight = local(DAY + timedelta(days=1), 0, 30)
    report = kpi_service.report(
        session=session, region_codes=["jkt-kpi"], zone_name="Asia/Jakarta", now=just_after_midnight
    )
    assert (report.start, report.end) == (DAY - timedelta(days=26), DAY + timedelta(days=1))
    assert report.total.entitlements_expired == 2
    assert report.total.surveys == 3


def handover_day(session: Session) -> None:
    """Region jkt-ho on DAY: two deliveries (one arriving inside its window, one after it), a
    completed hand-over training and an ordinary installation, all served by one technician."""
    region = make_region(session, code="jkt-ho")
    technician = make_technician(
        session, region=region, skills=["delivery", "training", "ac_install"]
    )
    kinds = [
        (VisitKind.DELIVERY, (9, 11), (10, 0)),
        (VisitKind.DELIVERY, (9, 11), (11, 30)),
        (VisitKind.TRAINING, (13, 15), (13, 0)),
        (VisitKind.INSTALLATION, (15, 17), (15, 10)),
    ]
    product = make_product_model(session, visit_kinds=[*ac_policies(), *HANDOVER_KINDS])
    for kind, window, arrived in kinds:
        request = make_request(
            session, asset=make_asset(session, product_model=product), region=region, kind=kind
        )
        visit = make_visit(session, request=request, status=VisitStatus.REQUESTED)
        serve(session, visit, technician, window=window, booked=(7, 0), en_route=None,
              arrived=arrived, ended=(arrived[0] + 1, 0))  # fmt: skip


def test_kpis_count_deliveries_on_time_and_trainings_completed(session: Session) -> None:
    """Two deliveries (one arriving inside its window, one after it) and a completed training
    beside an ordinary visit: on-time delivery 50% of 2, one training; the ordinary visit's
    arrival counts for on-time arrival only."""
    handover_day(session)
    report = kpi_service.report(session=session, region_codes=["jkt-ho"], start=DAY, end=DAY)
    total = report.total
    assert (total.on_time_delivery_pct, total.deliveries, total.trainings_completed) == (50.0, 2, 1)
    assert (total.on_time_pct, total.arrivals) == (75.0, 4)
