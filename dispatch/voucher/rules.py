"""Vouchers issued by rule: after a completed paid visit, after a survey answer (both through
dispatch.events, in the publisher's transaction), after a paid service at a partner workshop
(events.ServiceDone), and on a unit's purchase anniversary (a
scheduler task). Each active offer of the rule valid that day issues one voucher per cause;
an offer at its limit is skipped, and nothing here ever fails the change that caused it.
"""

from __future__ import annotations

import calendar
import logging
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import and_, extract, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from dispatch import events
from dispatch.asset.models import Asset
from dispatch.customer.models import Customer
from dispatch.errors import DomainError
from dispatch.request import service as request_service
from dispatch.request.models import Coverage
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import IssueRule, VoucherOffer

log = logging.getLogger("purna.voucher")
ANNIVERSARY_LOOKBACK_DAYS = 7  # a task missed for up to a week still issues (keys dedupe)


def offers_for(*, session: Session, rule: IssueRule, day: date) -> list[VoucherOffer]:
    """The active offers of the rule valid on the day."""
    query = select(VoucherOffer).where(
        VoucherOffer.rule == rule,
        col(VoucherOffer.active).is_(True),
        col(VoucherOffer.valid_from) <= day,
        col(VoucherOffer.valid_until) >= day,
    )
    return list(session.exec(query.order_by(col(VoucherOffer.id))).all())


def issue_by_rule(
    *,
    session: Session,
    rule: IssueRule,
    customer: Customer,
    source: str,
    at: datetime,
    region_id: int | None,
) -> int:
    """Step: a voucher of every offer of the rule for the customer; how many were new."""
    day = voucher_service.local_day(session, region_id, at)
    issued = 0
    for offer in offers_for(session=session, rule=rule, day=day):
        try:
            with session.begin_nested():  # a limit reached undoes this offer's count only
                _, new = voucher_service.issue(
                    session=session,
                    offer=offer,
                    customer=customer,
                    source=source,
                    at=at,
                    region_id=region_id,
                )
                issued += int(new)
        except DomainError as exc:
            log.info("no %s voucher of offer %s for %s: %s", rule, offer.id, source, exc.msg)
    return issued


def _on_visit_changed(change: events.VisitChanged) -> None:
    """A completed paid visit, or a survey answered: the rule's vouchers."""
    visit, session = change.visit, change.session
    if change.source == "field" and change.name == "completed":
        rule, source = IssueRule.AFTER_PAID_VISIT, f"visit:{visit.id}"
        if visit.request.coverage is not Coverage.PAID:
            return
    elif change.source == "survey" and change.name == "answered":
        rule, source = IssueRule.AFTER_SURVEY, f"survey:{visit.id}"
    else:
        return
    customer = session.get(Customer, visit.request.customer_id)
    if customer is None:
        return
    try:
        issue_by_rule(
            session=session,
            rule=rule,
            customer=customer,
            source=source,
            at=change.at,
            region_id=visit.region_id,
        )
    except Exception:  # a voucher must never fail the visit or the answer
        log.exception("could not issue %s vouchers for visit %s", rule, visit.id)


events.subscribe(_on_visit_changed)


def _on_service_done(done: events.ServiceDone) -> None:
    """A paid service done at a partner workshop issues the after_paid_visit vouchers (source
    workshop:<id>), as a paid visit does. Never fails the completion."""
    request, session = done.request, done.session
    if request.coverage is not Coverage.PAID:
        return
    customer = session.get(Customer, request.customer_id)
    if customer is None:
        return
    try:
        issue_by_rule(
            session=session,
            rule=IssueRule.AFTER_PAID_VISIT,
            customer=customer,
            source=done.source,
            at=done.at,
            region_id=request.region_id,
        )
    except Exception:  # a voucher must never fail the workshop's completion
        log.exception("could not issue vouchers for %s", done.source)


events.subscribe_service_done(_on_service_done)


def issue_anniversaries(*, session: Session, now: datetime) -> Counter[str]:
    """Vouchers for every unit whose purchase anniversary fell in the last week (29 February
    counts on 28 February in other years); the database picks the units by month and day;
    committed; counts by outcome."""
    today = voucher_service.local_day(session, None, now)
    days = {today - timedelta(days=i) for i in range(ANNIVERSARY_LOOKBACK_DAYS)}
    counts: Counter[str] = Counter()
    if not offers_for(session=session, rule=IssueRule.ASSET_ANNIVERSARY, day=today):
        return counts
    for asset in session.exec(_bought_on_days_of_year(days).order_by(col(Asset.id))).all():
        anniversary = _anniversary_in(asset.purchase_date, days)
        if anniversary is None:
            continue
        customer = session.get(Customer, asset.customer_id)
        if customer is None:
            continue
        years = anniversary.year - asset.purchase_date.year
        new = issue_by_rule(
            session=session,
            rule=IssueRule.ASSET_ANNIVERSARY,
            customer=customer,
            source=f"asset:{asset.id}:{years}",
            at=now,
            region_id=request_service.latest_region_id(session=session, asset_id=asset.id or 0),
        )
        counts["issued" if new else "had one"] += 1
        session.commit()
    return counts


def _bought_on_days_of_year(days: set[date]) -> SelectOfScalar[Asset]:
    """The assets bought on the month and day of one of days (any year), filtered by the
    database; 29 February joins 28 February of a common year."""
    month, day_of = (
        extract("month", col(Asset.purchase_date)),
        extract("day", col(Asset.purchase_date)),
    )
    pairs = {(d.month, d.day) for d in days}
    pairs |= {(2, 29) for d in days if (d.month, d.day) == (2, 28) and not calendar.isleap(d.year)}
    return select(Asset).where(or_(*(and_(month == m, day_of == d) for m, d in sorted(pairs))))


def _anniversary_in(bought: date, days: set[date]) -> date | None:
    """The day among days that is a whole number (>= 1) of years after bought, or None."""
    for day in sorted(days):
        if day.year <= bought.year:
            continue
        try:
            same = bought.replace(year=day.year)
        except ValueError:  # 29 February in a common year
            same = date(day.year, 2, 28)
        if same == day:
            return day
    return None
