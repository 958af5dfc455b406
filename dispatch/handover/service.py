"""Hand-over services: book a delivery (with the installation on the same trip or later), and
what follows the field's events: training offered after an installation, its completion
recorded on the unit, a late delivery opening a complaint.

A same-trip installation goes with the delivery: both visits are pinned to one technician
(given, or the first of the region with both skills who works that day), and the installation's
window is the delivery's moved by the delivery's duration, so it starts once the goods are in;
at the same address with no travel between them, the planner serves it right after.
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
from dispatch.customer.models import Customer, Language
from dispatch.errors import InvalidInput, NotFound
from dispatch.handover.models import DeliveryCreate, DeliveryPublic, InstallationPlan
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.models import MessageKind
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import RequestStatus, ServiceRequest, ServiceRequestCreate
from dispatch.shift import service as shift_service
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitCreate, VisitStatus

log = logging.getLogger("purna.handover")
S = VisitStatus
NOT_ARRIVED = (S.BOOKED, S.PLANNED, S.EN_ROUTE)
# The complaint's text, in the customer's language: which unit, which day, which window.
LATE_TEXT = {
    Language.ID: (
        "Pengiriman {product} Anda pada {day} terlambat: jendela {window} terlewati "
        "(dicatat otomatis oleh Purna)."
    ),
    Language.EN: (
        "The delivery of your {product} on {day} was late: the {window} window was missed "
        "(filed automatically by Purna)."
    ),
}


def deliver(
    *, session: Session, delivery_in: DeliveryCreate, asset: Asset, region: Region, at: datetime
) -> DeliveryPublic:
    """Book the delivery in its window, and the installation when the product is installed:
    on the same trip (one technician, right after the delivery), or a request whose visit is
    booked later. One transaction."""
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
        technician_id=None,
    )
    installation: Visit | None = None
    if asset.product_model.policy_for(VisitKind.INSTALLATION) is not None:
        same_trip = delivery_in.installation is InstallationPlan.SAME_TRIP
        installation = _installation(session, asset, region, delivery_visit, same_trip, at)
        result.installation_request_id = installation.request_id
        result.installation_visit_id = installation.id
        result.installation_window_start = installation.window_start
        if not same_trip:
            installation = None
    trip = [delivery_visit] + ([installation] if installation is not None else [])
    if delivery_in.technician_id is not None or installation is not None:
        result.technician_id = _pin_trip(session, region, trip, delivery_in.technician_id)
    session.commit()
    return result


def _installation(
    session: Session,
    asset: Asset,
    region: Region,
    delivery: Visit,
    same_trip: bool,
    at: datetime,
) -> Visit:
    """The installation's request and visit: on the same trip it starts once the delivery is
    done (its window is the delivery's, moved by the delivery's duration); later, unbooked."""
    request = _request(session, asset, region, VisitKind.INSTALLATION, at)
    after = timedelta(seconds=delivery.duration_s)
    start, end = delivery.window_start, delivery.window_end
    return visit_service.add(
        session=session,
        visit_in=VisitCreate(
            request_id=request.id or 0,
            window_start=start + after if same_trip and start else None,
            window_end=end + after if same_trip and end else None,
        ),
    )


def _pin_trip(
    session: Session, region: Region, trip: list[Visit], technician_id: int | None
) -> int:
    """Step: pin every visit of the trip to one technician (the one given, or the first of the
    region with all the trip's skills who works that day); raises InvalidInput when none."""
    skills = sorted({s for visit in trip for s in visit.required_skills})
    if technician_id is None:
        technician = _trip_technician(session, region, skills, trip[0])
    else:
        technician = _named_technician(session, region, technician_id)
    for visit in trip:
        try:
            visit_service.check_pin(visit=visit, technician=technician)
        except InvalidInput as exc:  # the technician given cannot do it: name the body's field
            raise InvalidInput(exc.msg, loc=("body", "technician_id")) from None
        visit.pinned_technician_id = technician.id
        session.add(visit)
    return technician.id or 0


def _named_technician(session: Session, region: Region, technician_id: int) -> Technician:
    """The region's technician with this id; another region's is not found (nothing leaks)."""
    technician = technician_service.get(session=session, technician_id=technician_id)
    if technician is None or technician.region_id != region.id:
        msg = f"technician {technician_id} does not exist in region {region.code}."
        raise NotFound(msg, loc=("body", "technician_id"))
    return technician


def _trip_technician(
    session: Session, region: Region, skills: list[str], delivery: Visit
) -> Technician:
    assert delivery.window_start is not None  # a delivery is booked in its window
    day = localtime.local_day(delivery.window_start, region.zone)
    able = technician_service.list_for_region(
        session=session, region_id=region.id or 0, skills=skills
    )
    working = shift_service.working_days(
        session=session, technician_ids=[t.id or 0 for t in able], day=day
    )
    found = next((t for t in able if t.id in working), None)
    if found is None:
        msg = (
            f"no technician of region {region.code} has {', '.join(skills)} and works on {day}: "
            "give technician_id, or book the installation later."
        )
        raise InvalidInput(msg, loc=("body", "installation"))
    return found


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


def offer_training(
    *, session: Session, visit: Visit, at: datetime, notify: bool = True
) -> ServiceRequest | None:
    """Step: after a completed installation of a product with hand-over training, a training
    request whose visit the customer books, the customer told in their language (notify=False:
    recorded after the fact); None when the product has none or one exists."""
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
    request_service.mark_responded(request=training, at=at)  # the offer is Purna's answer
    offered = visit_service.add(session=session, visit_in=VisitCreate(request_id=training.id or 0))
    if notify:
        _tell_training_offered(session, asset, training, offered, at)
    return training


def _tell_training_offered(
    session: Session, asset: Asset, request: ServiceRequest, visit: Visit, at: datetime
) -> None:
    """Step: the customer hears of the training offered, in their language (once a request)."""
    customer = session.get(Customer, asset.customer_id)
    assert customer is not None  # an asset's customer is a foreign key
    context = {"minutes": str(visit.duration_s // 60)}
    key = f"training:{request.id}:offered"
    draft = compose.for_asset(
        customer, asset, MessageKind.TRAINING_OFFERED, key, at, context, region_id=request.region_id
    )
    outbox.enqueue(session=session, draft=draft)


def file_late_delivery(*, session: Session, visit: Visit, at: datetime) -> Complaint | None:
    """Step: a late_delivery complaint about the delivery, once per delivery."""
    known = select(Complaint.id).where(
        Complaint.visit_id == visit.id, Complaint.category == ComplaintCategory.LATE_DELIVERY
    )
    if session.exec(known).first() is not None:
        return None
    region = session.get(Region, visit.region_id)
    asset = session.get(Asset, visit.request.asset_id)
    customer = session.get(Customer, visit.request.customer_id)
    assert region is not None and asset is not None and customer is not None  # foreign keys
    complaint_in = ComplaintCreate(
        asset_id=visit.request.asset_id,
        visit_id=visit.id,
        category=ComplaintCategory.LATE_DELIVERY,
        text=late_text(visit, asset, region, customer.language),
        created_at=at,
    )
    return complaint_service.add(
        session=session, complaint_in=complaint_in, region=region, filed_by=FiledBy.SYSTEM
    )


def late_text(visit: Visit, asset: Asset, region: Region, language: Language) -> str:
    """`The delivery of your Sejuk AC Split 1 PK on Tuesday 10 March 2026 was late: ...`."""
    assert visit.window_start is not None and visit.window_end is not None  # a booked delivery
    zone = region.zone
    return LATE_TEXT[language].format(
        product=compose.product_name(asset),
        day=texts.day_text(localtime.local_day(visit.window_start, zone), language),
        window=texts.window_text(visit.window_start, visit.window_end, zone, language),
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
