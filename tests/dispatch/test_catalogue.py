"""Regions, customers, product models and assets: creation rules and uniqueness."""

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from dispatch.asset import service as asset_service
from dispatch.asset.models import AssetPublic, AssetUpdate
from dispatch.customer import service as customer_service
from dispatch.customer.models import CustomerUpdate
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.product import service as product_service
from dispatch.product.models import (
    ProductCategory,
    ProductModelCreate,
    ProductModelUpdate,
    VisitKind,
    VisitKindPolicyCreate,
)
from dispatch.region import service as region_service
from dispatch.region.models import RegionCreate, RegionUpdate
from tests.factories import ac_policies, make_asset, make_customer, make_product_model, make_region


def test_region_timezone_defaults_to_deployment_default(session: Session) -> None:
    """A region created without a zone gets the deployment's default."""
    region = region_service.create(
        session=session,
        region_in=RegionCreate(code="mks", name="Makassar"),
        default_timezone="Asia/Makassar",
    )
    assert region.timezone == "Asia/Makassar"
    assert str(region.zone) == "Asia/Makassar"


def test_region_duplicate_code_is_conflict(session: Session) -> None:
    """Two regions cannot share a code."""
    make_region(session, code="jkt-south")
    with pytest.raises(Conflict, match="jkt-south"):
        make_region(session, code="jkt-south")


def test_region_unknown_timezone_is_refused() -> None:
    """A time zone must be an IANA name."""
    with pytest.raises(ValidationError, match="unknown time zone"):
        RegionCreate(code="x", name="X", timezone="Jakarta")


def test_region_update_clears_osrm_url_but_not_name(session: Session) -> None:
    """None clears the optional routing server; it never blanks a required field."""
    created = make_region(session, osrm_url="http://osrm:5000/")
    assert created.osrm_url == "http://osrm:5000"
    updated = region_service.update(
        session=session, region=created, region_in=RegionUpdate(osrm_url=None, name=None)
    )
    assert (updated.osrm_url, updated.name) == (None, "Jakarta Selatan")
    assert region_service.get_by_code(session=session, code=created.code) is created


def test_customer_update_needs_both_coordinates(session: Session) -> None:
    """Clearing only the latitude would leave half a location."""
    customer = make_customer(session)
    with pytest.raises(InvalidInput, match="both lat and lon"):
        customer_service.update(
            session=session, customer=customer, customer_in=CustomerUpdate(lat=None)
        )


def test_product_policy_needs_kind_for_each_free_visit() -> None:
    """Free installation without an installation policy is refused."""
    with pytest.raises(ValidationError, match="free installation needs an installation policy"):
        ProductModelCreate(
            category=ProductCategory.AC,
            brand="Sejuk",
            name="X",
            free_installation=True,
            visit_kinds=[
                VisitKindPolicyCreate(
                    kind=VisitKind.REPAIR, duration_s=3600, skill="ac_repair", price=1
                )
            ],
        )


def test_product_policy_refuses_kind_twice() -> None:
    """Each kind of visit has one policy."""
    with pytest.raises(ValidationError, match="one policy only"):
        ProductModelCreate(
            category=ProductCategory.AC,
            brand="Sejuk",
            name="X",
            visit_kinds=[*ac_policies(), ac_policies()[0]],
        )


def test_product_policy_for_kind(session: Session) -> None:
    """The policy tells duration, skill and price of each kind; a missing kind is InvalidInput."""
    model = make_product_model(session)
    repair = product_service.policy_for(product_model=model, kind=VisitKind.REPAIR)
    assert (repair.duration_s, repair.skill, repair.price) == (5400, "ac_repair", 250_000)
    with pytest.raises(InvalidInput, match="no oil_change service"):
        product_service.policy_for(product_model=model, kind=VisitKind.OIL_CHANGE)


def test_product_update_refuses_free_visit_without_policy(session: Session) -> None:
    """Turning on free oil changes for an AC (no oil_change policy) is refused."""
    model = make_product_model(session)
    with pytest.raises(InvalidInput, match="oil_change policy"):
        product_service.update(
            session=session,
            product_model=model,
            product_model_in=ProductModelUpdate(free_oil_changes=1),
        )
    assert model.free_oil_changes == 0


def test_product_duplicate_brand_and_name_is_conflict(session: Session) -> None:
    """Brand and name identify a product model."""
    make_product_model(session, name="AC Split 1 PK")
    with pytest.raises(Conflict, match="exists"):
        make_product_model(session, name="AC Split 1 PK")


def test_asset_takes_customer_address_when_none_given(session: Session) -> None:
    """An asset registered without an address is at the customer's address and coordinates."""
    customer = make_customer(session)
    asset = make_asset(session, customer=customer)
    assert (asset.address, asset.lat, asset.lon) == (customer.address, customer.lat, customer.lon)


def test_asset_at_other_address_has_no_coordinates_until_geocoded(session: Session) -> None:
    """An asset at another address does not borrow the customer's coordinates."""
    asset = make_asset(session, address="Jl. Margonda 1, Depok")
    assert (asset.address, asset.lat, asset.lon) == ("Jl. Margonda 1, Depok", None, None)
    asset_service.update(session=session, asset=asset, asset_in=AssetUpdate(lat=-6.37, lon=106.83))
    assert (asset.lat, asset.lon) == (-6.37, 106.83)


def test_asset_serial_unique_per_model(session: Session) -> None:
    """The same serial number twice for one model is a Conflict; another model may reuse it."""
    model = make_product_model(session)
    make_asset(session, product_model=model, serial_number="SN-1")
    with pytest.raises(Conflict, match="serial SN-1 exists"):
        make_asset(session, product_model=model, serial_number="SN-1")
    other = make_asset(session, serial_number="SN-1")
    assert other.serial_number == "SN-1"


def test_asset_for_unknown_customer_is_not_found(session: Session) -> None:
    """Registering an asset for a customer that does not exist is NotFound."""
    with pytest.raises(NotFound, match="customer 999"):
        make_asset(session, customer_id=999, customer=make_customer(session))


def test_asset_public_lists_entitlements_with_remaining(session: Session) -> None:
    """The public shape of an asset shows what it is owed."""
    public = AssetPublic.model_validate(make_asset(session, purchase_date=date(2026, 3, 2)))
    assert [(e.kind, e.remaining) for e in public.entitlements] == [
        ("free_installation", 1),
        ("free_service", 1),
    ]
