"""Complaint messages through the outbox: to the customer in their language when a complaint is
received and resolved, to the region's dispatchers when an SLA deadline passes.

Keys: `complaint:<id>:received`, `complaint:<id>:resolved:<n>` (n: times reopened before, so a
second resolution is told too), `complaint:<id>:breach:response|resolution`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from dispatch.asset.models import Asset
from dispatch.complaint.models import Complaint, ComplaintCategory
from dispatch.customer.models import Customer, Language
from dispatch.outreach import compose, outbox, texts
from dispatch.outreach.models import MessageKind
from dispatch.region.models import Region

Deadline = Literal["response", "resolution"]
C = ComplaintCategory
CATEGORIES: dict[Language, dict[ComplaintCategory, str]] = {
    Language.ID: {
        C.LATE_VISIT: "kunjungan terlambat",
        C.LATE_DELIVERY: "pengiriman terlambat",
        C.WORKMANSHIP: "hasil pekerjaan",
        C.PRODUCT_DEFECT: "kerusakan produk",
        C.TECHNICIAN_CONDUCT: "sikap teknisi",
        C.BILLING: "tagihan",
        C.OTHER: "lainnya",
    },
    Language.EN: {
        C.LATE_VISIT: "late visit",
        C.LATE_DELIVERY: "late delivery",
        C.WORKMANSHIP: "workmanship",
        C.PRODUCT_DEFECT: "product defect",
        C.TECHNICIAN_CONDUCT: "technician conduct",
        C.BILLING: "billing",
        C.OTHER: "other",
    },
}
DEADLINES: dict[Deadline, str] = {"response": "tanggapan", "resolution": "penyelesaian"}
NO_NOTE = {Language.ID: "lihat catatan kami", Language.EN: "see our note"}


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What a complaint's messages mention, loaded once."""

    complaint: Complaint
    customer: Customer
    asset: Asset
    region: Region


def facts_of(session: Session, complaint: Complaint) -> ComplaintFacts:
    """The complaint with its customer, asset and region."""
    customer = session.get(Customer, complaint.customer_id)
    asset = session.get(Asset, complaint.asset_id)
    region = session.get(Region, complaint.region_id)
    if customer is None or asset is None or region is None:
        raise LookupError(f"complaint {complaint.id} lacks its customer, asset or region.")
    return ComplaintFacts(complaint, customer, asset, region)


def moment_text(moment: datetime, region: Region, language: Language) -> str:
    """`Selasa, 10 Maret 2026 13.00 WIB`: a deadline in the region's local time."""
    local = moment.astimezone(region.zone)
    zone_name = local.tzname() or ""
    clock = texts.time_text(moment, region.zone, language)
    return f"{texts.day_text(local.date(), language)} {clock} {zone_name}".strip()


def queue_received(session: Session, facts: ComplaintFacts, now: datetime) -> bool:
    """Step: tell the customer the complaint is received, with its deadlines."""
    complaint, language = facts.complaint, facts.customer.language
    context = {
        "complaint_id": str(complaint.id),
        "category": CATEGORIES[language][complaint.category],
        "respond_by": moment_text(complaint.response_due_at, facts.region, language),
        "resolve_by": moment_text(complaint.resolution_due_at, facts.region, language),
    }
    key = f"complaint:{complaint.id}:received"
    return _to_customer(session, facts, MessageKind.COMPLAINT_RECEIVED, key, now, context)


def queue_resolved(session: Session, facts: ComplaintFacts, now: datetime) -> bool:
    """Step: tell the customer the complaint is resolved, and how to reopen it."""
    complaint, language = facts.complaint, facts.customer.language
    context = {
        "complaint_id": str(complaint.id),
        "category": CATEGORIES[language][complaint.category],
        "note": complaint.note or NO_NOTE[language],
    }
    key = f"complaint:{complaint.id}:resolved:{complaint.reopened_count}"
    return _to_customer(session, facts, MessageKind.COMPLAINT_RESOLVED, key, now, context)


def breach_key(complaint_id: int | None, deadline: Deadline) -> str:
    """The idempotency key of a breach alert: one per complaint and deadline."""
    return f"complaint:{complaint_id}:breach:{deadline}"


def queue_breach(
    session: Session,
    facts: ComplaintFacts,
    deadline: Deadline,
    owner: str,
    now: datetime,
    email: str | None,
) -> bool:
    """Step: alert the region's dispatchers that the complaint missed a deadline."""
    complaint, language = facts.complaint, compose.DISPATCH_LANGUAGE
    due = complaint.response_due_at if deadline == "response" else complaint.resolution_due_at
    context = {
        "complaint_id": str(complaint.id),
        "category": CATEGORIES[language][complaint.category],
        "product": compose.product_name(facts.asset),
        "customer": f"{facts.customer.name} ({facts.customer.phone})",
        "deadline": DEADLINES[deadline],
        "due": moment_text(due, facts.region, language),
        "status": str(complaint.status),
        "owner": owner,
        "region": facts.region.code,
    }
    draft = compose.for_dispatchers(
        facts.region,
        MessageKind.COMPLAINT_SLA_BREACH,
        breach_key(complaint.id, deadline),
        now,
        context,
        email,
        customer_id=facts.customer.id,
    )
    return outbox.enqueue(session=session, draft=draft)


def _to_customer(
    session: Session,
    facts: ComplaintFacts,
    kind: MessageKind,
    key: str,
    now: datetime,
    context: dict[str, str],
) -> bool:
    draft = compose.for_asset(
        facts.customer, facts.asset, kind, key, now, context, region_id=facts.region.id
    )
    return outbox.enqueue(session=session, draft=draft)
