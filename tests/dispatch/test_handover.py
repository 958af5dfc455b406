"""Hand-over: a delivery with its installation on the same trip or later, training offered
after an installation and recorded on the unit, and late deliveries opening a complaint."""

from datetime import datetime

import pytest
from sqlmodel import Session, select

from dispatch import events
from dispatch.asset.models import Asset
from dispatch.complaint.models import Complaint, ComplaintCategory, FiledBy
from dispatch.errors import InvalidInput
from dispatch.handover import service as handover_service
from dispatch.handover.models import DeliveryCreate, InstallationPlan
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.product.models import ProductModel, VisitKind, VisitKindPolicyCreate
from dispatch.region.models import Region
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus
from tests.factories import (
    DAY,
    ac_policies,
    local,
    make_asset,
    make_product_model,
    make_region,
    make_request,
    make_visit,
)

DELIVERY = VisitKindPolicyCreate(
    kind=VisitKind.DELIVERY, duration_s=30 * 60, skill="delivery", price=0
)
TRAINING = VisitKindPolicyCreate(
    kind=VisitKind.TRAINING, duration_s=45 * 60, skill="smart_ac_training", price=0
)


def _smart_ac(session: Session) -> ProductModel:
    """An AC that is delivered, installed and explained (hand-over training)."""
    return make_product_model(session, visit_kinds=[*ac_policies(), DELIVERY, TRAINING])


def _deliver(
    session: Session, asset: Asset, region: Region, plan: InstallationPlan
) -> handover_service.DeliveryPublic:
    delivery_in = DeliveryCreate(
        asset_id=asset.id or 0,
        window_start=local(DAY, 9),
        window_end=local(DAY, 12),
        installation=plan,
    )
    return handover_service.deliver(
        session=session, delivery_in=delivery_in, asset=asset, region=region, at=local(DAY, 7)
    )


def _completed(
    session: Session, visit: Visit, name: str = "completed", at: datetime | None = None
) -> None:
    events.publish(events.VisitChanged(session, visit, "field", name, at or local(DAY, 11)))
    session.commit()


def test_delivery_with_installation_on_the_same_trip(session: Session) -> None:
    """Both booked in the delivery's window, the installation after the 30-minute delivery;
    the installation uses the free installation."""
    region = make_region(session)
    asset = make_asset(session, product_model=_smart_ac(session))
    booked = _deliver(session, asset, region, InstallationPlan.SAME_TRIP)
    delivery = session.get(Visit, booked.delivery_visit_id)
    installation = session.get(Visit, booked.installation_visit_id)
    assert delivery is not None and installation is not None
    assert (delivery.status, delivery.window_start, delivery.required_skills) == (
        VisitStatus.BOOKED, local(DAY, 9), ["delivery"],
    )  # fmt: skip
    assert (installation.status, installation.window_start, installation.window_end) == (
        VisitStatus.BOOKED, local(DAY, 9, 30), local(DAY, 12),
    )  # fmt: skip
    request = session.get(ServiceRequest, booked.installation_request_id)
    assert request is not None and request.coverage is Coverage.ENTITLEMENT


def test_delivery_with_installation_later(session: Session) -> None:
    """Later: the installation's visit waits to be booked."""
    region = make_region(session)
    asset = make_asset(session, product_model=_smart_ac(session))
    booked = _deliver(session, asset, region, InstallationPlan.LATER)
    installation = session.get(Visit, booked.installation_visit_id)
    assert installation is not None
    assert (installation.status, installation.window_start) == (VisitStatus.REQUESTED, None)


def test_delivery_without_installation_and_a_product_not_delivered(session: Session) -> None:
    """A product that is not installed gets the delivery only; one without a delivery policy
    is refused."""
    region = make_region(session)
    mattress = make_product_model(
        session, free_installation=False, free_services=0, visit_kinds=[DELIVERY]
    )
    booked = _deliver(
        session, make_asset(session, product_model=mattress), region, InstallationPlan.SAME_TRIP
    )
    assert (booked.installation_request_id, booked.installation_visit_id) == (None, None)
    with pytest.raises(InvalidInput, match="has no delivery service"):
        _deliver(session, make_asset(session), region, InstallationPlan.SAME_TRIP)


def test_training_offered_after_installation_and_recorded_on_the_unit(session: Session) -> None:
    """A completed installation opens one training request with its own skill and duration;
    the completed training is recorded on the unit. A product without training gets none."""
    region = make_region(session)
    asset = make_asset(session, product_model=_smart_ac(session))
    installed = make_visit(
        session,
        request=make_request(session, asset=asset, region=region),
        status=VisitStatus.COMPLETED,
    )
    _completed(session, installed)
    _completed(session, installed)
    (training,) = session.exec(
        select(ServiceRequest).where(ServiceRequest.kind == VisitKind.TRAINING)
    ).all()
    (visit,) = visit_service.list_for_request(session=session, request_id=training.id or 0)
    assert (visit.required_skills, visit.duration_s) == (["smart_ac_training"], 45 * 60)
    visit_service.book(
        session=session,
        visit=visit,
        window_start=local(DAY, 13),
        window_end=local(DAY, 15),
        at=local(DAY, 12),
    )
    trained = make_visit(session, request=training, status=VisitStatus.COMPLETED)
    _completed(session, trained)
    session.refresh(asset)
    assert asset.training_completed_at == trained.ended_at
    plain = make_asset(session)
    plain_install = make_visit(
        session,
        request=make_request(session, asset=plain, region=region),
        status=VisitStatus.COMPLETED,
    )
    _completed(session, plain_install)
    trainings = session.exec(
        select(ServiceRequest).where(ServiceRequest.kind == VisitKind.TRAINING)
    ).all()
    assert len(trainings) == 1


def _late_complaints(session: Session) -> list[Complaint]:
    query = select(Complaint).where(Complaint.category == ComplaintCategory.LATE_DELIVERY)
    return list(session.exec(query).all())


def test_a_late_arrival_opens_one_complaint(session: Session) -> None:
    """Arrived at 13:00 for a 09-12 window: a late_delivery complaint filed by the system,
    told to the customer; an arrival inside the window opens none."""
    region = make_region(session)
    product = _smart_ac(session)
    on_time = make_visit(
        session,
        request=make_request(
            session,
            asset=make_asset(session, product_model=product),
            region=region,
            kind=VisitKind.DELIVERY,
        ),
        status=VisitStatus.ON_SITE,
    )
    _completed(session, on_time, "arrived")
    assert _late_complaints(session) == []
    late = make_visit(
        session,
        request=make_request(
            session,
            asset=make_asset(session, product_model=product),
            region=region,
            kind=VisitKind.DELIVERY,
        ),
        status=VisitStatus.EN_ROUTE,
    )
    late = visit_service.transition(
        session=session, visit=late, to=VisitStatus.ON_SITE, at=local(DAY, 13)
    )
    _completed(session, late, "arrived", local(DAY, 13))
    _completed(session, late, "arrived", local(DAY, 13))
    (complaint,) = _late_complaints(session)
    assert (complaint.visit_id, complaint.filed_by, complaint.region_id) == (
        late.id,
        FiledBy.SYSTEM,
        region.id,
    )
    told = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.COMPLAINT_RECEIVED)
    ).all()
    assert len(told) == 1


def test_sweep_files_deliveries_whose_window_passed(session: Session) -> None:
    """A delivery still booked after its window: one complaint, however often swept; one
    whose window has not ended: none."""
    region = make_region(session)
    asset = make_asset(session, product_model=_smart_ac(session))
    make_visit(
        session, request=make_request(session, asset=asset, region=region, kind=VisitKind.DELIVERY)
    )
    assert handover_service.sweep_late_deliveries(session=session, now=local(DAY, 11)) == 0
    assert handover_service.sweep_late_deliveries(session=session, now=local(DAY, 12, 30)) == 1
    assert handover_service.sweep_late_deliveries(session=session, now=local(DAY, 14)) == 0
    assert len(_late_complaints(session)) == 1
