"""The customer is told a warranty outcome in their language: what was decided, why, and what
happens next (key `warranty_outcome:<id>`)."""

from datetime import datetime

from sqlmodel import Session

from dispatch.asset.models import Asset
from dispatch.customer.models import Customer, Language
from dispatch.outreach import compose, outbox
from dispatch.outreach.models import MessageKind
from dispatch.warranty_outcome.models import Decision, WarrantyOutcome

L = Language
DECISIONS: dict[Language, dict[Decision, str]] = {
    L.ID: {
        Decision.REPAIR_AGAIN: "perbaikan ulang",
        Decision.REPLACE: "penggantian dengan unit baru",
        Decision.REFUND: "pengembalian dana",
    },
    L.EN: {
        Decision.REPAIR_AGAIN: "a new repair",
        Decision.REPLACE: "replacement with a new unit",
        Decision.REFUND: "a refund",
    },
}
NEXT_STEPS: dict[Language, dict[Decision, str]] = {
    L.ID: {
        Decision.REPAIR_AGAIN: "Kami akan menghubungi Anda untuk jadwal perbaikan, tanpa biaya.",
        Decision.REPLACE: "Unit pengganti (nomor seri {serial}) terdaftar atas nama Anda"
        "{installation}.",
        Decision.REFUND: "Dana sebesar {amount} akan kami kembalikan; unit lama tidak lagi "
        "dilayani.",
    },
    L.EN: {
        Decision.REPAIR_AGAIN: "We will contact you to book the repair, free of charge.",
        Decision.REPLACE: "The replacement unit (serial number {serial}) is registered to you"
        "{installation}.",
        Decision.REFUND: "We will refund {amount}; the old unit is no longer serviced.",
    },
}
INSTALLATION = {
    L.ID: "; pemasangannya akan dijadwalkan tanpa biaya",
    L.EN: "; its installation will be booked free of charge",
}


def rupiah(amount: int, language: Language) -> str:
    """`Rp 3.500.000` in Indonesian, `IDR 3,500,000` in English."""
    grouped = f"{amount:,}"
    return f"Rp {grouped.replace(',', '.')}" if language is L.ID else f"IDR {grouped}"


def queue_decided(session: Session, outcome: WarrantyOutcome, asset: Asset, now: datetime) -> bool:
    """Step: tell the unit's owner what was decided, why and what comes next."""
    customer = session.get(Customer, asset.customer_id)
    if customer is None:
        raise LookupError(f"asset {asset.id} lacks its customer.")
    language = customer.language
    replacement = session.get(Asset, outcome.replacement_asset_id or 0)
    next_step = NEXT_STEPS[language][outcome.decision].format(
        serial=replacement.serial_number if replacement else "-",
        installation=INSTALLATION[language] if outcome.installation_request_id else "",
        amount=rupiah(outcome.refund_amount or 0, language),
    )
    context = {
        "decision": DECISIONS[language][outcome.decision],
        "reason": outcome.reason,
        "next_step": next_step,
        "outcome_id": str(outcome.id),
    }
    draft = compose.for_asset(
        customer,
        asset,
        MessageKind.WARRANTY_OUTCOME,
        f"warranty_outcome:{outcome.id}",
        now,
        context,
        region_id=outcome.region_id,
    )
    return outbox.enqueue(session=session, draft=draft)
