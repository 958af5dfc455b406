"""Demo hand-over: products that are delivered (a smart TV and an industrial washing machine
that need hand-over training, a large refrigerator installed on delivery), the technicians who
deliver and train, and per region a short story of deliveries and trainings.

Per region, through the hand-over services (dispatch.handover):
- history (inside the demo's week): a smart TV delivered and installed on one trip five days
  ago, its training done two days later and recorded on the unit; an industrial machine
  delivered and installed four days ago, its training offered and waiting to be booked; a
  refrigerator delivered late two days ago, with the late_delivery complaint Purna filed (no
  message queued: it is history);
- ahead: a refrigerator delivered tomorrow with its installation on the same trip, and an
  industrial machine delivered the day after, its installation booked two days later.
Each story's unit has a serial number (its natural key): a second load adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from dispatch import localtime
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.complaint.models import Complaint
from dispatch.customer.models import Customer
from dispatch.demo.handover_plays import (
    EXTRA_SKILLS,
    PLAYS,
    PRODUCTS,
    STORIES,
    WINDOW,
    H,
    Story,
    workday,
)
from dispatch.feedback.models import Survey
from dispatch.handover import service as handover_service
from dispatch.handover.models import DeliveryCreate, DeliveryPublic
from dispatch.product import service as product_service
from dispatch.product.models import (
    ProductModel,
    ProductModelCreate,
)
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician, TechnicianUpdate
from dispatch.visit.models import Visit


@dataclass(frozen=True, slots=True)
class HandoverCounts:
    """What load_handover added."""

    product_models: int = 0
    assets: int = 0
    requests: int = 0
    visits: int = 0
    complaints: int = 0
    surveys: int = 0
    deliveries: int = 0
    trainings: int = 0


def load_handover(session: Session, today: date) -> HandoverCounts:
    """The products, skills and every region's stories not there yet; what was added."""
    before = _rows(session)
    products = {f"{p.brand} {p.name}": _product(session, p) for p in PRODUCTS}
    deliveries = trainings = 0
    for region in session.exec(select(Region).order_by(col(Region.id))).all():
        technicians = _train_technicians(session, region)
        customers = _customers(session, region, len(STORIES))
        if not technicians or len(customers) < len(STORIES):
            continue
        for story, customer in zip(STORIES, customers, strict=False):
            serial = f"HO-{region.code}-{story.key}".upper()
            if session.exec(select(Asset.id).where(Asset.serial_number == serial)).first():
                continue
            product = products[f"{story.product.brand} {story.product.name}"]
            booked = _deliver(session, region, customer, product, serial, story, today)
            deliveries += 1
            trainings += PLAYS[story.key](session, region, booked, technicians[0], today)
            session.commit()
    products_n, assets, requests, visits, complaints, surveys = (
        after - was for was, after in zip(before, _rows(session), strict=True)
    )
    return HandoverCounts(
        products_n, assets, requests, visits, complaints, surveys, deliveries, trainings
    )


def _rows(session: Session) -> list[int]:
    """How many product models, assets, requests, visits, complaints and surveys there are."""
    tables = (ProductModel, Asset, ServiceRequest, Visit, Complaint, Survey)
    return [session.exec(select(func.count()).select_from(t)).one() for t in tables]


def _product(session: Session, product_in: ProductModelCreate) -> ProductModel:
    have = session.exec(
        select(ProductModel).where(
            ProductModel.brand == product_in.brand, ProductModel.name == product_in.name
        )
    ).first()
    return have or product_service.create(session=session, product_model_in=product_in)


def _train_technicians(session: Session, region: Region) -> list[Technician]:
    """The region's appliance installers, given the delivery and training skills (once)."""
    found = []
    for skill, extra in EXTRA_SKILLS.items():
        for technician in technician_service.list_for_region(
            session=session, region_id=region.id or 0, skills=[skill]
        ):
            if not set(extra) <= set(technician.skills):
                skills = sorted({*technician.skills, *extra})
                technician = technician_service.update(
                    session=session, technician=technician,
                    technician_in=TechnicianUpdate(skills=skills),
                )  # fmt: skip
            found.append(technician)
    return found


def _customers(session: Session, region: Region, count: int) -> list[Customer]:
    """The first customers served in the region (by their first request)."""
    first = (
        select(ServiceRequest.customer_id)
        .where(ServiceRequest.region_id == region.id)
        .group_by(col(ServiceRequest.customer_id))
        .order_by(col(ServiceRequest.customer_id))
        .limit(count)
    )
    ids = list(session.exec(first).all())
    rows = session.exec(select(Customer).where(col(Customer.id).in_(ids))).all()
    return sorted(rows, key=lambda c: c.id or 0)


def _deliver(
    session: Session,
    region: Region,
    customer: Customer,
    product: ProductModel,
    serial: str,
    story: Story,
    today: date,
) -> DeliveryPublic:
    day = workday(today + timedelta(days=story.day), back=story.day < 0)
    asset_in = AssetCreate(
        customer_id=customer.id or 0, product_model_id=product.id or 0,
        serial_number=serial, purchase_date=day - timedelta(days=2),
    )  # fmt: skip
    asset = asset_service.add(session=session, asset_in=asset_in)
    session.flush()
    start = localtime.to_utc(day, story.hour * H, region.zone)
    delivery_in = DeliveryCreate(
        asset_id=asset.id or 0, window_start=start, window_end=start + WINDOW,
        installation=story.installation,
    )  # fmt: skip
    booked_at = start - timedelta(days=2)
    return handover_service.deliver(
        session=session, delivery_in=delivery_in, asset=asset, region=region, at=booked_at
    )
