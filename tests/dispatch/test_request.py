"""Service requests: coverage by entitlement, warranty or payment, priority, and the reasons."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from dispatch.entitlement import service as entitlement_service
from dispatch.entitlement.models import EntitlementKind
from dispatch.errors import InvalidInput, NotCovered
from dispatch.product.models import VisitKind
from dispatch.request import service as request_service
from dispatch.request.models import Coverage, RequestStatus
from tests.factories import (
    make_asset,
    make_customer,
    make_motorcycle_model,
    make_product_model,
    make_region,
    make_request,
)


def test_open_installation_uses_free_installation(session: Session) -> None:
    """An installation of an AC bought with free installation costs nothing and uses it."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    request = make_request(session, asset=asset, kind=VisitKind.INSTALLATION)
    assert (request.coverage, request.price, request.status) == (
        Coverage.ENTITLEMENT,
        0,
        RequestStatus.OPEN,
    )
    assert request.coverage_reason == "free_installation 1 of 1, valid until 2026-05-31"
    installation = entitlement_service.get_or_raise(
        session=session, entitlement_id=request.entitlement_id or 0
    )
    assert (installation.kind, installation.used) == (EntitlementKind.FREE_INSTALLATION, 1)
    assert request.customer_id == asset.customer_id


def test_open_installation_without_free_installation_is_paid(session: Session) -> None:
    """A product without free installation pays the policy's price, and says why."""
    model = make_product_model(session, free_installation=False)
    request = make_request(session, asset=make_asset(session, product_model=model))
    assert (request.coverage, request.price, request.entitlement_id) == (
        Coverage.PAID,
        350_000,
        None,
    )
    assert request.coverage_reason.endswith("has no free_installation")


def test_open_second_installation_is_paid_when_used_up(session: Session) -> None:
    """The one free installation is used by the first request; the second is paid."""
    asset = make_asset(session)
    make_request(session, asset=asset)
    second = make_request(session, asset=asset)
    assert (second.coverage, second.price) == (Coverage.PAID, 350_000)
    assert second.coverage_reason == "free_installation is used up (1 of 1)"


def test_open_free_service_after_validity_is_paid(session: Session) -> None:
    """A free service requested after its validity is paid at the periodic service price."""
    asset = make_asset(
        session, product_model=make_motorcycle_model(session), purchase_date=date(2025, 1, 10)
    )
    request = make_request(
        session,
        asset=asset,
        kind=VisitKind.PERIODIC_SERVICE,
        created_at=datetime(2026, 1, 11, 3, 0, tzinfo=UTC),
    )
    assert (request.coverage, request.price) == (Coverage.PAID, 120_000)
    assert request.coverage_reason == "free_service expired after 2026-01-10"


def test_open_repair_under_warranty_is_free(session: Session) -> None:
    """A repair within the warranty is covered by it, with the warranty's reason."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    request = make_request(session, asset=asset, kind=VisitKind.REPAIR)
    assert (request.coverage, request.price) == (Coverage.WARRANTY, 0)
    assert (
        request.coverage_reason == "purchased 2026-03-02, 12-month warranty, valid until 2027-03-02"
    )


def test_open_repair_after_warranty_is_paid(session: Session) -> None:
    """A repair after the warranty pays the repair price, and the reason says it expired."""
    asset = make_asset(session, purchase_date=date(2024, 1, 31))
    request = make_request(session, asset=asset, kind=VisitKind.REPAIR)
    assert (request.coverage, request.price) == (Coverage.PAID, 250_000)
    assert (
        request.coverage_reason
        == "purchased 2024-01-31, 12-month warranty, expired after 2025-01-31"
    )


def test_open_coverage_uses_the_regions_local_day(session: Session) -> None:
    """At 23:30 UTC on the warranty's last day it is already the next day in Jakarta: paid."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    late = datetime(2027, 3, 2, 17, 30, tzinfo=UTC)  # 2027-03-03 00:30 in Jakarta
    request = make_request(session, asset=asset, kind=VisitKind.REPAIR, created_at=late)
    assert request.coverage is Coverage.PAID


def test_open_not_allowing_paid_raises_not_covered(session: Session) -> None:
    """With allow_paid=False an uncovered repair is refused, and nothing is stored."""
    asset = make_asset(session, purchase_date=date(2024, 1, 31))
    with pytest.raises(NotCovered, match="expired after 2025-01-31"):
        make_request(session, asset=asset, kind=VisitKind.REPAIR, allow_paid=False)
    session.rollback()
    count = request_service.list_for_customer(session=session, customer_id=asset.customer_id)[1]
    assert count == 0


def test_open_kind_not_offered_is_invalid(session: Session) -> None:
    """An oil change for an AC is not something the product's policy offers."""
    with pytest.raises(InvalidInput, match="no oil_change service"):
        make_request(session, kind=VisitKind.OIL_CHANGE)


def test_quote_tells_the_entitlement_a_booking_would_use_without_using_it(
    session: Session,
) -> None:
    """A quote names the free installation the request would take; it stays unused, and the
    request opened afterwards decides the same."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    region = make_region(session)
    now = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    quote = request_service.quote(
        session=session, asset=asset, kind=VisitKind.INSTALLATION, region=region, now=now
    )
    assert (quote.coverage, quote.price) == (Coverage.ENTITLEMENT, 0)
    assert quote.coverage_reason == "free_installation 1 of 1, valid until 2026-05-31"
    installation = entitlement_service.find(
        session=session, asset_id=asset.id or 0, kind=EntitlementKind.FREE_INSTALLATION
    )
    assert installation is not None and installation.used == 0
    request = make_request(session, asset=asset, region=region, created_at=now)
    assert (request.coverage, request.coverage_reason, request.price) == (
        quote.coverage,
        quote.coverage_reason,
        quote.price,
    )


def test_quote_when_used_up_or_out_of_warranty_is_paid_with_the_price(session: Session) -> None:
    """After the one free installation is used the quote is paid at the policy's price; a
    repair after the warranty too, with the warranty's reason."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    region = make_region(session)
    make_request(session, asset=asset, region=region)
    now = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    installation = request_service.quote(
        session=session, asset=asset, kind=VisitKind.INSTALLATION, region=region, now=now
    )
    assert (installation.coverage, installation.price) == (Coverage.PAID, 350_000)
    assert installation.coverage_reason == "free_installation is used up (1 of 1)"
    old = make_asset(session, purchase_date=date(2024, 1, 31))
    repair = request_service.quote(
        session=session, asset=old, kind=VisitKind.REPAIR, region=region, now=now
    )
    assert (repair.coverage, repair.price) == (Coverage.PAID, 250_000)
    assert repair.coverage_reason.endswith("expired after 2025-01-31")


@pytest.mark.parametrize(
    ("kind", "priority"),
    [(VisitKind.REPAIR, 3), (VisitKind.INSTALLATION, 2), (VisitKind.PERIODIC_SERVICE, 1)],
)
def test_open_priority_defaults_by_kind(session: Session, kind: VisitKind, priority: int) -> None:
    """A repair outranks an installation, which outranks a routine service."""
    assert make_request(session, kind=kind).priority == priority


def test_open_priority_given_wins(session: Session) -> None:
    """An agent may mark a repair urgent."""
    assert make_request(session, kind=VisitKind.REPAIR, priority=5).priority == 5


def test_respond_records_first_response_once(session: Session) -> None:
    """The first answer is kept; a later one does not move it."""
    request = make_request(session)
    first = datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    request_service.respond(session=session, request=request, at=first)
    request_service.respond(
        session=session, request=request, at=datetime(2026, 3, 9, 6, tzinfo=UTC)
    )
    assert request.first_response_at == first


def test_list_for_customer_newest_first(session: Session) -> None:
    """A customer's requests come newest first, with the total count."""
    customer = make_customer(session)
    asset = make_asset(session, customer=customer)
    region = make_region(session)
    older = make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)
    newer = make_request(
        session,
        asset=asset,
        region=region,
        kind=VisitKind.INSPECTION,
        created_at=datetime(2026, 3, 9, 5, 0, tzinfo=UTC),
    )
    rows, count = request_service.list_for_customer(session=session, customer_id=customer.id or 0)
    assert [r.id for r in rows] == [newer.id, older.id]
    assert count == 2


def test_latest_region_id_is_that_of_the_last_request(session: Session) -> None:
    """None before any request; then the region of the newest request, and between two made
    at the same moment, of the one made last."""
    asset = make_asset(session)
    assert request_service.latest_region_id(session=session, asset_id=asset.id or 0) is None
    first, second, third = make_region(session), make_region(session), make_region(session)
    at = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
    make_request(session, asset=asset, region=first, kind=VisitKind.REPAIR, created_at=at)
    make_request(session, asset=asset, region=third, kind=VisitKind.REPAIR, created_at=at)
    earlier = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
    make_request(session, asset=asset, region=second, kind=VisitKind.REPAIR, created_at=earlier)
    assert request_service.latest_region_id(session=session, asset_id=asset.id or 0) == third.id
