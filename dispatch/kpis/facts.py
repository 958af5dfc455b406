"""Read the facts of a period from the tables: one query per kind of fact (and two per day for
shifts), then each row placed on its local day in its region's time zone."""

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.complaint.models import Complaint
from dispatch.entitlement.models import Entitlement
from dispatch.feedback.models import Survey
from dispatch.kpis import voucher_facts
from dispatch.kpis.models import (
    DurationFact,
    EntitlementFact,
    Facts,
    ShiftFact,
    SurveyFact,
    VisitFact,
)
from dispatch.region.models import Region
from dispatch.request.models import RequestStatus, ServiceRequest
from dispatch.shift import service as shift_service
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit, VisitStatus

ENDED = (VisitStatus.COMPLETED, VisitStatus.FAILED)


class Period:
    """The local days start..end in each region, and the UTC span that covers them all."""

    def __init__(self, regions: Sequence[Region], start: date, end: date) -> None:
        self.start, self.end = start, end
        self.zones: dict[int, ZoneInfo] = {r.id or 0: r.zone for r in regions}
        zones = list(self.zones.values()) or [localtime.zone("UTC")]
        self.lo = min(localtime.local_midnight(start, z) for z in zones)
        self.hi = max(localtime.local_midnight(end + timedelta(days=1), z) for z in zones)

    def day(self, region_id: int, moment: datetime) -> date | None:
        """The local day of moment in the region, or None when it falls outside the period."""
        day = localtime.local_day(moment, self.zones[region_id])
        return day if self.start <= day <= self.end else None

    def days(self) -> list[date]:
        """The local days of the period, in order."""
        count = (self.end - self.start).days + 1
        return [self.start + timedelta(days=i) for i in range(count)]


def load(
    *,
    session: Session,
    regions: Sequence[Region],
    start: date,
    end: date,
    as_of: date,
    all_regions: bool,
) -> Facts:
    """The facts of the period in these regions (entitlements of unplaced assets: all_regions)."""
    period = Period(regions, start, end)
    visits = _visits(session, period)
    issued, redeemed = voucher_facts.vouchers(session, period, all_regions)
    return Facts(
        visits=visits,
        surveys=_surveys(session, period),
        responses=_responses(session, period),
        resolutions=_resolutions(session, period),
        shifts=_shifts(session, period, {t for v in visits for t in (v.technician_id, *v.crew)}),
        entitlements=_entitlements(session, period, as_of, all_regions),
        vouchers_issued=issued,
        vouchers_redeemed=redeemed,
        repeats=voucher_facts.repeats(session, period, visits, all_regions),
        complaint_responses=_complaint_responses(session, period),
        complaint_resolutions=_complaint_resolutions(session, period),
    )


def _visits(session: Session, period: Period) -> list[VisitFact]:
    rows = session.exec(
        select(Visit).where(
            col(Visit.region_id).in_(list(period.zones)),
            col(Visit.status).in_(ENDED),
            col(Visit.ended_at) >= period.lo,
            col(Visit.ended_at) < period.hi,
        )
    ).all()
    crews = crew.members(session=session, visit_ids=[v.id or 0 for v in rows])
    facts = []
    for v in rows:
        day = period.day(v.region_id, v.ended_at) if v.ended_at else None
        if day is None or v.ended_at is None:
            continue
        facts.append(
            VisitFact(
                visit_id=v.id or 0,
                region_id=v.region_id,
                technician_id=v.planned_technician_id,
                day=day,
                status=v.status,
                follow_up=v.follow_up_of_id is not None,
                failure_reason=v.failure_reason,
                window_start=v.window_start,
                window_end=v.window_end,
                en_route_at=v.en_route_at,
                arrived_at=v.arrived_at,
                started_at=v.started_at,
                ended_at=v.ended_at,
                kind=str(v.request.kind),
                crew=_crew_of(v, crews),
            )
        )
    return facts


def _surveys(session: Session, period: Period) -> list[SurveyFact]:
    rows = session.exec(
        select(Survey, Visit)
        .join(Visit, col(Visit.id) == col(Survey.visit_id))
        .where(
            col(Survey.answered_at).is_not(None),
            col(Visit.region_id).in_(list(period.zones)),
            col(Visit.ended_at) >= period.lo,
            col(Visit.ended_at) < period.hi,
        )
    ).all()
    crews = crew.members(session=session, visit_ids=[visit.id or 0 for _, visit in rows])
    facts = []
    for survey, visit in rows:
        day = period.day(visit.region_id, visit.ended_at) if visit.ended_at else None
        if day is None or survey.csat is None or survey.nps is None or survey.ces is None:
            continue
        facts.append(
            SurveyFact(
                visit.region_id,
                visit.planned_technician_id,
                day,
                survey.csat,
                survey.nps,
                survey.ces,
                _crew_of(visit, crews),
            )
        )
    return facts


def _responses(session: Session, period: Period) -> list[DurationFact]:
    """Requests opened in the period that were answered: opened -> first response."""
    return _first_responses(session, period, ServiceRequest, lambda r: f"request:{r.kind}")


def _resolutions(session: Session, period: Period) -> list[DurationFact]:
    """Requests resolved in the period: opened -> resolved, by the technician who resolved it."""
    rows = session.exec(
        select(ServiceRequest, Visit)
        .outerjoin(
            Visit,
            and_(
                col(Visit.request_id) == col(ServiceRequest.id),
                col(Visit.status) == VisitStatus.COMPLETED,
            ),
        )
        .where(
            col(ServiceRequest.region_id).in_(list(period.zones)),
            ServiceRequest.status == RequestStatus.RESOLVED,
            col(ServiceRequest.resolved_at) >= period.lo,
            col(ServiceRequest.resolved_at) < period.hi,
        )
        .order_by(col(ServiceRequest.id), col(Visit.ended_at))
    ).all()
    resolver: dict[int, tuple[ServiceRequest, Visit | None]] = {}
    for request, visit in rows:  # the last completed visit resolved the request
        resolver[request.id or 0] = (request, visit)
    visit_ids = [v.id or 0 for _, v in resolver.values() if v is not None]
    crews = crew.members(session=session, visit_ids=visit_ids)
    facts = []
    for request, resolving in resolver.values():
        resolved = request.resolved_at
        day = period.day(request.region_id, resolved) if resolved else None
        if day is not None and resolved is not None:
            duration_s = (resolved - request.created_at).total_seconds()
            facts.append(
                DurationFact(
                    request.region_id,
                    resolving.planned_technician_id if resolving else None,
                    day,
                    duration_s,
                    f"request:{request.kind}",
                    _crew_of(resolving, crews) if resolving else (),
                )
            )
    return facts


def _crew_of(visit: Visit, crews: dict[int, list[int]]) -> tuple[int, ...]:
    """The crew visit's technicians, its planned technician first; () when served alone."""
    members = crews.get(visit.id or 0, [])
    if len(members) < 2:
        return ()
    return tuple(sorted(members, key=lambda t: t != visit.planned_technician_id))


def _complaint_responses(session: Session, period: Period) -> list[DurationFact]:
    """Complaints filed in the period that were answered: filed -> first response."""
    return _first_responses(session, period, Complaint, lambda c: f"complaint:{c.category}")


def _first_responses(
    session: Session, period: Period, table: Any, category: Callable[[Any], str]
) -> list[DurationFact]:
    """Rows of table (requests, complaints) opened in the period and answered, placed on the
    day they were opened: opened -> first response."""
    rows = session.exec(
        select(table).where(
            col(table.region_id).in_(list(period.zones)),
            col(table.created_at) >= period.lo,
            col(table.created_at) < period.hi,
            col(table.first_response_at).is_not(None),
        )
    ).all()
    facts = []
    for row in rows:
        day = period.day(row.region_id, row.created_at)
        if day is not None and row.first_response_at is not None:
            wait_s = (row.first_response_at - row.created_at).total_seconds()
            facts.append(DurationFact(row.region_id, None, day, wait_s, category(row)))
    return facts


def _complaint_resolutions(session: Session, period: Period) -> list[DurationFact]:
    """Complaints resolved (or closed after resolution) in the period: filed -> resolved."""
    rows = session.exec(
        select(Complaint).where(
            col(Complaint.region_id).in_(list(period.zones)),
            col(Complaint.resolved_at) >= period.lo,
            col(Complaint.resolved_at) < period.hi,
        )
    ).all()
    facts = []
    for c in rows:
        day = period.day(c.region_id, c.resolved_at) if c.resolved_at else None
        if day is not None and c.resolved_at is not None:
            duration_s = (c.resolved_at - c.created_at).total_seconds()
            category = f"complaint:{c.category}"
            facts.append(DurationFact(c.region_id, None, day, duration_s, category))
    return facts


def _shifts(session: Session, period: Period, served: set[int | None]) -> list[ShiftFact]:
    """Working time per technician and day: the region's active technicians and whoever served."""
    technicians = session.exec(
        select(Technician).where(
            col(Technician.region_id).in_(list(period.zones))
            & (col(Technician.active).is_(True) | col(Technician.id).in_(served - {None}))
        )
    ).all()
    region_of = {t.id or 0: t.region_id for t in technicians}
    facts = []
    for day in period.days():
        working = shift_service.working_days(
            session=session, technician_ids=list(region_of), day=day
        )
        for technician_id, wd in sorted(working.items()):
            available_s = wd.end_s - wd.start_s - sum(b.duration_s for b in wd.breaks)
            facts.append(ShiftFact(region_of[technician_id], technician_id, day, available_s))
    return facts


def _entitlements(
    session: Session, period: Period, as_of: date, all_regions: bool
) -> list[EntitlementFact]:
    """Entitlements whose last valid day is in the period and already past on as_of."""
    rows = session.exec(
        select(Entitlement).where(
            col(Entitlement.valid_until) >= period.start,
            col(Entitlement.valid_until) <= period.end,
            col(Entitlement.valid_until) < as_of,
        )
    ).all()
    region_of = _asset_regions(session, {e.asset_id for e in rows})
    facts = []
    for e in rows:
        region_id = region_of.get(e.asset_id)
        placed = region_id in period.zones
        if e.valid_until is not None and (placed or (all_regions and region_id is None)):
            facts.append(EntitlementFact(region_id, None, e.valid_until, e.used, e.total))
    return facts


def _asset_regions(session: Session, asset_ids: set[int]) -> dict[int, int]:
    """The region of each asset's latest request (assets carry no region of their own)."""
    if not asset_ids:
        return {}
    rows = session.exec(
        select(ServiceRequest.asset_id, ServiceRequest.region_id)
        .where(col(ServiceRequest.asset_id).in_(asset_ids))
        .order_by(col(ServiceRequest.created_at), col(ServiceRequest.id))
    ).all()
    return dict(rows)  # later rows win: the latest request
