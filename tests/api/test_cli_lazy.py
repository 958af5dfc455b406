"""`purna --help` lists every command without importing the modules that define them."""

import subprocess
import sys

import typer
from typer.core import TyperGroup

from api import cli
from api.cli import COMMANDS, load_command

IMPORTED_BY_HELP = """
import sys
from typer.testing import CliRunner
from api.cli import app
result = CliRunner().invoke(app, ["--help"])
assert result.exit_code == 0, result.output
heavy = ("api.commands", "api.main", "dispatch", "optimizer", "benchmarks")
print(" ".join(sorted(m for m in sys.modules if m.startswith(heavy))))
"""


def test_cli_help_imports_no_command_module() -> None:
    """The top-level help is drawn from api.cli.COMMANDS: no command, API or solver module is
    imported for it."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_HELP], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_cli_commands_table_matches_the_commands() -> None:
    """Each command of COMMANDS loads and its help begins with the text the table shows; the
    modules register no top-level command the table lacks."""
    for name, (_, shown) in COMMANDS.items():
        command = load_command(name)
        assert command is not None, name
        assert (command.help or "").split("\n\n")[0] == shown, name
    group = typer.main.get_command(cli._loaded)  # every module of the table is loaded by now
    assert isinstance(group, TyperGroup)
    assert sorted(group.list_commands(typer.Context(group))) == sorted(COMMANDS)
