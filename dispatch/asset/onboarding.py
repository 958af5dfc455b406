"""Register a sold unit, geocoding its address when no coordinates are given."""

from __future__ import annotations

from sqlmodel import Session

from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.config import Settings
from dispatch.geocoding import service as geocoding_service


def register_asset(*, session: Session, settings: Settings, asset_in: AssetCreate) -> Asset:
    """A sold unit with its entitlements; an address without lat/lon is geocoded.

    Without an address the unit stands at the customer's address and coordinates.
    """
    if asset_in.address is not None and asset_in.lat is None:
        point = geocoding_service.geocode(
            session=session, settings=settings, address=asset_in.address, field="lat"
        )
        asset_in = asset_in.model_copy(update={"lat": point.lat, "lon": point.lon})
    return asset_service.register(session=session, asset_in=asset_in)
