"""Each KPI as a function of its facts; docs/kpis.md states the same definitions in words.

Every function returns None when there is nothing to count (no answers, no arrivals), never 0,
so an empty week does not read as a bad week.
"""

from collections.abc import Sequence
from statistics import fmean

from dispatch.kpis.models import (
    DurationFact,
    EntitlementFact,
    Facts,
    KpiValues,
    RepeatFact,
    ShiftFact,
    SurveyFact,
    VisitFact,
    VoucherFact,
)
from dispatch.visit.models import FailureReason, VisitStatus

SATISFIED = (4, 5)  # CSAT answers that count as satisfied
PROMOTER_MIN, DETRACTOR_MAX = 9, 6


def pct(part: int | float, whole: int | float) -> float | None:
    """100 x part / whole, or None when whole is 0."""
    return 100.0 * part / whole if whole else None


def csat_pct(surveys: Sequence[SurveyFact]) -> float | None:
    """CSAT: the share of answers that are 4 or 5 on the 1-5 scale."""
    return pct(sum(s.csat in SATISFIED for s in surveys), len(surveys))


def nps(surveys: Sequence[SurveyFact]) -> float | None:
    """NPS: % promoters (9-10) minus % detractors (0-6), from -100 to 100."""
    promoters = sum(s.nps >= PROMOTER_MIN for s in surveys)
    detractors = sum(s.nps <= DETRACTOR_MAX for s in surveys)
    return pct(promoters - detractors, len(surveys))


def ces(surveys: Sequence[SurveyFact]) -> float | None:
    """CES: the mean answer on the 1-7 scale (7 = very easy)."""
    return fmean(s.ces for s in surveys) if surveys else None


def mean_duration_s(facts: Sequence[DurationFact]) -> float | None:
    """The mean duration in seconds (first response time, resolution time)."""
    return fmean(f.duration_s for f in facts) if facts else None


def first_visits(visits: Sequence[VisitFact]) -> list[VisitFact]:
    """Visits that are not follow-ups, except those failed because the customer was absent."""
    return [
        v
        for v in visits
        if not v.follow_up and v.failure_reason is not FailureReason.CUSTOMER_ABSENT
    ]


def first_time_fix_pct(visits: Sequence[VisitFact]) -> float | None:
    """First-time fix: the share of first visits that were completed (not failed)."""
    first = first_visits(visits)
    return pct(sum(v.status is VisitStatus.COMPLETED for v in first), len(first))


def part_missing_pct(visits: Sequence[VisitFact]) -> float | None:
    """First-time fix lost to missing parts: the share of first visits that failed because a
    part was not there."""
    first = first_visits(visits)
    missing = sum(v.failure_reason is FailureReason.PART_MISSING for v in first)
    return pct(missing, len(first))


def arrivals(visits: Sequence[VisitFact]) -> list[VisitFact]:
    """Visits with an arrival time and a promised window."""
    return [v for v in visits if v.arrived_at and v.window_start and v.window_end]


def of_kind(visits: Sequence[VisitFact], kind: str) -> list[VisitFact]:
    """The visits of one kind of request (delivery, training, ...)."""
    return [v for v in visits if v.kind == kind]


def on_time_pct(visits: Sequence[VisitFact]) -> float | None:
    """On-time arrival: the share of arrivals inside the promised window (ends included)."""
    arrived = arrivals(visits)
    inside = sum(
        v.window_start <= v.arrived_at <= v.window_end  # type: ignore[operator]
        for v in arrived
    )
    return pct(inside, len(arrived))


def service_s(visits: Sequence[VisitFact]) -> int:
    """Time spent serving: started -> ended, summed over the visits, once per technician who
    worked it (a crew of two works an hour's visit for two hours)."""
    return sum(
        int((v.ended_at - v.started_at).total_seconds()) * v.workers for v in visits if v.started_at
    )


def utilisation_pct(visits: Sequence[VisitFact], shifts: Sequence[ShiftFact]) -> float | None:
    """Utilisation: service time / available shift time (shifts minus breaks)."""
    return pct(service_s(visits), sum(s.available_s for s in shifts))


def drives_s(visits: Sequence[VisitFact]) -> list[float]:
    """The recorded drives: en route -> arrived, for visits with both times."""
    return [
        (v.arrived_at - v.en_route_at).total_seconds()
        for v in visits
        if v.en_route_at is not None and v.arrived_at is not None
    ]


def travel_per_visit_s(visits: Sequence[VisitFact]) -> float | None:
    """Travel per visit: the mean recorded drive."""
    drives = drives_s(visits)
    return fmean(drives) if drives else None


def entitlement_use_pct(entitlements: Sequence[EntitlementFact]) -> float | None:
    """Free entitlements used before they expired: used / granted, over the expired ones."""
    return pct(sum(e.used for e in entitlements), sum(e.total for e in entitlements))


def redemption_pct(issued: Sequence[VoucherFact]) -> float | None:
    """Voucher redemption: the share of vouchers issued that were redeemed (by now)."""
    return pct(sum(v.redeemed for v in issued), len(issued))


def repeat_pct(repeats: Sequence[RepeatFact], with_voucher: bool) -> float | None:
    """Repeat bookings: the share of the customers (with or without a voucher) who opened
    another service request after the voucher, or after their visit."""
    group = [r for r in repeats if r.with_voucher is with_voucher]
    return pct(sum(r.repeated for r in group), len(group))


def values(facts: Facts) -> KpiValues:
    """Every KPI of these facts."""
    return KpiValues(
        csat_pct=csat_pct(facts.surveys),
        nps=nps(facts.surveys),
        ces=ces(facts.surveys),
        surveys=len(facts.surveys),
        first_response_s=mean_duration_s(facts.responses),
        responses=len(facts.responses),
        resolution_s=mean_duration_s(facts.resolutions),
        resolutions=len(facts.resolutions),
        complaint_first_response_s=mean_duration_s(facts.complaint_responses),
        complaint_responses=len(facts.complaint_responses),
        complaint_resolution_s=mean_duration_s(facts.complaint_resolutions),
        complaint_resolutions=len(facts.complaint_resolutions),
        first_time_fix_pct=first_time_fix_pct(facts.visits),
        first_visits=len(first_visits(facts.visits)),
        part_missing_pct=part_missing_pct(facts.visits),
        on_time_pct=on_time_pct(facts.visits),
        arrivals=len(arrivals(facts.visits)),
        utilisation_pct=utilisation_pct(facts.visits, facts.shifts),
        service_s=service_s(facts.visits),
        available_s=sum(s.available_s for s in facts.shifts),
        travel_per_visit_s=travel_per_visit_s(facts.visits),
        drives=len(drives_s(facts.visits)),
        entitlement_use_pct=entitlement_use_pct(facts.entitlements),
        entitlements_expired=len(facts.entitlements),
        vouchers_issued=len(facts.vouchers_issued),
        vouchers_redeemed=len(facts.vouchers_redeemed),
        voucher_redemption_pct=redemption_pct(facts.vouchers_issued),
        repeat_with_voucher_pct=repeat_pct(facts.repeats, True),
        customers_with_voucher=sum(r.with_voucher for r in facts.repeats),
        repeat_without_voucher_pct=repeat_pct(facts.repeats, False),
        customers_without_voucher=sum(not r.with_voucher for r in facts.repeats),
        on_time_delivery_pct=on_time_pct(of_kind(facts.visits, "delivery")),
        deliveries=len(arrivals(of_kind(facts.visits, "delivery"))),
        trainings_completed=sum(
            v.status is VisitStatus.COMPLETED for v in of_kind(facts.visits, "training")
        ),
    )
