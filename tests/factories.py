"""Test data through the real services, as plain functions with keyword overrides (template A).

Defaults describe Jakarta: an AC split unit with free installation, a technician who installs
ACs, a visit on Tuesday 2026-03-10 from 09:00 to 12:00 local time (02:00-05:00 UTC).
"""

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from dispatch import localtime
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import Complaint, ComplaintCategory, ComplaintCreate, FiledBy
from dispatch.customer import service as customer_service
from dispatch.customer.models import Customer, CustomerCreate
from dispatch.product import service as product_service
from dispatch.product.models import (
    ProductCategory,
    ProductModel,
    ProductModelCreate,
    VisitKind,
    VisitKindPolicyCreate,
)
from dispatch.region import service as region_service
from dispatch.region.models import Region, RegionCreate
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate
from dispatch.shift import service as shift_service
from dispatch.shift.models import BreakRule, BreakWindow, WeeklyShift, WeeklyShiftCreate
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician, TechnicianCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, Visit, VisitCreate, VisitStatus

DAY = date(2026, 3, 10)  # a Tuesday
JAKARTA = localtime.zone("Asia/Jakarta")
REQUESTED_AT = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)  # Monday 10:00 in Jakarta
H = 3600

_serial = itertools.count(1)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Jakarta wall-clock time as an aware UTC datetime."""
    return localtime.to_utc(day, hh * H + mm * 60, JAKARTA)


def make_region(session: Session, **overrides: Any) -> Region:
    data = {"code": f"jkt-{next(_serial)}", "name": "Jakarta Selatan"} | overrides
    return region_service.create(session=session, region_in=RegionCreate(**data))


def make_technician(
    session: Session,
    *,
    region: Region | None = None,
    skills: Iterable[str] = ("ac_install", "ac_service", "ac_repair"),
    **overrides: Any,
) -> Technician:
    region = region or make_region(session)
    data: dict[str, Any] = {
        "name": f"Budi {next(_serial)}",
        "phone": "+62 811 0000 001",
        "region_id": region.id,
        "start_lat": -6.2443,
        "start_lon": 106.8004,
        "start_label": "service centre Blok M",
        "skills": list(skills),
    } | overrides
    return technician_service.create(session=session, technician_in=TechnicianCreate(**data))


def lunch_break() -> BreakRule:
    """One hour of lunch starting between 11:30 and 13:00."""
    return BreakRule(duration_s=H, windows=(BreakWindow(start_s=41_400, end_s=46_800),))


def make_weekly_pattern(
    session: Session,
    technician: Technician,
    *,
    weekdays: Iterable[int] = range(5),
    start_s: int = 8 * H,
    end_s: int = 17 * H,
    breaks: Iterable[BreakRule] | None = None,
) -> list[WeeklyShift]:
    rules = [lunch_break()] if breaks is None else list(breaks)
    shifts = [
        WeeklyShiftCreate(weekday=d, start_s=start_s, end_s=end_s, breaks=rules) for d in weekdays
    ]
    return shift_service.set_weekly_pattern(session=session, technician=technician, shifts=shifts)


def make_customer(session: Session, *, region_id: int | None = None, **overrides: Any) -> Customer:
    """A customer in Kemang; region_id: the region that registered it (see dispatch.access)."""
    data: dict[str, Any] = {
        "name": "Siti Rahayu",
        "phone": "+62 812 3456 7890",
        "email": "siti@example.id",
        "address": "Jl. Kemang Raya 10, Jakarta Selatan",
        "lat": -6.2607,
        "lon": 106.8137,
    } | overrides
    return customer_service.create(
        session=session, customer_in=CustomerCreate(**data), region_id=region_id
    )


def ac_policies() -> list[VisitKindPolicyCreate]:
    return [
        VisitKindPolicyCreate(
            kind=VisitKind.INSTALLATION, duration_s=2 * H, skill="ac_install", price=350_000
        ),
        VisitKindPolicyCreate(
            kind=VisitKind.PERIODIC_SERVICE, duration_s=H, skill="ac_service", price=150_000
        ),
        VisitKindPolicyCreate(
            kind=VisitKind.REPAIR, duration_s=90 * 60, skill="ac_repair", price=250_000
        ),
        VisitKindPolicyCreate(
            kind=VisitKind.INSPECTION, duration_s=30 * 60, skill="ac_service", price=100_000
        ),
    ]


def make_product_model(
    session: Session, *, visit_kinds: list[VisitKindPolicyCreate] | None = None, **overrides: Any
) -> ProductModel:
    """An AC split 1 PK: free installation, 12-month warranty, 1 free service every 180 days."""
    data: dict[str, Any] = {
        "category": ProductCategory.AC,
        "brand": "Sejuk",
        "name": f"AC Split 1 PK #{next(_serial)}",
        "free_installation": True,
        "warranty_months": 12,
        "free_services": 1,
        "service_interval_days": 180,
        "visit_kinds": visit_kinds if visit_kinds is not None else ac_policies(),
    } | overrides
    return product_service.create(session=session, product_model_in=ProductModelCreate(**data))


def make_motorcycle_model(session: Session, **overrides: Any) -> ProductModel:
    """A motorcycle: 3 free periodic services and 1 free oil change, 36-month warranty."""
    policies = [
        VisitKindPolicyCreate(
            kind=VisitKind.PERIODIC_SERVICE, duration_s=H, skill="motorcycle_service", price=120_000
        ),
        VisitKindPolicyCreate(
            kind=VisitKind.OIL_CHANGE, duration_s=30 * 60, skill="motorcycle_service", price=60_000
        ),
        VisitKindPolicyCreate(
            kind=VisitKind.REPAIR, duration_s=2 * H, skill="motorcycle_repair", price=200_000
        ),
    ]
    data: dict[str, Any] = {
        "category": ProductCategory.MOTORCYCLE,
        "name": f"Bebek 125 #{next(_serial)}",
        "free_installation": False,
        "warranty_months": 36,
        "free_services": 3,
        "free_oil_changes": 1,
        "service_interval_days": 60,
        "entitlement_valid_months": 12,
    } | overrides
    return make_product_model(session, visit_kinds=policies, **data)


def make_asset(
    session: Session,
    *,
    customer: Customer | None = None,
    product_model: ProductModel | None = None,
    purchase_date: date = date(2026, 3, 2),
    **overrides: Any,
) -> Asset:
    customer = customer or make_customer(session)
    product_model = product_model or make_product_model(session)
    data: dict[str, Any] = {
        "customer_id": customer.id,
        "product_model_id": product_model.id,
        "serial_number": f"SN-{next(_serial):06d}",
        "purchase_date": purchase_date,
    } | overrides
    return asset_service.register(session=session, asset_in=AssetCreate(**data))


def make_request(
    session: Session,
    *,
    asset: Asset | None = None,
    region: Region | None = None,
    kind: VisitKind = VisitKind.INSTALLATION,
    created_at: datetime = REQUESTED_AT,
    allow_paid: bool = True,
    **overrides: Any,
) -> ServiceRequest:
    asset = asset or make_asset(session)
    region = region or make_region(session)
    data: dict[str, Any] = {
        "asset_id": asset.id,
        "region_id": region.id,
        "kind": kind,
        "created_at": created_at,
    } | overrides
    return request_service.open(
        session=session, request_in=ServiceRequestCreate(**data), allow_paid=allow_paid
    )


# The path each status is reached by, from a freshly booked visit.
_PATH: dict[VisitStatus, tuple[VisitStatus, ...]] = {
    VisitStatus.REQUESTED: (),
    VisitStatus.BOOKED: (),
    VisitStatus.PLANNED: (VisitStatus.PLANNED,),
    VisitStatus.EN_ROUTE: (VisitStatus.PLANNED, VisitStatus.EN_ROUTE),
    VisitStatus.ON_SITE: (VisitStatus.PLANNED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE),
    VisitStatus.COMPLETED: (
        VisitStatus.PLANNED,
        VisitStatus.EN_ROUTE,
        VisitStatus.ON_SITE,
        VisitStatus.COMPLETED,
    ),
    VisitStatus.FAILED: (
        VisitStatus.PLANNED,
        VisitStatus.EN_ROUTE,
        VisitStatus.ON_SITE,
        VisitStatus.FAILED,
    ),
    VisitStatus.CANCELLED: (VisitStatus.CANCELLED,),
}


def make_visit(
    session: Session,
    *,
    request: ServiceRequest | None = None,
    status: VisitStatus = VisitStatus.BOOKED,
    technician: Technician | None = None,
    day: date = DAY,
    **overrides: Any,
) -> Visit:
    """A visit walked through the lifecycle to `status` (planned 09:30-11:30 when planned)."""
    request = request or make_request(session)
    data: dict[str, Any] = {"request_id": request.id}
    if status is not VisitStatus.REQUESTED:
        data |= {"window_start": local(day, 9), "window_end": local(day, 12)}
    visit = visit_service.create(session=session, visit_in=VisitCreate(**(data | overrides)))
    at = local(day, 9, 30)
    for step in _PATH[status]:
        if step is VisitStatus.PLANNED:
            technician = technician or make_technician(
                session,
                region=region_service.get_or_raise(session=session, region_id=visit.region_id),
            )
            visit_service.set_planned(
                session=session,
                visit=visit,
                technician_id=technician.id or 0,
                start=at,
                end=at + timedelta(seconds=visit.duration_s),
            )
            session.commit()
            continue
        reason = FailureReason.PART_MISSING if step is VisitStatus.FAILED else None
        visit = visit_service.transition(
            session=session, visit=visit, to=step, at=at, failure_reason=reason
        )
    session.refresh(visit)
    return visit


def make_complaint(
    session: Session,
    *,
    asset: Asset | None = None,
    region: Region | None = None,
    category: ComplaintCategory = ComplaintCategory.WORKMANSHIP,
    created_at: datetime = REQUESTED_AT,
    filed_by: FiledBy = FiledBy.CUSTOMER,
    **overrides: Any,
) -> Complaint:
    """A complaint about an AC unit's installation, filed Monday 10:00 in Jakarta."""
    asset = asset or make_asset(session)
    region = region or make_region(session)
    data: dict[str, Any] = {
        "asset_id": asset.id,
        "category": category,
        "text": "Air drips from the indoor unit since the installation.",
        "created_at": created_at,
    } | overrides
    return complaint_service.file(
        session=session, complaint_in=ComplaintCreate(**data), region=region, filed_by=filed_by
    )
