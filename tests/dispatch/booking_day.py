"""A booking day for the booking tests: one AC technician at Blok M working every day 08:00-17:00
(an hour of overtime allowed) with an hour of lunch, and customers in Kemang with a new AC
(free installation, 2 hours).

The technician's day holds four installations at most: 08-10, 10-12, lunch, 13-15, 15-17.
A crew day (crew_day) adds a second installer with the same hours and a large split AC whose
installation needs both of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.booking import ledger
from dispatch.booking.models import BookingCreate
from dispatch.product.models import ProductModel, VisitKind
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit
from optimizer import check, sequences_to_plan
from tests.factories import (
    DAY,
    JAKARTA,
    ac_policies,
    make_asset,
    make_customer,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

H = 3600
KEMANG = (-6.2607, 106.8137)
HOURS = (8, 10, 13, 15)  # the offered windows start at these hours


@dataclass
class BookingDay:
    region: Region
    technician: Technician
    product: ProductModel


def booking_day(session: Session, *, code: str | None = None) -> BookingDay:
    """The region with its one technician (every day of the week) and the AC product."""
    region = make_region(session, **({"code": code} if code else {}))
    tech = make_technician(session, region=region, max_overtime_s=H)
    make_weekly_pattern(session, tech, weekdays=range(7))
    return BookingDay(region, tech, make_product_model(session))


@dataclass
class CrewDay:
    """A booking day with two installers and a large AC that needs both."""

    day: BookingDay
    partner: Technician
    large: ProductModel

    @property
    def installers(self) -> list[Technician]:
        return [self.day.technician, self.partner]


def crew_day(session: Session, *, code: str | None = None) -> CrewDay:
    """booking_day with a second installer (Blok M, same hours) and an AC Split 2.5 PK whose
    installation (2 hours, as the small one's) needs a crew of two."""
    return crew_partner(session, booking_day(session, code=code))


def crew_partner(session: Session, day: BookingDay) -> CrewDay:
    """The booking day's region with a second installer and the large AC (see crew_day)."""
    partner = make_technician(session, region=day.region, max_overtime_s=H)
    make_weekly_pattern(session, partner, weekdays=range(7))
    policies = [
        p.model_copy(update={"crew_size": 2}) if p.kind is VisitKind.INSTALLATION else p
        for p in ac_policies()
    ]
    large = make_product_model(session, name="AC Split 2.5 PK", visit_kinds=policies)
    return CrewDay(day, partner, large)


def large_asset(session: Session, crew: CrewDay, **overrides: object) -> Asset:
    """A customer in Kemang with a new large AC (its installation needs two installers)."""
    customer = make_customer(
        session, region_id=crew.day.region.id, lat=KEMANG[0], lon=KEMANG[1], **overrides
    )
    return make_asset(
        session,
        customer=customer,
        product_model=crew.large,
        purchase_date=DAY - timedelta(days=8),
    )


def pinned_elsewhere(
    session: Session, day: BookingDay, on: date, hour: int, technician: Technician
) -> Visit:
    """A 2-hour installation booked through the visit service that only `technician` may do."""
    visit = booked_elsewhere(session, day, on, hour)
    return visit_service.pin(session=session, visit=visit, technician_id=technician.id or 0)


def customer_asset(
    session: Session,
    day: BookingDay,
    *,
    purchase_date: date = DAY - timedelta(days=8),
    **overrides: object,
) -> Asset:
    """A new customer in Kemang, registered in the day's region, with a new AC (by default
    bought a week before DAY)."""
    customer = make_customer(
        session, region_id=day.region.id, lat=KEMANG[0], lon=KEMANG[1], **overrides
    )
    return make_asset(
        session, customer=customer, product_model=day.product, purchase_date=purchase_date
    )


def window(day: date, hour: int) -> tuple[datetime, datetime]:
    """The offered window starting at hour on the day, in UTC."""
    start = localtime.to_utc(day, hour * H, JAKARTA)
    return start, start + timedelta(hours=2)


def booking_in(asset: Asset, day: date, hour: int, **overrides: object) -> BookingCreate:
    """A booking of the asset's installation into the window starting at hour."""
    start, end = window(day, hour)
    data: dict[str, object] = {
        "asset_id": asset.id,
        "kind": VisitKind.INSTALLATION,
        "window_start": start,
        "window_end": end,
    }
    return BookingCreate.model_validate(data | overrides)


def booked_elsewhere(session: Session, day: BookingDay, on: date, hour: int) -> Visit:
    """A 2-hour installation booked straight through the visit service (not via bookings)."""
    asset = customer_asset(session, day)
    start, end = window(on, hour)
    request = make_request(session, asset=asset, region=day.region)
    return make_visit(session, request=request, window_start=start, window_end=end)


def ledger_violations(session: Session, region: Region, on: date) -> list[str]:
    """Turn the day's ledger into a plan and list what the independent validator finds."""
    state = ledger.read_days(session=session, region=region, days=[on])[on]
    problem = state.routes.problem
    plan = sequences_to_plan(problem, state.routes.sequences)
    return [v.code for v in check(problem, plan)]
