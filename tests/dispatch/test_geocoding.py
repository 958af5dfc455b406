"""Geocoding: cached answers need no network; without a geocoder coordinates are required.

No test touches the internet: the Nominatim tests talk to a look-alike on 127.0.0.1.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, func, select

from dispatch.config import Settings
from dispatch.errors import InvalidInput
from dispatch.geocoding import service as geocoding_service
from dispatch.geocoding.models import GeocodeCache

ADDRESS = "Jl. Kemang Raya 10, Jakarta Selatan"


@dataclass
class FakeNominatim:
    url: str = ""
    queries: list[str] = field(default_factory=list)
    known: dict[str, tuple[float, float]] = field(default_factory=dict)


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    """A Nominatim look-alike answering /search on a free port of 127.0.0.1."""
    fake = FakeNominatim(known={ADDRESS: (-6.2607, 106.8137)})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            query = parse_qs(urlsplit(self.path).query)["q"][0]
            fake.queries.append(query)
            hit = fake.known.get(query)
            place = {"lat": str(hit[0]), "lon": str(hit[1]), "display_name": query} if hit else None
            found = [] if place is None else [place]
            body = json.dumps(found).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


def test_geocode_without_geocoder_requires_coordinates_naming_the_field(session: Session) -> None:
    """GEOCODER=none and nothing cached: InvalidInput saying coordinates are required, at loc."""
    with pytest.raises(InvalidInput, match="coordinates are required") as info:
        geocoding_service.geocode(
            session=session, settings=_settings(geocoder="none"), address=ADDRESS, field="asset.lat"
        )
    assert info.value.loc == ("asset.lat",)
    assert "GEOCODER=none" in info.value.msg


def test_geocode_cache_hit_needs_no_geocoder(session: Session) -> None:
    """A cached address is answered from the database, even with GEOCODER=none."""
    key = "jl. kemang raya 10, jakarta selatan"
    session.add(GeocodeCache(query=key, lat=-6.26, lon=106.81, provider="test"))
    session.commit()
    found = geocoding_service.geocode(
        session=session, settings=_settings(), address="  JL. Kemang  Raya 10 ,  Jakarta Selatan"
    )
    assert (found.lat, found.lon, found.cached) == (-6.26, 106.81, True)


def test_geocode_asks_nominatim_once_then_uses_the_cache(
    session: Session, nominatim: FakeNominatim
) -> None:
    """The first lookup asks the geocoder and caches the answer; the second does not ask."""
    settings = _settings(geocoder="nominatim", geocoder_url=nominatim.url)
    first = geocoding_service.geocode(session=session, settings=settings, address=ADDRESS)
    second = geocoding_service.geocode(session=session, settings=settings, address=ADDRESS)
    assert (first.lat, first.lon, first.cached) == (-6.2607, 106.8137, False)
    assert (second.lat, second.lon, second.cached) == (-6.2607, 106.8137, True)
    assert nominatim.queries == [ADDRESS]
    assert session.exec(select(func.count()).select_from(GeocodeCache)).one() == 1


def test_geocode_unknown_address_requires_coordinates(
    session: Session, nominatim: FakeNominatim
) -> None:
    """An address the geocoder does not know: coordinates are required; nothing is cached."""
    settings = _settings(geocoder="nominatim", geocoder_url=nominatim.url)
    with pytest.raises(InvalidInput, match="does not know this address"):
        geocoding_service.geocode(session=session, settings=settings, address="Jl. Entah 1")
    assert session.exec(select(func.count()).select_from(GeocodeCache)).one() == 0


def test_geocode_unreachable_geocoder_requires_coordinates(session: Session) -> None:
    """A geocoder that cannot be reached gives the same clear error, not a traceback."""
    settings = _settings(
        geocoder="nominatim", geocoder_url="http://127.0.0.1:9", geocoder_timeout_s=2
    )
    with pytest.raises(InvalidInput, match="unreachable") as info:
        geocoding_service.geocode(session=session, settings=settings, address=ADDRESS)
    assert info.value.loc == ("lat",)
