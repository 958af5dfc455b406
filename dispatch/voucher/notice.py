"""The voucher's message to its customer, queued in the outbox in the customer's language."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from dispatch.customer.models import Customer, Language
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.models import MessageKind
from dispatch.voucher.models import DiscountKind, Voucher, VoucherOffer

log = logging.getLogger("purna.voucher")


def queue_issued(
    *, session: Session, voucher: Voucher, offer: VoucherOffer, customer: Customer, at: datetime
) -> bool:
    """Step: queue the voucher's message (key voucher:<id>:issued); True when queued. A message
    that cannot be built is logged and never fails the issue (a savepoint is rolled back)."""
    key = f"voucher:{voucher.id}:issued"
    context = context_of(voucher, offer, customer.language)
    try:
        with session.begin_nested():
            draft = compose.for_customer_only(
                customer, MessageKind.VOUCHER_ISSUED, key, at, context, voucher.region_id
            )
            return outbox.enqueue(session=session, draft=draft)
    except Exception:  # the voucher stands without its message; staff can resend it
        log.exception("could not queue the message of voucher %s", voucher.id)
        return False


def context_of(voucher: Voucher, offer: VoucherOffer, language: Language) -> dict[str, str]:
    """The voucher's fields as its message words them in the language."""
    if offer.discount_kind is DiscountKind.PERCENT:
        discount = f"{offer.amount}%"
    else:
        discount = texts.rupiah(offer.amount, language)
    minimum = ""
    if offer.min_price:
        minimum = texts.MINIMUM[language].format(price=texts.rupiah(offer.min_price, language))
    return {
        "offer": offer.name,
        "code": voucher.code,
        "discount": discount,
        "minimum": minimum,
        "valid_until": texts.day_text(voucher.valid_until, language),
    }
