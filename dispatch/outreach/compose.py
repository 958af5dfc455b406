"""Turn a visit (or an asset) and a kind of message into a rendered Draft, with its key.

Idempotency keys name the object and the kind: `visit:12:survey`, `visit:12:booking:<window>`
(a booking notice per promised window, so a reschedule gets its own), `asset:7:service_due:2`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from dispatch.asset.models import Asset
from dispatch.customer.models import Customer, Language
from dispatch.outreach import templates, texts
from dispatch.outreach.models import Audience, MessageKind
from dispatch.outreach.outbox import Draft
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit

OUR_TECHNICIAN = {Language.ID: "teknisi kami", Language.EN: "our technician"}
AND = {Language.ID: "dan", Language.EN: "and"}
DISPATCH_LANGUAGE = Language.ID  # dispatchers work in Indonesian


@dataclass(frozen=True, slots=True)
class VisitFacts:
    """Everything a visit's messages mention, loaded once."""

    visit: Visit
    request: ServiceRequest
    customer: Customer
    asset: Asset
    region: Region
    technician: Technician | None
    # A crew visit's technicians, the planned one first; () for a visit served alone.
    crew: tuple[Technician, ...] = ()

    @property
    def technicians(self) -> tuple[Technician, ...]:
        """Who serves the visit: its crew, or its planned technician alone (or nobody yet)."""
        if self.crew:
            return self.crew
        return (self.technician,) if self.technician else ()


def facts_of(session: Session, visit: Visit) -> VisitFacts:
    """The visit with its request, customer, asset, region, planned technician and crew."""
    request = visit.request
    customer = session.get(Customer, request.customer_id)
    asset = session.get(Asset, request.asset_id)
    region = session.get(Region, visit.region_id)
    if customer is None or asset is None or region is None:
        raise LookupError(f"visit {visit.id} lacks its customer, asset or region.")
    technician_id = visit.planned_technician_id
    technician = session.get(Technician, technician_id) if technician_id else None
    return VisitFacts(visit, request, customer, asset, region, technician, _crew(session, visit))


def _crew(session: Session, visit: Visit) -> tuple[Technician, ...]:
    """The crew visit's technicians, the planned technician first; () when served alone."""
    ids = crew.members(session=session, visit_ids=[visit.id or 0]).get(visit.id or 0, [])
    ordered = sorted(ids, key=lambda t: t != visit.planned_technician_id)
    found = [session.get(Technician, t) for t in ordered]
    return tuple(t for t in found if t is not None) if len(ids) > 1 else ()


def names_text(names: Sequence[str], language: Language) -> str:
    """`Budi`, `Budi dan Agus`, `Budi, Agus dan Dewi` (in English: and)."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {AND[language]} {names[-1]}"


def technician_text(facts: VisitFacts, language: Language) -> str:
    """Who comes, as a customer is told: the first names of the visit's technicians (a crew's
    every member), or "our technician" before anyone is planned."""
    names = [texts.first_name(t.name) for t in facts.technicians]
    return names_text(names, language) if names else OUR_TECHNICIAN[language]


def visit_key(visit_id: int | None, part: str, suffix: str | None = None) -> str:
    """`visit:<id>:<part>[:<suffix>]`."""
    return f"visit:{visit_id}:{part}" + (f":{suffix}" if suffix else "")


def window_stamp(moment: datetime) -> str:
    """A window start as a compact UTC stamp for keys: 20260310T0200Z."""
    return moment.strftime("%Y%m%dT%H%MZ")


def product_name(asset: Asset) -> str:
    """`Sejuk AC Split 1 PK`."""
    return f"{asset.product_model.brand} {asset.product_model.name}"


def visit_context(facts: VisitFacts, language: Language) -> dict[str, str]:
    """The fields every visit message may use, in the customer's language."""
    visit, tz = facts.visit, facts.region.zone
    start, end = visit.window_start, visit.window_end
    return {
        "name": facts.customer.name,
        "product": product_name(facts.asset),
        "what": texts.VISIT_KINDS[language][facts.request.kind],
        "date": texts.day_text(start.astimezone(tz).date(), language) if start else "-",
        "window": texts.window_text(start, end, tz, language) if start and end else "-",
        "address": visit.address,
        "technician": technician_text(facts, language),
    }


def for_customer(
    facts: VisitFacts,
    kind: MessageKind,
    key: str,
    not_before: datetime,
    extra: dict[str, str] | None = None,
) -> Draft:
    """A message about the visit to its customer, in the customer's language."""
    language = facts.customer.language
    context = visit_context(facts, language) | (extra or {})
    return _draft(
        kind,
        key,
        facts.customer,
        language,
        context,
        not_before,
        visit_id=facts.visit.id,
        region_id=facts.region.id,
    )


def for_asset(
    customer: Customer,
    asset: Asset,
    kind: MessageKind,
    key: str,
    not_before: datetime,
    context: dict[str, str],
    region_id: int | None,
    data: dict[str, Any] | None = None,
) -> Draft:
    """A message about an asset (a service falling due, an ending warranty, a bay booked) to
    its owner; data is kept with the message beside the context (what delivery checks)."""
    language = customer.language
    full = {"name": customer.name, "product": product_name(asset)} | context
    kept = {"asset_id": asset.id} | (data or {})
    return _draft(kind, key, customer, language, full, not_before, region_id=region_id, data=kept)


def for_customer_only(
    customer: Customer,
    kind: MessageKind,
    key: str,
    not_before: datetime,
    context: dict[str, str],
    region_id: int | None,
) -> Draft:
    """A message to the customer about no visit or unit (a voucher), in the customer's language."""
    full = {"name": customer.name} | context
    return _draft(kind, key, customer, customer.language, full, not_before, region_id=region_id)


def dispatcher_alert(
    facts: VisitFacts, key: str, not_before: datetime, extra: dict[str, str], email: str | None
) -> Draft:
    """An alert to the region's dispatchers about the visit."""
    context = visit_context(facts, DISPATCH_LANGUAGE) | {
        "visit_id": str(facts.visit.id),
        "region": facts.region.code,
        "customer": f"{facts.customer.name} ({facts.customer.phone})",
        "technician": names_text([t.name for t in facts.technicians], DISPATCH_LANGUAGE) or "-",
    }
    return for_dispatchers(
        facts.region,
        MessageKind.DISPATCHER_ALERT,
        key,
        not_before,
        context | extra,
        email,
        customer_id=facts.customer.id,
        visit_id=facts.visit.id,
    )


def for_dispatchers(
    region: Region,
    kind: MessageKind,
    key: str,
    not_before: datetime,
    context: dict[str, str],
    email: str | None,
    *,
    customer_id: int | None = None,
    visit_id: int | None = None,
) -> Draft:
    """A message to the region's dispatchers, in the language they work in."""
    language = DISPATCH_LANGUAGE
    rendered = templates.render(kind, language, context)
    return Draft(
        kind=kind,
        idempotency_key=key,
        audience=Audience.DISPATCHER,
        language=language,
        recipient_name=f"dispatch {region.code}",
        recipient_email=email,
        subject=rendered.subject,
        body=rendered.body,
        next_attempt_at=not_before,
        visit_id=visit_id,
        customer_id=customer_id,
        region_id=region.id,
        data=context,
    )


def _draft(
    kind: MessageKind,
    key: str,
    customer: Customer,
    language: Language,
    context: dict[str, str],
    not_before: datetime,
    *,
    visit_id: int | None = None,
    region_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Draft:
    rendered = templates.render(kind, language, context)
    return Draft(
        kind=kind,
        idempotency_key=key,
        audience=Audience.CUSTOMER,
        language=language,
        recipient_name=customer.name,
        recipient_phone=customer.phone,
        recipient_email=customer.email,
        subject=rendered.subject,
        body=rendered.body,
        next_attempt_at=not_before,
        visit_id=visit_id,
        customer_id=customer.id,
        region_id=region_id,
        data=context | (data or {}) | ({"visit_id": visit_id} if visit_id else {}),
    )
