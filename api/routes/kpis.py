"""After-sales KPIs for dispatchers and managers (definitions in docs/kpis.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, SessionDep, SettingsDep, ensure_region
from dispatch.account import service as account_service
from dispatch.kpis import service as kpi_service
from dispatch.kpis.models import Grouping, KpiReport

router = APIRouter(prefix="/kpis", tags=["kpis"])


@router.get("", response_model=KpiReport)
def read_kpis(
    session: SessionDep,
    settings: SettingsDep,
    user: DispatcherUser,
    region: Annotated[str | None, Query(max_length=40, description="a region code")] = None,
    start: Annotated[
        date | None, Query(alias="from", description="first local day (default: to - 27 days)")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="last local day (default: today)")
    ] = None,
    by: Annotated[
        Grouping | None,
        Query(
            description="one row per technician, region, week or category (request kind, "
            "complaint category)"
        ),
    ] = None,
) -> KpiReport:
    """CSAT, NPS, CES, response and resolution times (of service requests and of complaints),
    first-time fix, on-time arrival,
    utilisation, travel per visit and entitlement use, for the caller's regions or one of them."""
    if region is not None:
        ensure_region(user, region)
    codes = [region] if region is not None else account_service.dispatched_regions(user)
    return kpi_service.report(
        session=session,
        region_codes=codes,
        start=start,
        end=end,
        by=by,
        zone_name=settings.default_timezone,
    )
