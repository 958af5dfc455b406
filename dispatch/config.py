"""Settings from environment variables (or .env); the only place the environment is read."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# A dispatcher waits seconds, not hours: the one cap on a day's solve, wherever it is started
# (HTTP request, nightly run, command line; dispatch.planning.models.PlanOptions).
MAX_TIME_LIMIT_S = 300.0


class Settings(BaseSettings):
    """Deployment settings; with none set, Purna runs embedded on a SQLite file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./purna.db"
    sql_echo: bool = False
    default_timezone: str = "Asia/Jakarta"
    geocoder: Literal["none", "nominatim"] = "none"
    geocoder_user_agent: str = "purna/0.1"  # Nominatim asks every client to identify itself
    geocoder_timeout_s: float = Field(default=5.0, gt=0)
    geocoder_url: str | None = None  # a self-hosted Nominatim; None: the public server

    # Scheduler (dispatch/scheduler.py): one per deployment; embedded in the API process by default.
    embedded_scheduler: bool = True
    scheduler_timezone: str | None = None  # None: default_timezone; cron hours are read in it
    job_misfire_grace_s: int = Field(default=3600, gt=0)  # a scheduled task late by more is skipped
    plan_hour: int = Field(default=18, ge=0, le=23)  # plan tomorrow for every region
    plan_time_limit_s: float = Field(default=10.0, gt=0, le=MAX_TIME_LIMIT_S)
    # The nightly run waits this long for every region's job, then publishes what has ended.
    plan_all_wait_s: float = Field(default=3600.0, gt=0)
    reminder_hour: int = Field(default=17, ge=0, le=23)  # day-before reminders
    service_due_hour: int = Field(default=9, ge=0, le=23)  # service-due reminders
    outreach_sweep_s: int = Field(default=300, gt=0)  # surveys, follow-ups, missed notices
    outreach_lookback_h: int = Field(default=48, gt=0)  # older events get no message any more
    survey_delay_s: int = Field(default=3600, ge=0)  # the survey goes out after completion
    survey_valid_days: int = Field(default=30, gt=0)
    service_due_notice_days: int = Field(default=14, gt=0)  # remind this long before due
    expiry_notice_days: int = Field(default=30, gt=0)  # entitlements and warranties ending
    service_due_slots: int = Field(default=3, ge=0, le=10)  # best slots in a service reminder
    public_base_url: str = "http://127.0.0.1:8000"  # survey links point here
    # Outbox delivery (dispatch/outreach): channel, retries with exponential backoff.
    notify_channel: Literal["log", "webhook", "email"] = "log"
    outbox_poll_s: int = Field(default=30, gt=0)
    outbox_batch: int = Field(default=50, gt=0)
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_backoff_base_s: int = Field(default=60, gt=0)  # then 2x per attempt
    outbox_backoff_max_s: int = Field(default=3600, gt=0)
    outbox_lease_s: int = Field(default=300, gt=0)  # a claim older than this was a crash
    webhook_url: str | None = None
    webhook_secret: SecretStr = SecretStr("")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_sender: str = "Purna <noreply@purna.local>"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    dispatcher_alert_email: str | None = None  # where failed-visit alerts go by e-mail
    complaint_sla_sweep_s: int = Field(default=300, gt=0)  # complaints past an SLA deadline

    # Solve jobs (dispatch/jobs): threads in the API process, or Celery workers (`purna worker`)
    # fed through the broker; the job's state is in the solve_job table either way.
    job_runner: Literal["thread", "celery"] = "thread"
    broker_url: str = "redis://127.0.0.1:6379/0"  # Redis, or RabbitMQ as amqp://...
    job_queue: str = Field(default="purna-solve", min_length=1)  # the broker queue of solve jobs
    job_workers: int = Field(default=1, ge=1, le=16)  # solves at once; each keeps a core busy
    solve_time_limit_s: float = Field(default=10.0, gt=0, le=MAX_TIME_LIMIT_S)  # request gave none
    # A worker killed mid-job (dispatch/jobs/celery_app.py): Redis hands its job to another
    # worker after the visibility timeout (keep it above the longest job: 300 s + building);
    # that worker takes the job over once the dead one's heartbeat is older than the job's time
    # limit + JOB_LEASE_S; after JOB_MAX_ATTEMPTS lost workers the job ends failed.
    job_visibility_timeout_s: int = Field(default=900, ge=1)
    job_lease_s: float = Field(default=30.0, gt=0)
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    # VROOM's threads for a day's first plan; a second core serves more on big days (README).
    solver_threads: int = Field(default=1, ge=1, le=64)

    # Personal data and abuse (issue 18): token lifetimes, the access log, rate limits.
    staff_token_days: int = Field(default=30, ge=1, le=3650)  # admins, dispatchers, technicians
    customer_token_days: int = Field(default=365, ge=1, le=3650)
    access_log_retention_days: int = Field(default=365, ge=1)  # pruned daily by the scheduler
    access_log_prune_hour: int = Field(default=3, ge=0, le=23)
    # limits' storage URI: "redis://host:6379/0" shares counters between API workers; None
    # keeps them in the process's memory (the embedded shape).
    rate_limit_storage_url: str | None = None
    rate_limit_enabled: bool = True
    auth_failure_limit: str = "10/minute"  # failed bearer tokens per client address
    slot_query_limit: str = "60/minute"  # GET /v1/slots per account
    booking_limit: str = "20/minute"  # booking writes (book, reschedule, cancel) per account

    # Operating it (README "Operating it"): who may scrape /metrics, how long /v1/health waits
    # for the broker and the workers, and the log format. PROMETHEUS_MULTIPROC_DIR (several
    # API processes sharing their metrics) is read by prometheus-client itself, not here.
    metrics_token: SecretStr = SecretStr("")  # empty: /metrics answers local clients only
    health_timeout_s: float = Field(default=1.0, gt=0, le=10)
    log_format: Literal["text", "json"] = "text"  # json: one object a line (dispatch.telemetry)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Web pages (api/web): map tiles; empty draws points and route lines on a plain background.
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: str = "&copy; OpenStreetMap contributors"


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
