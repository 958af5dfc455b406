"""KPI schemas: the values of one group, the report, and the facts the values are computed from.

Facts are plain rows, one per event that a KPI counts, with the keys a report groups by
(technician, region, local day); definitions.py turns a list of facts into one value.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dispatch.visit.models import FailureReason, VisitStatus


class Grouping(StrEnum):
    TECHNICIAN = "technician"
    REGION = "region"
    WEEK = "week"
    CATEGORY = "category"  # a request's kind or a complaint's category (response, resolution)


@dataclass(frozen=True, slots=True)
class VisitFact:
    """A visit that ended (completed or failed) on local `day`."""

    visit_id: int
    region_id: int
    technician_id: int | None
    day: date
    status: VisitStatus
    follow_up: bool
    failure_reason: FailureReason | None
    window_start: datetime | None
    window_end: datetime | None
    en_route_at: datetime | None
    arrived_at: datetime | None
    started_at: datetime | None
    ended_at: datetime
    kind: str | None = None  # the request's kind: deliveries and trainings are counted apart
    # A crew visit's technicians (visit_crew), technician_id first; () when served alone.
    crew: tuple[int, ...] = ()

    @property
    def workers(self) -> int:
        """How many technicians worked the visit: its time is work for each of them."""
        return max(1, len(self.crew))


@dataclass(frozen=True, slots=True)
class SurveyFact:
    """An answered survey of a visit that ended on local `day`."""

    region_id: int
    technician_id: int | None
    day: date
    csat: int
    nps: int
    ces: int
    crew: tuple[int, ...] = ()  # a crew visit's technicians; () when served alone


@dataclass(frozen=True, slots=True)
class DurationFact:
    """A request's or complaint's first response (on the day it was opened) or resolution (on
    the day it was resolved); category: `request:<kind>` or `complaint:<category>`."""

    region_id: int
    technician_id: int | None
    day: date
    duration_s: float
    category: str | None = None
    crew: tuple[int, ...] = ()  # a resolving crew visit's technicians; () otherwise


@dataclass(frozen=True, slots=True)
class ShiftFact:
    """A technician's working time on one day: shift minus breaks."""

    region_id: int
    technician_id: int
    day: date
    available_s: int


@dataclass(frozen=True, slots=True)
class EntitlementFact:
    """An entitlement that expired on local `day` (its valid_until), with how much was used."""

    region_id: int | None
    technician_id: None
    day: date
    used: int
    total: int


@dataclass(frozen=True, slots=True)
class VoucherFact:
    """A voucher issued (day: its issue) or redeemed (day: its redemption) on local `day`."""

    region_id: int | None
    technician_id: None
    day: date
    redeemed: bool  # issued facts: redeemed by now; redeemed facts: True


@dataclass(frozen=True, slots=True)
class RepeatFact:
    """A customer who got a voucher (or, without one, had a visit completed) on local `day`,
    and whether they opened another service request after that moment."""

    region_id: int | None
    technician_id: None
    day: date
    with_voucher: bool
    repeated: bool


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a report counts, for one period and set of regions."""

    visits: list[VisitFact]
    surveys: list[SurveyFact]
    responses: list[DurationFact]
    resolutions: list[DurationFact]
    shifts: list[ShiftFact]
    entitlements: list[EntitlementFact]
    complaint_responses: list[DurationFact]
    complaint_resolutions: list[DurationFact]
    vouchers_issued: list[VoucherFact] = field(default_factory=list)
    vouchers_redeemed: list[VoucherFact] = field(default_factory=list)
    repeats: list[RepeatFact] = field(default_factory=list)


class KpiValues(BaseModel):
    """Every KPI of one group with the count it rests on; None when there is nothing to count."""

    model_config = ConfigDict(frozen=True)

    csat_pct: float | None = Field(description="% of survey answers with CSAT 4 or 5")
    nps: float | None = Field(description="% promoters (9-10) minus % detractors (0-6)")
    ces: float | None = Field(description="mean CES, 1 very difficult - 7 very easy")
    surveys: int
    first_response_s: float | None = Field(description="mean request -> first response")
    responses: int
    resolution_s: float | None = Field(description="mean request -> resolved")
    resolutions: int
    complaint_first_response_s: float | None = Field(
        description="mean complaint filed -> first response"
    )
    complaint_responses: int
    complaint_resolution_s: float | None = Field(description="mean complaint filed -> resolved")
    complaint_resolutions: int
    first_time_fix_pct: float | None = Field(description="% first visits completed")
    first_visits: int
    part_missing_pct: float | None = Field(description="% first visits failed for a missing part")
    on_time_pct: float | None = Field(description="% arrivals inside the promised window")
    arrivals: int
    utilisation_pct: float | None = Field(description="service time / available shift time")
    service_s: int
    available_s: int
    travel_per_visit_s: float | None = Field(description="mean en route -> arrived")
    drives: int
    entitlement_use_pct: float | None = Field(description="% of expired free entitlements used")
    entitlements_expired: int
    vouchers_issued: int = Field(description="vouchers issued in the period")
    vouchers_redeemed: int = Field(description="vouchers redeemed in the period")
    voucher_redemption_pct: float | None = Field(
        description="% of the vouchers issued in the period redeemed by now"
    )
    repeat_with_voucher_pct: float | None = Field(
        description="% of customers given a voucher who booked again afterwards"
    )
    customers_with_voucher: int
    repeat_without_voucher_pct: float | None = Field(
        description="% of customers served without a voucher who booked again afterwards"
    )
    customers_without_voucher: int
    on_time_delivery_pct: float | None = Field(
        default=None, description="% deliveries arriving inside their window"
    )
    deliveries: int = Field(default=0, description="deliveries arrived (on time or late)")
    trainings_completed: int = Field(default=0, description="hand-over trainings completed")


class KpiRow(BaseModel):
    """The KPIs of one technician, region or week."""

    key: str
    label: str
    values: KpiValues


class KpiReport(BaseModel):
    """The KPIs of a period: all together, and per group when asked."""

    regions: list[str] = Field(description="region codes counted; empty means all")
    start: date
    end: date
    by: Grouping | None
    total: KpiValues
    rows: list[KpiRow]
