"""A region's routing server set through HTTP (admin only) and the command line; a plan job on
it says which travel times it used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch.db import make_engine, upgrade
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, wait_for
from tests.dispatch.conftest import settings_for
from tests.dispatch.planning_day import small_day
from tests.dispatch.test_road_matrix import FakeOsrm, osrm
from tests.factories import DAY

api_template, world = support.api_template, support.world  # fixtures
__all__ = ["osrm"]  # the fixture
runner = CliRunner()


def _patch(world: World, who: str, body: dict[str, Any]) -> Any:
    url = f"/v1/regions/{world.region_a.code}"
    return world.client.patch(url, headers=world.auth(who), json=body)


def test_admin_sets_the_osrm_url_and_a_plan_job_uses_it(world: World, osrm: FakeOsrm) -> None:
    """PATCH sets osrm_url (trailing slash dropped); the next plan job drives on road times
    and its row says osrm; null clears it again."""
    answer = _patch(world, "admin", {"osrm_url": osrm.url + "/"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["osrm_url"] == osrm.url
    path = f"/v1/regions/{world.region_a.code}/days/{DAY}/plans"
    job = world.post("disp_a", path, json={"time_limit_s": 1}).json()
    done = wait_for(lambda: _done(world, job["id"]))
    assert done["status"] == "succeeded", done["error"]
    assert (done["travel_source"], done["travel_note"]) == ("osrm", None)
    assert done["plan"]["travel_source"] == "osrm"
    assert osrm.requests
    cleared = _patch(world, "admin", {"osrm_url": None})
    assert cleared.json()["osrm_url"] is None


def _done(world: World, job_id: int) -> dict[str, Any] | None:
    job = world.get("disp_a", f"/v1/solve-jobs/{job_id}").json()
    return job if job["status"] not in ("queued", "running") else None


def test_patch_region_refuses_dispatchers_and_bad_urls(world: World) -> None:
    """A dispatcher of the region may read it but not change it (403); a URL that is not
    http(s) is a 422 naming osrm_url."""
    assert _patch(world, "disp_a", {"osrm_url": "http://osrm:5000"}).status_code == 403
    bad = _patch(world, "admin", {"osrm_url": "osrm:5000"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "osrm_url"


def test_cli_regions_set_and_list(tmp_path: Path) -> None:
    """`purna regions set --osrm-url` stores it and `list` shows it; a bad URL or an unknown
    region is one line and exit 2; --no-osrm goes back to the estimate."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        code = small_day(session).region.code
    engine.dispose()
    base = ["regions", "set", "--region", code, "--database-url", url]
    done = runner.invoke(app, [*base, "--osrm-url", "http://osrm:5000/"])
    assert done.exit_code == 0, done.output
    assert f"{code}: travel times OSRM http://osrm:5000 (else great circle" in done.output
    listed = runner.invoke(app, ["regions", "list", "--database-url", url])
    assert "http://osrm:5000" in listed.output
    bad = runner.invoke(app, [*base, "--osrm-url", "osrm:5000"])
    assert bad.exit_code == 2 and "must be an http(s) URL" in bad.output
    unknown = runner.invoke(
        app, ["regions", "set", "--region", "nowhere", "--no-osrm", "--database-url", url]
    )
    assert unknown.exit_code == 2 and "unknown region 'nowhere'" in unknown.output
    back = runner.invoke(app, [*base, "--no-osrm"])
    assert back.exit_code == 0 and "OSRM" not in back.output


def test_admin_sets_the_plan_settings_and_bad_values_name_the_field(world: World) -> None:
    """PATCH sets the fairness weight and the stability prices and GET shows them; a weight
    out of 0-100 or a negative price is a 422 naming the field, and nothing changes."""
    body = {"fairness_weight": 3, "reassign_cost_s": 600, "start_move_cost": 1}
    answer = _patch(world, "admin", body)
    assert answer.status_code == 200, answer.text
    shown = world.get("disp_a", f"/v1/regions/{world.region_a.code}").json()
    assert {k: shown[k] for k in body} == body
    for field, value in (
        ("fairness_weight", 101),
        ("reassign_cost_s", -1),
        ("start_move_cost", -2),
    ):
        bad = _patch(world, "admin", {"fairness_weight": 7, field: value})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"][-1] == field
    again = world.get("disp_a", f"/v1/regions/{world.region_a.code}").json()
    assert again["fairness_weight"] == 3


def test_cli_regions_set_plan_settings(tmp_path: Path) -> None:
    """`purna regions set` sets the fair-workload weight and stability prices and prints them;
    a weight over 100 is one line naming the option, exit 2."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        code = small_day(session).region.code
    engine.dispose()
    base = ["regions", "set", "--region", code, "--database-url", url]
    done = runner.invoke(
        app, [*base, "--fairness-weight", "2", "--reassign-cost-s", "900", "--start-move-cost", "1"]
    )
    assert done.exit_code == 0, done.output
    assert "fairness weight 2, reassign cost 900 s, start move cost 1/s" in done.output
    bad = runner.invoke(app, [*base, "--fairness-weight", "500"])
    assert bad.exit_code == 2
    assert "--fairness-weight: Input should be less than or equal to 100" in bad.output
