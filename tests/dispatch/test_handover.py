"""Hand-over: a delivery with its installation on the same trip or later, training offered
after an installation and recorded on the unit, and late deliveries opening a complaint."""

from datetime import datetime

import pytest
from sqlmodel import Session, select

from dispatch import events
from dispatch.asset.models import Asset
from dispatch.complaint.models import Complaint, ComplaintCategory, FiledBy
from dispatch.customer.models import Language
from dispatch.errors import InvalidInput
from dispatch.handover import service as handover_service
from dispatch.handover.models import DeliveryCreate, InstallationPlan
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.product.models import ProductModel, VisitKind, VisitKindPolicyCreate
from dispatch.region.models import Region
from dispatch.request.models import Coverage, ServiceRequest
from dispatch.technician.models import Technician
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.planning_day import BLOK_M, CILANDAK, FAST, KEMANG, TEBET, add_visit
from tests.factories import (
    DAY,
    ac_policies,
    local,
    make_asset,
    make_customer,
    make_product_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
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


def _deliverer(
    session: Session, region: Region, skills: tuple[str, ...], at: tuple[float, float]
) -> Technician:
    """A technician working weekdays 08-17 from `at`."""
    technician = make_technician(
        session, region=region, skills=skills, start_lat=at[0], start_lon=at[1]
    )
    make_weekly_pattern(session, technician)
    return technician


def test_delivery_with_installation_on_the_same_trip(session: Session) -> None:
    """Both booked in the delivery's window, the installation after the 30-minute delivery,
    both pinned to the technician who delivers and installs; the installation uses the free
    installation."""
    region = make_region(session)
    _deliverer(session, region, ("delivery",), KEMANG)
    _deliverer(session, region, ("delivery", "ac_install"), TEBET)
    asset = make_asset(session, product_model=_smart_ac(session))
    booked = _deliver(session, asset, region, InstallationPlan.SAME_TRIP)
    delivery = session.get(Visit, booked.delivery_visit_id)
    installation = session.get(Visit, booked.installation_visit_id)
    assert delivery is not None and installation is not None
    assert (delivery.status, delivery.window_start, delivery.required_skills) == (
        VisitStatus.BOOKED, local(DAY, 9), ["delivery"],
    )  # fmt: skip
    assert (installation.status, installation.window_start, installation.window_end) == (
        VisitStatus.BOOKED, local(DAY, 9, 30), local(DAY, 12, 30),
    )  # fmt: skip
    assert (
        delivery.pinned_technician_id == installation.pinned_technician_id == booked.technician_id
    )
    request = session.get(ServiceRequest, booked.installation_request_id)
    assert request is not None and request.coverage is Coverage.ENTITLEMENT


def test_same_trip_is_planned_on_one_route_installation_right_after(session: Session) -> None:
    """The planner (its plan checked by the validator) sends the one technician who delivers
    and installs, and serves the installation right after the delivery, though a nearer
    technician only delivers and another visit of the day needs an installer too."""
    region = make_region(session)
    near = _deliverer(session, region, ("delivery",), KEMANG)
    both = _deliverer(session, region, ("delivery", "ac_install"), TEBET)
    _deliverer(session, region, ("ac_install",), BLOK_M)
    other = add_visit(session, region, CILANDAK, 9)
    booked = _deliver(
        session, make_asset(session, product_model=_smart_ac(session)), region,
        InstallationPlan.SAME_TRIP,
    )  # fmt: skip
    assert booked.technician_id == both.id != near.id
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    assert solving.check_stored(plan) == []
    assert plan.unassigned == 0
    (route,) = [r for r in plan.routes if r.technician_id == both.id]
    order = [s.visit_id for s in route.stops]
    at = order.index(booked.delivery_visit_id)
    assert order[at + 1] == booked.installation_visit_id
    delivered, installed = route.stops[at], route.stops[at + 1]
    assert installed.start_at == delivered.end_at
    assert other.id not in order[at : at + 2]


def test_same_trip_refused_without_a_technician_who_does_both(session: Session) -> None:
    """A named technician who cannot install, or nobody in the region who delivers and
    installs and works that day: refused, nothing booked."""
    region = make_region(session)
    deliverer = _deliverer(session, region, ("delivery",), KEMANG)
    asset = make_asset(session, product_model=_smart_ac(session))
    delivery_in = DeliveryCreate(
        asset_id=asset.id or 0,
        window_start=local(DAY, 9),
        window_end=local(DAY, 12),
        technician_id=deliverer.id,
    )
    with pytest.raises(InvalidInput, match="lacks skills ac_install"):
        handover_service.deliver(
            session=session, delivery_in=delivery_in, asset=asset, region=region, at=local(DAY, 7)
        )
    session.rollback()
    with pytest.raises(InvalidInput, match="book the installation later") as refused:
        _deliver(session, asset, region, InstallationPlan.SAME_TRIP)
    assert refused.value.loc == ("body", "installation")
    session.rollback()
    assert session.exec(select(Visit)).all() == []
    later = _deliver(session, asset, region, InstallationPlan.LATER)
    assert later.technician_id is None


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
    (told,) = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.TRAINING_OFFERED)
    ).all()  # once, though the completion was heard twice
    assert (told.customer_id, told.language) == (asset.customer_id, Language.ID)
    assert "pelatihan awal" in told.body and "45 menit" in told.body
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
    english = make_customer(session, language=Language.EN)
    late = make_visit(
        session,
        request=make_request(
            session,
            asset=make_asset(session, customer=english, product_model=product),
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
    assert complaint.text.startswith(
        f"The delivery of your Sejuk {product.name} on Tuesday 10 March 2026 was late: "
        "the 09:00-12:00 WIB window was missed"
    )


def test_the_late_text_names_the_unit_and_day_in_the_customer_language(session: Session) -> None:
    """Indonesian: product, day and window in Indonesian words and clock."""
    region = make_region(session)
    asset = make_asset(session, product_model=_smart_ac(session))
    visit = make_visit(
        session, request=make_request(session, asset=asset, region=region, kind=VisitKind.DELIVERY)
    )
    text = handover_service.late_text(visit, asset, region, Language.ID)
    assert text == (
        f"Pengiriman Sejuk {asset.product_model.name} Anda pada Selasa, 10 Maret 2026 terlambat: "
        "jendela 09.00-12.00 WIB terlewati (dicatat otomatis oleh Purna)."
    )


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
