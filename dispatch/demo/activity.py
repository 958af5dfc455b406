"""The demo's visits: each technician's calendar filled slot by slot, so that every day is feasible.

A technician gets at most three visits a day, at most one per promised 2-hour window, each no
longer than its window's cap (CAPS). With customers a few kilometres from the service centre,
such a day fits the shift with its breaks and at most an hour of overtime. Past days also get
what happened: when the technician set off, arrived and finished; now and then a failure, whose
follow-up is booked a few days later.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch import localtime
from dispatch.demo.catalogue import CATALOGUE, TIMEZONE
from dispatch.demo.specs import (
    AssetSpec,
    CustomerSpec,
    DemoSize,
    JobSpec,
    TechnicianSpec,
    VisitSpec,
    product_key,
)
from dispatch.product.models import ProductCategory, VisitKind

H, M = 3600, 60
TZ = ZoneInfo(TIMEZONE)
K = VisitKind
# Longest visit (minutes) per promised window (by its start hour), by kind of day.
WEEKDAY_CAPS = {8: 150, 10: 60, 13: 120, 15: 90}
FRIDAY_CAPS = {8: 150, 13: 120, 15: 60}  # the midday break covers Friday prayer
MAX_A_DAY = 3
KIND_WEIGHT = {
    K.INSTALLATION: 4.0,
    K.PERIODIC_SERVICE: 3.0,
    K.REPAIR: 2.5,
    K.OIL_CHANGE: 1.0,
    K.INSPECTION: 0.7,
}
LEAD_DAYS = {
    K.INSTALLATION: (1, 4),
    K.PERIODIC_SERVICE: (2, 10),
    K.REPAIR: (0, 2),
    K.OIL_CHANGE: (2, 7),
    K.INSPECTION: (1, 5),
}
FAILURE_RATE, LATE_RATE = 0.07, 0.06
FAILURES = (("customer_absent", 0.5), ("part_missing", 0.35), ("needs_second_visit", 0.15))
REST_DAYS = 10  # an asset gets at most one job in this many days
SPEED_MS = 25 / 3.6
ROAD_FACTOR = 1.4
REPAIR_TEXTS = {
    ProductCategory.AC: ("AC tidak dingin", "AC bocor air", "AC berbunyi keras"),
    ProductCategory.WASHING_MACHINE: ("Mesin cuci tidak berputar", "Air tidak mau keluar"),
    ProductCategory.REFRIGERATOR: ("Kulkas tidak dingin", "Freezer penuh bunga es"),
    ProductCategory.MOTORCYCLE: ("Motor susah dihidupkan", "Rem kurang pakem", "Aki soak"),
    ProductCategory.CAR: ("Mesin cepat panas", "AC mobil tidak dingin", "Lampu check engine"),
}
KIND_TEXTS = {
    K.INSTALLATION: "Pemasangan unit baru",
    K.PERIODIC_SERVICE: "Servis berkala",
    K.OIL_CHANGE: "Ganti oli",
    K.INSPECTION: "Pemeriksaan unit",
}


@dataclass(frozen=True, slots=True)
class _Policy:
    product: str
    category: ProductCategory
    kind: VisitKind
    skill: str
    duration_s: int


@dataclass
class _Job:
    region: str
    asset: AssetSpec
    policy: _Policy
    centre: str
    created_at: datetime
    description: str
    priority: int | None
    visits: list[VisitSpec] = field(default_factory=list)
    ready: date | None = None  # a failed job: its follow-up may be booked from this day


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every job of the demo, oldest request first, and the windows each technician was given
    on each day: (technician name, region, day) -> {window start hour: skill of its work}."""

    jobs: tuple[JobSpec, ...]
    taken: dict[tuple[str, str, date], dict[int, str]]


def schedule(
    rng: random.Random,
    today: date,
    size: DemoSize,
    technicians: tuple[TechnicianSpec, ...],
    customers: tuple[CustomerSpec, ...],
    assets: tuple[AssetSpec, ...],
) -> Schedule:
    """Every job of the demo and the technicians' taken windows (see Schedule)."""
    calendar = _Calendar(rng, today, customers, assets)
    first = today - timedelta(days=size.history_days)
    for offset in range(size.history_days + size.future_days):
        day = first + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        ahead = (day - today).days
        load = size.history_load if ahead < 0 else max(0.2, 0.85 - 0.05 * ahead)
        for tech in technicians:
            if day not in tech.leave:
                calendar.fill(tech, day, load)
    jobs = sorted(calendar.jobs, key=lambda j: (j.created_at, j.asset.serial))
    specs = tuple(
        JobSpec(
            j.region,
            j.asset.serial,
            j.policy.kind,
            j.created_at,
            j.description,
            j.priority,
            tuple(j.visits),
        )
        for j in jobs
    )
    return Schedule(specs, calendar.taken)


class _Calendar:
    """Technicians' days, the jobs made so far, and which assets are busy."""

    def __init__(
        self,
        rng: random.Random,
        today: date,
        customers: tuple[CustomerSpec, ...],
        assets: tuple[AssetSpec, ...],
    ) -> None:
        self.rng, self.today = rng, today
        self.now = localtime.to_utc(today, 7 * H, TZ)  # the demo is loaded before work starts
        self.customers = {c.phone: c for c in customers}
        self.by_place: dict[tuple[str, str, str], list[AssetSpec]] = {}
        for a in assets:
            c = self.customers[a.customer_phone]
            self.by_place.setdefault((c.region, c.centre, a.product), []).append(a)
        self.policies = [
            _Policy(product_key(p), p.category, k.kind, k.skill, k.duration_s)
            for p, _ in CATALOGUE
            for k in p.visit_kinds
        ]
        self.last_use: dict[str, date] = {}
        self.busy: set[str] = set()
        self.installed: set[str] = set()
        self.pending: list[_Job] = []
        self.jobs: list[_Job] = []
        self.taken: dict[tuple[str, str, date], dict[int, str]] = {}

    def fill(self, tech: TechnicianSpec, day: date, load: float) -> None:
        """Book up to three visits of the technician on day, one per window at most."""
        caps = _caps(day)
        n = sum(self.rng.random() < load for _ in range(MAX_A_DAY))
        hours = sorted(self.rng.sample(sorted(caps), min(n, len(caps))))
        chosen = []
        for hour in hours:
            start = localtime.to_utc(day, hour * H, TZ)
            job = self._follow_up(tech, day, caps[hour]) or self._new_job(
                tech, day, caps[hour], start
            )
            if job is not None:
                chosen.append((hour, job, self._booked_at(job, start)))
        self.taken[(tech.name, tech.region, day)] = {h: j.policy.skill for h, j, _ in chosen}
        if day < self.today:
            self._happen(tech, day, chosen)
            return
        for hour, job, booked_at in chosen:
            job.visits.append(VisitSpec(*_window(day, hour), booked_at=booked_at))

    def _new_job(
        self, tech: TechnicianSpec, day: date, cap_min: int, start: datetime
    ) -> _Job | None:
        """A new request for a kind of work the technician does, on an asset near its centre."""
        options = [
            p for p in self.policies if p.skill in tech.skills and p.duration_s <= cap_min * M
        ]
        weights = [KIND_WEIGHT[p.kind] for p in options]
        while options:
            k = self.rng.choices(range(len(options)), weights=weights)[0]
            policy = options.pop(k)
            weights.pop(k)
            asset = self._asset_for(tech, policy, day)
            if asset is not None:
                return self._open(tech, policy, asset, day, start)
        return None

    def _asset_for(self, tech: TechnicianSpec, policy: _Policy, day: date) -> AssetSpec | None:
        """An asset of the policy's product near the technician that is free for this work."""
        candidates = [
            a
            for a in self.by_place.get((tech.region, tech.centre.name, policy.product), [])
            if a.serial not in self.busy
            and (day - self.last_use.get(a.serial, date.min)).days >= REST_DAYS
            and _fits(policy.kind, a, day, a.serial in self.installed)
        ]
        return self.rng.choice(candidates) if candidates else None

    def _open(
        self, tech: TechnicianSpec, policy: _Policy, asset: AssetSpec, day: date, start: datetime
    ) -> _Job:
        lo, hi = LEAD_DAYS[policy.kind]
        asked_day = day - timedelta(days=self.rng.randint(lo, hi))
        asked = localtime.to_utc(asked_day, self.rng.randint(8 * H, 20 * H), TZ)
        earliest = localtime.to_utc(asset.purchase_date, 10 * H, TZ)
        created = max(earliest, min(asked, self.now - timedelta(minutes=30), start - 2 * _HOUR))
        urgent = policy.kind is K.REPAIR and self.rng.random() < 0.2
        job = _Job(
            region=tech.region,
            asset=asset,
            policy=policy,
            centre=tech.centre.name,
            created_at=created,
            description=self._text(policy),
            priority=self.rng.choice((4, 5)) if urgent else None,
        )
        self.busy.add(asset.serial)
        self.last_use[asset.serial] = day
        if policy.kind is K.INSTALLATION:
            self.installed.add(asset.serial)
        self.jobs.append(job)
        return job

    def _text(self, policy: _Policy) -> str:
        if policy.kind is K.REPAIR:
            return self.rng.choice(REPAIR_TEXTS.get(policy.category, ("Unit rusak",)))
        return KIND_TEXTS[policy.kind]

    def _follow_up(self, tech: TechnicianSpec, day: date, cap_min: int) -> _Job | None:
        """A failed job of this technician's area and trade waiting for its next visit."""
        for job in self.pending:
            if (
                job.ready is not None
                and job.ready <= day
                and job.region == tech.region
                and job.centre == tech.centre.name
                and job.policy.skill in tech.skills
                and job.policy.duration_s <= cap_min * M
            ):
                self.pending.remove(job)
                self.last_use[job.asset.serial] = day
                return job
        return None

    def _booked_at(self, job: _Job, start: datetime) -> datetime:
        """When the visit was booked: after the request (or the failure before), before now."""
        after = job.visits[-1].ended_at if job.visits else job.created_at
        assert after is not None
        booked = after + timedelta(minutes=self.rng.randint(5, 240))
        return max(after, min(booked, self.now, start - _HOUR))

    def _happen(
        self, tech: TechnicianSpec, day: date, chosen: list[tuple[int, _Job, datetime]]
    ) -> None:
        """What happened on a past day: set off, arrived, finished or failed, in order."""
        here, free_s, lunch = (tech.centre.lat, tech.centre.lon), 8 * H, False
        for hour, job, booked_at in chosen:
            customer = self.customers[job.asset.customer_phone]
            there = (customer.lat, customer.lon)
            visit = self._took_place(tech, day, hour, drive_s(here, there), free_s, booked_at, job)
            job.visits.append(visit)
            assert visit.ended_at is not None
            here, free_s = there, localtime.seconds_from_midnight(visit.ended_at, day, TZ)
            if not lunch and free_s >= 11 * H + 30 * M:
                free_s, lunch = free_s + H, True
            self._settle(job, day, failed=visit.failure_reason is not None)

    def _took_place(
        self,
        tech: TechnicianSpec,
        day: date,
        hour: int,
        drive_s: int,
        free_s: int,
        booked_at: datetime,
        job: _Job,
    ) -> VisitSpec:
        """One past visit: set off when free (not too early), drive, work; late or failed now and
        then."""
        depart_s = max(free_s, hour * H - drive_s)
        arrive_s = depart_s + int(drive_s * self.rng.uniform(0.8, 1.3))
        if self.rng.random() < LATE_RATE:
            arrive_s += self.rng.randint(30, 80) * M  # stuck in traffic
        failure = self._failure()
        work_s = int(job.policy.duration_s * self.rng.uniform(0.85, 1.25))
        if failure == "customer_absent":
            work_s = self.rng.randint(10, 20) * M  # waited, called, left

        def at(t_s: int) -> datetime:
            return localtime.to_utc(day, t_s, TZ)

        return VisitSpec(
            *_window(day, hour),
            booked_at=booked_at,
            technician=tech.name,
            outcome="failed" if failure else "completed",
            planned_start=at(max(hour * H, depart_s + drive_s)),
            en_route_at=at(depart_s),
            arrived_at=at(arrive_s),
            ended_at=at(arrive_s + work_s),
            failure_reason=failure,
        )

    def _failure(self) -> str | None:
        if self.rng.random() >= FAILURE_RATE:
            return None
        return self.rng.choices([r for r, _ in FAILURES], weights=[w for _, w in FAILURES])[0]

    def _settle(self, job: _Job, day: date, *, failed: bool) -> None:
        """A failed job waits two days for its follow-up; a done one frees its asset."""
        if failed:
            job.ready = day + timedelta(days=2)
            self.pending.append(job)
        else:
            self.busy.discard(job.asset.serial)


_HOUR = timedelta(hours=1)


def _caps(day: date) -> dict[int, int]:
    return FRIDAY_CAPS if day.weekday() == 4 else WEEKDAY_CAPS


def _window(day: date, hour: int) -> tuple[datetime, datetime]:
    return localtime.to_utc(day, hour * H, TZ), localtime.to_utc(day, (hour + 2) * H, TZ)


def _fits(kind: VisitKind, asset: AssetSpec, day: date, installed: bool) -> bool:
    """Installation within ten days of purchase, once; other work on units older than two weeks."""
    age = (day - asset.purchase_date).days
    if kind is K.INSTALLATION:
        return not installed and 1 <= age <= 10
    return age >= 14


def drive_s(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Driving time at the demo's speed over the great-circle distance times a road factor."""
    dy = math.radians(b[0] - a[0])
    dx = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return int(6_371_000 * math.hypot(dx, dy) * ROAD_FACTOR / SPEED_MS)
