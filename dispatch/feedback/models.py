"""Survey table and schemas: one survey per visit, reached by a one-time token kept as a hash.

Scales (docs/kpis.md): CSAT 1-5 (5 = very satisfied), NPS 0-10 (how likely to recommend),
CES 1-7 (7 = very easy to get the service). The database checks the ranges too.
"""

from datetime import date, datetime

from pydantic import StrictInt
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import UTCDateTime
from dispatch.localtime import utc_now
from dispatch.product.models import VisitKind

CSAT_MIN, CSAT_MAX = 1, 5
NPS_MIN, NPS_MAX = 0, 10
CES_MIN, CES_MAX = 1, 7


class Survey(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(f"csat BETWEEN {CSAT_MIN} AND {CSAT_MAX}", name="csat_range"),
        CheckConstraint(f"nps BETWEEN {NPS_MIN} AND {NPS_MAX}", name="nps_range"),
        CheckConstraint(f"ces BETWEEN {CES_MIN} AND {CES_MAX}", name="ces_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", unique=True, index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    csat: int | None = None
    nps: int | None = None
    ces: int | None = None
    comment: str | None = Field(default=None, max_length=1000)


class SurveyAnswer(SQLModel):
    """A customer's answer; strict integers, so 4.5, "4" or true are refused, not rounded."""

    csat: StrictInt = Field(ge=CSAT_MIN, le=CSAT_MAX, description="1 very unsatisfied - 5 very")
    nps: StrictInt = Field(ge=NPS_MIN, le=NPS_MAX, description="0 not at all likely - 10 very")
    ces: StrictInt = Field(ge=CES_MIN, le=CES_MAX, description="1 very difficult - 7 very easy")
    comment: str = Field(default="", max_length=1000)


class SurveyPublic(SQLModel):
    """What the survey link shows: what the visit was, and whether it was answered."""

    kind: VisitKind
    product: str
    visit_day: date | None
    technician: str | None = Field(description="first name only")
    expires_at: datetime
    answered: bool
    answered_at: datetime | None
