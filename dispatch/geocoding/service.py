"""Geocoding: an address to coordinates through geopy (Nominatim), cached in the database.

A cached address never touches the network. With GEOCODER=none, or a geocoder that cannot be
reached or does not know the address, coordinates are required: the error names the field the
caller must fill. Nominatim's usage policy asks for an identifying user agent and at most one
request a second (https://operations.osmfoundation.org/policies/nominatim/); the cache keeps
us far below that for addresses we have seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.config import Settings
from dispatch.errors import InvalidInput
from dispatch.geocoding.models import GeocodeCache

MAX_QUERY = 300  # the cache column's width


@dataclass(frozen=True, slots=True)
class Coordinates:
    """A point, and whether it came from the cache."""

    lat: float
    lon: float
    cached: bool = False


class Geocoder(Protocol):
    """What we use of a geopy geocoder."""

    def geocode(self, query: str, *, exactly_one: bool = True) -> Any:
        """A place with .latitude and .longitude, or None when the address is unknown."""


def normalise(address: str) -> str:
    """The cache key of an address: lower case, single spaces, no space before commas."""
    text = re.sub(r"\s+", " ", address.strip().lower())
    return re.sub(r"\s+,", ",", text)[:MAX_QUERY]


def cached(*, session: Session, address: str) -> Coordinates | None:
    """The cached coordinates of the address, or None."""
    row = session.exec(select(GeocodeCache).where(GeocodeCache.query == normalise(address))).first()
    return None if row is None else Coordinates(row.lat, row.lon, cached=True)


def geocode(
    *,
    session: Session,
    settings: Settings,
    address: str,
    field: str = "lat",
    geocoder: Geocoder | None = None,
) -> Coordinates:
    """The coordinates of address, from the cache or the configured geocoder (then cached).

    Raises:
        InvalidInput: with loc (field,) when no geocoder is configured or reachable, or it does
            not know the address: the caller must give coordinates.
    """
    hit = cached(session=session, address=address)
    if hit is not None:
        return hit
    if geocoder is None and settings.geocoder == "none":
        raise _required(address, field, "no geocoder is configured (GEOCODER=none)")
    client = geocoder or nominatim(settings)
    # End the cache read before the network call, which may take seconds: on SQLite every
    # transaction holds the write lock (dispatch.db). What the caller has pending is committed
    # with the cached answer below anyway.
    session.commit()
    try:
        found = client.geocode(address, exactly_one=True)
    except GeopyError as exc:
        raise _required(address, field, f"the geocoder is unreachable ({exc})") from exc
    if found is None:
        raise _required(address, field, "the geocoder does not know this address")
    point = Coordinates(float(found.latitude), float(found.longitude))
    _store(session, address, point, provider=type(client).__name__.lower())
    return point


def nominatim(settings: Settings) -> Nominatim:
    """A Nominatim client for the settings: the public server, or GEOCODER_URL when given."""
    options: dict[str, Any] = {
        "user_agent": settings.geocoder_user_agent,
        "timeout": settings.geocoder_timeout_s,
    }
    if settings.geocoder_url:
        parts = urlsplit(settings.geocoder_url)
        options |= {"domain": parts.netloc + parts.path.rstrip("/"), "scheme": parts.scheme}
    return Nominatim(**options)


def _store(session: Session, address: str, point: Coordinates, *, provider: str) -> None:
    """Cache the answer; another writer caching the same address first is fine."""
    session.add(
        GeocodeCache(query=normalise(address), lat=point.lat, lon=point.lon, provider=provider)
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()


def _required(address: str, field: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"coordinates are required for {address!r}: {why}; give lat and lon.", loc=(field,)
    )
