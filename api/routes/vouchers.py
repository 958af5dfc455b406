"""Loyalty vouchers: offers (admins), vouchers granted by staff, a customer's vouchers, and
redemption on a paid visit or a part."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    BookingUser,
    DispatcherUser,
    ScopeDep,
    SessionDep,
    customer_scope,
    require_roles,
)
from dispatch.access import directory as customer_directory
from dispatch.access.scope import Scope
from dispatch.account.models import Role, User
from dispatch.customer.models import Customer
from dispatch.errors import InvalidInput, NotFound
from dispatch.localtime import utc_now
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import (
    VoucherGrant,
    VoucherOfferCreate,
    VoucherOfferPublic,
    VoucherOffersPublic,
    VoucherPublic,
    VoucherRedeem,
    VouchersPublic,
)

router = APIRouter(tags=["vouchers"])
AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.post(
    "/voucher-offers", response_model=VoucherOfferPublic, status_code=status.HTTP_201_CREATED
)
def create_offer(
    session: SessionDep, _: AdminUser, offer_in: VoucherOfferCreate
) -> VoucherOfferPublic:
    """A voucher offer: discount, validity, minimum price, limits and the rule that issues it."""
    offer = voucher_service.create_offer(session=session, offer_in=offer_in)
    return VoucherOfferPublic.model_validate(offer)


@router.get("/voucher-offers", response_model=VoucherOffersPublic)
def read_offers(session: SessionDep, _: DispatcherUser) -> VoucherOffersPublic:
    """Every offer, newest first, with how many vouchers each has issued."""
    offers = voucher_service.list_offers(session=session)
    data = [VoucherOfferPublic.model_validate(o) for o in offers]
    return VoucherOffersPublic(data=data, count=len(data))


@router.post("/vouchers", response_model=VoucherPublic, status_code=status.HTTP_201_CREATED)
def grant_voucher(
    session: SessionDep, _: DispatcherUser, scope: ScopeDep, grant_in: VoucherGrant
) -> VoucherPublic:
    """Staff issue a voucher of an offer to a customer they reach (within the offer's limits);
    the customer is told in their language."""
    customer = _customer_in_reach(session, scope, grant_in.customer_id)
    offer = voucher_service.get_offer_or_raise(session=session, offer_id=grant_in.offer_id)
    voucher = voucher_service.grant(
        session=session, offer=offer, customer=customer, note=grant_in.note, at=utc_now()
    )
    return voucher_service.public(session=session, voucher=voucher)


@router.get("/vouchers", response_model=VouchersPublic)
def read_vouchers(
    session: SessionDep,
    user: BookingUser,
    scope: ScopeDep,
    customer_id: Annotated[int | None, Query(description="dispatchers: whose vouchers")] = None,
) -> VouchersPublic:
    """The caller's vouchers (a dispatcher names the customer), newest first."""
    own = customer_scope(user)
    if own is not None and customer_id not in (None, own):
        raise NotFound(f"customer {customer_id} does not exist.", loc=("query", "customer_id"))
    whose = own or customer_id
    if whose is None:
        raise InvalidInput("give customer_id.", loc=("query", "customer_id"))
    customer = _customer_in_reach(session, scope, whose, loc=("query", "customer_id"))
    found = voucher_service.list_for_customer(session=session, customer_id=customer.id or 0)
    data = [voucher_service.public(session=session, voucher=v) for v in found]
    return VouchersPublic(data=data, count=len(data))


@router.post("/vouchers/redeem", response_model=VoucherPublic)
def redeem_voucher(
    session: SessionDep, user: BookingUser, scope: ScopeDep, redeem_in: VoucherRedeem
) -> VoucherPublic:
    """Redeem a voucher once, on a paid visit (the price the customer pays) or on a part
    (amount and reference); 409 voucher_unusable when used, out of its dates or under the
    minimum price."""
    voucher = voucher_service.get_by_code(session=session, code=redeem_in.code)
    if voucher is not None and customer_scope(user) is None:
        msg = f"voucher {redeem_in.code!r} does not exist."
        _customer_in_reach(session, scope, voucher.customer_id, loc=("body", "code"), msg=msg)
    redeemed = voucher_service.redeem(
        session=session, redeem_in=redeem_in, customer_id=customer_scope(user)
    )
    return voucher_service.public(session=session, voucher=redeemed)


def _customer_in_reach(
    session: SessionDep,
    scope: Scope,
    customer_id: int,
    loc: tuple[str, ...] = ("body", "customer_id"),
    msg: str | None = None,
) -> Customer:
    """The customer when the caller's scope reaches it; NotFound otherwise (nothing leaks)."""
    customer = customer_directory.get_in_reach(
        session=session, scope=scope, customer_id=customer_id
    )
    if customer is None:
        raise NotFound(msg or f"customer {customer_id} does not exist.", loc=loc)
    return customer
