"""The `purna` command line: one typer app; each command group lives in a module of api/commands."""

from __future__ import annotations

import typer

from api.commands import (
    access_commands,
    bench_api,
    db_commands,
    dispatch_commands,
    optimizer_commands,
    outreach_commands,
    serve_commands,
)

app = typer.Typer(
    name="purna",
    help="Purna: field-service scheduling and dispatch for after-sales service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module adds its commands to the app; keep this tuple the one place they are listed.
for _module in (
    optimizer_commands,
    db_commands,
    dispatch_commands,
    serve_commands,
    outreach_commands,
    bench_api,
    access_commands,
):
    _module.register(app)
