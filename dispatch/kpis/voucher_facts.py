"""Read the voucher facts of a period: vouchers issued and redeemed, and for the repeat-booking
KPI, the customers with a voucher and those served without one, each with whether they opened
another service request afterwards."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.kpis.models import RepeatFact, VisitFact, VoucherFact
from dispatch.request.models import ServiceRequest
from dispatch.visit.models import Visit, VisitStatus
from dispatch.voucher.models import Voucher


class Period(Protocol):
    """What is read of dispatch.kpis.facts.Period (not imported: facts imports this module)."""

    start: date
    end: date
    zones: dict[int, ZoneInfo]
    lo: datetime
    hi: datetime

    def day(self, region_id: int, moment: datetime) -> date | None: ...


UNPLACED_ZONE = "Asia/Jakarta"  # the day of a voucher without a region


def vouchers(
    session: Session, period: Period, all_regions: bool
) -> tuple[list[VoucherFact], list[VoucherFact]]:
    """The vouchers issued in the period (with whether they are redeemed by now) and the
    redemptions in the period. Vouchers of no region count in the all-regions report only."""
    issued: list[VoucherFact] = []
    redeemed: list[VoucherFact] = []
    for voucher in _in_period(session, period, col(Voucher.issued_at), all_regions):
        day = _day(period, voucher.region_id, voucher.issued_at)
        if day is not None:
            done = voucher.redeemed_at is not None
            issued.append(VoucherFact(voucher.region_id, None, day, done))
    for voucher in _in_period(session, period, col(Voucher.redeemed_at), all_regions):
        day = _day(period, voucher.region_id, voucher.redeemed_at) if voucher.redeemed_at else None
        if day is not None:
            redeemed.append(VoucherFact(voucher.region_id, None, day, True))
    return issued, redeemed


def repeats(
    session: Session, period: Period, visits: Sequence[VisitFact], all_regions: bool
) -> list[RepeatFact]:
    """One fact per customer: given a voucher in the period (from its first voucher), or else
    served in the period (from its first completed visit); repeated when the customer opened a
    service request after that moment."""
    starts: dict[int, tuple[datetime, int | None, bool]] = {}
    region_id: int | None
    for voucher in _in_period(session, period, col(Voucher.issued_at), all_regions):
        known = starts.get(voucher.customer_id)
        if known is None or voucher.issued_at < known[0]:
            starts[voucher.customer_id] = (voucher.issued_at, voucher.region_id, True)
    for customer_id, ended_at, region_id in _served(session, visits):
        known = starts.get(customer_id)
        if known is None or (not known[2] and ended_at < known[0]):
            starts[customer_id] = (ended_at, region_id, False)
    later = _request_times(session, starts)
    facts = []
    for customer_id, (since, region_id, with_voucher) in sorted(starts.items()):
        day = _day(period, region_id, since)
        if day is not None:
            repeated = any(t > since for t in later[customer_id])
            facts.append(RepeatFact(region_id, None, day, with_voucher, repeated))
    return facts


def _in_period(session: Session, period: Period, stamp: object, all_regions: bool) -> list[Voucher]:
    column = col(stamp)
    where = [column >= period.lo, column < period.hi]
    placed = col(Voucher.region_id).in_(list(period.zones))
    where.append(placed | col(Voucher.region_id).is_(None) if all_regions else placed)
    return list(session.exec(select(Voucher).where(*where).order_by(col(Voucher.id))).all())


def _served(session: Session, visits: Iterable[VisitFact]) -> list[tuple[int, datetime, int]]:
    """(customer, ended, region) of each visit completed in the period."""
    done = {v.visit_id: v for v in visits if v.status is VisitStatus.COMPLETED}
    if not done:
        return []
    rows = session.exec(
        select(Visit.id, ServiceRequest.customer_id)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(col(Visit.id).in_(list(done)))
    ).all()
    return [(customer, done[vid].ended_at, done[vid].region_id) for vid, customer in rows if vid]


def _request_times(
    session: Session, starts: dict[int, tuple[datetime, int | None, bool]]
) -> dict[int, list[datetime]]:
    times: dict[int, list[datetime]] = defaultdict(list)
    if not starts:
        return times
    rows = session.exec(
        select(ServiceRequest.customer_id, ServiceRequest.created_at).where(
            col(ServiceRequest.customer_id).in_(list(starts))
        )
    ).all()
    for customer_id, created_at in rows:
        times[customer_id].append(created_at)
    return times


def _day(period: Period, region_id: int | None, moment: datetime) -> date | None:
    if region_id is not None and region_id in period.zones:
        return period.day(region_id, moment)
    day = localtime.local_day(moment, localtime.zone(UNPLACED_ZONE))
    return day if period.start <= day <= period.end else None
