"""The demo's crews and movable visits: large AC units installed by two installers (done in the
history, booked ahead), free services due within two weeks with no promised window yet, and
the coming days planned together with both served as their rules say."""

import hashlib
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from dispatch.demo.catalogue import LARGE_UNITS, REGIONS
from dispatch.demo.generate import generate
from dispatch.demo.loader import DemoSummary, load_demo
from dispatch.demo.specs import DemoData, DemoSize, product_key
from dispatch.planning import service as planning_service
from dispatch.planning import solving, week
from dispatch.planning.models import Plan, PlanOptions, PlanStop
from dispatch.region import service as region_service
from dispatch.shift import service as shift_service
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit.models import Visit, VisitCrew, VisitStatus
from tests.dispatch.conftest import SMALL, TODAY

# The main sequence (customers, technicians, units and their jobs) as it was before the crews
# and the movable visits came, each from a random stream of its own, after it.
MAIN_ASSETS, MAIN_JOBS, MAIN_PRINT = 556, 428, "ca4b41798310e094"
FEW = DemoSize(customers_per_region=15, history_days=3, future_days=4)  # has both, loads fast


def _main_print(data: DemoData) -> str:
    """A digest of the main sequence's fields (the fields it had before, so new ones with
    their defaults do not change it)."""
    rows = [
        repr((c.region, c.name, c.phone, c.email, c.address, c.lat, c.lon)) for c in data.customers
    ]
    rows += [repr((t.region, t.name, t.phone, t.skills, t.leave)) for t in data.technicians]
    rows += [
        repr((a.serial, a.customer_phone, a.product, a.purchase_date))
        for a in data.assets[:MAIN_ASSETS]
    ]
    for j in data.jobs[:MAIN_JOBS]:
        rows.append(
            repr((j.region, j.asset_serial, j.kind.value, j.created_at, j.description, j.priority))
        )
        rows += [
            repr((v.window_start, v.window_end, v.booked_at, v.outcome, v.technician,
                  v.planned_start, v.ended_at, v.failure_reason, v.survey))
            for v in j.visits
        ]  # fmt: skip
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def test_generate_adds_crews_and_movable_visits_after_the_unchanged_main_sequence() -> None:
    """The main sequence is as it was; after it come large units with their installation by a
    crew, and free services with a due range of two weeks starting in the coming days."""
    data = generate(TODAY, size=SMALL)
    assert _main_print(data) == MAIN_PRINT
    extra_jobs = data.jobs[MAIN_JOBS:]
    large = {product_key(p) for p in LARGE_UNITS}
    sold = {a.serial: a for a in data.assets[MAIN_ASSETS:]}
    installs = [j for j in extra_jobs if sold[j.asset_serial].product in large]
    assert {j.region for j in installs} == {r.code for r in REGIONS}
    done = [v for j in installs for v in j.visits if v.outcome == "completed"]
    assert done and all(
        v.technician and len(v.crew) == 1 and v.crew[0] != v.technician for v in done
    )
    movable = [j for j in extra_jobs if j.due is not None]
    assert {j.region for j in movable} == {r.code for r in REGIONS}
    assert all(
        j.due and TODAY < j.due[0] <= TODAY + timedelta(days=3) and j.visits == () for j in movable
    )


def _installers(session: Session, visit: Visit) -> list[Technician]:
    ids = crew.members(session=session, visit_ids=[visit.id or 0]).get(visit.id or 0, [])
    return [t for t in (session.get(Technician, i) for i in ids) if t is not None]


def test_demo_has_crew_installations_done_and_booked(demo: Session) -> None:
    """Per region: large units installed in the history by two distinct installers of the
    region (both in visit_crew, one the planned technician), and installations booked in a
    2-hour window on a day when at least two installers of the region work."""
    for facts in REGIONS:
        region = region_service.get_by_code(session=demo, code=facts.code)
        assert region is not None
        visits = demo.exec(
            select(Visit).where(Visit.region_id == region.id, Visit.crew_size == 2)
        ).all()
        done = [v for v in visits if v.status is VisitStatus.COMPLETED]
        assert done, facts.code
        for visit in done:
            pair = _installers(demo, visit)
            assert len({t.id for t in pair}) == 2 and visit.planned_technician_id in {
                t.id for t in pair
            }
            assert all("ac_install" in t.skills and t.region_id == region.id for t in pair)
        for visit in (v for v in visits if v.status is VisitStatus.BOOKED):
            assert visit.window_start and visit.window_end
            assert visit.window_end - visit.window_start == timedelta(hours=2)
            day = visit.window_start.astimezone(region.zone).date()
            working = shift_service.working_days(
                session=demo, technician_ids=_installer_ids(demo, region.id or 0), day=day
            )
            assert len(working) >= 2


def _installer_ids(session: Session, region_id: int) -> list[int]:
    technicians = session.exec(select(Technician).where(Technician.region_id == region_id)).all()
    return [t.id or 0 for t in technicians if "ac_install" in t.skills]


def test_loading_the_demo_again_adds_no_crew_or_movable_visit(session: Session) -> None:
    """On SQLite and PostgreSQL: the load records crews and movable visits; a second load finds
    everything and adds no row, the crews and movable visits as they were."""

    def counts() -> tuple[int, int, int]:
        movable = select(func.count()).select_from(Visit).where(col(Visit.due_from).is_not(None))
        return (
            session.exec(select(func.count()).select_from(Visit)).one(),
            session.exec(select(func.count()).select_from(VisitCrew)).one(),
            session.exec(movable).one(),
        )

    load_demo(session, today=TODAY, size=FEW)
    before = counts()
    assert before[1] > 0 and before[2] > 0
    assert load_demo(session, today=TODAY, size=FEW) == DemoSummary()
    assert counts() == before


def test_demo_coming_days_plan_crews_together_and_movable_visits_in_their_range(
    demo: Session,
) -> None:
    """Each region's coming days, planned together: every crew installation served by two
    installers starting together, every movable visit on a day of its due range, nothing
    left out, each day's draft accepted by the validator; publishing the first day promises
    its movable visits the window they were planned in."""
    first, days = TODAY + timedelta(days=1), SMALL.future_days - 1
    options = PlanOptions(time_limit_s=2.0)
    for facts in REGIONS:
        region = region_service.get_by_code(session=demo, code=facts.code)
        assert region is not None
        plans = week.plan_days(session=demo, region=region, first=first, days=days, options=options)
        assert [solving.check_stored(p) for p in plans] == [[]] * days
        assert [p.unassigned for p in plans] == [0] * days, facts.code
        stops = [(p.day, s) for p in plans for r in p.routes for s in r.stops]
        by_visit: dict[int, list[tuple[date, PlanStop]]] = {}
        for day, stop in stops:
            by_visit.setdefault(stop.visit_id, []).append((day, stop))
        crews = demo.exec(
            select(Visit).where(
                Visit.region_id == region.id,
                Visit.crew_size == 2,
                Visit.status == VisitStatus.BOOKED,
            )
        ).all()
        assert crews, facts.code
        for visit in crews:
            served = [s for _, s in by_visit[visit.id or 0]]
            assert len({s.technician_id for s in served}) == 2
            assert len({s.start_at for s in served}) == 1
        movable = visit_movable(demo, region.id or 0)
        assert movable
        for visit in movable:
            [(day, _)] = by_visit[visit.id or 0]
            assert visit.due_from and visit.due_until and visit.due_from <= day <= visit.due_until
    _publish_promises_the_planned_window(demo, plans[0])


def _publish_promises_the_planned_window(session: Session, plan: Plan) -> None:
    """Publishing a day's draft: its movable visits get the window they were planned in on that
    day, its crew visits both technicians."""
    published = planning_service.publish(session=session, plan=plan)
    served = {s.visit_id for r in published.routes for s in r.stops}
    promised = [
        v for v in visit_movable(session, plan.region_id, any_status=True) if v.id in served
    ]
    assert promised
    for visit in promised:
        assert visit.status is VisitStatus.PLANNED and visit.window_start is not None
        assert visit.window_start.astimezone(ZoneInfo("Asia/Jakarta")).date() == plan.day
        assert visit.planned_start and visit.window_start <= visit.planned_start


def visit_movable(session: Session, region_id: int, *, any_status: bool = False) -> list[Visit]:
    """The region's visits with a due range (booked ones: still without a window)."""
    query = select(Visit).where(Visit.region_id == region_id, col(Visit.due_from).is_not(None))
    if not any_status:
        query = query.where(col(Visit.window_start).is_(None))
    return list(session.exec(query).all())
