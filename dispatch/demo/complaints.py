"""Demo complaints: what customers of the demo history would have complained about, filed
after the visit and answered within a few hours, resolved within days unless still recent.

Taken from the loaded history, so it needs no generator state: a visit that ended after its
window (late visit), failed for a missing part (product defect), or was rated CSAT 1-2
(workmanship). One complaint per visit (its natural key), so a second load adds nothing; the
times follow from the visit's id, so two databases get the same complaints. No messages are
queued: these happened before today.
"""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import (
    Complaint,
    ComplaintCategory,
    ComplaintCreate,
    ComplaintStatus,
    FiledBy,
)
from dispatch.feedback.models import Survey
from dispatch.region.models import Region
from dispatch.visit.models import FailureReason, Visit, VisitStatus

TEXTS: dict[ComplaintCategory, str] = {
    ComplaintCategory.LATE_VISIT: "Teknisi datang terlambat, saya menunggu lama tanpa kabar.",
    ComplaintCategory.PRODUCT_DEFECT: "Unit masih rusak, suku cadang belum ada.",
    ComplaintCategory.WORKMANSHIP: "Hasil pekerjaan kurang rapi, masalah muncul lagi.",
}
FILED_AFTER = timedelta(hours=2)
OPEN_FOR = timedelta(days=3)  # complaints younger than this are still being worked on


def load(session: Session, today: date) -> int:
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
