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
    everyone = list(range(len(unique)))
    whole = road_rows(base_url, unique, everyone, everyone, block=block, client=client)
    where = {p: i for i, p in enumerate(unique)}
    rows = [where[p] for p in points]
    return RoadTable(
        durations_s=tuple(tuple(whole.durations_s[i][j] for j in rows) for i in rows),
        distances_m=tuple(tuple(whole.distances_m[i][j] for j in rows) for i in rows),
    )


def road_rows(
    base_url: str,
    points: Sequence[Point],
    sources: Sequence[int],
    destinations: Sequence[int],
    *,
    block: int = BLOCK,
    client: httpx.Client | None = None,
) -> RoadTable:
    """The road table from points[sources] (rows) to points[destinations] (columns), asked for
    in requests of at most 2 x `block` points: `block` x `block` for a square table, one
    source x 2 x `block` - 1 destinations for a new place's row; raises RoutingUnavailable."""
    budget = 2 * block
    per_row = min(len(sources), max(block, budget - len(destinations)))
    per_col = max(1, budget - per_row)
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S)
    durations = [[0] * len(destinations) for _ in sources]
    distances = [[0] * len(destinations) for _ in sources]
    try:
        for r in range(0, len(sources), max(1, per_row)):
            for c in range(0, len(destinations), per_col):
                rows = list(sources[r : r + per_row])
                cols = list(destinations[c : c + per_col])
                body = _get(http, base_url, points, rows, cols)
                for i, a in enumerate(rows):
                    for j, b in enumerate(cols):
                        ends = (points[a], points[b])
                        durations[r + i][c + j] = _whole(body, "durations", i, j, ends)
                        distances[r + i][c + j] = _whole(body, "distances", i, j, ends)
    finally:
        if own:
            http.close()
    return RoadTable(tuple(map(tuple, durations)), tuple(map(tuple, distances)))


def _get(
    http: httpx.Client,
    base_url: str,
    points: Sequence[Point],
    sources: list[int],
    targets: list[int],
) -> dict[str, Any]:
    """One table request for points[sources] x points[targets]; its JSON body when Ok."""
    asked = list(dict.fromkeys(sources + targets))  # each point sent once
    position = {p: i for i, p in enumerate(asked)}
    coordinates = ";".join(f"{points[p][1]:.6f},{points[p][0]:.6f}" for p in asked)
    params = {
        "annotations": "duration,distance",
        "sources": ";".join(str(position[i]) for i in sources),
        "destinations": ";".join(str(position[j]) for j in targets),
    }
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}"
    try:
        response = http.get(url, params=params)
    except httpx.HTTPError as exc:
        raise RoutingUnavailable(
            f"routing server {base_url} is unreachable: {exc}.", loc=("osrm_url",)
        ) from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        why = f"HTTP {response.status_code} without a table"
        raise RoutingUnavailable(f"routing server {base_url} answered {why}.", loc=("osrm_url",))
    if response.status_code != 200 or body.get("code") != "Ok":
        why = body.get("message") or body.get("code") or f"HTTP {response.status_code}"
        raise RoutingUnavailable(f"routing server {base_url} answered: {why}.", loc=("osrm_url",))
    return dict(body)


def _whole(body: dict[str, Any], key: str, r: int, c: int, ends: tuple[Point, Point]) -> int:
    """One entry rounded to whole seconds or metres; OSRM gives null when no road joins them."""
    try:
        value = body[key][r][c]
    except (KeyError, IndexError, TypeError) as exc:
        raise RoutingUnavailable(f"routing server answer has no {key}.", loc=("osrm_url",)) from exc
    if value is None:
        raise RoutingUnavailable(f"no road found from {ends[0]} to {ends[1]}.", loc=("osrm_url",))
    return max(0, round(float(value)))
