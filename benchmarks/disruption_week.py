"""The planned week `purna bench disruptions` disrupts: the demo business in a scratch database,
with the week's flexible work added, each region's week built as `purna plan --days 7` builds it.

The demo books visits into promised windows only; a week of after-sales work also holds free
periodic services due "some day this week" and large units that need two installers. So that
the week's plan has days to move visits between and crews to keep together, each region gets
periodic services (a share of the week's booked visits) on AC units of its customers, due over
part of the week (movable), a few of them needing two technicians; they are created through the
domain (visit_service.create with a due range, as the API does), not written into the problem.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from benchmarks.scratch import scratch_database
from dispatch import db
from dispatch.asset.models import Asset
from dispatch.config import Settings
from dispatch.demo.loader import load_demo
from dispatch.demo.specs import DemoSize
from dispatch.planning import week
from dispatch.product.models import ProductCategory, ProductModel, VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitCreate
from optimizer import Problem


@dataclass(frozen=True, slots=True)
class WeekWork:
    """The flexible work added to each region's week."""

    days: int = 7
    movable_share: float = 0.2  # movable services per booked visit of the week
    crew_share: float = 0.05  # two-technician services per booked visit of the week


def demo_weeks(
    database_url: str | None,
    first: date,
    customers: int,
    work: WeekWork,
    seed: int,
    say: Callable[[str], None],
) -> list[tuple[str, Problem]]:
    """Per region with visits and technicians, its week from first as the solve path builds it."""
    with scratch_database(database_url) as url:
        engine = db.make_engine(Settings(database_url=url))
        try:
            db.upgrade(engine)
            say(f"loading the demo around {first} ({engine.dialect.name}) ...")
            with Session(engine) as session:
                # Past days are of no use here, and take most of the loading time.
                load_demo(
                    session,
                    today=first,
                    size=DemoSize(customers_per_region=customers, history_days=0),
                )
                weeks = []
                for region in region_service.list_by_codes(session=session, codes=None):
                    added = add_flexible_work(
                        session, region, first, work, random.Random(f"{seed}{region.code}")
                    )
                    say(f"{region.code}: {added} movable services added to the week")
                    built = week.build_problem(
                        session=session, region=region, first=first, days=work.days
                    )
                    weeks.append((region.code, built.problem))
        finally:
            engine.dispose()
    return [(code, p) for code, p in weeks if p.visits and p.technicians]


def add_flexible_work(
    session: Session, region: Region, first: date, work: WeekWork, rng: random.Random
) -> int:
    """Step and commit: periodic services on the region's AC units, each due over two to four
    days of the week (one on a one-day week); the first crew_share of them need two
    technicians. Returns how many."""
    last = first + timedelta(days=work.days - 1)
    booked = len(
        {
            v.id
            for k in range(work.days)
            for v in visit_service.list_for_day(
                session=session, region=region, day=first + timedelta(days=k)
            )
        }
    )
    count = max(1, round(booked * work.movable_share))
    crews = max(1, round(booked * work.crew_share))
    units = _ac_units(session, region)
    rng.shuffle(units)
    for n, asset in enumerate(units[:count]):
        due_from = first + timedelta(days=rng.randrange(max(1, work.days - 1)))
        due_until = min(last, due_from + timedelta(days=rng.randrange(1, 4)))
        request = request_service.add(
            session=session,
            request_in=ServiceRequestCreate(
                asset_id=asset.id or 0,
                region_id=region.id or 0,
                kind=VisitKind.PERIODIC_SERVICE,
                description="periodic service due this week",
            ),
        )
        session.flush()
        visit_service.add(
            session=session,
            visit_in=VisitCreate(
                request_id=request.id or 0,
                due_from=due_from,
                due_until=due_until,
                crew_size=2 if n < crews else None,
            ),
        )
    session.commit()
    return min(count, len(units))


def _ac_units(session: Session, region: Region) -> list[Asset]:
    """The AC units, with coordinates and in service, that the region has served, by id."""
    served = select(ServiceRequest.asset_id).where(ServiceRequest.region_id == region.id)
    query = (
        select(Asset)
        .join(ProductModel, col(ProductModel.id) == col(Asset.product_model_id))
        .where(
            col(Asset.id).in_(served),
            ProductModel.category == ProductCategory.AC,
            col(Asset.retired_on).is_(None),
            col(Asset.lat).is_not(None),
        )
        .order_by(col(Asset.id))
    )
    return list(session.exec(query).all())
