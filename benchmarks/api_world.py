"""The database `purna bench api` measures: one Jakarta region, its technicians and booked days.

Technicians leave service centres across Jakarta (optimizer.fieldservice.CENTRES) and work every
day 08:00-17:00 with an hour of lunch and an hour of overtime; each day holds `visits` booked
one-hour repairs near the centres, in the 2-hour windows bookings offer. Customers with a new AC
(free installation) are left for the bookings the benchmark makes. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from dispatch import localtime
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.booking.models import SLOT_WINDOWS_S
from dispatch.customer import service as customer_service
from dispatch.customer.models import CustomerCreate
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
from dispatch.request.models import ServiceRequestCreate
from dispatch.shift import service as shift_service
from dispatch.shift.models import BreakRule, BreakWindow, WeeklyShiftCreate
from dispatch.technician import service as technician_service
from dispatch.technician.models import TechnicianCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitCreate
from optimizer import CENTRES

H = 3600
SPREAD_DEG = 0.03  # about 3 km: customers scatter around the centres
SKILLS = ["ac_install", "ac_service", "ac_repair"]


@dataclass
class BenchWorld:
    """What the benchmark needs back: a dispatcher token, the booking days, and (asset id,
    customer id) of assets still owed their free installation."""

    token: str
    days: list[date]
    fresh_assets: list[tuple[int, int]]
    crew: list[bool] = field(default_factory=list)  # per fresh asset: a large AC (two installers)


def build(
    session: Session,
    *,
    technicians: int,
    visits: int,
    days: int,
    fresh: int,
    seed: int,
    crew_share: float = 0.0,
) -> BenchWorld:
    """Fill an empty, migrated database (one commit per day of visits); crew_share of the
    fresh assets are large ACs whose installation needs two installers."""
    rng = random.Random(seed)
    region = region_service.create(
        session=session, region_in=RegionCreate(code="bench", name="Jakarta (bench)")
    )
    _technicians(session, region, technicians, rng)
    product = _product(session)
    first = localtime.local_day(localtime.utc_now(), region.zone) + timedelta(days=1)
    booking_days = [first + timedelta(days=i) for i in range(days)]
    owners = [_asset(session, product, rng, i) for i in range(max(50, visits // 5))]
    for day in booking_days:
        _book_day(session, region, day, owners, visits, rng)
    large = _product(session, installers=2) if crew_share > 0 else product
    # Spread evenly: asset i is large when the running share falls behind crew_share.
    crew = [int((i + 1) * crew_share) > int(i * crew_share) for i in range(fresh)]
    fresh_assets = [
        _asset(session, large if crew[i] else product, rng, 10_000 + i) for i in range(fresh)
    ]
    user_in = UserCreate(name="bench dispatcher", role=Role.DISPATCHER)
    _, token = account_service.create(session=session, user_in=user_in)
    ids = [(a.id or 0, a.customer_id) for a in fresh_assets]
    return BenchWorld(token, booking_days, ids, crew)


def build_regions(
    session: Session, *, regions: int, technicians: int, visits: int, day: date, seed: int
) -> list[str]:
    """Fill an empty, migrated database with `regions` regions (bench-01, ...), each with its
    technicians and `visits` booked repairs on day, for `purna bench scale`; their codes."""
    rng = random.Random(seed)
    product = _product(session)
    owners = [_asset(session, product, rng, i) for i in range(max(50, visits // 5))]
    codes = []
    for k in range(1, regions + 1):
        region_in = RegionCreate(code=f"bench-{k:02d}", name=f"Jakarta (bench {k})")
        region = region_service.create(session=session, region_in=region_in)
        _technicians(session, region, technicians, rng)
        _book_day(session, region, day, owners, visits, rng)
        codes.append(region.code)
    return codes


def _technicians(session: Session, region: Region, n: int, rng: random.Random) -> None:
    lunch = BreakRule(duration_s=H, windows=(BreakWindow(start_s=41_400, end_s=46_800),))
    shifts = [
        WeeklyShiftCreate(weekday=d, start_s=8 * H, end_s=17 * H, breaks=[lunch]) for d in range(7)
    ]
    for i in range(n):
        _, lat, lon = CENTRES[i % len(CENTRES)]
        technician = technician_service.create(
            session=session,
            technician_in=TechnicianCreate(
                name=f"Teknisi {i + 1:02d}",
                phone=f"+62 811 {i:04d}",
                region_id=region.id or 0,
                start_lat=lat,
                start_lon=lon,
                max_overtime_s=H,
                skills=SKILLS,
            ),
        )
        shift_service.set_weekly_pattern(session=session, technician=technician, shifts=shifts)


def _product(session: Session, installers: int = 1) -> ProductModel:
    """The bench's AC; with two installers, the large split AC whose installation needs both."""

    def policy(kind: VisitKind, minutes: int, skill: str, price: int) -> VisitKindPolicyCreate:
        crew = installers if kind is VisitKind.INSTALLATION else 1
        return VisitKindPolicyCreate(
            kind=kind, duration_s=minutes * 60, skill=skill, price=price, crew_size=crew
        )

    return product_service.create(
        session=session,
        product_model_in=ProductModelCreate(
            category=ProductCategory.AC,
            brand="Sejuk",
            name="AC Split 1 PK (bench)" if installers == 1 else "AC Split 2.5 PK (bench)",
            free_installation=True,
            installation_valid_days=365,
            visit_kinds=[
                policy(VisitKind.INSTALLATION, 90, "ac_install", 350_000),
                policy(VisitKind.REPAIR, 60, "ac_repair", 250_000),
            ],
        ),
    )


def _asset(session: Session, product: ProductModel, rng: random.Random, i: int) -> Asset:
    _, lat, lon = CENTRES[rng.randrange(len(CENTRES))]
    lat, lon = (
        lat + rng.uniform(-SPREAD_DEG, SPREAD_DEG),
        lon + rng.uniform(-SPREAD_DEG, SPREAD_DEG),
    )
    customer = customer_service.create(
        session=session,
        customer_in=CustomerCreate(
            name=f"Pelanggan {i}",
            phone=f"+62 812 {i:06d}",
            address=f"Jl. Bench {i}",
            lat=lat,
            lon=lon,
        ),
    )
    today = localtime.local_day(localtime.utc_now(), localtime.zone("Asia/Jakarta"))
    asset_in = AssetCreate(
        customer_id=customer.id or 0,
        product_model_id=product.id or 0,
        serial_number=f"BENCH-{i:06d}",
        purchase_date=today - timedelta(days=7),
    )
    return asset_service.register(session=session, asset_in=asset_in)


def _book_day(
    session: Session, region: Region, day: date, owners: list[Asset], n: int, rng: random.Random
) -> None:
    """n one-hour repairs promised on the day, each in one of the offered windows."""
    for _ in range(n):
        asset = owners[rng.randrange(len(owners))]
        request = request_service.add(
            session=session,
            request_in=ServiceRequestCreate(
                asset_id=asset.id or 0, region_id=region.id or 0, kind=VisitKind.REPAIR
            ),
        )
        start_s, end_s = SLOT_WINDOWS_S[rng.randrange(len(SLOT_WINDOWS_S))]
        visit_service.add(
            session=session,
            visit_in=VisitCreate(
                request_id=request.id or 0,
                window_start=localtime.to_utc(day, start_s, region.zone),
                window_end=localtime.to_utc(day, end_s, region.zone),
            ),
        )
    session.commit()
