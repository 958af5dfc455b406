"""Warranty: covered within the period (last day included), expired after, and the reason."""

from datetime import date

import pytest
from sqlmodel import Session

from dispatch.warranty import service as warranty_service
from tests.factories import make_asset, make_product_model


def test_warranty_covers_within_period_with_reason(session: Session) -> None:
    """Bought 2026-03-02 with 12 months: covered on 2026-09-01, valid until 2027-03-02."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    decision = warranty_service.decide(asset=asset, on=date(2026, 9, 1))
    assert decision.covered
    assert decision.valid_until == date(2027, 3, 2)
    assert decision.reason == "purchased 2026-03-02, 12-month warranty, valid until 2027-03-02"


def test_warranty_covers_its_last_day(session: Session) -> None:
    """The day the warranty runs until is still covered."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    assert warranty_service.decide(asset=asset, on=date(2027, 3, 2)).covered


def test_warranty_expired_the_day_after_with_reason(session: Session) -> None:
    """The day after valid_until the repair is paid, and the reason says since when."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    decision = warranty_service.decide(asset=asset, on=date(2027, 3, 3))
    assert not decision.covered
    assert decision.reason == "purchased 2026-03-02, 12-month warranty, expired after 2027-03-02"


@pytest.mark.parametrize(
    ("purchased", "months", "last_covered"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
    ],
)
def test_warranty_month_end_purchase_ends_on_month_end(
    session: Session, purchased: date, months: int, last_covered: date
) -> None:
    """A purchase on a month end is covered to the last day of the target month, not beyond."""
    model = make_product_model(session, warranty_months=months)
    asset = make_asset(session, product_model=model, purchase_date=purchased)
    assert warranty_service.decide(asset=asset, on=last_covered).covered
    after = date.fromordinal(last_covered.toordinal() + 1)
    decision = warranty_service.decide(asset=asset, on=after)
    assert not decision.covered
    assert decision.valid_until == last_covered


def test_warranty_none_when_product_has_zero_months(session: Session) -> None:
    """A product sold without warranty is never covered, and says so."""
    model = make_product_model(session, warranty_months=0)
    asset = make_asset(session, product_model=model, purchase_date=date(2026, 3, 2))
    decision = warranty_service.decide(asset=asset, on=date(2026, 3, 3))
    assert not decision.covered
    assert decision.reason == "purchased 2026-03-02, no warranty"
