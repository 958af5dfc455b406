"""`purna demo load` and `purna plan`: tables printed; bad input is one line and exit 2."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch.db import make_engine, upgrade
from tests.dispatch.conftest import settings_for
from tests.dispatch.planning_day import KEMANG, add_visit, small_day
from tests.dispatch.week_world import movable
from tests.factories import DAY

runner = CliRunner()
LOAD = ["demo", "load", "--today", "2026-03-10", "--customers", "20", "--history-days", "3"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with a small demo loaded through the CLI."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'purna.db'}"
    result = runner.invoke(app, [*LOAD, "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "technicians" in result.output and "40" in result.output
    return url


def test_demo_load_twice_adds_nothing(demo_url: str) -> None:
    """The second load says the demo is there and adds nothing."""
    result = runner.invoke(app, [*LOAD, "--database-url", demo_url])
    assert result.exit_code == 0
    assert result.output == "The demo is already loaded (around 2026-03-10); nothing added.\n"


def test_plan_prints_routes_and_publishes(demo_url: str) -> None:
    """purna plan prints each technician's route with times and a summary line."""
    args = ["plan", "--region", "jkt-south", "--date", "2026-03-11", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--publish", "--database-url", demo_url])
    assert result.exit_code == 0, result.output
    assert "leave base" in result.output and "back at base" in result.output
    assert "(published) for jkt-south 2026-03-11" in result.output
    assert "0 unassigned" in result.output


def test_plan_prints_unassigned_visits_with_their_reason(tmp_path: Path) -> None:
    """A visit needing a skill nobody has is listed under Unassigned visits with its reason."""
    url = f"sqlite:///{tmp_path / 'small.db'}"
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        day = small_day(session)
        add_visit(session, day.region, KEMANG, 10, required_skills=["car_repair"])
        code = day.region.code
    engine.dispose()
    args = ["plan", "--region", code, "--date", "2026-03-10", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Unassigned visits" in result.output
    assert "no_skilled_technician" in result.output
    assert "4 assigned, 1 unassigned" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--region", "nowhere", "--date", "2026-03-11"],
            "error: --region: unknown region 'nowhere'",
        ),
        (["--region", "jkt-south", "--date", "11/03/2026"], "error: --date: expected a date"),
    ],
)
def test_plan_bad_input_is_one_line_and_exit_2(
    demo_url: str, args: list[str], message: str
) -> None:
    """An unknown region or a malformed date: one line on stderr, exit code 2, no traceback."""
    result = runner.invoke(app, ["plan", *args, "--database-url", demo_url])
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_plan_on_an_empty_database_says_to_migrate(tmp_path: Path) -> None:
    """A database without tables: one line pointing at `purna db upgrade`, exit code 2."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(
        app, ["plan", "--region", "x", "--date", "2026-03-11", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "purna db upgrade" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_plan_days_prints_a_row_per_day_and_the_totals(tmp_path: Path) -> None:
    """purna plan --from D --days 3 plans Tuesday to Thursday: a table with one row per day
    (Tuesday's four visits), the movable service on its day, and a row for all days."""
    url = f"sqlite:///{tmp_path / 'week.db'}"
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        day = small_day(session)
        movable(session, day.region, DAY + timedelta(days=1), DAY + timedelta(days=2))
        code = day.region.code
    engine.dispose()
    args = ["plan", "--region", code, "--from", "2026-03-10", "--days", "3", "--time-limit", "2"]
    result = runner.invoke(app, [*args, "--database-url", url])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert {"Tue 2026-03-10", "Wed 2026-03-11", "Thu 2026-03-12", "all days"} <= set(rows)
    cells = [c.strip() for c in rows["Wed 2026-03-11"].split("│")[1:-1]]
    assert cells[2:6] == ["draft", "1", "1", "1"]  # status, routes, visits, of them movable
    assert [c.strip() for c in rows["all days"].split("│")[1:-1]][4] == "5"


def test_plan_days_out_of_range_is_refused() -> None:
    """--days 15 is a usage error (exit 2) naming the option."""
    args = ["plan", "--region", "jkt-south", "--from", "2026-03-10", "--days", "15"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--days" in result.output
