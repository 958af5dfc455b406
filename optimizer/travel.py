"""Travel times (int seconds) and distances (int metres) between locations of a problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .problem import Location, Matrix, Travel

EARTH_RADIUS_M = 6_371_008.8

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TravelTable:
    """Durations and distances between the given locations, row = from, column = to."""

    durations_s: IntArray
    distances_m: IntArray


def build_table(travel: Travel, locations: Sequence[Location]) -> TravelTable:
    """The travel table between locations, by the problem's travel model (read-only arrays)."""
    try:
        return _square_table(travel, tuple(locations))
    except TypeError:  # a matrix given as arrays cannot be hashed: built, not cached
        return build_rows(travel, locations, locations)


# A solve builds the table of the same day's locations several times (insertion, the model, the
# validator, plans read back): 0.1 s each on 100x500 with great-circle travel, hence the cache.
@lru_cache(maxsize=4)
def _square_table(travel: Travel, locations: tuple[Location, ...]) -> TravelTable:
    table = build_rows(travel, locations, locations)
    table.durations_s.flags.writeable = False
    table.distances_m.flags.writeable = False
    return table


def build_rows(
    travel: Travel, origins: Sequence[Location], destinations: Sequence[Location]
) -> TravelTable:
    """The travel table from each origin (row) to each destination (column); build_table is the
    square case, so a row added later (one new place) matches a built table entry for entry."""
    if isinstance(travel, Matrix):
        rows = np.array([loc.index for loc in origins], dtype=np.int64)
        cols = np.array([loc.index for loc in destinations], dtype=np.int64)
        cells = np.ix_(rows, cols)
        return TravelTable(travel.durations[cells], travel.distances[cells])
    lat_o = np.radians(np.array([loc.lat for loc in origins], dtype=np.float64))
    lon_o = np.radians(np.array([loc.lon for loc in origins], dtype=np.float64))
    lat_d = np.radians(np.array([loc.lat for loc in destinations], dtype=np.float64))
    lon_d = np.radians(np.array([loc.lon for loc in destinations], dtype=np.float64))
    dlat = lat_d[None, :] - lat_o[:, None]
    dlon = lon_d[None, :] - lon_o[:, None]
    cos_cos = np.cos(lat_o)[:, None] * np.cos(lat_d)[None, :]
    h = np.sin(dlat / 2) ** 2 + cos_cos * np.sin(dlon / 2) ** 2
    metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * travel.road_factor
    distances = np.rint(metres).astype(np.int64)
    durations = np.rint(metres / (travel.speed_kmh / 3.6)).astype(np.int64)
    return TravelTable(durations, distances)
