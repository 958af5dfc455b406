"""`purna bench api` on a tiny region: it builds the database, serves it, and prints the table."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_bench_api_prints_percentiles_for_slots_and_bookings() -> None:
    """A tiny run answers every slot query and booking and reports p50/p95/p99/max of both."""
    args = ["bench", "api", "--technicians", "3", "--visits", "6", "--days", "2"]
    result = runner.invoke(app, [*args, "--queries", "3", "--bookings", "2"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "p95 ms" in out and "GET /v1/slots (2 days)" in out
    assert "POST /v1/bookings" in out and "2 booked, 0 refused" in out
