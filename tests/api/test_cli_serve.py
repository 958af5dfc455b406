"""`purna users create`, and what `purna run` prepares before it serves."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from api.commands.serve_commands import embedded_settings, prepare
from dispatch.account import service as account_service
from dispatch.account.models import Role
from dispatch.db import make_engine
from tests.api import dispatch_support as support
from tests.dispatch.planning_day import small_day

api_template = support.api_template  # fixture
runner = CliRunner()


def _database(api_template: Path, tmp_path: Path, *, with_day: bool = True) -> str:
    path = tmp_path / "purna.db"
    shutil.copyfile(api_template, path)
    url = f"sqlite:///{path}"
    if with_day:
        engine = make_engine(support.api_settings(url))
        with Session(engine) as session:
            small_day(session)
        engine.dispose()
    return url


def _user_of(url: str, token: str) -> tuple[str, Role, list[str]] | None:
    engine = make_engine(support.api_settings(url))
    try:
        with Session(engine) as session:
            user = account_service.authenticate(session=session, token=token)
            return None if user is None else (user.name, user.role, list(user.region_codes))
    finally:
        engine.dispose()


def test_users_create_prints_a_token_that_authenticates(api_template: Path, tmp_path: Path) -> None:
    """A dispatcher of every region is created; the printed token identifies it."""
    url = _database(api_template, tmp_path, with_day=False)
    args = ["users", "create", "--role", "dispatcher", "--name", "Dewi", "--database-url", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    first, token = result.stdout.strip().splitlines()
    assert first.startswith("Created dispatcher 'Dewi' (id ")
    assert _user_of(url, token) == ("Dewi", Role.DISPATCHER, [])


def test_users_create_bad_bindings_exit_2_with_one_line(api_template: Path, tmp_path: Path) -> None:
    """A technician without --technician-id, an unknown technician or region: exit 2, no user."""
    url = _database(api_template, tmp_path, with_day=False)
    base = ["users", "create", "--name", "X", "--database-url", url]
    cases = {
        ("--role", "technician"): "error: A technician user needs technician_id.",
        ("--role", "technician", "--technician-id", "99"): "error: technician 99 does not exist.",
        (
            "--role",
            "dispatcher",
            "--regions",
            "mars",
        ): "error: --regions: there is no region 'mars'.",
    }
    for extra, message in cases.items():
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == message


def test_prepare_issues_a_token_per_role_without_reloading_data(
    api_template: Path, tmp_path: Path
) -> None:
    """On a database with data, prepare loads no demo and gives admin, dispatcher, technician
    and customer tokens that authenticate; run again, the same users get new tokens."""
    url = _database(api_template, tmp_path)
    first = prepare(embedded_settings(url))
    assert [(d.name, d.role) for d in first] == [
        ("demo-admin", Role.ADMIN),
        ("demo-dispatcher", Role.DISPATCHER),
        ("demo-technician", Role.TECHNICIAN),
        ("demo-customer", Role.CUSTOMER),
    ]
    for demo in first:
        assert _user_of(url, demo.token) is not None
    again = prepare(embedded_settings(url))
    assert [d.name for d in again] == [d.name for d in first]
    assert {d.token for d in again}.isdisjoint(d.token for d in first)


def test_run_and_serve_are_commands_and_the_optimizer_demo_is_demo_day() -> None:
    """`purna run` and `purna serve` exist; the optimizer's old `run` is now `demo-day`."""
    for command in ("run", "serve", "demo-day"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
    assert "--port" in runner.invoke(app, ["serve", "--help"]).stdout
