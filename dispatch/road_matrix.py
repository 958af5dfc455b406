"""Road matrices from a routing server's OSRM table API: durations and distances between points.

OSRM answers GET {base}/table/v1/driving/{lon,lat;lon,lat;...}?annotations=duration,distance
with {"code": "Ok", "durations": [[s]], "distances": [[m]]}; see
https://project-osrm.org/docs/v5.24.0/api/#table-service. A server caps the points of one
request (osrm-routed --max-table-size, 100 by default), so large tables are asked for in blocks
of sources x destinations and put together here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from dispatch.errors import RoutingUnavailable

BLOCK = 50  # sources and destinations per request: 2 x 50 points stay within OSRM's default 100
TIMEOUT_S = 30.0

Point = tuple[float, float]  # (lat, lon)


@dataclass(frozen=True, slots=True)
class RoadTable:
    """Road durations (s) and distances (m) between points, row = from, column = to."""

    durations_s: tuple[tuple[int, ...], ...]
    distances_m: tuple[tuple[int, ...], ...]


def road_table(
    base_url: str,
    points: Sequence[Point],
    *,
    block: int = BLOCK,
    client: httpx.Client | None = None,
) -> RoadTable:
    """The road table between points from the OSRM server at base_url.

    Raises:
        RoutingUnavailable: when the server cannot be reached, answers an error, or finds no
            road between two of the points.
    """
    unique = list(dict.fromkeys(points))  # technicians often share a service centre
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S)
    try:
        n = len(unique)
        durations = [[0] * n for _ in range(n)]
        distances = [[0] * n for _ in range(n)]
        for src in range(0, n, block):
            for dst in range(0, n, block):
                _fill_block(http, base_url, unique, src, dst, block, durations, distances)
    finally:
        if own:
            http.close()
    where = {p: i for i, p in enumerate(unique)}
    rows = [where[p] for p in points]
    return RoadTable(
        durations_s=tuple(tuple(durations[i][j] for j in rows) for i in rows),
        distances_m=tuple(tuple(distances[i][j] for j in rows) for i in rows),
    )


def _fill_block(
    http: httpx.Client,
    base_url: str,
    points: list[Point],
    src: int,
    dst: int,
    block: int,
    durations: list[list[int]],
    distances: list[list[int]],
) -> None:
    """Ask for the block of sources [src, src+block) x destinations [dst, dst+block)."""
    sources = list(range(src, min(src + block, len(points))))
    targets = list(range(dst, min(dst + block, len(points))))
    asked = list(dict.fromkeys(sources + targets))
    position = {p: i for i, p in enumerate(asked)}
    body = _get(http, base_url, [points[p] for p in asked], sources, targets, position)
    for r, i in enumerate(sources):
        for c, j in enumerate(targets):
            durations[i][j] = _whole(body, "durations", r, c, points[i], points[j])
            distances[i][j] = _whole(body, "distances", r, c, points[i], points[j])


def _get(
    http: httpx.Client,
    base_url: str,
    points: list[Point],
    sources: list[int],
    targets: list[int],
    position: dict[int, int],
) -> dict[str, Any]:
    """One table request; its JSON body when the server says Ok."""
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
    params = {
        "annotations": "duration,distance",
        "sources": ";".join(str(position[i]) for i in sources),
        "destinations": ";".join(str(position[j]) for j in targets),
    }
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}"
    try:
        response = http.get(url, params=params)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RoutingUnavailable(
            f"routing server {base_url} is unreachable: {exc}.", loc=("osrm_url",)
        ) from exc
    if response.status_code != 200 or body.get("code") != "Ok":
        why = body.get("message") or body.get("code") or f"HTTP {response.status_code}"
        raise RoutingUnavailable(f"routing server {base_url} answered: {why}.", loc=("osrm_url",))
    return dict(body)


def _whole(body: dict[str, Any], key: str, r: int, c: int, a: Point, b: Point) -> int:
    """One entry rounded to whole seconds or metres; OSRM gives null when no road joins them."""
    try:
        value = body[key][r][c]
    except (KeyError, IndexError, TypeError) as exc:
        raise RoutingUnavailable(f"routing server answer has no {key}.", loc=("osrm_url",)) from exc
    if value is None:
        raise RoutingUnavailable(f"no road found from {a} to {b}.", loc=("osrm_url",))
    return max(0, round(float(value)))
