"""LOG_FORMAT=json on a real `purna serve` process: every line it writes is one JSON object;
a request's lines carry its X-Request-ID (taken when sane, made otherwise, answered back), and
a solve job's lines carry the job's id, region and day."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from benchmarks.servers import api_processes
from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.db import make_engine
from tests.api.dispatch_support import api_settings, api_template  # noqa: F401
from tests.dispatch.planning_day import small_day
from tests.factories import DAY

JOB_DEADLINE_S = 60.0


def _database(template: Path, tmp_path: Path) -> tuple[str, str, str]:
    """A copy of the migrated database with the small planning day; its URL, the region's code
    and a dispatcher's token."""
    path = tmp_path / "purna.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(api_settings(url))
    with Session(engine) as session:
        region = small_day(session).region
        user_in = UserCreate(name="disp", role=Role.DISPATCHER, region_codes=[region.code])
        _, token = account_service.create(session=session, user_in=user_in)
        code = region.code
    engine.dispose()
    return url, code, token


def _lines(log: str) -> list[dict[str, Any]]:
    """Every line of the log as JSON (fails on the first line that is not)."""
    return [json.loads(line) for line in log.splitlines() if line.strip()]


def test_json_lines_carry_the_request_id_and_the_job(
    api_template: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    url, region, token = _database(api_template, tmp_path)
    env = {"LOG_FORMAT": "json", "SOLVE_TIME_LIMIT_S": "1"}
    with api_processes(url, 1, env) as [server], httpx.Client(base_url=server.url) as client:
        auth = {"Authorization": f"Bearer {token}"}
        listed = client.get("/v1/regions", headers=auth | {"X-Request-ID": "req-list-1"})
        assert listed.status_code == 200 and listed.headers["X-Request-ID"] == "req-list-1"
        forged = client.get("/v1/regions", headers=auth | {"X-Request-ID": 'x" "level": "bad'})
        made = forged.headers["X-Request-ID"]
        assert len(made) == 32 and made.isalnum()  # a forged id is replaced, not logged
        started = client.post(
            f"/v1/regions/{region}/days/{DAY}/plans",
            headers=auth | {"X-Request-ID": "req-plan-2"},
        )
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        deadline_s = time.monotonic() + JOB_DEADLINE_S
        while client.get(f"/v1/solve-jobs/{job_id}", headers=auth).json()["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline_s, server.log_tail()
            time.sleep(0.2)  # between looks at the job
        lines = _lines(server.log_path.read_text())
    requests = {line.get("request_id"): line["message"] for line in lines if "request_id" in line}
    assert '"GET /v1/regions HTTP/1.1" 200' in requests["req-list-1"]
    assert '"POST /v1/regions/' in requests["req-plan-2"]
    assert made in requests
    job_lines = [line for line in lines if f"solve job {job_id} " in line["message"]]
    assert [line["message"].split(" ")[3] for line in job_lines] == ["started", "succeeded"]
    for line in job_lines:
        assert (line["job_id"], line["region"], line["day"]) == (job_id, region, str(DAY))
        assert {"time", "level", "logger"} <= set(line)
