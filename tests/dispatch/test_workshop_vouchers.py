"""Vouchers at partner workshops: a paid service done there earns the after_paid_visit
vouchers as a paid visit does, and a voucher is redeemed on a paid bay booking, once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.asset.models import Asset
from dispatch.customer.models import Customer
from dispatch.errors import InvalidInput, NotFound, VoucherUnusable
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import (
    DiscountKind,
    IssueRule,
    Voucher,
    VoucherOffer,
    VoucherOfferCreate,
    VoucherRedeem,
    VoucherStatus,
)
from dispatch.workshop import booking as bay_booking
from dispatch.workshop.models import WorkshopBooking
from tests.dispatch.workshop_support import NOW, book_bay, make_workshop, motorcycle
from tests.factories import DAY, local, make_customer, make_region

THREADS = 8


def _offer(session: Session, rule: IssueRule = IssueRule.STAFF, **overrides: Any) -> VoucherOffer:
    data: dict[str, Any] = {
        "name": f"Diskon bengkel {len(voucher_service.list_offers(session=session))}",
        "rule": rule,
        "discount_kind": DiscountKind.PERCENT,
        "amount": 10,
        "valid_from": DAY - timedelta(days=30),
        "valid_until": DAY + timedelta(days=60),
        "per_customer_limit": 10,
    } | overrides
    return voucher_service.create_offer(session=session, offer_in=VoucherOfferCreate(**data))


def _bookings(session: Session, asset: Asset, count: int) -> list[WorkshopBooking]:
    """count services of the motorcycle at one workshop on DAY (three free, then paid)."""
    workshop = make_workshop(session, make_region(session), bays=5)
    done = []
    for n in range(count):
        booking = book_bay(session, asset.id or 0, workshop.id or 0, local(DAY, 9 + n % 3))
        done.append(bay_booking.complete(session=session, booking=booking, now=NOW))
    return done


def _grant(session: Session, offer: VoucherOffer, customer_id: int) -> Voucher:
    customer = session.get(Customer, customer_id)
    assert customer is not None
    return voucher_service.grant(session=session, offer=offer, customer=customer, note="", at=NOW)


def _redeem(session: Session, code: str, booking_id: int) -> Voucher:
    redeem_in = VoucherRedeem(code=code, workshop_booking_id=booking_id)
    return voucher_service.redeem(session=session, redeem_in=redeem_in, customer_id=None, at=NOW)


def test_a_paid_workshop_service_earns_a_voucher_and_a_free_one_none(session: Session) -> None:
    """Three free services earn nothing; the fourth, paid (120 000), earns one voucher with
    source workshop:<id>, told to the customer like any voucher."""
    offer = _offer(session, IssueRule.AFTER_PAID_VISIT)
    asset = motorcycle(session)
    *free, paid = _bookings(session, asset, 4)
    (voucher,) = voucher_service.list_for_customer(session=session, customer_id=asset.customer_id)
    assert (voucher.offer_id, voucher.source) == (offer.id, f"workshop:{paid.id}")
    assert len(free) == 3


def test_a_voucher_is_redeemed_on_a_paid_bay_booking_once(session: Session) -> None:
    """10% off the paid service's 120 000; a second voucher on the same booking, a voucher on a
    free service or on another customer's booking is refused."""
    asset = motorcycle(session)
    *free, paid = _bookings(session, asset, 4)
    offer = _offer(session)
    first, second = (_grant(session, offer, asset.customer_id) for _ in range(2))
    redeemed = _redeem(session, first.code, paid.id or 0)
    assert (redeemed.workshop_booking_id, redeemed.price, redeemed.discount) == (
        paid.id, 120_000, 12_000,
    )  # fmt: skip
    assert voucher_service.public(session=session, voucher=redeemed).price_to_pay == 108_000
    with pytest.raises(VoucherUnusable, match="has a voucher already") as taken:
        _redeem(session, second.code, paid.id or 0)
    assert taken.value.loc == ("body", "workshop_booking_id")
    with pytest.raises(VoucherUnusable, match="is not a paid service"):
        _redeem(session, second.code, free[0].id or 0)
    stranger = _grant(session, offer, make_customer(session).id or 0)
    with pytest.raises(NotFound):
        _redeem(session, stranger.code, paid.id or 0)


def test_redeem_names_one_target_once_the_code_is_known(session: Session) -> None:
    """Two targets, or none: refused naming the body, but only for a voucher the caller may
    use (an unknown code is 404 first, so an outsider learns nothing)."""
    asset = motorcycle(session)
    voucher = _grant(session, _offer(session), asset.customer_id)
    both = VoucherRedeem(code=voucher.code, visit_id=1, workshop_booking_id=2)
    none = VoucherRedeem(code=voucher.code)
    for redeem_in in (both, none):
        with pytest.raises(InvalidInput, match="one of them") as refused:
            voucher_service.redeem(session=session, redeem_in=redeem_in, customer_id=None, at=NOW)
        assert refused.value.loc == ("body",)
    with pytest.raises(NotFound):
        voucher_service.redeem(
            session=session, redeem_in=VoucherRedeem(code="ZZZZZZZZ"), customer_id=None, at=NOW
        )


def test_racing_vouchers_on_one_bay_booking_discount_it_once(engine: Engine) -> None:
    """Eight tills redeem eight vouchers of the customer on one paid bay booking: one
    discount, seven refused and still usable."""
    with Session(engine) as session:
        asset = motorcycle(session)
        paid = _bookings(session, asset, 4)[-1].id or 0
        offer = _offer(session)
        codes = [_grant(session, offer, asset.customer_id).code for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def one(code: str) -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                _redeem(session, code, paid)
            except VoucherUnusable:
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(one, codes))
    assert results.count(True) == 1
    with Session(engine) as session:
        states = [voucher_service.get_by_code(session=session, code=c) for c in codes]
        assert sorted(str(v.status) for v in states if v is not None) == sorted(
            [str(VoucherStatus.REDEEMED)] + [str(VoucherStatus.ISSUED)] * (THREADS - 1)
        )
