"""Shared set-up for the dispatcher and technician API tests: an app on a migrated SQLite file,
a small planning day in two regions, and a user with a token for each role.

Import the fixtures into a test module (`from tests.api.dispatch_support import world  # noqa`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.config import Settings
from dispatch.db import make_engine, upgrade
from dispatch.planning import service as planning_service
from dispatch.planning.models import PlanOptions
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit
from tests.dispatch.planning_day import small_day, two_technicians
from tests.factories import DAY, make_region

FAST = PlanOptions(time_limit_s=1.0, deterministic=True)  # the same plan every run, fast
WAIT_S = 30.0  # a deadline for conditions that take a solve (1 s) and a few polls


def api_settings(url: str, **overrides: Any) -> Settings:
    """Settings for a test app: no .env, no embedded scheduler, short solves."""
    values: dict[str, Any] = {
        "database_url": url,
        "embedded_scheduler": False,
        "solve_time_limit_s": 1.0,
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def api_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test copies it."""
    path = tmp_path_factory.mktemp("api-template") / "purna.db"
    engine = make_engine(api_settings(f"sqlite:///{path}"))
    upgrade(engine)
    engine.dispose()
    return path


@dataclass
class World:
    """Two regions (a: the small planning day, b: one technician), users and their tokens."""

    client: TestClient
    engine: Engine
    region_a: Region
    region_b: Region
    techs_a: list[Technician]
    tech_b: Technician
    visits_a: list[Visit]
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a user by its key (admin, disp_a, tech_a0, ...)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.auth(who), **kw)

    def post(self, who: str, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.auth(who), **kw)

    def session(self) -> Session:
        return Session(self.engine)


@pytest.fixture
def world(api_template: Path, tmp_path: Path) -> Iterator[World]:
    """The app (solve-job runner started) on a fresh copy of the migrated database."""
    path = tmp_path / "purna.db"
    shutil.copyfile(api_template, path)
    app = create_app(api_settings(f"sqlite:///{path}"))
    engine: Engine = app.state.engine
    with Session(engine) as session:
        day = small_day(session)
        region_b = make_region(session, code="jkt-b", name="Jakarta Barat")
        [tech_b, _] = two_technicians(session, region_b)
        tokens = _users(session, day.region, day.technicians, tech_b, day.visits[0])
        for obj in (day.region, region_b, tech_b, *day.technicians, *day.visits):
            session.refresh(obj)
        session.expunge_all()
    with TestClient(app) as client:
        yield World(
            client, engine, day.region, region_b, day.technicians, tech_b, day.visits, tokens
        )


def _users(
    session: Session, region: Region, techs: list[Technician], tech_b: Technician, visit: Visit
) -> dict[str, str]:
    """A user per role; dispatchers of region a only, of b only, and of every region."""
    specs: dict[str, dict[str, Any]] = {
        "admin": {"role": Role.ADMIN},
        "disp_a": {"role": Role.DISPATCHER, "region_codes": [region.code]},
        "disp_b": {"role": Role.DISPATCHER, "region_codes": ["jkt-b"]},
        "disp_all": {"role": Role.DISPATCHER},
        "tech_a0": {"role": Role.TECHNICIAN, "technician_id": techs[0].id},
        "tech_a1": {"role": Role.TECHNICIAN, "technician_id": techs[1].id},
        "tech_b": {"role": Role.TECHNICIAN, "technician_id": tech_b.id},
        "customer": {"role": Role.CUSTOMER, "customer_id": visit.request.customer_id},
    }
    tokens = {}
    for name, spec in specs.items():
        user_in = UserCreate(name=name, **spec)
        _, tokens[name] = account_service.create(session=session, user_in=user_in)
    return tokens


def plan_and_publish(world: World) -> int:
    """Plan region a's day through the services and publish it; the plan's id."""
    with world.session() as session:
        region = session.get(Region, world.region_a.id)
        assert region is not None
        plan = planning_service.plan_day(session=session, region=region, day=DAY, options=FAST)
        planning_service.publish(session=session, plan=plan)
        return plan.id or 0


def wait_for(condition: Callable[[], Any], *, timeout_s: float = WAIT_S) -> Any:
    """Poll condition until it returns something truthy; fail after timeout_s."""
    deadline_s = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline_s:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(0.05)  # between polls only: the loop waits for the condition, not the clock
