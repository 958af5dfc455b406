"""The demo's hand-over stories: the delivered products, and what happened to each story's
unit (see dispatch.demo.handover): delivered and installed on one trip, trained, late, or
booked ahead; past visits walked through the lifecycle with their surveys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from dispatch import localtime
from dispatch.asset.models import Asset
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import (
    Complaint,
    ComplaintCategory,
    ComplaintCreate,
    ComplaintStatus,
    FiledBy,
)
from dispatch.customer.models import Customer
from dispatch.demo.surveys import SURVEY_VALID_DAYS
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import SurveyAnswer
from dispatch.handover import service as handover_service
from dispatch.handover.models import DeliveryPublic, InstallationPlan
from dispatch.product.models import (
    ProductCategory,
    ProductModelCreate,
    VisitKind,
    VisitKindPolicyCreate,
)
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus

K, S, M, H = VisitKind, VisitStatus, 60, 3600
WINDOW = timedelta(hours=2)  # the demo's promised windows are two hours long
DELIVERY_SKILL = "delivery"


def _kinds(*rows: tuple[VisitKind, int, str, int]) -> list[VisitKindPolicyCreate]:
    return [VisitKindPolicyCreate(kind=k, duration_s=d, skill=s, price=p) for k, d, s, p in rows]


SMART_TV = ProductModelCreate(
    category=ProductCategory.TELEVISION, brand="Layar", name="Smart TV 65 inci",
    free_installation=True, warranty_months=24,
    visit_kinds=_kinds(
        (K.DELIVERY, 30 * M, DELIVERY_SKILL, 0),
        (K.INSTALLATION, 60 * M, "appliance_install", 150_000),
        (K.TRAINING, 45 * M, "smart_training", 0),
        (K.REPAIR, 90 * M, "appliance_repair", 250_000),
    ),
)  # fmt: skip
INDUSTRIAL_WASHER = ProductModelCreate(
    category=ProductCategory.OTHER, brand="Kilat", name="Mesin Cuci Industri 25 kg",
    free_installation=True, warranty_months=24,
    visit_kinds=_kinds(
        (K.DELIVERY, 60 * M, DELIVERY_SKILL, 0),
        (K.INSTALLATION, 120 * M, "appliance_install", 500_000),
        (K.TRAINING, 90 * M, "machine_training", 0),
        (K.REPAIR, 120 * M, "appliance_repair", 400_000),
    ),
)  # fmt: skip
BIG_FRIDGE = ProductModelCreate(
    category=ProductCategory.REFRIGERATOR, brand="Segar", name="Kulkas Side-by-Side 600 L",
    free_installation=True, warranty_months=24,
    visit_kinds=_kinds(
        (K.DELIVERY, 30 * M, DELIVERY_SKILL, 0),
        (K.INSTALLATION, 30 * M, "appliance_install", 100_000),
        (K.REPAIR, 90 * M, "appliance_repair", 200_000),
    ),
)  # fmt: skip
PRODUCTS = (SMART_TV, INDUSTRIAL_WASHER, BIG_FRIDGE)
# Who delivers and trains: the appliance installers learn both.
EXTRA_SKILLS = {"appliance_install": (DELIVERY_SKILL, "smart_training", "machine_training")}


@dataclass(frozen=True, slots=True)
class Story:
    """One unit's hand-over: what, delivered which day (relative to today), at what hour, how
    the installation goes, and what happened after (a step playing it)."""

    key: str
    product: ProductModelCreate
    day: int
    hour: int
    installation: InstallationPlan


def workday(day: date, *, back: bool) -> date:
    """The day, or the Saturday before (back) or Monday after when it is a Sunday."""
    if day.weekday() != 6:
        return day
    return day - timedelta(days=1) if back else day + timedelta(days=1)


def _walk(session: Session, visit: Visit, technician_id: int, arrive: datetime) -> None:
    """Step: a past visit planned for the technician, served from arrive and completed."""
    end = arrive + timedelta(seconds=visit.duration_s)
    visit_service.set_planned(
        session=session, visit=visit, technician_id=technician_id, start=arrive, end=end
    )
    for status, at in ((S.EN_ROUTE, arrive - timedelta(minutes=25)), (S.ON_SITE, arrive)):
        visit_service.apply_transition(session=session, visit=visit, to=status, at=at)
    visit_service.apply_transition(session=session, visit=visit, to=S.COMPLETED, at=end)
    _survey(session, visit, end)


def _survey(session: Session, visit: Visit, ended: datetime) -> None:
    """Step: the completed visit's survey, sent an hour later; three in five answered well."""
    feedback_service.issue(
        session=session, visit=visit, now=ended + timedelta(hours=1), valid_days=SURVEY_VALID_DAYS
    )
    if (visit.id or 0) % 5 >= 3:
        return
    survey = feedback_service.get_for_visit(session=session, visit_id=visit.id or 0)
    assert survey is not None  # issued just now
    feedback_service.answer(
        session=session, survey=survey, answer_in=SurveyAnswer(csat=5, nps=9, ces=6, comment=""),
        now=ended + timedelta(hours=5),
    )  # fmt: skip


def _visit(session: Session, visit_id: int | None) -> Visit:
    return visit_service.get_or_raise(session=session, visit_id=visit_id or 0)


def _same_trip_done(session: Session, booked: DeliveryPublic, late_by: timedelta) -> Visit:
    """Step: the delivery (late_by after its window opened) and installation done."""
    delivery = _visit(session, booked.delivery_visit_id)
    assert delivery.window_start is not None and booked.technician_id is not None
    arrive = delivery.window_start + late_by
    _walk(session, delivery, booked.technician_id, arrive)
    installation = _visit(session, booked.installation_visit_id)
    _walk(
        session, installation, booked.technician_id, arrive + timedelta(seconds=delivery.duration_s)
    )
    return installation


def _trained(
    session: Session, region: Region, booked: DeliveryPublic, trainer: Technician, today: date
) -> int:
    """Delivered and installed; training two days later, recorded on the unit."""
    installation = _same_trip_done(session, booked, timedelta(minutes=20))
    assert installation.ended_at is not None
    request = handover_service.offer_training(
        session=session, visit=installation, at=installation.ended_at, notify=False
    )
    assert request is not None  # the product has hand-over training
    (training,) = visit_service.list_for_request(session=session, request_id=request.id or 0)
    day = workday(
        localtime.local_day(installation.ended_at, region.zone) + timedelta(days=2), back=False
    )
    start = localtime.to_utc(day, 10 * H, region.zone)
    visit_service.apply_book(
        session=session, visit=training, window_start=start, window_end=start + WINDOW,
        at=installation.ended_at,
    )  # fmt: skip
    _walk(session, training, trainer.id or 0, start + timedelta(minutes=10))
    asset = session.get(Asset, booked_asset(session, booked))
    assert asset is not None
    asset.training_completed_at = training.ended_at
    session.add(asset)
    return 1


def _offered(
    session: Session, region: Region, booked: DeliveryPublic, trainer: Technician, today: date
) -> int:
    """Delivered and installed; the training offered, waiting for the customer to book it."""
    installation = _same_trip_done(session, booked, timedelta(minutes=30))
    assert installation.ended_at is not None
    offered = handover_service.offer_training(
        session=session, visit=installation, at=installation.ended_at, notify=False
    )
    return int(offered is not None)


def _late(
    session: Session, region: Region, booked: DeliveryPublic, trainer: Technician, today: date
) -> int:
    """Arrived an hour after the window: the late_delivery complaint, acknowledged."""
    _same_trip_done(session, booked, WINDOW + timedelta(hours=1))
    delivery = _visit(session, booked.delivery_visit_id)
    asset = session.get(Asset, booked_asset(session, booked))
    customer = session.get(Customer, delivery.request.customer_id)
    assert asset is not None and customer is not None and delivery.arrived_at is not None
    complaint_in = ComplaintCreate(
        asset_id=asset.id or 0, visit_id=delivery.id, category=ComplaintCategory.LATE_DELIVERY,
        text=handover_service.late_text(delivery, asset, region, customer.language),
        created_at=delivery.arrived_at,
    )  # fmt: skip
    complaint: Complaint = complaint_service.file(
        session=session, complaint_in=complaint_in, region=region,
        filed_by=FiledBy.SYSTEM, notify=False,
    )  # fmt: skip
    complaint_service.transition(
        session=session, complaint=complaint, to=ComplaintStatus.ACKNOWLEDGED,
        at=delivery.arrived_at + timedelta(hours=2), note="Mohon maaf, armada kami terlambat.",
        notify=False,
    )  # fmt: skip
    return 0


def _ahead(
    session: Session, region: Region, booked: DeliveryPublic, trainer: Technician, today: date
) -> int:
    """Booked ahead: nothing happened yet."""
    return 0


def _installed_later(
    session: Session, region: Region, booked: DeliveryPublic, trainer: Technician, today: date
) -> int:
    """Booked ahead, the installation in a slot two days after the delivery."""
    delivery = _visit(session, booked.delivery_visit_id)
    installation = _visit(session, booked.installation_visit_id)
    assert delivery.window_start is not None
    day = localtime.local_day(delivery.window_start, region.zone) + timedelta(days=2)
    start = localtime.to_utc(workday(day, back=False), 13 * H, region.zone)
    visit_service.apply_book(
        session=session, visit=installation, window_start=start, window_end=start + WINDOW,
        at=delivery.window_start - timedelta(days=2),
    )  # fmt: skip
    return 0


def booked_asset(session: Session, booked: DeliveryPublic) -> int:
    """The unit a delivery brings."""
    return _visit(session, booked.delivery_visit_id).request.asset_id


SAME, LATER = InstallationPlan.SAME_TRIP, InstallationPlan.LATER
STORIES = (
    Story("tv-trained", SMART_TV, -5, 9, SAME),
    Story("washer-offered", INDUSTRIAL_WASHER, -4, 8, SAME),
    Story("fridge-late", BIG_FRIDGE, -2, 13, SAME),
    Story("fridge-tomorrow", BIG_FRIDGE, 1, 13, SAME),
    Story("washer-later", INDUSTRIAL_WASHER, 2, 9, LATER),
)
Play = Callable[[Session, Region, DeliveryPublic, Technician, date], int]
PLAYS: dict[str, Play] = {
    "tv-trained": _trained,
    "washer-offered": _offered,
    "fridge-late": _late,
    "fridge-tomorrow": _ahead,
    "washer-later": _installed_later,
}
