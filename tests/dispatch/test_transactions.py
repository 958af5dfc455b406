"""No transaction stays open across slow work: a solve, the routing server, the geocoder.

On SQLite every transaction takes the write lock with its first statement (BEGIN IMMEDIATE, see
dispatch.db), so a session left open across seconds of solving or a network call blocks every
other writer (bookings, technicians' events) for that long. Each test probes, from inside the
slow step, whether another connection could take the write lock at that moment.
"""

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.db import make_engine
from dispatch.geocoding import service as geocoding_service
from dispatch.planning import service as planning_service
from dispatch.region import service as region_service
from dispatch.region.models import RegionUpdate
from tests.dispatch.conftest import settings_for
from tests.dispatch.planning_day import FAST, small_day
from tests.dispatch.test_road_matrix import FakeOsrm, osrm  # noqa: F401  (fixture)
from tests.factories import DAY, local

ADDRESS = "Jl. Kemang Raya 10, Jakarta Selatan"


@pytest.fixture
def sqlite_file(sqlite_template: Path, tmp_path: Path) -> Path:
    """A migrated SQLite file of this test's own."""
    path = tmp_path / "purna.db"
    shutil.copyfile(sqlite_template, path)
    return path


@pytest.fixture
def sqlite_engine(sqlite_file: Path) -> Iterator[Engine]:
    """An engine on the test's SQLite file."""
    engine = make_engine(settings_for(f"sqlite:///{sqlite_file}"))
    yield engine
    engine.dispose()


def can_write(path: Path) -> bool:
    """True when another connection takes SQLite's write lock at once (nobody holds it)."""
    connection = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        connection.close()


def test_can_write_sees_a_session_in_a_transaction(
    sqlite_engine: Engine, sqlite_file: Path
) -> None:
    """The probe itself: false while a session has read something, true once it committed."""
    with Session(sqlite_engine) as session:
        small_day(session)
        region_service.list_all(session=session)
        assert not can_write(sqlite_file)
        session.commit()
        assert can_write(sqlite_file)


def _probing_solve(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[bool]:
    """Make planning_service.solve_problem record can_write before it solves."""
    probes: list[bool] = []
    solve = planning_service.solve_problem

    def probed(*args: Any, **kw: Any) -> Any:
        probes.append(can_write(path))
        return solve(*args, **kw)

    monkeypatch.setattr(planning_service, "solve_problem", probed)
    return probes


def test_plan_day_holds_no_lock_while_solving(
    sqlite_engine: Engine, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer can write while plan_day solves; the draft is stored afterwards."""
    probes = _probing_solve(monkeypatch, sqlite_file)
    with Session(sqlite_engine) as session:
        day = small_day(session)
        plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
        assert plan.assigned == 4
    assert probes == [True]


def test_replan_holds_no_lock_while_solving(
    sqlite_engine: Engine, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer can write while replan solves the rest of the day."""
    probes = _probing_solve(monkeypatch, sqlite_file)
    with Session(sqlite_engine) as session:
        day = small_day(session)
        planning_service.replan(
            session=session, region=day.region, day=DAY, now=local(DAY, 7), options=FAST
        )
    assert probes == [True]


def test_build_problem_leaves_the_routing_server_to_the_solve(
    sqlite_engine: Engine,
    osrm: FakeOsrm,  # noqa: F811
) -> None:
    """Reading the day (inside a transaction) asks the routing server nothing."""
    with Session(sqlite_engine) as session:
        day = small_day(session)
        region_service.update(
            session=session, region=day.region, region_in=RegionUpdate(osrm_url=osrm.url)
        )
        built = planning_service.build_problem(session=session, region=day.region, day=DAY)
    assert osrm.requests == []
    assert built.osrm_url == osrm.url


def test_plan_day_asks_the_routing_server_holding_no_lock(
    sqlite_engine: Engine,
    sqlite_file: Path,
    osrm: FakeOsrm,  # noqa: F811
) -> None:
    """While the routing server computes the day's matrix, other writers can write."""
    probes: list[bool] = []
    osrm.on_request = lambda: probes.append(can_write(sqlite_file))
    with Session(sqlite_engine) as session:
        day = small_day(session)
        region_service.update(
            session=session, region=day.region, region_in=RegionUpdate(osrm_url=osrm.url)
        )
        plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
        assert plan.plan_json["problem"]["travel"]["model"] == "matrix"
    assert probes and all(probes)


class _ProbingGeocoder:
    """A geocoder that knows one address and probes the write lock while it answers."""

    def __init__(self, path: Path) -> None:
        self.path, self.probes = path, list[bool]()

    def geocode(self, query: str, *, exactly_one: bool = True) -> Any:
        """The point of ADDRESS (after probing the lock)."""
        self.probes.append(can_write(self.path))
        return type("Place", (), {"latitude": -6.2607, "longitude": 106.8137})()


def test_geocode_holds_no_lock_while_the_geocoder_answers(
    sqlite_engine: Engine, sqlite_file: Path
) -> None:
    """A cache miss ends the cache read before asking the geocoder; the answer is cached."""
    geocoder = _ProbingGeocoder(sqlite_file)
    settings = settings_for(f"sqlite:///{sqlite_file}")
    with Session(sqlite_engine) as session:
        point = geocoding_service.geocode(
            session=session, settings=settings, address=ADDRESS, geocoder=geocoder
        )
        again = geocoding_service.cached(session=session, address=ADDRESS)
    assert geocoder.probes == [True]
    assert (point.lat, point.lon) == (-6.2607, 106.8137)
    assert again is not None and again.cached
