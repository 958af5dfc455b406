"""Loyalty vouchers: the offer's rules (discount, dates, minimum price, per-customer and total
limits), issue by rule (paid visit completed, survey answered, purchase anniversary) and by
staff, the message in the customer's language, and single use, also when redemptions race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dispatch.customer.models import Customer, Language
from dispatch.errors import InvalidInput, NotFound, VoucherLimitReached, VoucherUnusable
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import SurveyAnswer
from dispatch.field import service as field_service
from dispatch.field.models import VisitEvent, VisitEventCreate
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.product.models import VisitKind
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
    VoucherStatus,
)
from tests.dispatch.conftest import settings_for
from tests.factories import DAY, local, make_asset, make_customer, make_request, make_visit

AT = local(DAY, 12)
THREADS = 8


def _offer(session: Session, **overrides: Any) -> VoucherOffer:
    data: dict[str, Any] = {
        "name": f"Diskon {len(voucher_service.list_offers(session=session))}",
        "rule": IssueRule.STAFF,
        "discount_kind": DiscountKind.PERCENT,
        "amount": 10,
        "valid_from": DAY - timedelta(days=30),
        "valid_until": DAY + timedelta(days=60),
    } | overrides
    return voucher_service.create_offer(session=session, offer_in=VoucherOfferCreate(**data))


def _grant(session: Session, offer: VoucherOffer, customer: Customer, at: datetime = AT) -> Voucher:
    return voucher_service.grant(session=session, offer=offer, customer=customer, note="", at=at)


def _paid_visit(session: Session, customer: Customer, status: VisitStatus) -> Visit:
    """A repair of an AC bought in 2020 (warranty over): paid, 250 000 rupiah."""
    asset = make_asset(session, customer=customer, purchase_date=date(2020, 1, 6))
    request = make_request(session, asset=asset, kind=VisitKind.REPAIR)
    return make_visit(session, request=request, status=status)


def _redeem(session: Session, voucher: Voucher, at: datetime = AT, **target: Any) -> Voucher:
    redeem_in = VoucherRedeem(code=voucher.code, **target)
    return voucher_service.redeem(session=session, redeem_in=redeem_in, customer_id=None, at=at)


@pytest.mark.parametrize(
    ("kind", "amount", "cap", "price", "off"),
    [
        (DiscountKind.PERCENT, 10, None, 250_000, 25_000),
        (DiscountKind.PERCENT, 50, 100_000, 250_000, 100_000),  # capped
        (DiscountKind.FIXED, 50_000, None, 250_000, 50_000),
        (DiscountKind.FIXED, 50_000, None, 30_000, 30_000),  # never more than the price
    ],
)
def test_discount(
    session: Session, kind: DiscountKind, amount: int, cap: int | None, price: int, off: int
) -> None:
    offer = _offer(session, discount_kind=kind, amount=amount, max_discount=cap)
    assert voucher_service.discount_of(offer, price) == off


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"amount": 101}, "at most 100"),
        ({"valid_from": DAY, "valid_until": DAY - timedelta(days=1)}, "valid_from"),
        ({"discount_kind": DiscountKind.FIXED, "max_discount": 5}, "percent discounts only"),
    ],
)
def test_an_inconsistent_offer_is_refused(overrides: dict[str, Any], match: str) -> None:
    data: dict[str, Any] = {
        "name": "x", "rule": IssueRule.STAFF, "discount_kind": DiscountKind.PERCENT,
        "amount": 10, "valid_from": DAY, "valid_until": DAY + timedelta(days=9),
    } | overrides  # fmt: skip
    with pytest.raises(ValueError, match=match):
        VoucherOfferCreate(**data)


def test_staff_grant_tells_the_customer_in_their_language(session: Session) -> None:
    offer = _offer(session, min_price=100_000, valid_days=30)
    siti = make_customer(session)
    john = make_customer(session, name="John Smith", phone="+62 811 2", language=Language.EN)
    for customer in (siti, john):
        _grant(session, offer, customer)
    messages = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.VOUCHER_ISSUED)
    ).all()
    by_name = {m.recipient_name: m for m in messages}
    assert "potongan 10% untuk pembayaran minimal Rp 100.000" in by_name["Siti Rahayu"].body
    assert "10% off on a bill of at least Rp 100,000" in by_name["John Smith"].body
    voucher = voucher_service.list_for_customer(session=session, customer_id=john.id or 0)[0]
    assert voucher.code in by_name["John Smith"].body
    assert voucher.valid_until == DAY + timedelta(days=29)  # valid_days from the issue day


def test_total_limit_held_and_broken(session: Session) -> None:
    offer = _offer(session, total_limit=2, per_customer_limit=5)
    customer = make_customer(session)
    _grant(session, offer, customer)
    _grant(session, offer, customer)
    with pytest.raises(VoucherLimitReached, match="all its 2"):
        _grant(session, offer, customer)
    session.rollback()
    session.refresh(offer)
    assert offer.issued == 2


def test_per_customer_limit_held_and_broken(session: Session) -> None:
    offer = _offer(session, per_customer_limit=1)
    first, second = make_customer(session), make_customer(session)
    _grant(session, offer, first)
    with pytest.raises(VoucherLimitReached, match="limit 1"):
        _grant(session, offer, first)
    session.rollback()
    assert _grant(session, offer, second).customer_id == second.id


def test_an_offer_switched_off_or_over_issues_nothing(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(InvalidInput, match="not issued any more"):
        _grant(session, _offer(session, active=False), customer)
    over = _offer(session, valid_until=DAY - timedelta(days=1))
    with pytest.raises(InvalidInput):
        _grant(session, over, customer)


def test_redeem_on_a_paid_visit_once(session: Session) -> None:
    customer = make_customer(session)
    voucher = _grant(session, _offer(session, min_price=200_000), customer)
    visit = _paid_visit(session, customer, VisitStatus.COMPLETED)
    redeemed = _redeem(session, voucher, visit_id=visit.id)
    assert (redeemed.status, redeemed.price, redeemed.discount) == (
        VoucherStatus.REDEEMED, 250_000, 25_000,
    )  # fmt: skip
    public = voucher_service.public(session=session, voucher=redeemed)
    assert public.price_to_pay == 225_000
    with pytest.raises(VoucherUnusable, match="used already"):
        _redeem(session, voucher, visit_id=visit.id)


def test_redeem_on_a_part_with_amount_and_reference(session: Session) -> None:
    customer = make_customer(session)
    voucher = _grant(
        session, _offer(session, discount_kind=DiscountKind.FIXED, amount=20_000), customer
    )
    redeemed = _redeem(session, voucher, amount=180_000, part_reference="KOMPRESOR-SJK-1PK")
    assert (redeemed.part_reference, redeemed.discount) == ("KOMPRESOR-SJK-1PK", 20_000)


def test_a_visit_that_is_not_paid_takes_no_voucher(session: Session) -> None:
    customer = make_customer(session)
    voucher = _grant(session, _offer(session), customer)
    free = make_visit(
        session, request=make_request(session, asset=make_asset(session, customer=customer))
    )  # a free installation
    with pytest.raises(VoucherUnusable, match="not a paid visit"):
        _redeem(session, voucher, visit_id=free.id)


def test_a_visit_takes_one_voucher(session: Session) -> None:
    customer = make_customer(session)
    offer = _offer(session, per_customer_limit=2)
    first, second = _grant(session, offer, customer), _grant(session, offer, customer)
    visit = _paid_visit(session, customer, VisitStatus.COMPLETED)
    _redeem(session, first, visit_id=visit.id)
    with pytest.raises(VoucherUnusable, match="has a voucher already"):
        _redeem(session, second, visit_id=visit.id)
    session.refresh(second)
    assert second.status is VoucherStatus.ISSUED


def test_minimum_price_and_dates_are_kept(session: Session) -> None:
    customer = make_customer(session)
    voucher = _grant(session, _offer(session, min_price=300_000, valid_days=10), customer)
    with pytest.raises(VoucherUnusable, match="at least 300000") as low:
        _redeem(session, voucher, amount=299_999, part_reference="FILTER")
    assert low.value.loc == ("body", "amount")
    with pytest.raises(VoucherUnusable, match="valid"):
        _redeem(session, voucher, at=AT + timedelta(days=10), amount=400_000, part_reference="F")
    with pytest.raises(VoucherUnusable, match="valid"):
        _redeem(session, voucher, at=AT - timedelta(days=1), amount=400_000, part_reference="F")
    assert _redeem(session, voucher, at=AT + timedelta(days=9), amount=300_000,
                   part_reference="F").discount == 30_000  # fmt: skip


def test_another_customers_voucher_or_visit_is_not_found(session: Session) -> None:
    siti, budi = make_customer(session), make_customer(session, name="Budi")
    voucher = _grant(session, _offer(session), siti)
    with pytest.raises(NotFound):
        voucher_service.redeem(
            session=session,
            redeem_in=VoucherRedeem(code=voucher.code, amount=1000, part_reference="x"),
            customer_id=budi.id,
            at=AT,
        )
    budis_visit = _paid_visit(session, budi, VisitStatus.COMPLETED)
    with pytest.raises(NotFound):
        _redeem(session, voucher, visit_id=budis_visit.id)


def test_redeem_needs_a_visit_or_a_part() -> None:
    with pytest.raises(ValueError, match="amount and part_reference"):
        VoucherRedeem(code="ABC", amount=1000)


def test_a_completed_paid_visit_issues_the_rule_voucher_once(session: Session) -> None:
    offer = _offer(session, rule=IssueRule.AFTER_PAID_VISIT)
    customer = make_customer(session)
    visit = _paid_visit(session, customer, VisitStatus.ON_SITE)
    event = VisitEventCreate(event=VisitEvent.COMPLETED, at=local(DAY, 11))
    field_service.record_event(
        session=session, visit=visit, event_in=event, settings=settings_for("sqlite://")
    )
    [voucher] = voucher_service.list_for_customer(session=session, customer_id=customer.id or 0)
    assert (voucher.offer_id, voucher.source, voucher.region_id) == (
        offer.id, f"visit:{visit.id}", visit.region_id,
    )  # fmt: skip
    voucher_rules.issue_by_rule(
        session=session, rule=IssueRule.AFTER_PAID_VISIT, customer=customer,
        source=f"visit:{visit.id}", at=AT, region_id=visit.region_id,
    )  # fmt: skip
    assert (
        len(voucher_service.list_for_customer(session=session, customer_id=customer.id or 0)) == 1
    )


def test_a_free_visit_completed_issues_nothing(session: Session) -> None:
    _offer(session, rule=IssueRule.AFTER_PAID_VISIT)
    customer = make_customer(session)
    free = make_visit(
        session,
        request=make_request(session, asset=make_asset(session, customer=customer)),
        status=VisitStatus.ON_SITE,
    )
    event = VisitEventCreate(event=VisitEvent.COMPLETED, at=local(DAY, 11))
    field_service.record_event(
        session=session, visit=free, event_in=event, settings=settings_for("sqlite://")
    )
    assert voucher_service.list_for_customer(session=session, customer_id=customer.id or 0) == []


def test_a_survey_answer_issues_the_rule_voucher(session: Session) -> None:
    _offer(session, rule=IssueRule.AFTER_SURVEY, discount_kind=DiscountKind.FIXED, amount=25_000)
    customer = make_customer(session)
    visit = _paid_visit(session, customer, VisitStatus.COMPLETED)
    token = feedback_service.issue(session=session, visit=visit, now=AT, valid_days=30)
    assert token is not None
    survey = feedback_service.get_by_token_or_raise(session=session, token=token)
    feedback_service.answer(
        session=session, survey=survey, answer_in=SurveyAnswer(csat=5, nps=9, ces=6), now=AT
    )
    [voucher] = voucher_service.list_for_customer(session=session, customer_id=customer.id or 0)
    assert voucher.source == f"survey:{visit.id}"


def test_a_rule_offer_at_its_limit_is_skipped_without_failing_the_visit(session: Session) -> None:
    offer = _offer(session, rule=IssueRule.AFTER_PAID_VISIT, total_limit=1, per_customer_limit=5)
    customer = make_customer(session)
    for _ in range(2):
        visit = _paid_visit(session, customer, VisitStatus.ON_SITE)
        event = VisitEventCreate(event=VisitEvent.COMPLETED, at=local(DAY, 11))
        done = field_service.record_event(
            session=session, visit=visit, event_in=event, settings=settings_for("sqlite://")
        )
        assert done.status is VisitStatus.COMPLETED
    session.refresh(offer)
    assert offer.issued == 1


@pytest.mark.parametrize(
    ("bought", "today", "issued"),
    [
        (date(2025, 3, 10), DAY, 1),  # one year today
        (date(2024, 3, 5), DAY, 1),  # two years, five days ago: a missed run still issues
        (date(2025, 2, 20), DAY, 0),  # more than a week ago
        (date(2026, 3, 10), DAY, 0),  # bought today: no anniversary yet
        (date(2024, 2, 29), date(2027, 3, 1), 1),  # leap day counts on 28 February
    ],
)
def test_anniversary_vouchers(session: Session, bought: date, today: date, issued: int) -> None:
    _offer(session, rule=IssueRule.ASSET_ANNIVERSARY, valid_until=date(2027, 12, 31))
    customer = make_customer(session)
    make_asset(session, customer=customer, purchase_date=bought)
    now = local(today, 8)
    voucher_rules.issue_anniversaries(session=session, now=now)
    voucher_rules.issue_anniversaries(session=session, now=now)  # the second run adds nothing
    found = voucher_service.list_for_customer(session=session, customer_id=customer.id or 0)
    assert len(found) == issued


def _race(engine: Engine, attempt: Any) -> list[bool]:
    barrier = threading.Barrier(THREADS)

    def one(i: int) -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                attempt(session, i)
            except (VoucherUnusable, VoucherLimitReached):
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_racing_redemptions_use_a_voucher_once(engine: Engine) -> None:
    """Eight tills redeem one code at once: one discount, seven refused."""
    with Session(engine) as session:
        code = _grant(session, _offer(session), make_customer(session)).code

    def redeem(session: Session, i: int) -> None:
        redeem_in = VoucherRedeem(code=code, amount=100_000 + i, part_reference=f"P{i}")
        voucher_service.redeem(session=session, redeem_in=redeem_in, customer_id=None, at=AT)

    assert _race(engine, redeem).count(True) == 1
    with Session(engine) as session:
        voucher = voucher_service.get_by_code(session=session, code=code)
        assert voucher is not None and voucher.status is VoucherStatus.REDEEMED


def test_racing_grants_keep_the_total_limit(engine: Engine) -> None:
    """Eight staff grant from an offer of 3 at once: exactly 3 vouchers."""
    with Session(engine) as session:
        offer_id = _offer(session, total_limit=3).id or 0
        customers = [make_customer(session, phone=f"+62 81{i}").id or 0 for i in range(THREADS)]

    def grant(session: Session, i: int) -> None:
        offer = session.get(VoucherOffer, offer_id)
        customer = session.get(Customer, customers[i])
        assert offer is not None and customer is not None
        _grant(session, offer, customer)

    assert _race(engine, grant).count(True) == 3
    with Session(engine) as session:
        assert len(session.exec(select(Voucher)).all()) == 3


def test_voucher_kpis(session: Session) -> None:
    """Two vouchers (one redeemed, its holder books again), two customers served without one
    (one books again): 2 issued, 1 redeemed, 50% redeemed, 50% repeat with and without."""
    from dispatch.kpis import service as kpi_service
    from tests.factories import make_region

    region = make_region(session, code="jkt-v")
    offer = _offer(session, per_customer_limit=1)
    holders = [make_customer(session, region_id=region.id, phone=f"+62 1{i}") for i in range(2)]
    vouchers = [_grant(session, offer, c, at=local(DAY, 10)) for c in holders]
    _redeem(session, vouchers[0], amount=100_000, part_reference="OLI")
    served = [make_customer(session, region_id=region.id, phone=f"+62 2{i}") for i in range(2)]
    for customer in served:
        asset = make_asset(session, customer=customer)
        make_visit(
            session, request=make_request(session, asset=asset, region=region),
            status=VisitStatus.COMPLETED,
        )  # fmt: skip
    for customer in (holders[0], served[1]):  # they book again after the voucher / the visit
        asset = make_asset(session, customer=customer, purchase_date=date(2020, 1, 6))
        make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR,
                     created_at=local(DAY, 15))  # fmt: skip
    report = kpi_service.report(
        session=session, region_codes=["jkt-v"], start=DAY, end=DAY, now=local(DAY, 20)
    )
    total = report.total
    assert (total.vouchers_issued, total.vouchers_redeemed) == (2, 1)
    assert total.voucher_redemption_pct == pytest.approx(50.0)
    assert (total.customers_with_voucher, total.customers_without_voucher) == (2, 2)
    assert total.repeat_with_voucher_pct == pytest.approx(50.0)
    assert total.repeat_without_voucher_pct == pytest.approx(50.0)
