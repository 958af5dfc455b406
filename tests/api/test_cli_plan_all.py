"""`purna plan-all`: every region planned at once on the thread runner; a table per region."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch.db import make_engine, upgrade
from tests.dispatch.conftest import settings_for
from tests.dispatch.planning_day import small_day

runner = CliRunner()


@pytest.fixture(scope="module")
def two_regions(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """A SQLite file with two regions of four visits each on 2026-03-10; URL and codes."""
    url = f"sqlite:///{tmp_path_factory.mktemp('plan-all') / 'purna.db'}"
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        codes = [small_day(session).region.code for _ in range(2)]
    engine.dispose()
    return url, codes


def test_plan_all_plans_each_region_and_prints_its_figures(
    two_regions: tuple[str, list[str]],
) -> None:
    """Both regions end succeeded with their four visits assigned; exit 0."""
    url, codes = two_regions
    args = ["plan-all", "--date", "2026-03-10", "--time-limit", "1", "--database-url", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "succeeded" in line]
    assert sorted(r.split()[1] for r in rows) == sorted(codes)
    assert all(r.split()[7] == "4" and r.split()[9] == "0" for r in rows), rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "10/03/2026"], "error: --date: expected a date as YYYY-MM-DD"),
        (["--date", "2026-03-10", "--regions", "nowhere"], "error: --regions: unknown region"),
    ],
)
def test_plan_all_bad_input_is_one_line_and_exit_2(
    two_regions: tuple[str, list[str]], args: list[str], message: str
) -> None:
    """A malformed date or an unknown region: one line on stderr, exit code 2, no job made."""
    result = runner.invoke(app, ["plan-all", *args, "--database-url", two_regions[0]])
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
