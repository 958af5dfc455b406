"""Planning several days at once: build the region's days from D as one problem, solve it, and
store one draft per day (dispatch.planning.horizon converts; planning.service stores each day).

Movable visits may go to any day of their due range inside the horizon; visits promised on a
day stay on it. A movable visit that the current plan of a day outside the horizon routes
stays there. The whole plan is checked by the validator, then each day's plan again as it is
stored.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from dispatch.errors import InvalidInput
from dispatch.planning import horizon, solving
from dispatch.planning import service as planning_service
from dispatch.planning.convert import Crew, DayProblem, DaySolution, Excluded
from dispatch.planning.horizon import WeekCrew, WeekInput
from dispatch.planning.models import Plan, PlanOptions
from dispatch.region.models import Region
from dispatch.shift import service as shift_service
from dispatch.technician import service as technician_service
from dispatch.visit import lifecycle
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit

MAX_DAYS = 14


def build_problem(
    *, session: Session, region: Region, first: date, days: int, with_parts: bool = True
) -> DayProblem:
    """The region's days first .. first + days - 1 as one problem: each technician's shifts
    from the shift calendar, the visits promised on those days, and the movable visits that
    may go on one of them; with parts, as planning.service.build_problem."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be 1 to {MAX_DAYS}, got {days}.", loc=("days",))
    last = first + timedelta(days=days - 1)
    visits = _promised(session, region, first, days)
    visits += planning_service.movable_candidates(
        session=session, region=region, first=first, last=last
    )
    crews = _week_crews(session, region, first, days)
    allowed: dict[int, frozenset[int]] = {}
    excluded: list[Excluded] = []
    if with_parts:
        someday = [Crew(c.technician, c.days[0][1]) for c in crews]
        allowed, excluded = planning_service.part_carriers(session, visits, someday)
    data = WeekInput(
        region=region,
        first=first,
        days=days,
        crews=crews,
        visits=visits,
        allowed=allowed,
        excluded=excluded,
    )
    return horizon.build(data)


def _promised(session: Session, region: Region, first: date, days: int) -> list[Visit]:
    """The open visits promised on a day of the horizon, each once."""
    found: dict[int, Visit] = {}
    for k in range(days):
        for v in visit_service.list_for_day(
            session=session,
            region=region,
            day=first + timedelta(days=k),
            statuses=lifecycle.PLANNABLE,
        ):
            found.setdefault(v.id or 0, v)
    return list(found.values())


def _week_crews(session: Session, region: Region, first: date, days: int) -> list[WeekCrew]:
    """The region's active technicians with their hours on each day they work."""
    technicians = technician_service.list_for_region(session=session, region_id=region.id or 0)
    ids = [t.id or 0 for t in technicians]
    by_day = [
        shift_service.working_days(
            session=session, technician_ids=ids, day=first + timedelta(days=k)
        )
        for k in range(days)
    ]
    crews = []
    for t in technicians:
        worked = tuple((k, hours[t.id or 0]) for k, hours in enumerate(by_day) if t.id in hours)
        if worked:
            crews.append(WeekCrew(t, worked))
    return crews


def add_plans(*, session: Session, solution: DaySolution) -> list[Plan]:
    """Step: the solution's drafts, one per day, without committing (a solve job commits them
    with its success); the whole plan and each day's are checked by the validator first.

    Raises:
        planning_service.PlanRejected: when the plan breaks a rule (nothing is stored).
    """
    broken = solving.violations(solution)
    if broken:
        shown = "; ".join(broken[: planning_service.SHOWN_VIOLATIONS])
        raise planning_service.PlanRejected(
            f"the plan breaks {len(broken)} rule(s) and is not stored: {shown}"
        )
    return [
        planning_service.add_plan(session=session, solution=day) for day in horizon.split(solution)
    ]


def plan_days(
    *,
    session: Session,
    region: Region,
    first: date,
    days: int,
    options: PlanOptions = planning_service.DEFAULT_OPTIONS,
) -> list[Plan]:
    """Plan the region's days from first together and store one draft per day, first day first."""
    problem = build_problem(session=session, region=region, first=first, days=days)
    session.commit()  # no transaction (SQLite: the write lock) stays open while solving
    solution = planning_service.solve_problem(problem, options=options)
    plans = add_plans(session=session, solution=solution)
    session.commit()
    for plan in plans:
        session.refresh(plan)
    return plans
