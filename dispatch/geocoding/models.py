"""Geocode cache table: a normalised address query and the coordinates a provider gave for it."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime
from dispatch.localtime import utc_now


class GeocodeCache(SQLModel, table=True):
    __tablename__ = "geocode_cache"

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(max_length=300, unique=True, index=True, description="normalised address")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    provider: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
