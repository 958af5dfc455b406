"""Voucher services: create offers, issue vouchers within the offer's limits, redeem one once.

issue() raises the offer's issued count with a guarded UPDATE (... WHERE issued < total_limit),
which also locks the offer's row until the transaction ends (PostgreSQL; SQLite holds the write
lock already), so the per-customer count read after it cannot race. A rule issues one voucher
per cause: (offer, source) is unique, and issuing again for the same source returns the
voucher there is. redeem() is a guarded UPDATE ... WHERE status = 'issued': of two racing
redemptions one wins, the other is refused; a visit, or a bay booking at a partner workshop,
takes one voucher (unique visit_id, workshop_booking_id).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.customer.models import Customer
from dispatch.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    VoucherLimitReached,
    VoucherUnusable,
)
from dispatch.region.models import Region
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.visit.models import Visit, VisitStatus
from dispatch.voucher import notice
from dispatch.voucher.models import (
    CODE_LENGTH,
    DiscountKind,
    Voucher,
    VoucherOffer,
    VoucherOfferCreate,
    VoucherPublic,
    VoucherRedeem,
    VoucherStatus,
)
from dispatch.workshop.models import WorkshopBooking, WorkshopBookingStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
DEFAULT_ZONE = "Asia/Jakarta"  # the day of a voucher without a region


def create_offer(*, session: Session, offer_in: VoucherOfferCreate) -> VoucherOffer:
    """A new offer; raises Conflict when its name is taken."""
    taken = session.exec(select(VoucherOffer.id).where(VoucherOffer.name == offer_in.name)).first()
    if taken is not None:
        raise Conflict(f"an offer named {offer_in.name!r} exists already.", loc=("body", "name"))
    offer = VoucherOffer.model_validate(offer_in)
    session.add(offer)
    session.commit()
    session.refresh(offer)
    return offer


def get_offer_or_raise(*, session: Session, offer_id: int) -> VoucherOffer:
    """The offer with this id; raises NotFound."""
    offer = session.get(VoucherOffer, offer_id)
    if offer is None:
        raise NotFound(f"voucher offer {offer_id} does not exist.", loc=("body", "offer_id"))
    return offer


def list_offers(*, session: Session) -> list[VoucherOffer]:
    """Every offer, newest first."""
    return list(session.exec(select(VoucherOffer).order_by(col(VoucherOffer.id).desc())).all())


def issue(
    *,
    session: Session,
    offer: VoucherOffer,
    customer: Customer,
    source: str,
    at: datetime,
    region_id: int | None = None,
) -> tuple[Voucher, bool]:
    """Step: a voucher of the offer for the customer (see the module docstring), its message
    queued in the customer's language; the voucher, and False when the source had one already.
    Raises InvalidInput when the offer is off or over, VoucherLimitReached past a limit."""
    existing = session.exec(
        select(Voucher).where(Voucher.offer_id == offer.id, Voucher.source == source)
    ).first()
    if existing is not None:
        return existing, False
    day = local_day(session, region_id, at)
    if not offer.active or day > offer.valid_until:
        raise InvalidInput(f"offer {offer.name!r} is not issued any more.", loc=("offer_id",))
    _count_one(session, offer)
    _check_customer_limit(session, offer, customer)
    voucher = Voucher(
        offer_id=offer.id or 0,
        customer_id=customer.id or 0,
        region_id=region_id if region_id is not None else customer.region_id,
        code=new_code(),
        source=source,
        issued_at=at,
        valid_from=max(offer.valid_from, day),
        valid_until=_valid_until(offer, day),
    )
    session.add(voucher)
    session.flush()
    notice.queue_issued(session=session, voucher=voucher, offer=offer, customer=customer, at=at)
    return voucher, True


def grant(
    *, session: Session, offer: VoucherOffer, customer: Customer, note: str, at: datetime
) -> Voucher:
    """Staff issue a voucher by hand (any offer, within its limits); committed."""
    source = f"staff:{secrets.token_hex(6)}" + (f":{note}" if note else "")
    voucher, _ = issue(session=session, offer=offer, customer=customer, source=source[:80], at=at)
    session.commit()
    session.refresh(voucher)
    return voucher


def get_by_code(*, session: Session, code: str) -> Voucher | None:
    """The voucher with this code (case and spaces ignored), or None."""
    normal = code.strip().upper()[:CODE_LENGTH]
    return session.exec(select(Voucher).where(Voucher.code == normal)).first()


def redeem(
    *,
    session: Session,
    redeem_in: VoucherRedeem,
    customer_id: int | None,
    at: datetime | None = None,
) -> Voucher:
    """Redeem the voucher on a paid visit, a paid bay booking or a part (customer_id: only
    that customer's);
    raises NotFound, VoucherUnusable (used, not valid that day, price too low, not paid)."""
    at = at or localtime.utc_now()
    voucher = get_by_code(session=session, code=redeem_in.code)
    if voucher is None or customer_id not in (None, voucher.customer_id):
        raise NotFound(f"voucher {redeem_in.code!r} does not exist.", loc=("body", "code"))
    if redeem_in.target_count() != 1:  # checked after the code, so outsiders learn nothing
        msg = "give visit_id, workshop_booking_id, or amount and part_reference: one of them."
        raise InvalidInput(msg, loc=("body",))
    offer = get_offer_or_raise(session=session, offer_id=voucher.offer_id)
    price = _price(session, voucher, redeem_in)
    _check_usable(session, voucher, offer, price, at, target=_target_field(redeem_in))
    values = {
        "status": VoucherStatus.REDEEMED,
        "redeemed_at": at,
        "visit_id": redeem_in.visit_id,
        "workshop_booking_id": redeem_in.workshop_booking_id,
        "part_reference": redeem_in.part_reference,
        "price": price,
        "discount": discount_of(offer, price),
    }
    try:
        result = session.execute(
            update(Voucher)
            .where(col(Voucher.id) == voucher.id, col(Voucher.status) == VoucherStatus.ISSUED)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.flush()
    except IntegrityError:  # the visit (or bay booking) took another voucher meanwhile
        session.rollback()
        field = _target_field(redeem_in)
        what = field.removesuffix("_id").replace("_", " ")
        msg = f"{what} {getattr(redeem_in, field)} has a voucher already."
        raise VoucherUnusable(msg, loc=("body", field)) from None
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise VoucherUnusable(f"voucher {voucher.code} is used already.", loc=("body", "code"))
    session.commit()
    session.refresh(voucher)
    return voucher


def discount_of(offer: VoucherOffer, price: int) -> int:
    """Rupiah off the price: a percent (capped at max_discount) or a fixed amount, never more
    than the price."""
    if offer.discount_kind is DiscountKind.PERCENT:
        off = price * offer.amount // 100
        if offer.max_discount is not None:
            off = min(off, offer.max_discount)
    else:
        off = offer.amount
    return min(off, price)


def list_for_customer(*, session: Session, customer_id: int) -> list[Voucher]:
    """The customer's vouchers, newest first."""
    query = select(Voucher).where(Voucher.customer_id == customer_id)
    return list(session.exec(query.order_by(col(Voucher.issued_at).desc())).all())


def count_for(*, session: Session, offer_id: int, customer_id: int) -> int:
    """How many vouchers of the offer the customer holds (used or not)."""
    query = select(func.count()).select_from(Voucher)
    return session.exec(
        query.where(Voucher.offer_id == offer_id, Voucher.customer_id == customer_id)
    ).one()


def public(*, session: Session, voucher: Voucher) -> VoucherPublic:
    """The voucher with its offer's terms and, once redeemed, what was paid."""
    offer = get_offer_or_raise(session=session, offer_id=voucher.offer_id)
    to_pay = None if voucher.price is None else voucher.price - (voucher.discount or 0)
    return VoucherPublic(
        **voucher.model_dump(exclude={"region_id"}),
        offer_name=offer.name,
        discount_kind=offer.discount_kind,
        amount=offer.amount,
        max_discount=offer.max_discount,
        min_price=offer.min_price,
        price_to_pay=to_pay,
    )


def new_code() -> str:
    """A random voucher code (8 characters, about 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def local_day(session: Session, region_id: int | None, at: datetime) -> date:
    """The day of `at` in the region's time zone (Jakarta without a region)."""
    region = session.get(Region, region_id) if region_id is not None else None
    zone = region.zone if region is not None else localtime.zone(DEFAULT_ZONE)
    return localtime.local_day(localtime.require_aware(at, "at"), zone)


# --- steps ----------------------------------------------------------------------------------------


def _count_one(session: Session, offer: VoucherOffer) -> None:
    """Step: one more issued, unless the total limit is reached (raises VoucherLimitReached)."""
    limit = col(VoucherOffer.total_limit)
    result = session.execute(
        update(VoucherOffer)
        .where(
            col(VoucherOffer.id) == offer.id,
            limit.is_(None) | (col(VoucherOffer.issued) < limit),
        )
        .values(issued=col(VoucherOffer.issued) + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(offer)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        msg = f"offer {offer.name!r} has issued all its {offer.total_limit} vouchers."
        raise VoucherLimitReached(msg, loc=("offer_id",))


def _check_customer_limit(session: Session, offer: VoucherOffer, customer: Customer) -> None:
    held = count_for(session=session, offer_id=offer.id or 0, customer_id=customer.id or 0)
    if held >= offer.per_customer_limit:
        limit = offer.per_customer_limit
        msg = f"customer {customer.id} holds {held} of offer {offer.name!r} (limit {limit})."
        raise VoucherLimitReached(msg, loc=("customer_id",))


def _valid_until(offer: VoucherOffer, day: date) -> date:
    if offer.valid_days is None:
        return offer.valid_until
    return min(offer.valid_until, day + timedelta(days=offer.valid_days - 1))


def _target_field(redeem_in: VoucherRedeem) -> str:
    """The body field naming what the voucher is redeemed on."""
    if redeem_in.visit_id is not None:
        return "visit_id"
    return "workshop_booking_id" if redeem_in.workshop_booking_id is not None else "amount"


def _price(session: Session, voucher: Voucher, redeem_in: VoucherRedeem) -> int:
    """The price the discount applies to: the visit's or bay booking's price to the customer,
    or the part's."""
    if redeem_in.workshop_booking_id is not None:
        return _bay_price(session, voucher, redeem_in.workshop_booking_id)
    if redeem_in.visit_id is None:
        return redeem_in.amount or 0
    visit = session.get(Visit, redeem_in.visit_id)
    if visit is None or visit.request.customer_id != voucher.customer_id:
        msg = f"visit {redeem_in.visit_id} does not exist."
        raise NotFound(msg, loc=("body", "visit_id"))
    request = visit.request
    if visit.status is VisitStatus.CANCELLED or request.coverage is not Coverage.PAID:
        msg = f"visit {visit.id} is not a paid visit ({request.coverage}, {visit.status})."
        raise VoucherUnusable(msg, loc=("body", "visit_id"))
    return request.price


def _bay_price(session: Session, voucher: Voucher, booking_id: int) -> int:
    """The price of a paid service at a partner workshop (not cancelled) to the customer."""
    booking = session.get(WorkshopBooking, booking_id)
    if booking is None or booking.customer_id != voucher.customer_id:
        msg = f"workshop booking {booking_id} does not exist."
        raise NotFound(msg, loc=("body", "workshop_booking_id"))
    request = session.get(ServiceRequest, booking.request_id)
    assert request is not None  # a foreign key
    if booking.status is WorkshopBookingStatus.CANCELLED or request.coverage is not Coverage.PAID:
        why = f"{request.coverage}, {booking.status}"
        msg = f"workshop booking {booking.id} is not a paid service ({why})."
        raise VoucherUnusable(msg, loc=("body", "workshop_booking_id"))
    return request.price


def _check_usable(
    session: Session,
    voucher: Voucher,
    offer: VoucherOffer,
    price: int,
    at: datetime,
    *,
    target: str,
) -> None:
    if voucher.status is VoucherStatus.REDEEMED:
        raise VoucherUnusable(f"voucher {voucher.code} is used already.", loc=("body", "code"))
    day = local_day(session, voucher.region_id, at)
    if not voucher.valid_from <= day <= voucher.valid_until:
        msg = f"voucher {voucher.code} is valid {voucher.valid_from} to {voucher.valid_until}."
        raise VoucherUnusable(msg, loc=("body", "code"))
    if price < offer.min_price:
        msg = f"voucher {voucher.code} needs a price of at least {offer.min_price}, not {price}."
        raise VoucherUnusable(msg, loc=("body", target))
