"""Planning runs: plan_day builds, solves, validates and stores a draft; publish writes visits."""

import threading
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

import optimizer
from dispatch.config import Settings
from dispatch.errors import Conflict
from dispatch.planning import service as planning_service
from dispatch.planning import solving
from dispatch.planning.models import Plan, PlanOptions, PlanState
from dispatch.shift import service as shift_service
from dispatch.shift.models import ExceptionKind, ShiftExceptionCreate
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from optimizer import Plan as OptimizerPlan
from optimizer import Problem, backends  # backends, white-box: the test records VROOM's call
from tests.dispatch.conftest import Database
from tests.dispatch.planning_day import (
    FAST,
    KEMANG,
    TEBET,
    add_visit,
    small_day,
    two_technicians,
)
from tests.factories import DAY, local, make_region


def test_plan_day_assigns_what_fits_and_stores_a_valid_draft(session: Session) -> None:
    """Four visits are routed inside their windows, one after every shift is left out; valid."""
    day = small_day(session)
    late = add_visit(session, day.region, KEMANG, 20)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    assert plan.status is PlanState.DRAFT
    assert (plan.assigned, plan.unassigned) == (4, 1)
    assert solving.check_stored(plan) == []
    assert [(u.visit_id, u.reason) for u in plan.unassigned_visits] == [
        (late.id, "no_window_reachable")
    ]
    windows = {v.id or 0: (v.window_start, v.window_end) for v in day.visits}
    stops = [s for r in plan.routes for s in r.stops]
    assert sorted(s.visit_id for s in stops) == sorted(windows)
    for s in stops:
        first, last = windows[s.visit_id]
        assert first is not None and last is not None
        assert first <= s.start_at <= last
        assert s.end_at - s.start_at == timedelta(hours=2)
    assert plan.travel_s == sum(r.travel_s for r in plan.routes) > 0


def test_plan_day_visit_needing_a_skill_nobody_has_is_unassigned_with_reason(
    session: Session,
) -> None:
    """A visit no technician has the skills for comes back unassigned, its reason stored."""
    day = small_day(session)
    odd = add_visit(session, day.region, KEMANG, 10, required_skills=["car_repair"])
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    [row] = plan.unassigned_visits
    assert (row.visit_id, row.reason) == (odd.id, "no_skilled_technician")
    assert "car_repair" in row.message


def test_plan_day_pinned_technician_off_that_day_is_unassigned(session: Session) -> None:
    """A visit pinned to a technician on leave is left out with pinned_technician_unavailable."""
    day = small_day(session)
    pinned = visit_service.pin(
        session=session, visit=day.visits[0], technician_id=day.technicians[0].id or 0
    )
    shift_service.add_exception(
        session=session,
        technician=day.technicians[0],
        exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.LEAVE),
    )
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    reasons = {u.visit_id: u.reason for u in plan.unassigned_visits}
    assert reasons[pinned.id or 0] == "pinned_technician_unavailable"
    assert {r.technician_id for r in plan.routes} == {day.technicians[1].id}
    assert solving.check_stored(plan) == []


def test_plan_day_pinned_visit_goes_to_its_technician(session: Session) -> None:
    """A pinned visit is served by its technician even when the other one is nearer."""
    day = small_day(session)
    far = day.technicians[1]  # Tebet; the Kemang visit is nearer to Blok M
    visit_service.pin(session=session, visit=day.visits[0], technician_id=far.id or 0)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    holder = {s.visit_id: r.technician_id for r in plan.routes for s in r.stops}
    assert holder[day.visits[0].id or 0] == far.id


def test_store_plan_refuses_a_plan_the_validator_rejects(session: Session) -> None:
    """A plan breaking a rule (a stop moved out of its window) is refused, nothing stored."""
    day = small_day(session)
    problem = planning_service.build_problem(session=session, region=day.region, day=DAY)
    solution = planning_service.solve_problem(problem, options=FAST)
    route = solution.plan.routes[0]
    moved = replace(route.stops[0], start_s=23 * 3600, end_s=23 * 3600 + 7200)
    bad_route = replace(route, stops=(moved, *route.stops[1:]))
    bad = replace(
        solution, plan=replace(solution.plan, routes=(bad_route, *solution.plan.routes[1:]))
    )
    with pytest.raises(planning_service.PlanRejected, match="window"):
        planning_service.store_plan(session=session, solution=bad)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Plan)).one() == 0


def test_publish_writes_technicians_and_times_onto_visits(session: Session) -> None:
    """Publishing moves each routed visit to planned with its technician, start and end."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    published = planning_service.publish(session=session, plan=plan, at=local(DAY, 6))
    assert published.status is PlanState.PUBLISHED
    assert published.published_at == local(DAY, 6)
    for route in published.routes:
        for stop in route.stops:
            visit = visit_service.get_or_raise(session=session, visit_id=stop.visit_id)
            assert visit.status is VisitStatus.PLANNED
            assert visit.planned_technician_id == route.technician_id
            assert (visit.planned_start, visit.planned_end) == (stop.start_at, stop.end_at)


def test_publish_supersedes_the_last_plan_and_releases_what_it_drops(session: Session) -> None:
    """A second published plan supersedes the first; visits it leaves out go back to booked."""
    day = small_day(session)
    first = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=first)
    for t in day.technicians:  # everyone falls sick: the new plan holds nothing
        shift_service.add_exception(
            session=session,
            technician=t,
            exception_in=ShiftExceptionCreate(day=DAY, kind=ExceptionKind.SICK),
        )
    second = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=second)
    session.refresh(first)
    assert first.status is PlanState.SUPERSEDED
    assert second.supersedes_id == first.id
    for v in day.visits:
        session.refresh(v)
        assert (v.status, v.planned_technician_id, v.planned_start) == (
            VisitStatus.BOOKED,
            None,
            None,
        )


def test_publish_refuses_a_plan_that_is_not_a_draft(session: Session) -> None:
    """Publishing twice is a Conflict."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=plan)
    with pytest.raises(Conflict, match="only a draft"):
        planning_service.publish(session=session, plan=plan)


def test_publish_refuses_a_plan_made_before_a_visit_was_cancelled(session: Session) -> None:
    """A draft whose visit was cancelled since is out of date: Conflict, nothing published."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    visit_service.cancel(session=session, visit=day.visits[0], at=local(DAY, 6))
    with pytest.raises(Conflict, match="out of date"):
        planning_service.publish(session=session, plan=plan)
    session.rollback()
    session.refresh(plan)
    assert plan.status is PlanState.DRAFT


def test_publish_waits_for_a_visit_being_moved_and_finds_the_plan_out_of_date(
    database: Database, engine: Engine
) -> None:
    """PostgreSQL: a booking moves a planned-for visit to the afternoon and has not committed
    when a dispatcher publishes; the publish waits for it, then refuses the plan as out of
    date instead of planning the visit into its old window."""
    if database.kind != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the two cannot interleave")
    with Session(engine) as session:
        day = small_day(session)
        plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
        plan_id, visit_id = plan.id or 0, day.visits[0].id or 0
    with Session(engine) as mover:
        visit = visit_service.get_or_raise(session=mover, visit_id=visit_id)
        visit_service.apply_book(
            session=mover,
            visit=visit,
            window_start=local(DAY, 15),
            window_end=local(DAY, 17),
            at=local(DAY, 6),
        )
        mover.flush()  # the visit's row is locked until the booking commits
        mover_pid = mover.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        outcome: list[str] = []
        publisher = threading.Thread(target=_publish, args=(engine, plan_id, outcome))
        publisher.start()
        _wait_until_blocked_by(engine, mover_pid)
        mover.commit()
    publisher.join(timeout=30)
    assert len(outcome) == 1 and "out of date" in outcome[0]
    with Session(engine) as session:
        moved = visit_service.get_or_raise(session=session, visit_id=visit_id)
        assert (moved.status, moved.planned_start) == (VisitStatus.BOOKED, None)


def _publish(engine: Engine, plan_id: int, outcome: list[str]) -> None:
    """Publish the plan in a session of its own; record "published" or the Conflict."""
    with Session(engine) as session:
        try:
            plan = planning_service.get_or_raise(session=session, plan_id=plan_id)
            planning_service.publish(session=session, plan=plan)
            outcome.append("published")
        except Conflict as exc:
            outcome.append(exc.msg)


def _wait_until_blocked_by(engine: Engine, pid: object, timeout_s: float = 30.0) -> None:
    """Poll PostgreSQL until some backend waits for a lock held by the backend pid."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE %(pid)s = ANY(pg_blocking_pids(pid))"
    deadline_s = time.monotonic() + timeout_s
    with engine.connect() as connection:
        while not connection.exec_driver_sql(query, {"pid": pid}).scalar():
            # pg_stat_activity is a snapshot taken once per transaction: end it to see news
            connection.rollback()
            assert time.monotonic() < deadline_s, "the publisher never waited for the booking"
            time.sleep(0.02)  # between polls of the condition


def test_current_plan_is_the_published_one_else_the_latest_draft(session: Session) -> None:
    """current_plan prefers the published plan over newer drafts, and is None without plans."""
    day = small_day(session)
    assert planning_service.current_plan(session=session, region=day.region, day=DAY) is None
    first = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    second = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    assert planning_service.current_plan(session=session, region=day.region, day=DAY) == second
    planning_service.publish(session=session, plan=first)
    assert planning_service.current_plan(session=session, region=day.region, day=DAY) == first


def test_current_plan_ids_follow_the_current_plan_rule_per_day(session: Session) -> None:
    """Over several days, the ids are those current_plan gives: the published plan over a newer
    draft, the latest draft where nothing is published, no entry for a day without plans."""
    day = small_day(session)
    region, next_day = day.region, DAY + timedelta(days=1)
    first = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.publish(session=session, plan=first)
    planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    planning_service.plan_day(session=session, region=region, day=next_day, options=FAST)
    draft = planning_service.plan_day(session=session, region=region, day=next_day, options=FAST)
    ids = planning_service.current_plan_ids(
        session=session, region=region, first=DAY, last=DAY + timedelta(days=2)
    )
    assert ids == {DAY: first.id, next_day: draft.id}
    for d, plan_id in ids.items():
        current = planning_service.current_plan(session=session, region=region, day=d)
        assert current is not None and current.id == plan_id


def test_figures_utilisation_is_service_over_available_time(session: Session) -> None:
    """Four 2-hour visits over two 8-hour days (9 h minus lunch) make 50 % utilisation."""
    day = small_day(session)
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    figures = planning_service.figures(session=session, plan=plan)
    assert (figures.service_s, figures.available_s) == (4 * 7200, 2 * 8 * 3600)
    assert figures.utilisation == 0.5
    assert (figures.assigned, figures.travel_s) == (4, plan.travel_s)


def test_figures_workload_counts_an_idle_technician_as_zero(session: Session) -> None:
    """One 2-hour visit between two technicians on shift: one works travel plus 2 h, the other
    nothing, so the spread is the busy one's work and the average half of it."""
    region = make_region(session)
    two_technicians(session, region)
    add_visit(session, region, KEMANG, 9)
    plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
    figures = planning_service.figures(session=session, plan=plan)
    busy = plan.travel_s + 7200
    assert (figures.work_min_s, figures.work_max_s, figures.work_spread_s) == (0, busy, busy)
    assert figures.work_avg_s == round(busy / 2)


def test_plan_day_without_visits_stores_an_empty_plan(session: Session) -> None:
    """A day with technicians but nothing booked gives an empty, valid plan."""
    day = small_day(session)
    for v in day.visits:
        visit_service.cancel(session=session, visit=v, at=local(DAY, 6))
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    assert (plan.assigned, plan.unassigned, plan.routes, plan.solver_status) == (0, 0, [], "empty")
    assert solving.check_stored(plan) == []


def test_build_problem_uses_local_seconds_and_database_ids(session: Session) -> None:
    """Ids are database ids as strings; an 08:00-10:00 Jakarta window is 28800-36000 s."""
    day = small_day(session)
    problem = planning_service.build_problem(session=session, region=day.region, day=DAY).problem
    first = next(v for v in problem.visits if v.id == str(day.visits[0].id))
    assert (first.windows[0].start_s, first.windows[0].end_s) == (8 * 3600, 10 * 3600)
    assert {t.id for t in problem.technicians} == {str(t.id) for t in day.technicians}
    assert problem.technicians[0].shift.start_s == 8 * 3600
    assert (problem.technicians[1].start.lat, problem.technicians[1].start.lon) == TEBET


def test_plan_options_reach_the_solver_unchanged(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PlanOptions' time limit, determinism, threads and seed are the solve's SolveParams."""
    day = small_day(session)
    problem = planning_service.build_problem(session=session, region=day.region, day=DAY)
    seen: list[optimizer.SolveParams] = []
    real = optimizer.solve

    def recording(problem: Problem, params: optimizer.SolveParams) -> OptimizerPlan:
        seen.append(params)
        return real(problem, params)

    monkeypatch.setattr(optimizer, "solve", recording)
    options = PlanOptions(time_limit_s=1.0, deterministic=True, threads=2, seed=5)
    solution = planning_service.solve_problem(problem, options=options)
    assert [(p.time_limit_s, p.deterministic, p.threads, p.seed) for p in seen] == [
        (1.0, True, 2, 5)
    ]
    assert solving.violations(solution) == []


def test_solver_threads_setting_reaches_vroom_first_plan(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator with cores to spare sets SOLVER_THREADS=2: VROOM's first plan of the day
    runs on two threads, and the day is still fully planned."""
    day = small_day(session)
    problem = planning_service.build_problem(session=session, region=day.region, day=DAY)
    asked: list[int] = []
    real = backends.vroom_plan

    def recording(
        problem: Problem, time_limit_s: float, threads: int = 1, **kw: Any
    ) -> OptimizerPlan | None:
        asked.append(threads)
        return real(problem, time_limit_s, threads, **kw)

    monkeypatch.setattr(backends, "vroom_plan", recording)
    options = planning_service.options_from(Settings(solver_threads=2), time_limit_s=1.0)
    solution = planning_service.solve_problem(problem, options=options)
    assert asked == [2]
    assert solution.plan.solver.engine in {"vroom+ortools", "vroom"}
    assert solution.plan.totals.assigned == len(day.visits)
    assert solving.violations(solution) == []
