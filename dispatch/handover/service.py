"""Hand-over services: book a delivery (with the installation on the same trip or later), and
what follows the field's events: training offered after an installation, its completion
recorded on the unit, a late delivery opening a complaint.

A same-trip installation is promised in the delivery's window, starting after the delivery's
duration; the planner keeps both windows but may send two technicians (nothing ties the two
visits to one route yet).
A delivery is late when the technician arrives after its window, or the window has ended with
nobody there (the scheduler's sweep); either files one complaint per delivery (filed by the
system, late_delivery), which the customer is told about like any other.
"""

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dispatch import events, localtime
from dispatch.asset.models import Asset
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import Complaint, ComplaintCategory, ComplaintCreate, FiledBy
from dispatch.handover.models import DeliveryCreate, DeliveryPublic, InstallationPlan
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import RequestStatus, ServiceRequest, ServiceRequestCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate, VisitStatus

log = logging.getLogger("purna.handover")
S = VisitStatus
NOT_ARRIVED = (S.BOOKED, S.PLANNED, S.EN_ROUTE)
LATE_TEXT = "Pengiriman {what} terlambat: jendela {start}-{end} terlewati (dicatat otomatis)."


def deliver(
    *, session: Session, delivery_in: DeliveryCreate, asset: Asset, region: Region, at: datetime
) -> DeliveryPublic:
    """Book the delivery in its window, and the installation when the product is installed:
    on the same trip, or a request whose visit is booked later. One transaction."""
    delivery = _request(session, asset, region, VisitKind.DELIVERY, at)
    delivery_visit = visit_service.add(
        session=session,
        visit_in=VisitCreate(
            request_id=delivery.id or 0,
            window_start=delivery_in.window_start,
            window_end=delivery_in.window_end,
        ),
    )
    result = DeliveryPublic(
        delivery_request_id=delivery.id or 0,
        delivery_visit_id=delivery_visit.id or 0,
        installation_request_id=None,
        installation_visit_id=None,
        installation_window_start=None,
    )
    if asset.product_model.policy_for(VisitKind.INSTALLATION) is not None:
        installation = _request(session, asset, region, VisitKind.INSTALLATION, at)
        same_trip = delivery_in.installation is InstallationPlan.SAME_TRIP
        start = delivery_in.window_start + timedelta(seconds=delivery_visit.duration_s)
        visit = visit_service.add(
            session=session,
            visit_in=VisitCreate(
                request_id=installation.id or 0,
                window_start=start if same_trip else None,
                window_end=delivery_in.window_end if same_trip else None,
            ),
        )
        result.installation_request_id = installation.id
        result.installation_visit_id = visit.id
        result.installation_window_start = visit.window_start
    session.commit()
    return result


def _request(
    session: Session, asset: Asset, region: Region, kind: VisitKind, at: datetime
) -> ServiceRequest:
    return request_service.add(
        session=session,
        request_in=ServiceRequestCreate(
            asset_id=asset.id or 0, region_id=region.id or 0, kind=kind, created_at=at
        ),
    )


def on_visit_changed(change: events.VisitChanged) -> None:
    """Step: what a field event means for the hand-over (subscribed to dispatch.events)."""
    if change.source != "field":
        return
    try:
        with change.session.begin_nested():
            _after_event(change.session, change.visit, change.name, change.at)
    except Exception:  # the sweep files a late delivery again; never fail the field event
        log.exception("hand-over step failed for visit %s", change.visit.id)


events.subscribe(on_visit_changed)


def _after_event(session: Session, visit: Visit, event: str, at: datetime) -> None:
    kind = visit.request.kind
    if kind is VisitKind.DELIVERY and event in ("arrived", "completed"):
        if visit.arrived_at and visit.window_end and visit.arrived_at > visit.window_end:
            file_late_delivery(session=session, visit=visit, at=at)
    elif event == "completed" and kind is VisitKind.INSTALLATION:
        offer_training(session=session, visit=visit, at=at)
    elif event == "completed" and kind is VisitKind.TRAINING:
        asset = session.get(Asset, visit.request.asset_id)
        if asset is not None and asset.training_completed_at is None:
            asset.training_completed_at = visit.ended_at or at
            session.add(asset)


def offer_training(*, session: Session, visit: Visit, at: datetime) -> ServiceRequest | None:
    """Step: after a completed installation of a product with hand-over training, a training
    request whose visit the customer books; None when the product has none or one exists."""
    asset = session.get(Asset, visit.request.asset_id)
    if asset is None or asset.product_model.policy_for(VisitKind.TRAINING) is None:
        return None
    exists = select(ServiceRequest.id).where(
        ServiceRequest.asset_id == asset.id,
        ServiceRequest.kind == VisitKind.TRAINING,
        ServiceRequest.status != RequestStatus.CANCELLED,
    )
    if session.exec(exists).first() is not None:
        return None
    region = session.get(Region, visit.region_id)
    assert region is not None  # a visit's region is a foreign key
    training = _request(session, asset, region, VisitKind.TRAINING, at)
    visit_service.add(session=session, visit_in=VisitCreate(request_id=training.id or 0))
    return training


def file_late_delivery(*, session: Session, visit: Visit, at: datetime) -> Complaint | None:
    """Step: a late_delivery complaint about the delivery, once per delivery."""
    known = select(Complaint.id).where(
        Complaint.visit_id == visit.id, Complaint.category == ComplaintCategory.LATE_DELIVERY
    )
    if session.exec(known).first() is not None:
        return None
    region = session.get(Region, visit.region_id)
    assert region is not None and visit.window_start and visit.window_end
    zone = region.zone
    text = LATE_TEXT.format(
        what=f"unit {visit.request.asset_id}",
        start=visit.window_start.astimezone(zone).strftime("%d-%m-%Y %H.%M"),
        end=visit.window_end.astimezone(zone).strftime("%H.%M"),
    )
    complaint_in = ComplaintCreate(
        asset_id=visit.request.asset_id,
        visit_id=visit.id,
        category=ComplaintCategory.LATE_DELIVERY,
        text=text,
        created_at=at,
    )
    return complaint_service.add(
        session=session, complaint_in=complaint_in, region=region, filed_by=FiledBy.SYSTEM
    )


def sweep_late_deliveries(*, session: Session, now: datetime) -> int:
    """File a complaint for every delivery whose window has ended with nobody arrived."""
    now = localtime.require_aware(now, "now")
    query = (
        select(Visit)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(
            ServiceRequest.kind == VisitKind.DELIVERY,
            col(Visit.status).in_(NOT_ARRIVED),
            col(Visit.window_end) < now,
        )
        .order_by(col(Visit.id))
    )
    filed = 0
    for visit in session.exec(query).all():
        filed += file_late_delivery(session=session, visit=visit, at=now) is not None
    session.commit()
    return filed
