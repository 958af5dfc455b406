"""The demo business as plain data: the same seed and day always give the same data.

Nothing here touches the database; dispatch.demo.loader puts the data in through the services.
Technicians, customers and assets come from here; their visits from dispatch.demo.activity, and
the answers to the surveys after them from dispatch.demo.surveys. After that main sequence, with
random streams of their own (so it stays as it is): the large AC units installed by a crew of
two (dispatch.demo.crews) and the free services due within two weeks (dispatch.demo.movable).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from dispatch.demo.activity import schedule
from dispatch.demo.catalogue import (
    CATALOGUE,
    FIRST_NAMES,
    LARGE_UNITS,
    LAST_NAMES,
    PROFILES,
    REGIONS,
    SERIAL_PREFIXES,
    STREETS,
)
from dispatch.demo.crews import sell_large_units
from dispatch.demo.movable import free_services_due
from dispatch.demo.specs import (
    AssetSpec,
    CustomerSpec,
    DemoData,
    DemoSize,
    TechnicianSpec,
    product_key,
)
from dispatch.demo.surveys import with_surveys

SEED = 20_260_310
ALWAYS_CENTRE_0 = (0, 1, 3, 5, 7, 9)  # profiles kept at a region's first centre when it has two


def generate(today: date, *, seed: int = SEED, size: DemoSize | None = None) -> DemoData:
    """The whole demo business around today (bookings from today, history before it)."""
    size = size or DemoSize()
    rng = random.Random(seed)
    technicians = _technicians(rng, today, size)
    customers = _customers(rng, size)
    assets = _assets(rng, customers, today, size)
    planned = schedule(rng, today, size, technicians, customers, assets)
    jobs = with_surveys(planned.jobs, customers, assets, seed=seed, today=today)
    large = sell_large_units(
        today, size, seed=seed, technicians=technicians, customers=customers, taken=planned.taken
    )
    sold = (*assets, *large.assets)
    crew_jobs = with_surveys(large.jobs, customers, sold, seed=seed, today=today, stream="crews")
    due = free_services_due(today, size, seed=seed, customers=customers, jobs=jobs)
    return DemoData(
        regions=REGIONS,
        products=(*(p for p, _ in CATALOGUE), *LARGE_UNITS),
        technicians=technicians,
        customers=customers,
        assets=(*sold, *due.assets),
        jobs=(*jobs, *crew_jobs, *due.jobs),
    )


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = f"+62 8{rng.randint(11, 59)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _technicians(rng: random.Random, today: date, size: DemoSize) -> tuple[TechnicianSpec, ...]:
    """Ten technicians a region with the profiles of PROFILES; three take a day off ahead."""
    phones: set[str] = set()
    result = []
    for region in REGIONS:
        names = rng.sample([f"{f} {ln}" for f in FIRST_NAMES for ln in LAST_NAMES], len(PROFILES))
        for i, skills in enumerate(PROFILES):
            two = len(region.centres) > 1
            centre = region.centres[1 if two and i not in ALWAYS_CENTRE_0 else 0].place
            result.append(
                TechnicianSpec(region.code, names[i], _phone(rng, phones), centre, skills)
            )
    for i in rng.sample(range(len(result)), 3):
        offset = rng.randint(1, max(1, size.future_days - 1))
        day = today + timedelta(days=offset)
        result[i] = replace(result[i], leave=(day,))
    return tuple(result)


def _customers(rng: random.Random, size: DemoSize) -> tuple[CustomerSpec, ...]:
    """Customers living in the neighbourhoods around each region's service centres."""
    phones: set[str] = set()
    result = []
    for region in REGIONS:
        hoods = [(c.place.name, h) for c in region.centres for h in c.neighbourhoods]
        for k in range(size.customers_per_region):
            centre, hood = hoods[rng.randrange(len(hoods))]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}{k}@example.com".lower() if rng.random() < 0.5 else None
            street = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 120)}"
            result.append(
                CustomerSpec(
                    region=region.code,
                    centre=centre,
                    name=f"{first} {last}",
                    phone=_phone(rng, phones),
                    email=email,
                    language="en" if rng.random() < 0.12 else "id",
                    address=f"{street}, {hood.name}, {region.city}",
                    lat=round(hood.lat + rng.gauss(0.0, 0.006), 5),
                    lon=round(hood.lon + rng.gauss(0.0, 0.006), 5),
                )
            )
    return tuple(result)


def _assets(
    rng: random.Random, customers: tuple[CustomerSpec, ...], today: date, size: DemoSize
) -> tuple[AssetSpec, ...]:
    """One to three units a customer; many bought lately (the after-sales work is on those)."""
    products = [p for p, _ in CATALOGUE]
    shares = [share for _, share in CATALOGUE]
    recent_days = size.history_days + 10
    result: list[AssetSpec] = []
    for customer in customers:
        count = 1 + (rng.random() < 0.55) + (rng.random() < 0.25)
        for _ in range(count):
            k = rng.choices(range(len(products)), weights=shares)[0]
            if rng.random() < 0.45:
                bought = today - timedelta(days=rng.randint(1, recent_days))
            else:
                bought = today - timedelta(days=rng.randint(recent_days + 1, 3 * 365))
            serial = f"{SERIAL_PREFIXES[k]}-{len(result) + 1:06d}"
            result.append(AssetSpec(serial, customer.phone, product_key(products[k]), bought))
    return tuple(result)
