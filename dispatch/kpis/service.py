"""KPI report: the KPIs of a period for some regions (or all), in total and per group."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from dispatch import localtime
from dispatch.errors import InvalidInput, NotFound
from dispatch.kpis import facts as facts_module
from dispatch.kpis.definitions import values
from dispatch.kpis.models import (
    DurationFact,
    Facts,
    Grouping,
    KpiReport,
    KpiRow,
    SurveyFact,
    VisitFact,
)
from dispatch.region.models import Region
from dispatch.technician.models import Technician

MAX_PERIOD_DAYS = 366
DEFAULT_DAYS = 28  # four whole weeks, so weekdays weigh alike
# Days far from now mean a typo; the bounds also keep UTC conversions inside datetime's range.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
CrewFact = TypeVar("CrewFact", VisitFact, SurveyFact, DurationFact)


def report(
    *,
    session: Session,
    region_codes: Sequence[str] | None,
    start: date | None = None,
    end: date | None = None,
    by: Grouping | None = None,
    as_of: date | None = None,
    zone_name: str = "Asia/Jakarta",
    now: datetime | None = None,
) -> KpiReport:
    """The KPIs of the local days start..end in these regions (None: every region); end
    defaults to today, start to DEFAULT_DAYS - 1 days before end.

    as_of is the day the report is made (default: today in zone_name, the deployment's zone):
    entitlements count once expired by then.
    """
    today = localtime.local_day(now or localtime.utc_now(), localtime.zone(zone_name))
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    _check_period(start, end)
    regions = _regions(session, region_codes)
    today = as_of or today
    facts = facts_module.load(
        session=session,
        regions=regions,
        start=start,
        end=end,
        as_of=today,
        all_regions=region_codes is None,
    )
    return KpiReport(
        regions=sorted(region_codes or []),
        start=start,
        end=end,
        by=by,
        total=values(facts),
        rows=_rows(session, facts, by, regions),
    )


def _check_period(start: date, end: date) -> None:
    for name, day in (("from", start), ("to", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(f"{name} must lie between {FIRST_DAY} and {LAST_DAY}.", loc=(name,))
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start}).", loc=("to",))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_PERIOD_DAYS} days.", loc=("to",))


def _regions(session: Session, codes: Sequence[str] | None) -> list[Region]:
    query = select(Region).order_by(col(Region.code))
    if codes is None:
        return list(session.exec(query).all())
    regions = list(session.exec(query.where(col(Region.code).in_(list(codes)))).all())
    missing = sorted(set(codes) - {r.code for r in regions})
    if missing:
        raise NotFound(f"region {missing[0]!r} does not exist.", loc=("region",))
    return regions


def week_of(day: date) -> date:
    """The Monday of the ISO week of day."""
    return day - timedelta(days=day.weekday())


KEYS: dict[Grouping, Callable[[Any], Any]] = {
    Grouping.TECHNICIAN: lambda fact: fact.technician_id,
    Grouping.REGION: lambda fact: fact.region_id,
    Grouping.WEEK: lambda fact: week_of(fact.day),
    Grouping.CATEGORY: lambda fact: getattr(fact, "category", None),
}


def _rows(
    session: Session, facts: Facts, by: Grouping | None, regions: Sequence[Region]
) -> list[KpiRow]:
    """One row per technician, region or week that has any fact, in key order."""
    if by is None:
        return []
    key_of = KEYS[by]
    if by is Grouping.TECHNICIAN:
        facts = per_member(facts)
    every: list[Any] = [*facts.visits, *facts.surveys, *facts.responses, *facts.resolutions]
    every += [*facts.shifts, *facts.entitlements]
    every += [*facts.vouchers_issued, *facts.vouchers_redeemed, *facts.repeats]
    every += [*facts.complaint_responses, *facts.complaint_resolutions]
    keys = {key_of(f) for f in every} - {None}
    labels = _labels(session, by, keys, regions)
    # Regions by code; technicians by id and weeks in order (their keys sort as they are).
    by_code = by is Grouping.REGION
    rows = []
    for key in sorted(keys, key=lambda k: labels[k][0] if by_code else k):
        subset = _only(facts, partial(_has_key, key_of, key))
        key_text, label = labels[key]
        rows.append(KpiRow(key=key_text, label=label, values=values(subset)))
    return rows


def per_member(facts: Facts) -> Facts:
    """The facts as each technician worked them: a crew visit (and its survey and resolution)
    once for every member, each copy that member's alone (its time is their work)."""
    return replace(
        facts,
        visits=_members(facts.visits),
        surveys=_members(facts.surveys),
        resolutions=_members(facts.resolutions),
    )


def _members(facts: Sequence[CrewFact]) -> list[CrewFact]:
    return [
        replace(f, technician_id=t, crew=()) if f.crew else f
        for f in facts
        for t in (f.crew or (f.technician_id,))
    ]


def _has_key(key_of: Callable[[Any], Any], key: Any, fact: Any) -> bool:
    return bool(key_of(fact) == key)


def _only(facts: Facts, keep: Callable[[Any], bool]) -> Facts:
    """The facts that keep accepts."""
    return Facts(
        visits=[f for f in facts.visits if keep(f)],
        surveys=[f for f in facts.surveys if keep(f)],
        responses=[f for f in facts.responses if keep(f)],
        resolutions=[f for f in facts.resolutions if keep(f)],
        shifts=[f for f in facts.shifts if keep(f)],
        entitlements=[f for f in facts.entitlements if keep(f)],
        vouchers_issued=[f for f in facts.vouchers_issued if keep(f)],
        vouchers_redeemed=[f for f in facts.vouchers_redeemed if keep(f)],
        repeats=[f for f in facts.repeats if keep(f)],
        complaint_responses=[f for f in facts.complaint_responses if keep(f)],
        complaint_resolutions=[f for f in facts.complaint_resolutions if keep(f)],
    )


def _labels(
    session: Session, by: Grouping, keys: set[Any], regions: Sequence[Region]
) -> dict[Any, tuple[str, str]]:
    """(key as text, label) per key: technician id and name, region code and name, week."""
    if by is Grouping.REGION:
        by_id = {r.id: r for r in regions}
        return {k: (by_id[k].code, by_id[k].name) for k in keys}
    if by is Grouping.WEEK:
        return {k: (str(k), _iso_week(k)) for k in keys}
    if by is Grouping.CATEGORY:
        return {k: (k, k.replace(":", ": ").replace("_", " ")) for k in keys}
    ids = [k for k in keys if isinstance(k, int)]
    technicians = session.exec(select(Technician).where(col(Technician.id).in_(ids))).all()
    names = {t.id: t.name for t in technicians}
    return {k: (str(k), names.get(k, f"technician {k}")) for k in ids}


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
