"""Warranty decisions from the purchase date and the product's warranty period.

The warranty runs from the purchase date for warranty_months calendar months and covers its
last day: bought 2026-03-02 with 12 months, valid until 2027-03-02. Month ends clamp: bought
2024-01-31 with 1 month, valid until 2024-02-29.
"""

from datetime import date
from typing import Protocol

from dispatch import localtime
from dispatch.product.models import ProductModel
from dispatch.warranty.models import CoverageDecision


class Sold(Protocol):
    """What a decision reads of a sold unit (an asset): warranty rules sit below assets."""

    @property
    def purchase_date(self) -> date: ...

    @property
    def product_model(self) -> ProductModel: ...


def valid_until(purchase_date: date, warranty_months: int) -> date:
    """The last day the warranty covers."""
    return localtime.add_months(purchase_date, warranty_months)


def decide(*, asset: Sold, on: date) -> CoverageDecision:
    """Whether the asset's warranty covers a request made on that (local) day, and why."""
    purchased = asset.purchase_date
    months = asset.product_model.warranty_months
    end = valid_until(purchased, months)
    if months == 0:
        return CoverageDecision(
            covered=False, reason=f"purchased {purchased}, no warranty", valid_until=end
        )
    if on < purchased:
        return CoverageDecision(
            covered=False,
            reason=f"requested on {on}, before the purchase on {purchased}",
            valid_until=end,
        )
    terms = f"purchased {purchased}, {months}-month warranty"
    if on <= end:
        return CoverageDecision(covered=True, reason=f"{terms}, valid until {end}", valid_until=end)
    return CoverageDecision(covered=False, reason=f"{terms}, expired after {end}", valid_until=end)
