"""Asset services: register a sold unit (granting its entitlements), look assets up."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.asset.models import Asset, AssetCreate, AssetDetail, AssetUpdate
from dispatch.customer import service as customer_service
from dispatch.db import changes, commit_or_conflict, integrity_as_conflict
from dispatch.entitlement import service as entitlement_service
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.product import service as product_service
from dispatch.warranty import service as warranty_service


def get(*, session: Session, asset_id: int) -> Asset | None:
    """The asset with this id, or None."""
    return session.get(Asset, asset_id)


def get_or_raise(*, session: Session, asset_id: int) -> Asset:
    """The asset with this id; raises NotFound."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} does not exist.", loc=("asset_id",))
    return asset


def list_for_customer(
    *, session: Session, customer_id: int, offset: int = 0, limit: int = 100
) -> tuple[list[Asset], int]:
    """A page of the customer's assets, newest purchase first, and how many there are."""
    where = Asset.customer_id == customer_id
    count = session.exec(select(func.count()).select_from(Asset).where(where)).one()
    query = (
        select(Asset)
        .where(where)
        .order_by(col(Asset.purchase_date).desc(), col(Asset.id))
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all()), count


def register(*, session: Session, asset_in: AssetCreate) -> Asset:
    """A sold unit, with the entitlements its product's policy grants (free installation, ...)."""
    asset = add(session=session, asset_in=asset_in)
    product_model = asset.product_model
    msg = f"{product_model.brand} {product_model.name} serial {asset_in.serial_number} exists."
    commit_or_conflict(session, msg, loc=("serial_number",))
    session.refresh(asset)
    return asset


def add(*, session: Session, asset_in: AssetCreate) -> Asset:
    """Step: register (see register) without committing."""
    customer = customer_service.get_or_raise(session=session, customer_id=asset_in.customer_id)
    product_model = product_service.get_or_raise(
        session=session, product_model_id=asset_in.product_model_id
    )
    msg = f"{product_model.brand} {product_model.name} serial {asset_in.serial_number} exists."
    duplicate = select(Asset.id).where(
        Asset.product_model_id == asset_in.product_model_id,
        Asset.serial_number == asset_in.serial_number,
    )
    if session.exec(duplicate).first() is not None:
        raise Conflict(msg, loc=("serial_number",))
    located = asset_in.address is not None or asset_in.lat is not None
    asset = Asset.model_validate(
        asset_in,
        update={
            "address": asset_in.address or customer.address,
            "lat": asset_in.lat if located else customer.lat,
            "lon": asset_in.lon if located else customer.lon,
        },
    )
    asset.product_model = product_model
    session.add(asset)
    with integrity_as_conflict(session, msg, loc=("serial_number",)):
        session.flush()  # the id the entitlements point at
    asset.entitlements = entitlement_service.grants_for(
        asset_id=asset.id or 0, product_model=product_model, purchase_date=asset_in.purchase_date
    )
    return asset


def update(*, session: Session, asset: Asset, asset_in: AssetUpdate) -> Asset:
    """The asset moved to another address or given coordinates (lat and lon may be cleared)."""
    data = changes(asset_in, clearable={"lat", "lon"})
    if (data.get("lat", asset.lat) is None) != (data.get("lon", asset.lon) is None):
        raise InvalidInput("give both lat and lon, or neither.", loc=("lat",))
    asset.sqlmodel_update(data)
    session.add(asset)
    session.commit()
    session.refresh(asset)
    return asset


def detail(*, asset: Asset, zone_name: str) -> AssetDetail:
    """The asset with its product, entitlements and the warranty decision for today (local)."""
    today = datetime.now(ZoneInfo(zone_name)).date()
    decision = warranty_service.decide(asset=asset, on=today)
    return AssetDetail.model_validate(asset, update={"warranty": decision})
