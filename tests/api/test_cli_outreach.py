"""`purna kpis` and `purna outbox`: tables on the hand-made KPI day, clear errors for bad input."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch.db import make_engine, upgrade
from dispatch.outreach import outbox
from tests.api.outreach_support import app_settings
from tests.dispatch.kpi_day import kpi_day
from tests.dispatch.test_kpis import handover_day
from tests.dispatch.test_outreach_delivery import _draft_at
from tests.factories import DAY, local

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A migrated SQLite file holding the hand-made KPI day and one due message."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(app_settings(url))
    upgrade(engine)
    with Session(engine) as session:
        kpi_day(session)
        outbox.enqueue(session=session, draft=_draft_at("cli-1", local(DAY, 8)))
        session.commit()
    engine.dispose()
    return url


def test_cli_kpis_prints_a_row_per_technician(url: str) -> None:
    """The table has each technician, the total row, and the hand-worked values."""
    args = ["kpis", "--region", "jkt-kpi", "--from", "2026-03-10", "--to", "2026-03-10"]
    result = runner.invoke(app, [*args, "--by", "technician", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "KPIs 2026-03-10 to 2026-03-10, jkt-kpi" in result.output
    budi = next(line for line in result.output.splitlines() if "Budi Santoso" in line)
    assert "100%" in budi and "+50" in budi and "25%" in budi
    total = next(line for line in result.output.splitlines() if line.strip("│ ").startswith("all"))
    assert "80%" in total and "30 min" in total  # on time, travel per visit


def test_cli_kpis_prints_deliveries_and_trainings(tmp_path: Path) -> None:
    """Two deliveries, one of them late, and a training completed: the hand-over table's total
    row reads 2 deliveries, 50% on time, 1 training."""
    url = f"sqlite:///{tmp_path / 'handover.db'}"
    engine = make_engine(app_settings(url))
    upgrade(engine)
    with Session(engine) as session:
        handover_day(session)
        session.commit()
    engine.dispose()
    args = ["kpis", "--region", "jkt-ho", "--from", "2026-03-10", "--to", "2026-03-10"]
    result = runner.invoke(app, [*args, "--database-url", url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    title = next(i for i, line in enumerate(lines) if "Deliveries and hand-over" in line)
    total = next(line for line in lines[title:] if line.strip("│ ").startswith("all"))
    cells = [cell.strip() for cell in total.strip().strip("│").split("│")]
    assert cells == ["all", "2", "50%", "1"], total


def test_cli_kpis_bad_input_is_one_line_and_exit_2(url: str) -> None:
    """A malformed date or an unknown region: one error line, exit code 2."""
    bad_date = runner.invoke(app, ["kpis", "--from", "10-03-2026", "--database-url", url])
    assert bad_date.exit_code == 2
    assert "error: --from must be a date as YYYY-MM-DD, got '10-03-2026'." in bad_date.output
    unknown = runner.invoke(app, ["kpis", "--region", "nowhere", "--database-url", url])
    assert unknown.exit_code == 2
    assert "error: region 'nowhere' does not exist." in unknown.output


def test_cli_outbox_deliver_then_status(url: str) -> None:
    """deliver sends the due message through the log channel; status counts it as sent."""
    result = runner.invoke(app, ["outbox", "deliver", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 0, failed 0, skipped 0 (channel log)." in result.output
    status = runner.invoke(app, ["outbox", "status", "--database-url", url])
    assert status.exit_code == 0, status.output
    reminder = next(line for line in status.output.splitlines() if "visit_reminder" in line)
    assert reminder.split("│")[2].strip() == "1"


def test_cli_scheduler_runs_in_its_own_process_until_sigterm(url: str) -> None:
    """`purna scheduler` starts every job, runs the catch-up, and exits cleanly on SIGTERM."""
    command = [sys.executable, "-c", "from api.cli import app; app()", "scheduler"]
    process = subprocess.Popen(
        [*command, "--database-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            "catch_up" in s and "executed" in s for s in seen
        ):
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
        assert any(s.startswith("scheduler running jobs plan_tomorrow") for s in seen), seen
        assert any("catch_up" in s and "executed successfully" in s for s in seen), seen
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
