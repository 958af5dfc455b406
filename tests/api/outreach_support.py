"""An app on a fresh migrated SQLite file, and users with tokens, for the survey and KPI tests."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
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


def app_settings(url: str) -> Settings:
    """No .env, no embedded scheduler."""
    return Settings(_env_file=None, database_url=url, embedded_scheduler=False)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test copies it."""
    path = tmp_path_factory.mktemp("outreach-api") / "purna.db"
    engine = make_engine(app_settings(f"sqlite:///{path}"))
    upgrade(engine)
    engine.dispose()
    return path


@dataclass
class App:
    client: TestClient
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine)

    def token(self, role: Role, **binding: Any) -> str:
        """A new user of this role and its bearer token."""
        with self.session() as session:
            user_in = UserCreate(name=f"{role} user", role=role, **binding)
            _, token = account_service.create(session=session, user_in=user_in)
        return token


@pytest.fixture
def app(migrated_template: Path, tmp_path: Path) -> Iterator[App]:
    """The API on a fresh copy of the migrated database."""
    path = tmp_path / "purna.db"
    shutil.copyfile(migrated_template, path)
    application = create_app(app_settings(f"sqlite:///{path}"))
    with TestClient(application) as client:
        yield App(client, application.state.engine)
