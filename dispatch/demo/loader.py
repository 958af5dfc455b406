"""load_demo: put the generated demo business into the database through the services, once.

Every row has a natural key (region code, brand and name, technician name in its region,
customer phone, serial number; a survey its visit), so a second run finds what is there and adds
nothing; a run cut short is completed by the next one. A region's requests and visits go in
one transaction, so they are there entirely or not at all; a survey goes in with its answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.asset import service as asset_service
from dispatch.asset.models import Asset, AssetCreate
from dispatch.customer import service as customer_service
from dispatch.customer.models import Customer, CustomerCreate, Language
from dispatch.demo import after_sales
from dispatch.demo.catalogue import MAX_OVERTIME_S, TIMEZONE, WORKWEEK
from dispatch.demo.generate import SEED, generate
from dispatch.demo.handover import load_handover
from dispatch.demo.parts import load_parts
from dispatch.demo.specs import DemoData, DemoSize, JobSpec, SurveySpec, VisitSpec, product_key
from dispatch.demo.surveys import SURVEY_VALID_DAYS
from dispatch.demo.vouchers import load_vouchers
from dispatch.demo.workshops import load_workshops
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import Survey, SurveyAnswer
from dispatch.product import service as product_service
from dispatch.product.models import ProductModel
from dispatch.region import service as region_service
from dispatch.region.models import Region, RegionCreate
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest, ServiceRequestCreate
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician, TechnicianCreate
from dispatch.visit import crew as visit_crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import WORKING_HOURS, FailureReason, Visit, VisitCreate, VisitStatus

S = VisitStatus


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a load added (all zero when the demo was already there)."""

    regions: int = 0
    product_models: int = 0
    technicians: int = 0
    customers: int = 0
    assets: int = 0
    requests: int = 0
    visits: int = 0
    surveys: int = 0
    parts: int = 0
    stock_locations: int = 0
    workshops: int = 0
    vouchers: int = 0
    complaints: int = 0
    warranty_outcomes: int = 0
    deliveries: int = 0
    trainings: int = 0

    def counts(self) -> dict[str, int]:
        """The counts by name, in loading order."""
        return asdict(self)


def load_demo(
    session: Session,
    *,
    today: date | None = None,
    seed: int = SEED,
    size: DemoSize | None = None,
) -> DemoSummary:
    """Load the demo business around today (default: today in Jakarta); idempotent."""
    if today is None:
        today = localtime.local_day(localtime.utc_now(), localtime.zone(TIMEZONE))
    data = generate(today, seed=seed, size=size)
    expire_on_commit = session.expire_on_commit
    # The services commit often; reloading every row we hold after each commit would make
    # loading several times slower, and nobody else writes these rows meanwhile.
    session.expire_on_commit = False
    try:
        return _load(session, data, today)
    finally:
        session.expire_on_commit = expire_on_commit


def _load(session: Session, data: DemoData, today: date) -> DemoSummary:
    regions, n_regions = _regions(session, data)
    products, n_products = _products(session, data)
    technicians, n_technicians = _technicians(session, data, regions)
    customers, n_customers = _customers(session, data)
    assets, n_assets = _assets(session, data, customers, products)
    n_parts, n_locations = load_parts(session, products, regions, technicians)
    n_requests = n_visits = 0
    for code, region in regions.items():
        jobs = [j for j in data.jobs if j.region == code]
        added = _activity(session, region, jobs, technicians, assets)
        n_requests, n_visits = n_requests + added[0], n_visits + added[1]
    n_surveys = _surveys(session, data)
    n_workshops = load_workshops(session, regions)
    n_vouchers = load_vouchers(session, today)
    handover = load_handover(session, today)
    n_complaints = after_sales.load_complaints(session, today)
    n_outcomes = after_sales.load_outcomes(session, today)
    return DemoSummary(
        n_regions,
        n_products + handover.product_models,
        n_technicians,
        n_customers,
        n_assets + handover.assets,
        n_requests + handover.requests,
        n_visits + handover.visits,
        n_surveys + handover.surveys,
        n_parts,
        n_locations,
        n_workshops,
        n_vouchers,
        n_complaints + handover.complaints,
        n_outcomes,
        handover.deliveries,
        handover.trainings,
    )


def _regions(session: Session, data: DemoData) -> tuple[dict[str, Region], int]:
    result, added = {}, 0
    for facts in data.regions:
        region = region_service.get_by_code(session=session, code=facts.code)
        if region is None:
            region_in = RegionCreate(code=facts.code, name=facts.name, timezone=TIMEZONE)
            region = region_service.create(session=session, region_in=region_in)
            added += 1
        result[facts.code] = region
    return result, added


def _products(session: Session, data: DemoData) -> tuple[dict[str, ProductModel], int]:
    have = {f"{p.brand} {p.name}": p for p in session.exec(select(ProductModel)).all()}
    added = 0
    for product_in in data.products:
        if product_key(product_in) not in have:
            created = product_service.create(session=session, product_model_in=product_in)
            have[product_key(product_in)] = created
            added += 1
    return have, added


def _technicians(
    session: Session, data: DemoData, regions: dict[str, Region]
) -> tuple[dict[tuple[str, str], Technician], int]:
    """Technicians by (region code, name), with the work week and their days off."""
    code_of = {r.id: code for code, r in regions.items()}
    query = select(Technician).where(col(Technician.region_id).in_(list(code_of)))
    have = {(code_of[t.region_id], t.name): t for t in session.exec(query).all()}
    added = 0
    for spec in data.technicians:
        if (spec.region, spec.name) in have:
            continue
        technician_in = TechnicianCreate(
            name=spec.name,
            phone=spec.phone,
            region_id=regions[spec.region].id or 0,
            start_lat=spec.centre.lat,
            start_lon=spec.centre.lon,
            start_label=f"service centre {spec.centre.name}",
            max_overtime_s=MAX_OVERTIME_S,
            skills=list(spec.skills),
        )
        technician = technician_service.create(session=session, technician_in=technician_in)
        shift_service.set_weekly_pattern(session=session, technician=technician, shifts=WORKWEEK)
        for day in spec.leave:
            leave = ShiftExceptionCreate(day=day, kind=ExceptionKind.LEAVE, note="cuti")
            shift_service.add_exception(session=session, technician=technician, exception_in=leave)
        have[(spec.region, spec.name)] = technician
        added += 1
    return have, added


def _customers(session: Session, data: DemoData) -> tuple[dict[str, Customer], int]:
    phones = [c.phone for c in data.customers]
    query = select(Customer).where(col(Customer.phone).in_(phones))
    have = {c.phone: c for c in session.exec(query).all()}
    added = 0
    for spec in data.customers:
        if spec.phone in have:
            continue
        customer_in = CustomerCreate(
            name=spec.name,
            phone=spec.phone,
            email=spec.email,
            language=Language(spec.language),
            address=spec.address,
            lat=spec.lat,
            lon=spec.lon,
        )
        have[spec.phone] = customer_service.add(session=session, customer_in=customer_in)
        added += 1
    session.commit()
    return have, added


def _assets(
    session: Session,
    data: DemoData,
    customers: dict[str, Customer],
    products: dict[str, ProductModel],
) -> tuple[dict[str, Asset], int]:
    """Units sold, each with the entitlements its product's policy grants."""
    serials = [a.serial for a in data.assets]
    query = select(Asset).where(col(Asset.serial_number).in_(serials))
    have = {a.serial_number: a for a in session.exec(query).all()}
    added = 0
    for spec in data.assets:
        if spec.serial in have:
            continue
        asset_in = AssetCreate(
            customer_id=customers[spec.customer_phone].id or 0,
            product_model_id=products[spec.product].id or 0,
            serial_number=spec.serial,
            purchase_date=spec.purchase_date,
        )
        have[spec.serial] = asset_service.add(session=session, asset_in=asset_in)
        added += 1
    session.commit()
    return have, added


def _activity(
    session: Session,
    region: Region,
    jobs: list[JobSpec],
    technicians: dict[tuple[str, str], Technician],
    assets: dict[str, Asset],
) -> tuple[int, int]:
    """The region's requests and visits in one transaction; nothing when it has requests."""
    where = ServiceRequest.region_id == region.id
    if session.exec(select(func.count()).select_from(ServiceRequest).where(where)).one():
        return 0, 0
    visits = 0
    for job in jobs:
        visits += _job(session, region, job, technicians, assets[job.asset_serial])
    session.commit()
    return len(jobs), visits


def _job(
    session: Session,
    region: Region,
    job: JobSpec,
    technicians: dict[tuple[str, str], Technician],
    asset: Asset,
) -> int:
    """Step: open the request and play its visits; the number of visits it made."""
    request_in = ServiceRequestCreate(
        asset_id=asset.id or 0,
        region_id=region.id or 0,
        kind=job.kind,
        description=job.description,
        priority=job.priority,
        created_at=job.created_at,
    )
    request = request_service.add(session=session, request_in=request_in)
    visit: Visit | None = visit_service.add(
        session=session, visit_in=VisitCreate(request_id=request.id or 0)
    )
    if job.due is not None and visit is not None:
        visit.created_at = job.created_at
        at = job.booked_at or job.created_at
        first, last = job.due
        visit_service.set_due(
            session=session, visit=visit, first=first, last=last, windows=WORKING_HOURS, at=at
        )
        return 1
    made = 0
    for spec in job.visits:
        assert visit is not None  # every visit but the first follows a failed one
        visit.created_at = job.created_at if made == 0 else visit.created_at
        crew = [technicians[(region.code, name)] for name in spec.crew]
        _play(session, visit, spec, technicians.get((region.code, spec.technician or "")), crew)
        made += 1
        failed = visit.status is S.FAILED
        visit = visit_service.follow_up_of(session=session, visit=visit) if failed else None
    return made + (visit is not None)  # a failure's follow-up still waiting to be booked


def _play(
    session: Session,
    visit: Visit,
    spec: VisitSpec,
    technician: Technician | None,
    partners: list[Technician],
) -> None:
    """Step: book the visit; on a past day, plan it (with its crew: the technician and its
    partners) and walk it to completed or failed."""
    visit_service.apply_book(
        session=session,
        visit=visit,
        window_start=spec.window_start,
        window_end=spec.window_end,
        at=spec.booked_at,
    )
    if technician is None or spec.planned_start is None:
        return
    visit_service.set_planned(
        session=session,
        visit=visit,
        technician_id=technician.id or 0,
        start=spec.planned_start,
        end=spec.planned_start + timedelta(seconds=visit.duration_s),
    )
    if partners:
        members = [technician.id or 0, *(p.id or 0 for p in partners)]
        visit_crew.set_members(session=session, visit=visit, technician_ids=members)
    for status, at in ((S.EN_ROUTE, spec.en_route_at), (S.ON_SITE, spec.arrived_at)):
        assert at is not None
        visit_service.apply_transition(session=session, visit=visit, to=status, at=at)
    assert spec.ended_at is not None
    failed = spec.failure_reason is not None
    reason = FailureReason(spec.failure_reason) if spec.failure_reason is not None else None
    visit_service.apply_transition(
        session=session,
        visit=visit,
        to=S.FAILED if failed else S.COMPLETED,
        at=spec.ended_at,
        failure_reason=reason,
    )


def _surveys(session: Session, data: DemoData) -> int:
    """The surveys of completed visits, answered as generated, through the feedback services
    (so one answer each, inside the link's validity); visits that have a survey are skipped.
    A survey is committed with its answer (the service commits), so none is half there."""
    wanted: dict[tuple[str, datetime | None], SurveySpec] = {
        (job.asset_serial, visit.window_start): visit.survey
        for job in data.jobs
        for visit in job.visits
        if visit.survey is not None
    }
    query = (
        select(Visit, Asset.serial_number)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Visit.request_id))
        .join(Asset, col(Asset.id) == col(ServiceRequest.asset_id))
        .outerjoin(Survey, col(Survey.visit_id) == col(Visit.id))
        .where(Visit.status == S.COMPLETED, col(Survey.id).is_(None))
        .order_by(col(Visit.id))
    )
    added = 0
    for visit, serial in session.exec(query).all():
        spec = wanted.get((serial, visit.window_start))
        if spec is not None:
            _survey(session, visit, spec)
            added += 1
    session.commit()
    return added


def _survey(session: Session, visit: Visit, spec: SurveySpec) -> None:
    """Step: issue the visit's survey when it was sent, and answer it when the customer did."""
    feedback_service.issue(
        session=session, visit=visit, now=spec.sent_at, valid_days=SURVEY_VALID_DAYS
    )
    if spec.answer is None:
        return
    survey = feedback_service.get_for_visit(session=session, visit_id=visit.id or 0)
    assert survey is not None  # issued just now
    given = spec.answer
    answer_in = SurveyAnswer(csat=given.csat, nps=given.nps, ces=given.ces, comment=given.comment)
    feedback_service.answer(
        session=session, survey=survey, answer_in=answer_in, now=given.answered_at
    )
