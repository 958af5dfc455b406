"""Planning runs: build a region's day as a problem, solve it, store a draft, publish, re-plan.

A run has three steps that a background job can call apart: build_problem (reads the
database), solve_problem (no database; the slow part, with the routing server's matrix) and
store_plan (one transaction); no transaction stays open across the middle step. Every plan
is checked by the optimizer's independent validator before it is stored; one that breaks a rule
is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.config import Settings
from dispatch.db import commit_or_conflict
from dispatch.errors import Conflict, NotFound, OutOfStock
from dispatch.parts import eligibility, reservations
from dispatch.planning import convert, solving
from dispatch.planning.convert import Crew, DayInput, DayProblem, DaySolution, Excluded, Start
from dispatch.planning.models import Plan, PlanFigures, PlanOptions, PlanState, PlanStop
from dispatch.planning.starts import STARTED, starts_at
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.shift import service as shift_service
from dispatch.technician import service as technician_service
from dispatch.visit import crew, lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit, VisitStatus, arrival_window
from optimizer import Progress

DEFAULT_OPTIONS = PlanOptions()
SHOWN_VIOLATIONS = 5
NO_PART_CARRIER = "no_part_carrier"


def options_from(
    settings: Settings, *, time_limit_s: float, deterministic: bool = False
) -> PlanOptions:
    """The options of a solve started here (endpoint, scheduler, CLI): the time it asks for, the
    deployment's solver threads (SOLVER_THREADS)."""
    return PlanOptions(
        time_limit_s=time_limit_s, deterministic=deterministic, threads=settings.solver_threads
    )


class PlanRejected(Exception):
    """The optimizer's plan breaks a rule of the validator; it is not stored (a solver bug)."""


def get(*, session: Session, plan_id: int) -> Plan | None:
    """The plan with this id, or None."""
    return session.get(Plan, plan_id)


def get_or_raise(*, session: Session, plan_id: int) -> Plan:
    """The plan with this id; raises NotFound."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} does not exist.", loc=("plan_id",))
    return plan


def list_for_day(*, session: Session, region: Region, day: date) -> list[Plan]:
    """The region's plans for the day, newest first."""
    query = select(Plan).where(Plan.region_id == region.id, Plan.day == day)
    return list(session.exec(query.order_by(col(Plan.created_at).desc(), col(Plan.id).desc())))


def current_plan(*, session: Session, region: Region, day: date) -> Plan | None:
    """The day's published plan, else its latest draft, else None."""
    plan_id = current_plan_ids(session=session, region=region, first=day, last=day).get(day)
    return None if plan_id is None else session.get(Plan, plan_id)


def published_plan(*, session: Session, region: Region, day: date) -> Plan | None:
    """The day's published plan, if any."""
    return session.exec(
        select(Plan).where(
            Plan.region_id == region.id, Plan.day == day, Plan.status == PlanState.PUBLISHED
        )
    ).first()


def current_plan_ids(
    *, session: Session, region: Region, first: date, last: date
) -> dict[date, int]:
    """Per day from first to last, the id of the current plan (see current_plan); one query
    over a few columns, since slot offers ask it on every request."""
    rows = session.exec(
        select(col(Plan.id), col(Plan.day), col(Plan.status), col(Plan.created_at)).where(
            Plan.region_id == region.id,
            col(Plan.day) >= first,
            col(Plan.day) <= last,
            col(Plan.status).in_([PlanState.PUBLISHED, PlanState.DRAFT]),
        )
    ).all()
    best: dict[date, tuple[bool, datetime, int]] = {}
    for plan_id, day, status, created_at in rows:
        rank = (status == PlanState.PUBLISHED, created_at, plan_id or 0)
        if day not in best or rank > best[day]:
            best[day] = rank
    return {day: rank[2] for day, rank in best.items()}


def build_problem(
    *, session: Session, region: Region, day: date, with_parts: bool = True
) -> DayProblem:
    """The day as a problem: technicians working that day, the visits promised for it; with
    parts, a visit that needs some goes only to technicians whose vans hold them."""
    visits = visit_service.list_for_day(
        session=session, region=region, day=day, statuses=lifecycle.PLANNABLE
    )
    visits += movable_candidates(session=session, region=region, first=day, last=day)
    crews = _crews(session, region, day, {})
    allowed, excluded = part_carriers(session, visits, crews) if with_parts else ({}, [])
    return convert.build(
        DayInput(
            region=region, day=day, crews=crews, visits=visits, allowed=allowed, excluded=excluded
        )
    )


def build_replan_problem(
    *,
    session: Session,
    region: Region,
    day: date,
    now: datetime,
    stability_cost_s: int | None = None,
    with_parts: bool = True,
) -> DayProblem:
    """The rest of the day from now: started and finished visits stay with their technician,
    each technician goes on from where it is; giving a planned visit to another technician
    costs stability_cost_s (None: the region's reassign_cost_s) and moving its planned start
    the region's start_move_cost per second (parts as in build_problem)."""
    now = localtime.require_aware(now, "now")
    visits = visit_service.list_for_day(session=session, region=region, day=day)
    started = [v.id or 0 for v in visits if v.status in STARTED]
    members = crew.members(session=session, visit_ids=started)
    starts = starts_at(visits, day=day, tz=region.zone, now=now, crews=members)
    open_visits = [v for v in visits if v.status in lifecycle.PLANNABLE]
    open_visits += movable_candidates(session=session, region=region, first=day, last=day)
    previous = {v.id or 0: v.planned_technician_id for v in open_visits if v.planned_technician_id}
    previous_starts = {v.id or 0: v.planned_start for v in open_visits if v.planned_start}
    crews = _crews(session, region, day, starts, now=now)
    allowed, excluded = part_carriers(session, open_visits, crews) if with_parts else ({}, [])
    data = DayInput(
        region=region,
        day=day,
        crews=crews,
        visits=open_visits,
        previous=previous,
        stability_cost_s=region.reassign_cost_s if stability_cost_s is None else stability_cost_s,
        previous_starts=previous_starts,
        start_move_cost=region.start_move_cost,
        replanned_from=now,
        allowed=allowed,
        excluded=excluded,
    )
    return convert.build(data)


def movable_candidates(*, session: Session, region: Region, first: date, last: date) -> list[Visit]:
    """Movable visits that a plan of the days first to last may take: due on one of them, and
    not routed by the current plan of another day (re-planning a day keeps the others)."""
    visits = visit_service.list_movable(session=session, region=region, first=first, last=last)
    if not visits:
        return []
    low = min(v.due_from or first for v in visits)
    high = max(v.due_until or last for v in visits)
    plans = current_plan_ids(session=session, region=region, first=low, last=high)
    others = [plan_id for day, plan_id in plans.items() if not first <= day <= last]
    routed = set(
        session.exec(
            select(PlanStop.visit_id).where(
                col(PlanStop.plan_id).in_(others),
                col(PlanStop.visit_id).in_([v.id for v in visits]),
            )
        ).all()
    )
    return [v for v in visits if v.id not in routed]


def _crews(
    session: Session,
    region: Region,
    day: date,
    starts: dict[int, Start],
    now: datetime | None = None,
) -> list[Crew]:
    """The region's active technicians who work on the day, with their hours; re-planning
    (now given), each starts where it is, or at its base, no earlier than now."""
    technicians = technician_service.list_for_region(session=session, region_id=region.id or 0)
    hours = shift_service.working_days(
        session=session, technician_ids=[t.id or 0 for t in technicians], day=day
    )
    crews = []
    for t in technicians:
        if t.id not in hours:
            continue
        start = starts.get(t.id or 0)
        if start is None and now is not None:
            start = Start(
                t.start_lat, t.start_lon, localtime.seconds_from_midnight(now, day, region.zone)
            )
        crews.append(Crew(t, hours[t.id or 0], start))
    return crews


def part_carriers(
    session: Session, visits: list[Visit], crews: list[Crew]
) -> tuple[dict[int, frozenset[int]], list[Excluded]]:
    """Step: visits that need parts go only to technicians whose vans hold them; one that nobody
    working carries is kept out, saying which part."""
    found = eligibility.carriers(
        session=session, visits=visits, technicians=[c.technician for c in crews]
    )
    excluded = [
        Excluded(
            visit_id,
            NO_PART_CARRIER,
            f"No technician carries part {eligibility.part_label(session=session, part_id=part)} "
            "in their van.",
        )
        for visit_id, part in sorted(found.missing.items())
    ]
    return found.allowed, excluded


def solve_problem(
    day_problem: DayProblem,
    *,
    options: PlanOptions = DEFAULT_OPTIONS,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DaySolution:
    """Solve a day's problem on the region's road matrix when it has a routing server; needs
    no database, so a background job can run it (and no caller should hold a transaction).
    should_stop, asked all along the search, ends it early with the best plan found so far."""
    return solving.solve(day_problem, options, on_progress, should_stop)


def store_plan(*, session: Session, solution: DaySolution) -> Plan:
    """Store the solution as a draft plan, after the independent validator accepts it.

    Raises:
        PlanRejected: when the plan breaks a rule (it is then not stored).
    """
    plan = add_plan(session=session, solution=solution)
    session.commit()
    session.refresh(plan)
    return plan


def add_plan(*, session: Session, solution: DaySolution) -> Plan:
    """Step: store_plan without committing (a solve job commits it with the job's success)."""
    broken = solving.violations(solution)
    if broken:
        shown = "; ".join(broken[:SHOWN_VIOLATIONS])
        raise PlanRejected(f"the plan breaks {len(broken)} rule(s) and is not stored: {shown}")
    plan = convert.plan_row(solution)
    session.add(plan)
    session.flush()  # the id its routes, stops and unassigned rows point at
    plan.routes = convert.route_rows(solution, plan_id=plan.id or 0)
    plan.unassigned_visits = convert.unassigned_rows(solution, plan_id=plan.id or 0)
    session.flush()
    return plan


def plan_day(
    *, session: Session, region: Region, day: date, options: PlanOptions = DEFAULT_OPTIONS
) -> Plan:
    """Plan the region's day from scratch and store the result as a draft."""
    day_problem = build_problem(session=session, region=region, day=day)
    _end_transaction(session)
    return store_plan(session=session, solution=solve_problem(day_problem, options=options))


def replan(
    *,
    session: Session,
    region: Region,
    day: date,
    now: datetime,
    options: PlanOptions = DEFAULT_OPTIONS,
    stability_cost_s: int | None = None,
) -> Plan:
    """Re-plan the rest of the day from now (see build_replan_problem); stored as a draft."""
    day_problem = build_replan_problem(
        session=session, region=region, day=day, now=now, stability_cost_s=stability_cost_s
    )
    _end_transaction(session)
    return store_plan(session=session, solution=solve_problem(day_problem, options=options))


def _end_transaction(session: Session) -> None:
    """End the transaction the build read in before the solve: on SQLite every transaction holds
    the write lock (dispatch.db), and a solve takes seconds. Commit, not roll back: what the
    caller has pending would be committed with the plan anyway, and must not be lost."""
    session.commit()


def publish(*, session: Session, plan: Plan, at: datetime | None = None) -> Plan:
    """Make a draft the day's plan: its visits get their technician and times (booked ->
    planned), visits it leaves out go back to booked, the last published plan is superseded."""
    if plan.status is not PlanState.DRAFT:
        raise Conflict(f"plan {plan.id} is {plan.status}; only a draft can be published.")
    at = localtime.require_aware(at or localtime.utc_now(), "at")
    region = region_service.get_or_raise(session=session, region_id=plan.region_id)
    previous = current_plan(session=session, region=region, day=plan.day)
    if previous is not None and previous.status is PlanState.PUBLISHED:
        previous.status = PlanState.SUPERSEDED
        session.add(previous)
        session.flush()  # at most one published plan per day: retire the old one first
        plan.supersedes_id = previous.id
    held = _apply_stops(session, plan, region.zone)
    released = _release_others(session, region, plan.day, held, at)
    _hold_parts(session, plan, released, at)
    plan.status, plan.published_at = PlanState.PUBLISHED, at
    session.add(plan)
    commit_or_conflict(session, f"another plan for {plan.day} was published meanwhile; reload.")
    session.refresh(plan)
    return plan


def _apply_stops(session: Session, plan: Plan, tz: ZoneInfo) -> set[int]:
    """Write each stop's technician and times onto its visit (a crew visit: its first member,
    the others as its crew; a movable visit: the day's window becomes its promise); the ids
    of those visits."""
    visits = plan_visits(session=session, plan=plan, lock=True)
    stops: dict[int, list[tuple[int, PlanStop]]] = {}
    for route in plan.routes:
        for stop in route.stops:
            stops.setdefault(stop.visit_id, []).append((route.technician_id, stop))
    for visit_id, served in stops.items():
        visit, (lead, stop) = visits[visit_id], _lead(visits[visit_id], served)
        _check_still_current(plan, visit, stop.start_at, tz)
        if visit.movable:
            visit.window_start, visit.window_end = _promised_window(visit, stop.start_at, tz)
        visit_service.set_planned(
            session=session, visit=visit, technician_id=lead, start=stop.start_at, end=stop.end_at
        )
        crew.set_members(session=session, visit=visit, technician_ids=[t for t, _ in served])
    return set(stops)


def _lead(visit: Visit, served: list[tuple[int, PlanStop]]) -> tuple[int, PlanStop]:
    """The crew member the visit is planned on: its pinned technician, else the lowest id."""
    served.sort(key=lambda s: (s[0] != visit.pinned_technician_id, s[0]))
    return served[0]


def _promised_window(visit: Visit, start: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """What a movable visit is promised once planned, as instants: the arrival window of its
    planned start within its due window of that day (visit.models.arrival_window)."""
    day = localtime.local_day(start, tz)
    start_s = localtime.seconds_from_midnight(start, day, tz)
    due = next(w for w in visit.due_windows if w.start_s <= start_s <= w.end_s)
    first_s, last_s = arrival_window(start_s, due)
    return localtime.to_utc(day, first_s, tz), localtime.to_utc(day, last_s, tz)


def _check_still_current(plan: Plan, visit: Visit, start: datetime, tz: ZoneInfo) -> None:
    """A visit changed since the plan was made (cancelled, moved) makes the plan out of date."""
    if visit.status in lifecycle.PLANNABLE and _may_start(visit, start, tz):
        return
    raise Conflict(
        f"plan {plan.id} is out of date: visit {visit.id} is now {visit.status} with another "
        "window; plan the day again.",
        loc=("plan_id",),
    )


def _may_start(visit: Visit, start: datetime, tz: ZoneInfo) -> bool:
    """The start lies in the visit's promised window, or (movable) on a day of its due range
    inside one of its windows."""
    first, last = visit.window_start, visit.window_end
    if first and last:
        return first <= start <= last
    if not visit.movable or visit.due_from is None or visit.due_until is None:
        return False
    day = localtime.local_day(start, tz)
    start_s = localtime.seconds_from_midnight(start, day, tz)
    in_range = visit.due_from <= day <= visit.due_until
    return in_range and any(w.start_s <= start_s <= w.end_s for w in visit.due_windows)


def _release_others(
    session: Session, region: Region, day: date, held: set[int], at: datetime
) -> list[Visit]:
    """Visits planned for the day that the new plan does not hold go back to booked; those."""
    planned = visit_service.list_for_day(
        session=session, region=region, day=day, statuses={VisitStatus.PLANNED}
    )
    released = [v for v in planned if v.id not in held]
    for visit in released:
        visit_service.apply_transition(session=session, visit=visit, to=VisitStatus.BOOKED, at=at)
    return released


def _hold_parts(session: Session, plan: Plan, released: list[Visit], at: datetime) -> None:
    """The parts of the plan's visits held in their technicians' vans, those of visits it let
    go released; a van emptied since the plan was made makes the plan out of date."""
    visits = [*released, *plan_visits(session=session, plan=plan).values()]
    try:
        reservations.sync(session=session, visits=visits, at=at)
    except OutOfStock as exc:
        raise Conflict(
            f"plan {plan.id} is out of date: {exc.msg} Plan the day again.", loc=("plan_id",)
        ) from exc


def plan_visits(*, session: Session, plan: Plan, lock: bool = False) -> dict[int, Visit]:
    """The visits a plan routes or leaves out, by id. With lock, they are read afresh and locked
    until the transaction ends (PostgreSQL: a booking moving one of them meanwhile is waited
    for, then seen; SQLite has one writer at a time anyway)."""
    ids = {s.visit_id for r in plan.routes for s in r.stops}
    ids |= {u.visit_id for u in plan.unassigned_visits}
    if not ids:
        return {}
    query = select(Visit).where(col(Visit.id).in_(ids)).order_by(col(Visit.id))
    if lock:
        query = query.with_for_update(of=Visit).execution_options(populate_existing=True)
    return {v.id or 0: v for v in session.exec(query).all()}


def figures(*, session: Session, plan: Plan) -> PlanFigures:
    """The plan's day in figures; a re-plan adds the service of visits started before it."""
    region = region_service.get_or_raise(session=session, region_id=plan.region_id)
    service_s = sum(
        int((s.end_at - s.start_at).total_seconds()) for r in plan.routes for s in r.stops
    )
    if plan.replanned_from is not None:
        done = visit_service.list_for_day(
            session=session, region=region, day=plan.day, statuses=STARTED
        )
        service_s += sum(v.duration_s for v in done)
    technicians = technician_service.list_for_region(session=session, region_id=region.id or 0)
    hours = shift_service.working_days(
        session=session, technician_ids=[t.id or 0 for t in technicians], day=plan.day
    )
    available_s = sum(
        h.end_s - h.start_s - sum(b.duration_s for b in h.breaks) for h in hours.values()
    )
    work = _work_by_technician(plan, on_shift=set(hours))
    return PlanFigures(
        assigned=plan.assigned,
        unassigned=plan.unassigned,
        travel_s=plan.travel_s,
        distance_m=plan.distance_m,
        overtime_s=plan.overtime_s,
        service_s=service_s,
        available_s=available_s,
        utilisation=round(service_s / available_s, 4) if available_s else 0.0,
        work_min_s=min(work, default=0),
        work_avg_s=round(sum(work) / len(work)) if work else 0,
        work_max_s=max(work, default=0),
        work_spread_s=max(work, default=0) - min(work, default=0),
    )


def _work_by_technician(plan: Plan, *, on_shift: set[int]) -> list[int]:
    """Travel plus service of each technician on shift or routed; waiting is not work."""
    work = dict.fromkeys(on_shift, 0)
    for route in plan.routes:
        service = sum(int((s.end_at - s.start_at).total_seconds()) for s in route.stops)
        work[route.technician_id] = route.travel_s + service
    return sorted(work.values())
