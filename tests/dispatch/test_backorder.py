"""A visit failed for a missing part waits for it; once it is in stock in the region the
follow-up visit is opened and the customer told, in their language."""

from datetime import timedelta

from sqlmodel import Session, select

from dispatch.backorder import service as backorder_service
from dispatch.config import Settings
from dispatch.customer.models import Language
from dispatch.field import service as field_service
from dispatch.field.models import VisitEvent, VisitEventCreate
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.parts import service as parts_service
from dispatch.parts.models import Part, PartNeedBase, StockLocation, StockReceipt
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, Visit, VisitStatus
from tests.dispatch.parts_world import make_part, make_warehouse
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_customer,
    make_product_model,
    make_region,
    make_request,
    make_visit,
)

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
FAILED_AT = local(DAY, 10)


def _fail_for(
    session: Session,
    part: Part | None,
    *,
    quantity: int = 1,
    language: Language = Language.ID,
    region: Region | None = None,
) -> Visit:
    """A repair on site that turns out to need quantity of the part, failed for it."""
    model = make_product_model(session) if part is None else None
    asset = make_asset(
        session,
        customer=make_customer(session, language=language),
        product_model_id=part.product_model_id if part else model.id if model else 0,
    )
    visit = make_visit(
        session,
        request=make_request(session, asset=asset, kind=VisitKind.REPAIR, region=region),
        status=VisitStatus.ON_SITE,
    )
    if part is not None:
        parts_service.set_visit_needs(
            session=session,
            visit=visit,
            parts=[PartNeedBase(part_id=part.id or 0, quantity=quantity)],
        )
        session.commit()
    event = VisitEventCreate(
        event=VisitEvent.FAILED, at=FAILED_AT, failure_reason=FailureReason.PART_MISSING
    )
    return field_service.record_event(
        session=session, visit=visit, event_in=event, settings=SETTINGS
    )


def _warehouse_of(session: Session, visit: Visit) -> StockLocation:
    return make_warehouse(
        session, region_service.get_or_raise(session=session, region_id=visit.region_id)
    )


def _receive(session: Session, where: StockLocation, part: Part, quantity: int) -> list[Visit]:
    receipt = StockReceipt(location_id=where.id or 0, part_id=part.id or 0, quantity=quantity)
    return backorder_service.receive(
        session=session, receipt=receipt, at=FAILED_AT + timedelta(days=2)
    )


def _notices(session: Session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PART_ARRIVED)
    return list(session.exec(query).all())


def test_the_follow_up_waits_until_the_part_arrives(session: Session) -> None:
    """No follow-up while the compressor is missing; on its arrival one is opened, needing
    the compressor too, and the customer is told in Indonesian."""
    part = make_part(session, make_product_model(session))
    failed = _fail_for(session, part)
    assert visit_service.follow_up_of(session=session, visit=failed) is None
    assert [w.part_id for w in backorder_service.waits(session=session)] == [part.id]
    [follow_up] = _receive(session, _warehouse_of(session, failed), part, 1)
    assert (follow_up.follow_up_of_id, follow_up.status) == (failed.id, VisitStatus.REQUESTED)
    assert parts_service.needs_of(session=session, visit=follow_up) == {part.id: 1}
    assert backorder_service.waits(session=session) == []
    [notice] = _notices(session)
    assert (notice.visit_id, notice.language) == (follow_up.id, Language.ID)
    assert f"compressor (id) ({part.part_number})" in notice.body
    assert "sudah tersedia" in notice.body


def test_the_notice_is_in_the_customers_language(session: Session) -> None:
    part = make_part(session, make_product_model(session))
    failed = _fail_for(session, part, language=Language.EN)
    _receive(session, _warehouse_of(session, failed), part, 1)
    [notice] = _notices(session)
    assert notice.language is Language.EN
    assert f"the genuine part compressor ({part.part_number})" in notice.body


def test_too_few_parts_or_parts_in_another_region_open_nothing(session: Session) -> None:
    part = make_part(session, make_product_model(session))
    failed = _fail_for(session, part, quantity=2)
    assert _receive(session, make_warehouse(session, make_region(session)), part, 5) == []
    assert _receive(session, _warehouse_of(session, failed), part, 1) == []
    assert visit_service.follow_up_of(session=session, visit=failed) is None
    assert _notices(session) == []


def test_one_arrival_serves_the_oldest_wait_only(session: Session) -> None:
    """Two visits of a region wait for one compressor each; one arrives: the first failed gets
    it, and the next arrival goes to the second (the first one's part stays promised)."""
    part = make_part(session, make_product_model(session))
    region = make_region(session)
    first = _fail_for(session, part, region=region)
    second = _fail_for(session, part, region=region)
    warehouse = make_warehouse(session, region)
    [opened] = _receive(session, warehouse, part, 1)
    assert opened.follow_up_of_id == first.id
    assert visit_service.follow_up_of(session=session, visit=second) is None
    [later] = _receive(session, warehouse, part, 1)
    assert later.follow_up_of_id == second.id
    assert _receive(session, warehouse, part, 1) == []


def test_a_part_already_in_stock_opens_the_follow_up_at_once(session: Session) -> None:
    part = make_part(session, make_product_model(session))
    region = make_region(session)
    _receive(session, make_warehouse(session, region), part, 1)
    model_asset = make_asset(session, product_model_id=part.product_model_id)
    visit = make_visit(
        session,
        request=make_request(session, asset=model_asset, region=region, kind=VisitKind.REPAIR),
        status=VisitStatus.ON_SITE,
    )
    parts_service.set_visit_needs(
        session=session, visit=visit, parts=[PartNeedBase(part_id=part.id or 0)]
    )
    event = VisitEventCreate(
        event=VisitEvent.FAILED, at=FAILED_AT, failure_reason=FailureReason.PART_MISSING
    )
    field_service.record_event(session=session, visit=visit, event_in=event, settings=SETTINGS)
    assert visit_service.follow_up_of(session=session, visit=visit) is not None
    assert len(_notices(session)) == 1


def test_a_part_missing_that_was_never_named_opens_the_follow_up_at_once(session: Session) -> None:
    """Without a known part there is nothing to wait for: the follow-up opens as before."""
    failed = _fail_for(session, None)
    assert visit_service.follow_up_of(session=session, visit=failed) is not None
    assert backorder_service.waits(session=session) == []
