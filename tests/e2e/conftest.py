"""The app for the end-to-end stories: create_app on a migrated SQLite file, served through a
TestClient (its lifespan starts the solve-job runner), with jkt-south, an admin and its
dispatcher; a technician and the AC model are set up over HTTP by those users."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from dispatch import localtime
from dispatch.account.models import Role
from dispatch.config import Settings
from dispatch.db import make_engine, upgrade
from dispatch.region import service as region_service
from dispatch.region.models import RegionCreate
from tests.e2e.support import BLOK_M, REGION, Caller, FieldTech, Purna

H = 3600
JAKARTA = localtime.zone("Asia/Jakarta")
LUNCH = {"duration_s": H, "windows": [{"start_s": 11 * H + 1800, "end_s": 13 * H}]}


def e2e_settings(url: str) -> Settings:
    """No .env, no embedded scheduler (the story runs the job body itself), 1 s solves."""
    values: dict[str, Any] = {
        "database_url": url,
        "embedded_scheduler": False,
        "solve_time_limit_s": 1.0,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; every story copies it."""
    path = tmp_path_factory.mktemp("e2e-template") / "purna.db"
    engine = make_engine(e2e_settings(f"sqlite:///{path}"))
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def purna(migrated_file: Path, tmp_path: Path) -> Iterator[Purna]:
    """The running app with region jkt-south, an admin and a dispatcher of jkt-south."""
    path = tmp_path / "purna.db"
    shutil.copyfile(migrated_file, path)
    settings = e2e_settings(f"sqlite:///{path}")
    app = create_app(settings)
    with Session(app.state.engine) as session:  # no endpoint creates regions: an operator does
        region_in = RegionCreate(code=REGION, name="Jakarta Selatan", timezone="Asia/Jakarta")
        region_service.create(session=session, region_in=region_in)
    with TestClient(app) as client:
        world = Purna(client, app.state.engine, settings, Caller(client, ""), Caller(client, ""))
        world.admin = world.account("Rina", Role.ADMIN)
        world.dispatcher = world.account("Dewi", Role.DISPATCHER, region_codes=[REGION])
        yield world


@pytest.fixture
def technician(purna: Purna) -> FieldTech:
    """Budi, hired by the dispatcher: AC work, every day 08:00-17:00 with an hour of lunch."""
    region = purna.dispatcher.get(f"/v1/regions/{REGION}").json()
    hired = purna.dispatcher.post(
        "/v1/technicians",
        {
            "name": "Budi Santoso",
            "phone": "+62 811 2000 001",
            "region_id": region["id"],
            "start_lat": BLOK_M[0],
            "start_lon": BLOK_M[1],
            "start_label": "service centre Blok M",
            "max_overtime_s": H,
            "skills": ["ac_install", "ac_service", "ac_repair"],
        },
    )
    assert hired.status_code == 201, hired.text
    technician_id = hired.json()["id"]
    week = [{"weekday": d, "start_s": 8 * H, "end_s": 17 * H, "breaks": [LUNCH]} for d in range(7)]
    shifts = purna.dispatcher.put(f"/v1/technicians/{technician_id}/shifts", week)
    assert shifts.status_code == 200 and shifts.json()["count"] == 7, shifts.text
    app = purna.account("budi", Role.TECHNICIAN, technician_id=technician_id)
    return FieldTech(technician_id, app)


@pytest.fixture
def ac_model(purna: Purna) -> int:
    """The admin adds the AC split 1 PK to the catalogue: free installation, 2 hours."""
    created = purna.admin.post(
        "/v1/product-models",
        {
            "category": "ac",
            "brand": "Sejuk",
            "name": "AC Split 1 PK",
            "free_installation": True,
            "warranty_months": 12,
            "free_services": 1,
            "service_interval_days": 180,
            "visit_kinds": [
                {"kind": "installation", "duration_s": 2 * H, "skill": "ac_install", "price": 0},
                {"kind": "periodic_service", "duration_s": H, "skill": "ac_service", "price": 0},
                {"kind": "repair", "duration_s": 90 * 60, "skill": "ac_repair", "price": 250_000},
            ],
        },
    )
    assert created.status_code == 201, created.text
    model_id: int = created.json()["id"]
    return model_id


@pytest.fixture
def day() -> date:
    """The day of the stories: the day after tomorrow in Jakarta, inside the booking horizon
    (which starts tomorrow) even when the test runs across midnight."""
    return localtime.local_day(localtime.utc_now(), JAKARTA) + timedelta(days=2)


FIELD_DAYS_AHEAD = 3


@pytest.fixture(autouse=True)
def field_reports_after_the_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stories book a day after tomorrow (the booking horizon starts tomorrow), yet a
    technician may only report events that have happened: the field app's clock runs three days
    ahead, so its reports of that day come after the fact. Only the route service sees it."""
    real_now = localtime.utc_now
    monkeypatch.setattr(
        "dispatch.field.service.utc_now", lambda: real_now() + timedelta(days=FIELD_DAYS_AHEAD)
    )
