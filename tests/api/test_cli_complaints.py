"""`purna complaints`: a table of complaints with their deadlines, a missed one marked; an
unknown region is one line on stderr and exit code 2."""

from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch.complaint.models import ComplaintCategory
from dispatch.db import make_engine, upgrade
from tests.api.outreach_support import app_settings
from tests.factories import make_complaint, make_region

runner = CliRunner()


def test_cli_complaints_lists_deadlines_and_marks_missed_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(app_settings(url))
    upgrade(engine)
    with Session(engine) as session:
        region = make_region(session, code="jkt-cli")
        make_complaint(session, region=region, category=ComplaintCategory.LATE_VISIT)
        make_complaint(session, region=make_region(session, code="bks-cli"))
    engine.dispose()
    result = runner.invoke(app, ["complaints", "--region", "jkt-cli", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "1 complaints" in result.output
    assert "late_visit" in result.output and "workmanship" not in result.output
    assert "2026-03-09 14:00 (missed)" in result.output  # filed 10:00, 4 h, never answered
    unknown = runner.invoke(app, ["complaints", "--region", "nowhere", "--database-url", url])
    assert unknown.exit_code == 2
    assert "region 'nowhere' does not exist." in unknown.output
