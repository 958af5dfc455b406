"""Demo loyalty vouchers: an offer per rule, and the vouchers the demo's history earned (a
voucher after each completed paid visit, redeemed on the customer's next paid visit if any)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from dispatch.customer.models import Customer
from dispatch.errors import DomainError
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.visit.models import Visit, VisitStatus
from dispatch.voucher import rules as voucher_rules
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import (
    DiscountKind,
    IssueRule,
    Voucher,
    VoucherOffer,
    VoucherOfferCreate,
    VoucherRedeem,
)

R, D = IssueRule, DiscountKind
# (name, rule, kind, amount, cap, minimum price, days valid, per customer)
OFFERS = (
    ("Terima kasih: 10% servis lagi", R.AFTER_PAID_VISIT, D.PERCENT, 10, 50_000, 100_000, 90, 5),
    ("Terima kasih atas ulasan Anda", R.AFTER_SURVEY, D.FIXED, 25_000, None, 150_000, 60, 3),
    ("Ulang tahun unit Anda", R.ASSET_ANNIVERSARY, D.PERCENT, 15, 100_000, 0, 30, 10),
    ("Permintaan maaf", R.STAFF, D.FIXED, 50_000, None, 0, 90, 2),
)  # fmt: skip


def load_vouchers(session: Session, today: date) -> int:
    """The offers (once, by name) and the history's vouchers; how many vouchers were added."""
    for name, rule, kind, amount, cap, minimum, days, per_customer in OFFERS:
        if session.exec(select(VoucherOffer.id).where(VoucherOffer.name == name)).first():
            continue
        offer_in = VoucherOfferCreate(
            name=name, rule=rule, discount_kind=kind, amount=amount, max_discount=cap,
            min_price=minimum, valid_from=today - timedelta(days=120),
            valid_until=today + timedelta(days=245), valid_days=days,
            per_customer_limit=per_customer,
        )  # fmt: skip
        voucher_service.create_offer(session=session, offer_in=offer_in)
    before = len(session.exec(select(Voucher.id)).all())
    paid = _paid_visits(session)
    for visit, customer_id in paid:
        customer = session.get(Customer, customer_id)
        if customer is None or visit.ended_at is None:
            continue
        voucher_rules.issue_by_rule(
            session=session, rule=R.AFTER_PAID_VISIT, customer=customer,
            source=f"visit:{visit.id}", at=visit.ended_at, region_id=visit.region_id,
        )  # fmt: skip
    session.commit()
    _redeem_on_next_paid_visit(session, paid)
    return len(session.exec(select(Voucher.id)).all()) - before


def _paid_visits(session: Session) -> list[tuple[Visit, int]]:
    """The completed paid visits with their customer, oldest first."""
    rows = session.exec(
        select(Visit, ServiceRequest.customer_id)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(Visit.status == VisitStatus.COMPLETED, ServiceRequest.coverage == Coverage.PAID)
        .order_by(col(Visit.ended_at), col(Visit.id))
    ).all()
    return [(visit, customer_id) for visit, customer_id in rows]


def _redeem_on_next_paid_visit(session: Session, paid: list[tuple[Visit, int]]) -> None:
    """Each unused voucher of the history on its holder's next paid visit, where there is one."""
    for voucher in session.exec(select(Voucher).where(col(Voucher.redeemed_at).is_(None))).all():
        later = [
            v
            for v, customer_id in paid
            if customer_id == voucher.customer_id and v.ended_at and v.ended_at > voucher.issued_at
        ]
        if not later or later[0].ended_at is None:
            continue
        redeem_in = VoucherRedeem(code=voucher.code, visit_id=later[0].id)
        try:
            voucher_service.redeem(
                session=session, redeem_in=redeem_in, customer_id=None, at=later[0].ended_at
            )
        except DomainError:  # under the minimum price, or the visit took another voucher
            session.rollback()
