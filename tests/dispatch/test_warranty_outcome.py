"""Warranty outcomes: the grounds (failed repair, repeat fault within 30 days, the product's
replacement days), and each decision held and broken: repair again, replace (warranty moved or
renewed, installation booked), refund (amount, unit retired, entitlements ended)."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.customer.models import Language
from dispatch.entitlement.models import EntitlementKind
from dispatch.errors import Conflict, NotCovered
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.product.models import ReplacementWarranty, VisitKind
from dispatch.region.models import Region
from dispatch.request.models import Coverage, RequestStatus, ServiceRequest
from dispatch.visit import service as visit_service
from dispatch.visit.models import FailureReason, VisitStatus
from dispatch.warranty_outcome import service as outcome_service
from dispatch.warranty_outcome.models import (
    Decision,
    Ground,
    WarrantyOutcome,
    WarrantyOutcomeCreate,
)
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

DECIDED_AT = local(DAY, 14)


def _failed_repair(
    session: Session, asset: Asset, region: Region, reason: FailureReason | None = None
) -> ServiceRequest:
    """A warranty repair whose visit failed on DAY (a follow-up visit is opened for it)."""
    request = make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)
    visit = make_visit(session, request=request, status=VisitStatus.ON_SITE)
    visit_service.transition(
        session=session,
        visit=visit,
        to=VisitStatus.FAILED,
        at=local(DAY, 10),
        failure_reason=reason or FailureReason.PART_MISSING,
    )
    return request


def _decide(
    session: Session, asset: Asset, region: Region, decision: Decision, **extra: object
) -> WarrantyOutcome:
    user, _ = account_service.create(
        session=session, user_in=UserCreate(name="Dewi", role=Role.DISPATCHER)
    )
    outcome_in = WarrantyOutcomeCreate.model_validate(
        {"asset_id": asset.id, "decision": decision, "reason": "compressor fails again"} | extra
    )
    return outcome_service.decide(
        session=session,
        asset=asset,
        outcome_in=outcome_in,
        region=region,
        user_id=user.id,
        at=DECIDED_AT,
    )


def _grounds(session: Session, asset: Asset, on: date = DAY) -> list[Ground]:
    found = outcome_service.eligibility(
        session=session, asset=asset, on=on, zone_name="Asia/Jakarta"
    )
    return found.grounds


def test_grounds_held_and_broken(session: Session) -> None:
    """A failed warranty repair is a ground; one failed for the customer's absence is not."""
    region = make_region(session)
    absent, failed, fine = (make_asset(session) for _ in range(3))
    _failed_repair(session, absent, region, FailureReason.CUSTOMER_ABSENT)
    _failed_repair(session, failed, region)
    repaired = make_request(session, asset=fine, region=region, kind=VisitKind.REPAIR)
    make_visit(session, request=repaired, status=VisitStatus.COMPLETED)
    assert (_grounds(session, absent), _grounds(session, fine)) == ([], [])
    found = outcome_service.eligibility(
        session=session, asset=failed, on=DAY, zone_name="Asia/Jakarta"
    )
    assert found.grounds == [Ground.FAILED_REPAIR]
    assert found.evidence[0].endswith(f"failed on {DAY} (part_missing)")


@pytest.mark.parametrize(("days_later", "repeat"), [(29, True), (31, False)])
def test_repeat_fault_within_30_days(session: Session, days_later: int, repeat: bool) -> None:
    """The same unit asks for a repair again 29 days after the last one was resolved: a ground;
    31 days after: not."""
    region = make_region(session)
    asset = make_asset(session)
    first = make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)
    make_visit(session, request=first, status=VisitStatus.COMPLETED)  # resolved DAY 09:30
    make_request(
        session,
        asset=asset,
        region=region,
        kind=VisitKind.REPAIR,
        created_at=local(DAY + timedelta(days=days_later), 9),
    )
    assert _grounds(session, asset) == ([Ground.REPEAT_FAULT] if repeat else [])


@pytest.mark.parametrize(("day", "ground"), [(date(2026, 3, 9), True), (date(2026, 3, 10), False)])
def test_policy_replaces_within_its_days(session: Session, day: date, ground: bool) -> None:
    """A product replaced within 7 days of purchase (bought 2 March): 9 March yes, 10 no."""
    product = make_product_model(session, replacement_days=7)
    asset = make_asset(session, product_model=product, purchase_date=date(2026, 3, 2))
    assert _grounds(session, asset, on=day) == ([Ground.POLICY] if ground else [])


def test_no_decision_without_grounds_or_warranty(session: Session) -> None:
    """Nothing failed: NotCovered naming the rule; out of warranty: NotCovered with its reason."""
    region = make_region(session)
    with pytest.raises(NotCovered, match="no failed warranty repair"):
        _decide(session, make_asset(session), region, Decision.REPAIR_AGAIN)
    old = make_asset(session, purchase_date=date(2024, 1, 5))
    _failed_repair(session, old, region)
    with pytest.raises(NotCovered, match="not under warranty: purchased 2024-01-05"):
        _decide(session, old, region, Decision.REPAIR_AGAIN)


def test_repair_again_takes_the_pending_follow_up(session: Session) -> None:
    """After a failed repair its follow-up visit is the repair again: no second request."""
    region = make_region(session)
    asset = make_asset(session)
    request = _failed_repair(session, asset, region)
    outcome = _decide(session, asset, region, Decision.REPAIR_AGAIN)
    assert outcome.repair_request_id == request.id
    assert outcome.decided_by_user_id is not None
    assert outcome.grounds == [Ground.FAILED_REPAIR]
    repairs = session.exec(select(ServiceRequest).where(ServiceRequest.asset_id == asset.id)).all()
    assert len(repairs) == 1


def test_repair_again_opens_a_free_repair_when_none_is_pending(session: Session) -> None:
    """A repeat fault whose request has no visit yet: a new repair the warranty pays."""
    region = make_region(session)
    asset = make_asset(session)
    first = make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)
    make_visit(session, request=first, status=VisitStatus.COMPLETED)
    make_request(
        session, asset=asset, region=region, kind=VisitKind.REPAIR, created_at=local(DAY, 12)
    )
    outcome = _decide(session, asset, region, Decision.REPAIR_AGAIN)
    repair = session.get(ServiceRequest, outcome.repair_request_id)
    assert repair is not None
    assert (repair.coverage, repair.price, repair.priority) == (Coverage.WARRANTY, 0, 4)
    (visit,) = visit_service.list_for_request(session=session, request_id=repair.id or 0)
    assert visit.status is VisitStatus.REQUESTED


def test_replace_moves_the_warranty_and_books_the_installation(session: Session) -> None:
    """Transfer policy: the new unit keeps the purchase date and what was used; the old one is
    retired and its follow-up visit cancelled; the installation is free; the customer is told
    in English with the new serial number."""
    region = make_region(session)
    customer = make_customer(session, language=Language.EN)
    asset = make_asset(session, customer=customer)
    request = _failed_repair(session, asset, region)
    outcome = _decide(
        session, asset, region, Decision.REPLACE, replacement_serial_number="SN-NEW-1"
    )
    session.refresh(asset)
    new = session.get(Asset, outcome.replacement_asset_id)
    assert new is not None
    assert (new.customer_id, new.product_model_id, new.serial_number) == (
        asset.customer_id, asset.product_model_id, "SN-NEW-1",
    )  # fmt: skip
    assert (new.purchase_date, asset.retired_on) == (asset.purchase_date, DAY)
    assert {e.kind: e.used for e in new.entitlements}[EntitlementKind.FREE_INSTALLATION] == 1
    pending = visit_service.list_for_request(session=session, request_id=request.id or 0)
    assert [v.status for v in pending] == [VisitStatus.FAILED, VisitStatus.CANCELLED]
    installation = session.get(ServiceRequest, outcome.installation_request_id)
    assert installation is not None
    assert (installation.asset_id, installation.kind) == (new.id, VisitKind.INSTALLATION)
    assert (installation.coverage, installation.price) == (Coverage.WARRANTY, 0)
    (message,) = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.WARRANTY_OUTCOME)
    ).all()
    assert message.subject.endswith("replacement with a new unit")
    assert "SN-NEW-1" in message.body and "compressor fails again" in message.body
    with pytest.raises(Conflict, match=f"asset {asset.id} was retired on {DAY}"):
        make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)


def test_replace_renews_the_warranty_when_the_product_says_so(session: Session) -> None:
    """Renew policy: the new unit's warranty and entitlements start on the decision day."""
    region = make_region(session)
    product = make_product_model(session, replacement_warranty=ReplacementWarranty.RENEW)
    asset = make_asset(session, product_model=product)
    _failed_repair(session, asset, region)
    outcome = _decide(session, asset, region, Decision.REPLACE, replacement_serial_number="SN-R")
    new = session.get(Asset, outcome.replacement_asset_id)
    assert new is not None and new.purchase_date == DAY
    services = {e.kind: e for e in new.entitlements}[EntitlementKind.FREE_SERVICE]
    assert (services.used, services.valid_until) == (0, date(2027, 3, 10))


def test_replace_refuses_a_serial_that_exists_and_work_under_way(session: Session) -> None:
    """The new serial must be new; a visit en route or on site makes the decision wait."""
    region = make_region(session)
    asset = make_asset(session)
    _failed_repair(session, asset, region)
    with pytest.raises(Conflict, match="serial .* exists"):
        _decide(
            session, asset, region, Decision.REPLACE, replacement_serial_number=asset.serial_number
        )
    session.rollback()
    busy = make_asset(session)
    _failed_repair(session, busy, region)
    inspection = make_request(session, asset=busy, region=region, kind=VisitKind.INSPECTION)
    make_visit(session, request=inspection, status=VisitStatus.ON_SITE)
    with pytest.raises(Conflict, match="is on_site; decide once it ends"):
        _decide(session, busy, region, Decision.REFUND, refund_amount=3_500_000)


def test_refund_records_the_amount_retires_and_ends_entitlements(session: Session) -> None:
    """The amount is kept; the unit retired; its unused free service ends the day before; the
    customer is told in Indonesian with the amount in rupiah."""
    region = make_region(session)
    asset = make_asset(session)
    _failed_repair(session, asset, region)
    outcome = _decide(session, asset, region, Decision.REFUND, refund_amount=3_500_000)
    session.refresh(asset)
    assert (outcome.refund_amount, outcome.replacement_asset_id) == (3_500_000, None)
    assert asset.retired_on == DAY
    assert all(e.valid_until == DAY - timedelta(days=1) for e in asset.entitlements)
    (message,) = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.WARRANTY_OUTCOME)
    ).all()
    assert "pengembalian dana" in message.subject and "Rp 3.500.000" in message.body
    with pytest.raises(Conflict, match="was retired"):
        _decide(session, asset, region, Decision.REFUND, refund_amount=1)
    open_requests = session.exec(
        select(ServiceRequest).where(
            ServiceRequest.asset_id == asset.id, col(ServiceRequest.status) == RequestStatus.OPEN
        )
    ).all()
    assert open_requests == []


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"decision": "refund"}, "a refund needs refund_amount"),
        ({"decision": "replace"}, "a replacement needs replacement_serial_number"),
        ({"decision": "repair_again", "refund_amount": 10}, "only a refund has"),
        ({"decision": "refund", "refund_amount": 0}, "greater than 0"),
    ],
)
def test_what_each_decision_needs(fields: dict[str, object], problem: str) -> None:
    """A refund needs its amount, a replacement its serial number, and nothing else has them."""
    with pytest.raises(ValidationError, match=problem):
        WarrantyOutcomeCreate.model_validate({"asset_id": 1, "reason": "why not"} | fields)


def test_outcome_records_when_and_why(session: Session) -> None:
    """decided_at is the moment given; the reason and evidence are kept as given and found."""
    region = make_region(session)
    asset = make_asset(session)
    _failed_repair(session, asset, region)
    outcome = _decide(session, asset, region, Decision.REPAIR_AGAIN)
    assert (outcome.decided_at, outcome.reason) == (DECIDED_AT, "compressor fails again")
    assert len(outcome.evidence) == 1
