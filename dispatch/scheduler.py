"""Scheduled tasks and their APScheduler wiring: build_scheduler(settings),
register_tasks(scheduler, engine, settings).

A task is timed work (plan tomorrow, reminders, outbox delivery, ...); a solve job is something
else (dispatch/jobs). One scheduler per deployment: embedded in the API process (`make run`, see
api/embedded.py) or its own process (`purna scheduler`). Each task is an APScheduler job in the
memory job store, registered again at every start under a stable id; the business state lives in
our tables, and every task is idempotent (messages by key, plans by day), so a restart catches
up without duplicates: a one-off `catch_up` task runs what today's schedule should already have
run.
"""

import logging
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import select

from dispatch import localtime
from dispatch.access import service as access_service
from dispatch.complaint import service as complaint_service
from dispatch.config import Settings
from dispatch.db import session_scope
from dispatch.handover import service as handover_service
from dispatch.jobs import fanout
from dispatch.jobs.models import JobStatus
from dispatch.jobs.runner import JobRunner
from dispatch.outreach import delivery, service_due
from dispatch.outreach import service as outreach_service
from dispatch.outreach.channels import Channel, build_channel
from dispatch.outreach.delivery import DeliveryReport
from dispatch.planning import service as planning_service
from dispatch.region.models import Region
from dispatch.voucher import rules as voucher_rules

log = logging.getLogger("purna.scheduler")

PLAN_TOMORROW = "plan_tomorrow"
DAY_BEFORE_REMINDERS = "day_before_reminders"
VISIT_MESSAGES = "visit_messages"
SERVICE_DUE_REMINDERS = "service_due_reminders"
DELIVER_OUTBOX = "deliver_outbox"
PRUNE_ACCESS_LOG = "prune_access_log"
VOUCHER_ANNIVERSARIES = "voucher_anniversaries"
COMPLAINT_SLA = "complaint_sla"
CATCH_UP = "catch_up"
TASK_IDS = (
    PLAN_TOMORROW,
    DAY_BEFORE_REMINDERS,
    VISIT_MESSAGES,
    SERVICE_DUE_REMINDERS,
    DELIVER_OUTBOX,
    PRUNE_ACCESS_LOG,
    VOUCHER_ANNIVERSARIES,
    COMPLAINT_SLA,
    CATCH_UP,
)


def build_scheduler(settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler in the deployment's time zone: background (embedded) or blocking (own one)."""
    job_defaults = {
        "coalesce": True,  # after downtime, run a missed task once, not once per missed run
        "max_instances": 1,
        "misfire_grace_time": settings.job_misfire_grace_s,
    }
    cls = BlockingScheduler if blocking else BackgroundScheduler
    return cls(timezone=_zone(settings), job_defaults=job_defaults)


def register_tasks(
    scheduler: BaseScheduler,
    engine: Engine,
    settings: Settings,
    *,
    channel: Channel | None = None,
    now: datetime | None = None,
    runner: JobRunner | None = None,
) -> None:
    """Add every task under its stable id, replacing any task of that id already there; the
    nightly plan runs its jobs on runner (None: a runner of its own for each run)."""
    zone = _zone(settings)
    channel = channel or build_channel(settings)
    args = (engine, settings)
    with_runner = (engine, settings, None, runner)  # now=None: the time it runs

    def daily(hour: int) -> CronTrigger:
        return CronTrigger(hour=hour, minute=0, timezone=zone)

    tasks: list[tuple[Any, Any, str, tuple[Any, ...]]] = [
        (plan_tomorrow, daily(settings.plan_hour), PLAN_TOMORROW, with_runner),
        (send_reminders, daily(settings.reminder_hour), DAY_BEFORE_REMINDERS, args),
        (sweep_visit_messages, _every(settings.outreach_sweep_s), VISIT_MESSAGES, args),
        (send_service_due, daily(settings.service_due_hour), SERVICE_DUE_REMINDERS, args),
        (deliver_outbox, _every(settings.outbox_poll_s), DELIVER_OUTBOX, (*args, channel)),
        (prune_access_log, daily(settings.access_log_prune_hour), PRUNE_ACCESS_LOG, args),
        (voucher_anniversaries, daily(settings.service_due_hour), VOUCHER_ANNIVERSARIES, args),
        (check_complaint_slas, _every(settings.complaint_sla_sweep_s), COMPLAINT_SLA, args),
        (catch_up, DateTrigger(run_date=now or localtime.utc_now()), CATCH_UP, with_runner),
    ]
    for func, trigger, task_id, task_args in tasks:
        scheduler.add_job(
            func,
            trigger,
            args=task_args,
            id=task_id,
            name=task_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=settings.job_misfire_grace_s,
        )


def plan_tomorrow(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    runner: JobRunner | None = None,
) -> dict[str, str]:
    """Plan tomorrow for every region at once, one solve job each on the runner (this process's
    threads, or the Celery workers with JOB_RUNNER=celery); publish where the region says so."""
    now = now or localtime.utc_now()
    since = _today_at(now, settings.plan_hour, _zone(settings))
    outcome: dict[str, str] = {}
    todo = []
    for region in fanout.regions(engine=engine):
        tomorrow = localtime.local_day(now, region.zone) + timedelta(days=1)
        with session_scope(engine) as session:
            plans = planning_service.list_for_day(session=session, region=region, day=tomorrow)
        if any(p.created_at >= since for p in plans):
            outcome[region.code] = "already planned"
        else:
            todo.append((region, tomorrow))
    local = runner is None
    runner = runner or fanout.local_runner(settings, engine)
    try:
        limit_s = settings.plan_time_limit_s
        handed = fanout.submit(engine=engine, runner=runner, days=todo, time_limit_s=limit_s)
        wait_s = settings.plan_all_wait_s
        for _ in fanout.finished_as_they_end(engine=engine, handed=handed, max_s=wait_s):
            pass
    finally:
        if local:
            fanout.release(runner)
    for result in fanout.results(engine=engine, handed=handed):
        outcome[result.code] = _settle(engine, result, now)
    return outcome


def _settle(engine: Engine, result: fanout.RegionResult, now: datetime) -> str:
    """Publish a region's new draft when it auto-publishes and has no published plan yet (never
    replace a dispatcher's); what became of the region."""
    if result.status == "refused":
        return "already planning"
    if result.status != JobStatus.SUCCEEDED:
        log.error("planning tomorrow for %s: job %s %s", result.code, result.job_id, result.error)
        return "failed" if result.status != JobStatus.QUEUED else "still queued"
    try:
        with session_scope(engine) as session:
            region = session.exec(select(Region).where(Region.code == result.code)).one()
            published = planning_service.published_plan(
                session=session, region=region, day=result.day
            )
            if not region.auto_publish or published is not None:
                return "draft"
            plan = planning_service.get_or_raise(session=session, plan_id=result.plan_id or 0)
            planning_service.publish(session=session, plan=plan, at=now)
            return "published"
    except Exception:  # one region failing must not stop the others
        log.exception("publishing tomorrow's plan failed for region %s", result.code)
        return "failed"


def send_reminders(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Queue the day-before reminders."""
    with session_scope(engine) as session:
        return outreach_service.queue_reminders(
            session=session, now=now or localtime.utc_now(), settings=settings
        )


def sweep_visit_messages(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> Counter[str]:
    """Queue surveys, follow-ups, alerts and any booking or on-the-way notice not yet queued."""
    with session_scope(engine) as session:
        return outreach_service.sweep_visits(
            session=session, now=now or localtime.utc_now(), settings=settings
        )


def send_service_due(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> Counter[str]:
    """Queue service-due, expiring-entitlement and warranty-ending reminders with slots."""
    with session_scope(engine) as session:
        return service_due.queue_service_due(
            session=session,
            now=now or localtime.utc_now(),
            settings=settings,
            find_slots=service_due.offered_slots,
        )


def deliver_outbox(
    engine: Engine, settings: Settings, channel: Channel, now: datetime | None = None
) -> DeliveryReport:
    """Send the due outbox messages through the channel."""
    with session_scope(engine) as session:
        return delivery.deliver_due(
            session=session,
            channel=channel,
            now=now or localtime.utc_now(),
            policy=delivery.policy_from(settings),
            limit=settings.outbox_batch,
        )


def prune_access_log(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Delete access-log entries older than the retention period (UU PDP: kept no longer
    than needed); how many went."""
    with session_scope(engine) as session:
        return access_service.prune(
            session=session, retention_days=settings.access_log_retention_days, now=now
        )


def voucher_anniversaries(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> Counter[str]:
    """Issue the anniversary vouchers of units bought on this day in earlier years (looking a
    week back, so a missed run still issues; each unit's year once)."""
    with session_scope(engine) as session:
        return voucher_rules.issue_anniversaries(session=session, now=now or localtime.utc_now())


def check_complaint_slas(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> Counter[str]:
    """File a complaint for each delivery whose window ended with nobody there, then alert
    the dispatchers of complaints past their response or resolution deadline."""
    now = now or localtime.utc_now()
    with session_scope(engine) as session:
        late = handover_service.sweep_late_deliveries(session=session, now=now)
        counts = complaint_service.sweep_breaches(
            session=session, now=now, alert_email=settings.dispatcher_alert_email
        )
    if late:
        counts["late_delivery"] = late
    return counts


def catch_up(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    runner: JobRunner | None = None,
) -> list[str]:
    """At start: run what today's schedule should have run already (each task is idempotent)."""
    now = now or localtime.utc_now()
    hour = now.astimezone(_zone(settings)).hour
    ran = []
    if hour >= settings.plan_hour:
        plan_tomorrow(engine, settings, now, runner)
        ran.append(PLAN_TOMORROW)
    if hour >= settings.reminder_hour:
        send_reminders(engine, settings, now)
        ran.append(DAY_BEFORE_REMINDERS)
    if hour >= settings.service_due_hour:
        send_service_due(engine, settings, now)
        ran.append(SERVICE_DUE_REMINDERS)
    sweep_visit_messages(engine, settings, now)
    ran.append(VISIT_MESSAGES)
    check_complaint_slas(engine, settings, now)
    ran.append(COMPLAINT_SLA)
    return ran


def _every(seconds: int) -> IntervalTrigger:
    return IntervalTrigger(seconds=seconds)


def _zone(settings: Settings) -> Any:
    return localtime.zone(settings.scheduler_timezone or settings.default_timezone)


def _today_at(now: datetime, hour: int, zone: Any) -> datetime:
    """Today's `hour` o'clock in the scheduler's zone (where cron hours are read), in UTC."""
    local_today = localtime.local_day(now, zone)
    return datetime.combine(local_today, time(hour), tzinfo=zone).astimezone(UTC)
