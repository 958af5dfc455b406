"""The embedded scheduler starts and stops with the API process when EMBEDDED_SCHEDULER is on."""

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from dispatch.scheduler import CATCH_UP, TASK_IDS
from tests.api import outreach_support as support

migrated_template = support.migrated_template  # fixture


def test_embedded_scheduler_runs_inside_the_app_lifespan(
    migrated_template: Path, tmp_path: Path
) -> None:
    """On: started with every task at startup and shut down at exit. Off: never started."""
    path = tmp_path / "purna.db"
    shutil.copyfile(migrated_template, path)
    settings = support.app_settings(f"sqlite:///{path}").model_copy(
        update={"embedded_scheduler": True}
    )
    app = create_app(settings)
    with TestClient(app):
        scheduler = app.state.scheduler
        assert scheduler.running
        ids = {job.id for job in scheduler.get_jobs()}
        assert set(TASK_IDS) - {CATCH_UP} <= ids  # catch_up is a one-off that may have run
    assert not scheduler.running
    assert app.state.scheduler is None
    off = create_app(support.app_settings(f"sqlite:///{path}"))
    with TestClient(off):
        assert getattr(off.state, "scheduler", None) is None
