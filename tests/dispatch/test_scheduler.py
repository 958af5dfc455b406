"""Scheduler: tasks under stable ids, and task bodies that a restart can run again without
duplicating a message or a plan (bodies called directly with a fixed `now`)."""

from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from dispatch import scheduler
from dispatch.config import Settings
from dispatch.db import make_engine
from dispatch.outreach import outbox
from dispatch.outreach.models import MessageKind, MessageState, OutboxMessage
from dispatch.planning.models import Plan, PlanState
from dispatch.region.models import Region
from dispatch.visit.models import Visit, VisitStatus
from tests.dispatch.test_outreach_delivery import RecordingChannel, _draft_at
from tests.factories import (
    DAY,
    local,
    make_region,
    make_request,
    make_technician,
    make_visit,
    make_weekly_pattern,
)

SETTINGS = Settings(_env_file=None, plan_time_limit_s=1.0)  # type: ignore[call-arg]
EVENING = local(DAY - timedelta(days=1), 19)  # Monday 19:00 in Jakarta: plan Tuesday


def test_register_tasks_uses_stable_ids_and_a_restart_replaces_them(tmp_path: Path) -> None:
    """Registering twice (a restart) leaves one task per id, each coalescing with a grace time."""
    engine = make_engine(SETTINGS.model_copy(update={"database_url": f"sqlite:///{tmp_path}/s.db"}))
    sched = scheduler.build_scheduler(SETTINGS)
    sched.start(paused=True)
    try:
        for _ in range(2):
            scheduler.register_tasks(sched, engine, SETTINGS, now=EVENING)
        jobs = {job.id: job for job in sched.get_jobs()}
        assert sorted(jobs) == sorted(scheduler.TASK_IDS)
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
        plan = jobs[scheduler.PLAN_TOMORROW].trigger
        assert isinstance(plan, CronTrigger)
        assert str(plan.timezone) == "Asia/Jakarta"
        assert {f.name: str(f) for f in plan.fields}["hour"] == "18"
        assert jobs[scheduler.DELIVER_OUTBOX].trigger.interval == timedelta(seconds=30)
    finally:
        sched.shutdown(wait=False)
        engine.dispose()


def _tomorrow_and_today(engine: Engine, *, auto_publish: bool = False) -> Region:
    """A region with a technician, a visit booked for Tuesday and one completed on Monday."""
    with Session(engine) as session:
        region = make_region(session, auto_publish=auto_publish)
        technician = make_technician(session, region=region)
        make_weekly_pattern(session, technician)
        make_visit(session, request=make_request(session, region=region))
        done = make_request(session, region=region)
        make_visit(
            session, request=done, status=VisitStatus.COMPLETED, day=DAY - timedelta(days=1),
            technician=technician,
        )  # fmt: skip
        session.refresh(region)
        session.expunge(region)
        return region


def _counts(engine: Engine, region: Region) -> tuple[int, int]:
    with Session(engine) as session:
        messages = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        plans = session.exec(
            select(func.count()).select_from(Plan).where(Plan.region_id == region.id)
        ).one()
    return messages, plans


def test_catch_up_after_a_restart_queues_and_plans_once(engine: Engine) -> None:
    """Run at 19:00, catch-up plans Tuesday, reminds, confirms and surveys; run again, nothing."""
    region = _tomorrow_and_today(engine)
    ran = scheduler.catch_up(engine, SETTINGS, EVENING)
    assert ran == [
        scheduler.PLAN_TOMORROW,
        scheduler.DAY_BEFORE_REMINDERS,
        scheduler.SERVICE_DUE_REMINDERS,
        scheduler.VISIT_MESSAGES,
        scheduler.COMPLAINT_SLA,
    ]
    with Session(engine) as session:
        kinds = session.exec(select(OutboxMessage.kind).order_by(col(OutboxMessage.kind))).all()
        (plan,) = session.exec(select(Plan).where(Plan.region_id == region.id)).all()
    assert sorted(kinds) == sorted(
        [MessageKind.VISIT_REMINDER, MessageKind.BOOKING_CONFIRMED, MessageKind.SURVEY]
    )
    assert (plan.day, plan.status, plan.assigned) == (DAY, PlanState.DRAFT, 1)
    before = _counts(engine, region)
    later = EVENING + timedelta(minutes=30)
    scheduler.catch_up(engine, SETTINGS, later)
    assert scheduler.plan_tomorrow(engine, SETTINGS, later) == {region.code: "already planned"}
    assert _counts(engine, region) == before


def test_catch_up_in_the_morning_runs_only_the_sweep(engine: Engine) -> None:
    """Before the planning and reminder hours, a restart does not plan or remind early; the
    sweeps (visit messages, complaint deadlines) run at any hour."""
    region = _tomorrow_and_today(engine)
    morning = local(DAY - timedelta(days=1), 8)
    assert scheduler.catch_up(engine, SETTINGS, morning) == [
        scheduler.VISIT_MESSAGES,
        scheduler.COMPLAINT_SLA,
    ]
    assert _counts(engine, region)[1] == 0


def test_plan_tomorrow_publishes_where_the_region_says_so(engine: Engine) -> None:
    """A region with auto_publish gets a published plan; its visit becomes planned."""
    region = _tomorrow_and_today(engine, auto_publish=True)
    assert scheduler.plan_tomorrow(engine, SETTINGS, EVENING) == {region.code: "published"}
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.region_id == region.id)).one()
        visit = session.exec(
            select(Visit).where(Visit.region_id == region.id, Visit.window_start > EVENING)
        ).one()
    assert plan.status is PlanState.PUBLISHED
    assert visit.status is VisitStatus.PLANNED


def test_deliver_outbox_task_sends_what_is_due(engine: Engine) -> None:
    """The delivery task opens its own session and sends through the channel it was given."""
    with Session(engine) as session:
        for key in ("a", "b"):
            outbox.enqueue(session=session, draft=_draft_at(key, EVENING))
        session.commit()
    channel = RecordingChannel()
    report = scheduler.deliver_outbox(engine, SETTINGS, channel, EVENING)
    assert report.sent == 2
    with Session(engine) as session:
        states = set(session.exec(select(OutboxMessage.state)).all())
    assert states == {MessageState.SENT}


def test_plan_tomorrow_reads_this_evenings_run_in_the_schedulers_zone(engine: Engine) -> None:
    """The cron hour is read in the scheduler's zone (Jakarta): for a region west of it
    (Kolkata), a plan made at 18:05 in Jakarta, still before 18:00 in Kolkata, is this
    evening's run, so a restart at 18:40 plans nothing more."""
    with Session(engine) as session:
        region = make_region(session, timezone="Asia/Kolkata")
        technician = make_technician(session, region=region)
        make_weekly_pattern(session, technician)
        make_visit(session, request=make_request(session, region=region))
        region_id, code = region.id, region.code
    monday = DAY - timedelta(days=1)
    run_at, restart_at = local(monday, 18, 5), local(monday, 18, 40)
    assert scheduler.plan_tomorrow(engine, SETTINGS, run_at)[code] == "draft"
    with Session(engine) as session:
        (plan,) = session.exec(select(Plan).where(Plan.region_id == region_id)).all()
        plan.created_at = run_at  # as if this run happened at run_at, not at the test's clock
        session.add(plan)
        session.commit()
    assert scheduler.plan_tomorrow(engine, SETTINGS, restart_at)[code] == "already planned"
