"""Demo movable visits: free periodic services the customer booked as "within the next two
weeks": a due range of days and no promised window yet. A week plan (`purna plan --from D
--days 7`) puts each on a day with room; publishing that day promises its window.

The main sequence keeps nearly every unit busy, so these are units of their own: bought one
service interval before the day their first free service falls due (from tomorrow to
LATEST_START days ahead), by customers of the region; about SHARE of the region's visits in
the coming week. A random stream of its own draws them after the main generation, so every
generated unit, customer and visit of the main sequence stays as it was.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from dispatch import localtime
from dispatch.demo.activity import TZ
from dispatch.demo.catalogue import CATALOGUE, REGIONS, SERIAL_PREFIXES
from dispatch.demo.specs import AssetSpec, CustomerSpec, DemoSize, JobSpec, product_key
from dispatch.product.models import VisitKind

H = 3600
SHARE = 0.15  # movable visits per promised visit of the coming week
WEEK = 7
LATEST_START = 5  # a due range starts from tomorrow to this many days ahead
DUE_DAYS = 14  # "within two weeks"
DESCRIPTION = "Servis berkala gratis (dalam dua minggu)"


# The products with free periodic services, with their share of sold units and serial prefix.
SERVICED = tuple(
    (product, share, prefix)
    for (product, share), prefix in zip(CATALOGUE, SERIAL_PREFIXES, strict=True)
    if product.free_services and product.service_interval_days
)


@dataclass(frozen=True, slots=True)
class ServicesDue:
    """The units whose free service falls due, and its movable job each."""

    assets: tuple[AssetSpec, ...]
    jobs: tuple[JobSpec, ...]


def free_services_due(
    today: date,
    size: DemoSize,
    *,
    seed: int,
    customers: tuple[CustomerSpec, ...],
    jobs: tuple[JobSpec, ...],
) -> ServicesDue:
    """Per region, SHARE of its visits in the coming week as movable free services."""
    rng = random.Random(f"{seed}:movable")
    week = max(1, min(WEEK, size.future_days - 1))
    coming = Counter(
        j.region
        for j in jobs
        for v in j.visits
        if 1 <= (localtime.local_day(v.window_start, TZ) - today).days <= week
    )
    assets: list[AssetSpec] = []
    found: list[JobSpec] = []
    for region in REGIONS:
        people = [c for c in customers if c.region == region.code]
        for _ in range(round(SHARE * coming[region.code])):
            first = today + timedelta(days=rng.randint(1, min(LATEST_START, week)))
            asset = _unit(rng, rng.choice(people), first, len(assets) + 1)
            assets.append(asset)
            found.append(_job(rng, region.code, asset, first, today))
    return ServicesDue(tuple(assets), tuple(found))


def _unit(rng: random.Random, owner: CustomerSpec, due: date, n: int) -> AssetSpec:
    """A unit bought one service interval before its first free service falls due."""
    product, _, prefix = rng.choices(SERVICED, weights=[s for _, s, _ in SERVICED])[0]
    interval = product.service_interval_days or 0
    bought = due - timedelta(days=interval)
    return AssetSpec(f"{prefix}-S{n:05d}", owner.phone, product_key(product), bought)


def _job(rng: random.Random, region: str, asset: AssetSpec, first: date, today: date) -> JobSpec:
    """The free service, asked for after the reminder a few days ago, due within two weeks."""
    now = localtime.to_utc(today, 7 * H, TZ)  # the demo is loaded before work starts
    asked = today - timedelta(days=rng.randint(1, 4))
    created = min(localtime.to_utc(asked, rng.randint(9 * H, 20 * H), TZ), now)
    return JobSpec(
        region=region,
        asset_serial=asset.serial,
        kind=VisitKind.PERIODIC_SERVICE,
        created_at=created,
        description=DESCRIPTION,
        priority=None,
        visits=(),
        due=(first, first + timedelta(days=DUE_DAYS - 1)),
        booked_at=min(created + timedelta(minutes=rng.randint(2, 30)), now),
    )
