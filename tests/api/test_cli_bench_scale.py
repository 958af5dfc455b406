"""`purna bench scale`: bad input, or no broker, is one line and exit 2 (the command is run for
its figures: the fan-out it times is tested in tests/dispatch/test_celery_worker.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "50-250"], "error: --size: expected TECHNICIANSxVISITS"),
        (["--workers", "1,two"], "error: --workers: expected pool sizes"),
        (["--workers", "0"], "error: --workers: each pool size must be 1 to 64"),
        (["--api-processes", "one"], "error: --api-processes: expected process counts"),
        (["--broker-url", "redis://127.0.0.1:1/0"], "error: the broker at redis://127.0.0.1:1/0"),
    ],
)
def test_bench_scale_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    """A malformed size or pool list, or no broker: a message on stderr, exit code 2."""
    result = runner.invoke(app, ["bench", "scale", "--regions", "1", "--size", "1x1", *args])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message)
