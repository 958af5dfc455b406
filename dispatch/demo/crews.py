"""Demo crew installations: a few large AC units (catalogue.LARGE_UNITS) sold in each region,
each installed by two installers of one service centre together.

Some installations are history, done by a crew (both technicians are recorded) on a morning both
had free; some are booked ahead, in the morning window of a day of the coming week on which two
installers of the centre both work. Schedule.taken says which windows the main calendar gave
each one: a crew goes where the fewest of their morning windows are taken, never one taken by
other installation work (which nobody else could take over when the day is planned).
A random stream of its own draws all this after the main generation, so every generated unit,
customer and visit of the main sequence stays as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations

from dispatch import localtime
from dispatch.demo.activity import TZ, drive_s
from dispatch.demo.catalogue import LARGE_UNITS, REGIONS
from dispatch.demo.specs import (
    AssetSpec,
    CustomerSpec,
    DemoSize,
    JobSpec,
    TechnicianSpec,
    VisitSpec,
    product_key,
)
from dispatch.product.models import VisitKind

H, M = 3600, 60
PAST_A_REGION = 3  # installations done by a crew in the history
AHEAD_A_REGION = 2  # and booked ahead
HISTORY_SPAN_DAYS = 28
AHEAD_SPAN_DAYS = 7
INSTALL_SKILL = "ac_install"
SERIAL_PREFIX = {"AC Split 2.5 PK": "AC25", "AC Cassette 3 PK": "AC30"}
MORNING = frozenset({8, 10})  # the windows a 3-hour installation from 08:00 takes up
WINDOW = (8 * H, 10 * H)
DESCRIPTION = "Pemasangan unit besar (2 teknisi)"

Taken = dict[tuple[str, str, date], dict[int, str]]
Team = tuple[TechnicianSpec, TechnicianSpec]


@dataclass(frozen=True, slots=True)
class CrewSales:
    """The large units sold and their installation jobs."""

    assets: tuple[AssetSpec, ...]
    jobs: tuple[JobSpec, ...]


def sell_large_units(
    today: date,
    size: DemoSize,
    *,
    seed: int,
    technicians: tuple[TechnicianSpec, ...],
    customers: tuple[CustomerSpec, ...],
    taken: Taken,
) -> CrewSales:
    """Per region, up to PAST_A_REGION crew installations done and AHEAD_A_REGION booked."""
    sale = _Sale(random.Random(f"{seed}:crews"), today, customers, taken)
    span = min(size.history_days, HISTORY_SPAN_DAYS)
    past = [today - timedelta(days=k) for k in range(span, 0, -1)]
    ahead = [
        today + timedelta(days=k) for k in range(1, min(size.future_days, AHEAD_SPAN_DAYS + 1))
    ]
    for region in REGIONS:
        teams = _teams([t for t in technicians if t.region == region.code])
        for days, count in ((past, PAST_A_REGION), (ahead, AHEAD_A_REGION)):
            for _ in range(count):
                sale.install(teams, days)
    return CrewSales(tuple(sale.assets), tuple(sale.jobs))


def _teams(technicians: list[TechnicianSpec]) -> list[Team]:
    """Pairs of installers who start at the same service centre."""
    installers = [t for t in technicians if INSTALL_SKILL in t.skills]
    return [(a, b) for a, b in combinations(installers, 2) if a.centre == b.centre]


class _Sale:
    """The units sold so far, their jobs, the buyers and the mornings the crews took."""

    def __init__(
        self, rng: random.Random, today: date, customers: tuple[CustomerSpec, ...], taken: Taken
    ) -> None:
        self.rng, self.today, self.customers = rng, today, customers
        self.taken = dict(taken)
        self.now = localtime.to_utc(today, 7 * H, TZ)  # the demo is loaded before work starts
        self.buyers: set[str] = set()
        self.assets: list[AssetSpec] = []
        self.jobs: list[JobSpec] = []

    def install(self, teams: list[Team], days: list[date]) -> None:
        """Sell a large unit near a team that works on a day of days and book (or, in the past,
        do) its installation that morning; nothing when no team can or no customer is left."""
        ahead = bool(days) and days[0] > self.today  # the past only where both were free
        possible = [
            (clashes, d, team)
            for d in days
            for team in teams
            if (clashes := self._clashes(team, d)) is not None and (ahead or clashes == 0)
        ]
        if not possible:
            return
        fewest = min(clashes for clashes, _, _ in possible)
        _, day, team = self.rng.choice([p for p in possible if p[0] == fewest])
        buyers = [
            c
            for c in self.customers
            if c.region == team[0].region
            and c.centre == team[0].centre.name
            and c.phone not in self.buyers
        ]
        if not buyers:
            return
        customer = self.rng.choice(buyers)
        self.buyers.add(customer.phone)
        for t in team:
            key = (t.name, t.region, day)
            self.taken[key] = self.taken.get(key, {}) | dict.fromkeys(MORNING, INSTALL_SKILL)
        asset = self._unit(customer, day)
        created = localtime.to_utc(asset.purchase_date, self.rng.randint(10 * H, 19 * H), TZ)
        booked = min(created + timedelta(minutes=self.rng.randint(5, 240)), self.now)
        lead, partner = self.rng.sample(team, 2)
        visit = (
            self._done(day, lead, partner, customer, booked)
            if day < self.today
            else VisitSpec(*_window(day), booked_at=booked)
        )
        job = JobSpec(
            team[0].region, asset.serial, VisitKind.INSTALLATION, created, DESCRIPTION, None,
            (visit,),
        )  # fmt: skip
        self.assets.append(asset)
        self.jobs.append(job)

    def _clashes(self, team: Team, day: date) -> int | None:
        """How many of the team's morning windows hold other work; None when one of them does
        not work that day (Sunday, leave) or has another installation that morning."""
        if day.weekday() == 6 or any(day in t.leave for t in team):
            return None
        clashes = 0
        for t in team:
            taken = self.taken.get((t.name, t.region, day), {})
            skills = [skill for hour, skill in taken.items() if hour in MORNING]
            if INSTALL_SKILL in skills:
                return None
            clashes += len(skills)
        return clashes

    def _unit(self, customer: CustomerSpec, day: date) -> AssetSpec:
        """A large unit bought a few days before its installation (before today)."""
        product = self.rng.choice(LARGE_UNITS)
        bought = min(day, self.today) - timedelta(days=self.rng.randint(1, 4))
        serial = f"{SERIAL_PREFIX[product.name]}-{len(self.assets) + 1:06d}"
        return AssetSpec(serial, customer.phone, product_key(product), bought)

    def _done(
        self,
        day: date,
        lead: TechnicianSpec,
        partner: TechnicianSpec,
        customer: CustomerSpec,
        booked: datetime,
    ) -> VisitSpec:
        """The installation as it happened: both set off at 08:00 from their centre, the work
        starts when they are there and takes them about the three hours it is given."""
        drive = drive_s((lead.centre.lat, lead.centre.lon), (customer.lat, customer.lon))
        arrive_s = WINDOW[0] + int(drive * self.rng.uniform(0.9, 1.3))
        work_s = int(180 * M * self.rng.uniform(0.9, 1.15))

        def at(t_s: int) -> datetime:
            return localtime.to_utc(day, t_s, TZ)

        return VisitSpec(
            *_window(day),
            booked_at=booked,
            outcome="completed",
            technician=lead.name,
            crew=(partner.name,),
            planned_start=at(WINDOW[0] + drive),
            en_route_at=at(WINDOW[0]),
            arrived_at=at(arrive_s),
            ended_at=at(arrive_s + work_s),
        )


def _window(day: date) -> tuple[datetime, datetime]:
    return localtime.to_utc(day, WINDOW[0], TZ), localtime.to_utc(day, WINDOW[1], TZ)
