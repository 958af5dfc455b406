"""`purna bench slots` on a tiny region: real API processes on a fresh PostgreSQL schema, 4
clients booking while their slot queries are timed; and its refusals of bad input."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.dispatch.conftest import postgres_url  # noqa: F401  (fixture)

runner = CliRunner()
TINY = ["--technicians", "3", "--visits", "6", "--days", "1", "--clients", "4", "--rounds", "2"]


@pytest.mark.postgres
def test_bench_slots_times_every_query_under_booking_load(postgres_url: str) -> None:  # noqa: F811
    """One API process, 4 clients x 2 rounds: 8 slot queries timed, each round a booking or a
    refusal, the p50 no more than the p95."""
    result = runner.invoke(
        app, ["bench", "slots", "--database-url", postgres_url, "--processes", "1", *TINY]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if re.match(r"^│\s+1 │", line))
    processes, queries, p50, p95, _, booked, refused, *_ = (
        cell.strip() for cell in row.strip("│ ").split("│")
    )
    assert (processes, queries) == ("1", "8")
    assert int(booked) >= 1 and int(booked) + int(refused) == 8
    assert 0 < int(p50) <= int(p95)


@pytest.mark.postgres
def test_bench_slots_times_crew_queries_apart(postgres_url: str) -> None:  # noqa: F811
    """Half the customers own a large AC (two installers): 4 one-installer and 4 crew queries
    timed apart, every round a booking or a refusal."""
    crews = ["--processes", "1", "--crew-share", "0.5", *TINY]
    result = runner.invoke(app, ["bench", "slots", "--database-url", postgres_url, *crews])
    assert result.exit_code == 0, result.output
    assert "50% of the customers needing two installers" in " ".join(result.stdout.split())
    row = next(line for line in result.stdout.splitlines() if re.match(r"^│\s+1 │", line))
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    queries, crew_queries, crew_p50, crew_p95, booked, refused = (
        cells[1], cells[5], cells[6], cells[7], cells[8], cells[9]
    )  # fmt: skip
    assert (queries, crew_queries) == ("4", "4")
    assert int(booked) >= 1 and int(booked) + int(refused) == 8
    assert 0 < int(crew_p50) <= int(crew_p95)


def test_bench_slots_refuses_sqlite_and_bad_process_counts() -> None:
    """Several processes need PostgreSQL; --processes takes whole numbers 1-8: exit 2."""
    cases = {
        ("--database-url", "sqlite:///bench.db"): "need PostgreSQL",
        ("--processes", "one,two"): "whole numbers",
        ("--processes", "0,2"): "between 1 and 8",
    }
    for extra, message in cases.items():
        result = runner.invoke(app, ["bench", "slots", *extra])
        assert result.exit_code == 2, result.output
        assert message in result.output
