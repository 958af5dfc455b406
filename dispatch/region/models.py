"""Region tables and schemas: a service area, its time zone and how travel is estimated there."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from dispatch import columns as _columns  # noqa: F401  (constraint naming before any table)

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
# Plan settings a dispatcher sets per region; costs are in seconds of travel, as the optimizer's.
MAX_WEIGHT = 100
MAX_REASSIGN_S = 4 * 3600
FAIRNESS_HELP = (
    "fair workload: travel seconds a second of the longest working day (travel + service) "
    "costs; 0 plans for travel alone"
)
REASSIGN_HELP = (
    "re-planning: travel seconds that giving a planned visit to another technician costs"
)
START_MOVE_HELP = "re-planning: travel seconds that each second a planned start moves costs"


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name: Asia/Jakarta") from None
    return value


def _check_osrm_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL, e.g. http://localhost:5000")
    return value.rstrip("/") if value else value


class RegionBase(SQLModel):
    code: str = Field(max_length=40, regex=CODE_PATTERN, unique=True, index=True)
    name: str = Field(min_length=1, max_length=120)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    speed_kmh: float = Field(default=25.0, gt=0, le=150)
    road_factor: float = Field(default=1.4, ge=1.0, le=3.0)
    osrm_url: str | None = Field(default=None, max_length=300)
    auto_publish: bool = Field(default=False, description="publish tomorrow's plan unattended")
    fairness_weight: int = Field(default=0, ge=0, le=MAX_WEIGHT, description=FAIRNESS_HELP)
    reassign_cost_s: int = Field(default=1800, ge=0, le=MAX_REASSIGN_S, description=REASSIGN_HELP)
    start_move_cost: int = Field(default=0, ge=0, le=MAX_WEIGHT, description=START_MOVE_HELP)

    _timezone_known = field_validator("timezone")(_check_timezone)
    _osrm_url_shape = field_validator("osrm_url")(_check_osrm_url)


class Region(RegionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone."""
        return ZoneInfo(self.timezone)


class RegionCreate(RegionBase):
    # None: the deployment's default (Settings.default_timezone).
    timezone: str | None = Field(default=None, max_length=64)  # type: ignore[assignment]

    _timezone_known = field_validator("timezone")(_check_timezone)


class RegionUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    timezone: str | None = Field(default=None, max_length=64)
    speed_kmh: float | None = Field(default=None, gt=0, le=150)
    road_factor: float | None = Field(default=None, ge=1.0, le=3.0)
    osrm_url: str | None = Field(default=None, max_length=300)
    auto_publish: bool | None = None
    fairness_weight: int | None = Field(default=None, ge=0, le=MAX_WEIGHT)
    reassign_cost_s: int | None = Field(default=None, ge=0, le=MAX_REASSIGN_S)
    start_move_cost: int | None = Field(default=None, ge=0, le=MAX_WEIGHT)

    _timezone_known = field_validator("timezone")(_check_timezone)
    _osrm_url_shape = field_validator("osrm_url")(_check_osrm_url)


class RegionPublic(RegionBase):
    id: int


class RegionsPublic(SQLModel):
    data: list[RegionPublic]
    count: int
