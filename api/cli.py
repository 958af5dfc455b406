"""The `purna` command line: one typer app; each command group lives in a module of api/commands.

A command's module is imported only when that command runs: the modules pull in the API, the
database layer, the solvers and the benchmarks, which made `purna --help` take 3 s. The help
lists the commands from COMMANDS instead (tests/api/test_cli_lazy.py keeps it true).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# Per top-level command: the api.commands modules that register it (`bench` spans two), and the
# first paragraph of its help, as `purna --help` shows it.
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "solve": (
        ("optimizer_commands",),
        "Solve a problem and write the plan; exit 1 when the validator finds the plan broken.",
    ),
    "check": (
        ("optimizer_commands",),
        "Check a plan against its problem: list the violations (exit 1), or print `valid`.",
    ),
    "demo-day": (
        ("optimizer_commands",),
        "Plan the demo day (fixtures/demo_day.json) and print every technician's route.",
    ),
    "plan": (
        ("dispatch_commands",),
        "Plan a region's day (or --days N from it): print each route and the visits left\n"
        "unassigned with their reason.",
    ),
    "plan-all": (
        ("plan_all_commands",),
        "Plan every region's day at once, one solve job per region (JOB_RUNNER: threads or Celery\n"
        "workers); a table per region; exit 1 unless every region got a draft.",
    ),
    "run": (
        ("serve_commands",),
        "Migrate, load the demo data into an empty database, print a token per role, and serve\n"
        "on http://HOST:PORT (OpenAPI docs at /docs) in the embedded shape.",
    ),
    "serve": (
        ("serve_commands",),
        "Serve the API with the settings of the environment (DATABASE_URL, JOB_RUNNER, ...).",
    ),
    "scheduler": (
        ("outreach_commands",),
        "Run the scheduler in this process until stopped (the production shape: one per\n"
        "deployment; give the API workers EMBEDDED_SCHEDULER=false).",
    ),
    "worker": (
        ("worker_commands",),
        "Run a Celery worker for solve jobs (BROKER_URL, queue JOB_QUEUE) until stopped.",
    ),
    "kpis": (
        ("outreach_commands",),
        "Print the after-sales KPIs of a period (definitions: docs/kpis.md).",
    ),
    "bench": (
        ("bench_commands", "bench_api", "bench_slots", "bench_scale", "bench_disruptions"),
        "Benchmarks that print tables.",
    ),
    "db": (("db_commands",), "The database: schema migrations."),
    "regions": (
        ("region_commands",),
        "Regions: their time zone and travel settings (routing server).",
    ),
    "demo": (("dispatch_commands",), "The demo business: Greater Jakarta after-sales."),
    "users": (("serve_commands", "access_commands"), "Accounts and their bearer tokens."),
    "audit": (
        ("access_commands",),
        "Who read whose contact details, when and through which endpoint; newest first.",
    ),
    "outbox": (("outreach_commands",), "The message outbox: deliver now, or count by state."),
    "stock": (("stock_commands",), "Spare parts stock of a region."),
    "vouchers": (("voucher_commands",), "Loyalty vouchers: the offers, and the anniversary run."),
    "complaints": (
        ("complaint_commands",),
        "List complaints with their SLA deadlines and whether they were kept; newest first.",
    ),
}

_loaded = typer.Typer()  # the commands of the modules imported so far
_registered: set[str] = set()


@_loaded.callback()
def _loaded_group() -> None:
    # With a callback typer makes _loaded a group even while it holds one command (`worker`).
    pass


def load_command(name: str) -> Any:
    """The real command: its modules imported and registered (once each), or None if unknown."""
    if name not in COMMANDS:
        return None
    for module in COMMANDS[name][0]:
        if module not in _registered:
            importlib.import_module(f"api.commands.{module}").register(_loaded)
            _registered.add(module)
    group = typer.main.get_command(_loaded)
    assert isinstance(group, TyperGroup)  # a callback: typer makes a group
    return group.get_command(typer.Context(group), name)


class LazyGroup(TyperGroup):
    """The top-level group: commands listed from COMMANDS, loaded when one is run."""

    _help_only = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._help_only and cmd_name in COMMANDS:  # only its name and help are shown
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._help_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._help_only = False


app = typer.Typer(
    name="purna",
    help="Purna: field-service scheduling and dispatch for after-sales service.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _purna() -> None:
    # Without a callback or commands typer would not make `purna` a group (see LazyGroup).
    pass
