"""Demo after-sales: the complaints customers of the demo history would have made, and the
warranty outcomes of its failed warranty repairs.

Complaints are filed after the visit and answered within a few hours, resolved within days
unless still recent.
Taken from the loaded history, so it needs no generator state: a visit that ended after its
window (late visit), failed for a missing part (product defect), or was rated CSAT 1-2
(workmanship). One complaint per visit (its natural key), so a second load adds nothing; the
times follow from the visit's id, so two databases get the same complaints. A warranty repair
that failed for a missing part and is still open is decided the next day: repair again, its
follow-up visit. No
messages are queued: these happened before today.
"""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

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
from dispatch.feedback.models import Survey
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.request.models import Coverage, RequestStatus, ServiceRequest
from dispatch.visit.models import FailureReason, Visit, VisitStatus
from dispatch.warranty_outcome import service as outcome_service
from dispatch.warranty_outcome.models import Decision, WarrantyOutcome, WarrantyOutcomeCreate

TEXTS: dict[ComplaintCategory, str] = {
    ComplaintCategory.LATE_VISIT: "Teknisi datang terlambat, saya menunggu lama tanpa kabar.",
    ComplaintCategory.PRODUCT_DEFECT: "Unit masih rusak, suku cadang belum ada.",
    ComplaintCategory.WORKMANSHIP: "Hasil pekerjaan kurang rapi, masalah muncul lagi.",
}
REPAIR_AGAIN_REASON = "Suku cadang asli dipesan; perbaikan diulang tanpa biaya."
FILED_AFTER = timedelta(hours=2)
OPEN_FOR = timedelta(days=3)  # complaints younger than this are still being worked on


def load_complaints(session: Session, today: date) -> int:
    """File the demo complaints not yet there; how many were added."""
    done = select(Complaint.visit_id).where(col(Complaint.visit_id).is_not(None))
    ended = (
        select(Visit, Survey.csat)
        .outerjoin(Survey, col(Survey.visit_id) == col(Visit.id))
        .where(
            col(Visit.status).in_([VisitStatus.COMPLETED, VisitStatus.FAILED]),
            col(Visit.id).not_in(done),
        )
        .order_by(col(Visit.id))
    )
    added = 0
    for visit, csat in session.exec(ended).all():
        category = _category(visit, csat)
        if category is not None and visit.ended_at is not None:
            _file(session, visit, category, visit.ended_at, today)
            added += 1
    return added


def _category(visit: Visit, csat: int | None) -> ComplaintCategory | None:
    if visit.failure_reason is FailureReason.PART_MISSING:
        return ComplaintCategory.PRODUCT_DEFECT
    if visit.arrived_at and visit.window_end and visit.arrived_at > visit.window_end:
        return ComplaintCategory.LATE_VISIT
    if csat is not None and csat <= 2:
        return ComplaintCategory.WORKMANSHIP
    return None


def _file(
    session: Session, visit: Visit, category: ComplaintCategory, ended: datetime, today: date
) -> None:
    """File the complaint two hours after the visit, and play its answers up to today."""
    region = session.get(Region, visit.region_id)
    assert region is not None  # a visit's region is a foreign key
    filed = ended + FILED_AFTER
    complaint_in = ComplaintCreate(
        asset_id=visit.request.asset_id,
        visit_id=visit.id,
        category=category,
        text=TEXTS[category],
        created_at=filed,
    )
    complaint = complaint_service.file(
        session=session,
        complaint_in=complaint_in,
        region=region,
        filed_by=FiledBy.CUSTOMER,
        notify=False,
    )
    step = visit.id or 0
    now = localtime.to_utc(today, 0, region.zone)
    moves = [
        (ComplaintStatus.ACKNOWLEDGED, filed + timedelta(hours=1 + step % 6), None),
        (ComplaintStatus.RESOLVED, filed + timedelta(days=1 + step % 4), "Sudah ditangani."),
    ]
    for status, at, note in moves:
        if at >= now or (status is ComplaintStatus.RESOLVED and now - filed < OPEN_FOR):
            break
        complaint = complaint_service.transition(
            session=session, complaint=complaint, to=status, at=at, note=note, notify=False
        )


def load_outcomes(session: Session, today: date) -> int:
    """Decide the failed warranty repairs of the history not yet decided; how many were."""
    decided = select(WarrantyOutcome.asset_id)
    failed = session.exec(
        select(Visit, ServiceRequest)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .where(
            Visit.status == VisitStatus.FAILED,
            Visit.failure_reason == FailureReason.PART_MISSING,
            ServiceRequest.kind == VisitKind.REPAIR,
            ServiceRequest.coverage == Coverage.WARRANTY,
            ServiceRequest.status == RequestStatus.OPEN,  # its follow-up is still to come
            col(ServiceRequest.asset_id).not_in(decided),
        )
        .order_by(col(Visit.id))
    ).all()
    added = 0
    for visit, request in failed:
        region = session.get(Region, visit.region_id)
        asset = session.get(Asset, request.asset_id)
        at = (visit.ended_at or localtime.utc_now()) + timedelta(days=1)
        if region is None or asset is None or at >= localtime.to_utc(today, 0, region.zone):
            continue
        outcome_in = WarrantyOutcomeCreate(
            asset_id=asset.id or 0, decision=Decision.REPAIR_AGAIN, reason=REPAIR_AGAIN_REASON
        )
        outcome_service.decide(
            session=session,
            asset=asset,
            outcome_in=outcome_in,
            region=region,
            user_id=None,
            at=at,
            notify=False,
        )
        added += 1
    return added
