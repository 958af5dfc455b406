"""The world of the generated authorisation suite: foreign objects of every kind in region a
(a customer with marked personal data, its asset, request, booking, complaint, warranty
outcome, survey; region a's visit, plan, solve job, technician, route and absence) and callers
who own none of them: nobody, a customer of region b, a dispatcher of region b, a technician of
region b. An admin checks that every foreign id is real.

Every string of a foreign object that would identify it (name, phone, e-mail, address, serial
number, description, survey token) is a MARKER: no answer to an outside caller may hold one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.asset.models import Asset
from dispatch.customer.models import Customer
from dispatch.feedback import service as feedback_service
from dispatch.jobs import service as job_service
from dispatch.jobs.models import JobKind
from dispatch.parts import service as parts_service
from dispatch.parts.models import LocationKind, StockLocationCreate
from dispatch.planning import service as planning_service
from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.technician.models import Technician
from dispatch.visit.models import VisitStatus
from dispatch.warranty_outcome import service as outcome_service
from dispatch.warranty_outcome.models import Decision, WarrantyOutcome, WarrantyOutcomeCreate
from dispatch.workshop import booking as bay_booking
from dispatch.workshop.models import WorkshopBookingCreate
from tests.api.dispatch_support import FAST
from tests.dispatch.planning_day import KEMANG, add_visit, two_technicians
from tests.dispatch.workshop_support import make_workshop
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_complaint,
    make_customer,
    make_motorcycle_model,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

FOREIGN_CUSTOMER = {
    "name": "Ratna Canary-Sari",
    "phone": "+62 899 7777 4242",
    "email": "ratna.canary@example.id",
    "address": "Jl. Kenari Rahasia 77, Jakarta Selatan",
}
FOREIGN_SERIAL = "SN-CANARY-4242"
FOREIGN_DESCRIPTION = "canary: the unit drips onto the sofa"
FOREIGN_TECHNICIAN = "Joko Canary"
FOREIGN_WAREHOUSE = "Gudang Canary"
FOREIGN_COMPLAINT = "canary: the installer left a hole in the wall"
FOREIGN_OUTCOME = "canary: the compressor was not in stock"
CALLERS = ("anonymous", "customer", "dispatcher", "technician")


@dataclass
class Foreign:
    """The ids (path values) of the foreign objects, their markers, and the callers' tokens."""

    ids: dict[str, Any]
    markers: tuple[str, ...]
    tokens: dict[str, str] = field(default_factory=dict)


def build(session: Session) -> Foreign:
    """Create region a's foreign objects and region b's callers; the ids and tokens."""
    region_a = make_region(session, name="Jakarta Selatan")
    techs = two_technicians(session, region_a)
    lead = make_technician(
        session, region=region_a, name=FOREIGN_TECHNICIAN, start_lat=KEMANG[0], start_lon=KEMANG[1]
    )
    make_weekly_pattern(session, lead)
    customer = make_customer(session, region_id=region_a.id, **FOREIGN_CUSTOMER)
    asset = make_asset(session, customer=customer, serial_number=FOREIGN_SERIAL)
    request = make_request(session, asset=asset, region=region_a, description=FOREIGN_DESCRIPTION)
    booking = make_visit(
        session,
        request=request,
        address=FOREIGN_CUSTOMER["address"],
        lat=KEMANG[0],
        lon=KEMANG[1],
        window_start=local(DAY, 8),
        window_end=local(DAY, 12),
    )
    add_visit(session, region_a, KEMANG, 13)
    plan = planning_service.plan_day(session=session, region=region_a, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan)
    done = make_visit(
        session,
        request=make_request(session, asset=asset, region=region_a),
        status=VisitStatus.COMPLETED,
        technician=techs[0],
        day=DAY - timedelta(days=1),
    )
    complaint = make_complaint(
        session, asset=asset, region=region_a, visit_id=booking.id, text=FOREIGN_COMPLAINT
    )
    outcome = _warranty_outcome(session, asset, region_a, techs[0])
    survey_token = feedback_service.issue(
        session=session, visit=done, now=local(DAY, 18), valid_days=3650
    )
    session.commit()
    job = job_service.create(
        session=session,
        region=region_a,
        day=DAY + timedelta(days=7),
        kind=JobKind.PLAN,
        time_limit_s=1.0,
    )
    shift_service.add_exception(
        session=session,
        technician=lead,
        exception_in=ShiftExceptionCreate(day=DAY + timedelta(days=1), kind=ExceptionKind.LEAVE),
    )
    assert survey_token is not None
    warehouse = parts_service.create_location(
        session=session,
        location_in=StockLocationCreate(
            kind=LocationKind.WAREHOUSE, name=FOREIGN_WAREHOUSE, region_id=region_a.id
        ),
    )
    workshop, bay = _workshop_booking(session, region_a, customer)
    foreign = Foreign(
        ids={
            "region": region_a.code,
            "day": str(DAY),
            "technician_id": lead.id,
            "visit_id": booking.id,
            "plan_id": plan.id,
            "job_id": job.id,
            "booking_id": booking.id,
            "request_id": request.id,
            "customer_id": customer.id,
            "asset_id": asset.id,
            "region_id": region_a.id,
            "absence_day": str(DAY + timedelta(days=1)),
            "survey_token": survey_token,
            "product_model_id": asset.product_model_id,
            "location_id": warehouse.id,
            "from_location_id": warehouse.id,
            "to_location_id": warehouse.id,
            "workshop_id": workshop,
            "workshop_booking_id": bay,
            "complaint_id": complaint.id,
            "outcome_id": outcome.id,
        },
        markers=(
            *FOREIGN_CUSTOMER.values(),
            FOREIGN_SERIAL,
            FOREIGN_DESCRIPTION,
            FOREIGN_COMPLAINT,
            FOREIGN_OUTCOME,
            FOREIGN_TECHNICIAN,
            FOREIGN_WAREHOUSE,
            survey_token,
        ),
    )
    foreign.tokens = _callers(session, foreign)
    return foreign


def _workshop_booking(session: Session, region: Region, customer: Customer) -> tuple[int, int]:
    """A workshop of region a (public business data) and the foreign customer's bay booking."""
    bike = make_asset(
        session, customer=customer, product_model=make_motorcycle_model(session),
        lat=KEMANG[0], lon=KEMANG[1],
    )  # fmt: skip
    workshop = make_workshop(session, region)
    admin, _ = account_service.create(
        session=session, user_in=UserCreate(name="world-admin", role=Role.ADMIN)
    )
    booking_in = WorkshopBookingCreate(
        workshop_id=workshop.id or 0, asset_id=bike.id or 0,
        kind=VisitKind.OIL_CHANGE, slot_start=local(DAY, 9),
    )  # fmt: skip
    booking, _ = bay_booking.book(
        session=session, user_id=admin.id or 0, idempotency_key="world",
        booking_in=booking_in, asset=bike, now=local(DAY, 7),
    )  # fmt: skip
    return workshop.id or 0, booking.id or 0


def _warranty_outcome(
    session: Session, asset: Asset, region: Region, technician: Technician
) -> WarrantyOutcome:
    """A warranty repair of the asset that failed two days before DAY, decided: repair again."""
    repair = make_request(session, asset=asset, region=region, kind=VisitKind.REPAIR)
    make_visit(
        session,
        request=repair,
        status=VisitStatus.FAILED,
        technician=technician,
        day=DAY - timedelta(days=2),
    )
    outcome_in = WarrantyOutcomeCreate(
        asset_id=asset.id or 0, decision=Decision.REPAIR_AGAIN, reason=FOREIGN_OUTCOME
    )
    return outcome_service.decide(
        session=session,
        asset=asset,
        outcome_in=outcome_in,
        region=region,
        user_id=None,
        at=local(DAY, 18),
    )


def _callers(session: Session, foreign: Foreign) -> dict[str, str]:
    """A customer, a dispatcher and a technician of region b, and an admin."""
    region_b: Region = make_region(session, name="Jakarta Barat")
    [tech_b, _] = two_technicians(session, region_b)
    customer_b = make_customer(session, region_id=region_b.id, name="Budi", phone="+62 811 1")
    make_asset(session, customer=customer_b)
    specs: dict[str, dict[str, Any]] = {
        "customer": {"role": Role.CUSTOMER, "customer_id": customer_b.id},
        "dispatcher": {"role": Role.DISPATCHER, "region_codes": [region_b.code]},
        "technician": {"role": Role.TECHNICIAN, "technician_id": tech_b.id},
        "admin": {"role": Role.ADMIN},
    }
    tokens = {}
    for name, spec in specs.items():
        _, tokens[name] = account_service.create(
            session=session, user_in=UserCreate(name=f"outside {name}", **spec)
        )
    return tokens
