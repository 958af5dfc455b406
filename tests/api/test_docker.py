"""docker/: the compose file's services, images, health checks and start order, and every
command a container runs is a `purna` command that exists with options it accepts (parsed by
the command itself, not run). `docker compose config` checks the file too where the docker CLI
has compose."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.core import TyperGroup

from api.cli import COMMANDS, load_command

DOCKER = Path(__file__).resolve().parents[2] / "docker"
PURNA_SERVICES = ("migrate", "api", "worker", "scheduler")
LONG_RUNNING = ("postgres", "redis", "api", "worker", "scheduler")
DEFAULT = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")  # ${NAME:-default}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DOCKER / "compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def _interpolated(text: str) -> str:
    """A value as compose would fill it in from .env.example's defaults."""
    return DEFAULT.sub(lambda m: m.group(2) or "1", text)


def _parses(argv: list[str]) -> typer.Context:
    """The `purna` command named by argv, parsing argv's options as it would when run."""
    assert argv[0] == "purna", argv
    name, args = argv[1], [_interpolated(a) for a in argv[2:]]
    assert name in COMMANDS, f"no purna command {name!r}"
    command = load_command(name)
    while isinstance(command, TyperGroup):  # `purna db upgrade`: down to the leaf command
        sub, args = args[0], args[1:]
        command = command.get_command(typer.Context(command), sub)
        assert command is not None, f"no purna {name} {sub}"
        name = f"{name} {sub}"
    return command.make_context(name, args)  # raises on an unknown option or a bad value


def test_compose_has_the_production_services_with_their_images(compose: dict[str, Any]) -> None:
    """postgres, redis and the purna services, these built from docker/Dockerfile as one
    image; the API twice; PostgreSQL and Redis keep their data in named volumes."""
    services = compose["services"]
    assert set(LONG_RUNNING + PURNA_SERVICES) <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    images = {services[s]["image"] for s in PURNA_SERVICES}
    assert len(images) == 1
    for name in PURNA_SERVICES:
        assert services[name]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
    assert services["api"]["deploy"]["replicas"] == 2
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        volume = services[name]["volumes"][0].split(":")
        assert volume[1] == path and volume[0] in compose["volumes"]


def test_compose_health_checks_and_start_order(compose: dict[str, Any]) -> None:
    """Each long-running service has a health check; the migration waits for a healthy
    PostgreSQL, and the API, worker and scheduler for the migration to succeed and Redis."""
    services = compose["services"]
    for name in LONG_RUNNING:
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["retries"] >= 3, name
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("api", "worker", "scheduler"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
        }
    assert "/v1/health" in " ".join(services["api"]["healthcheck"]["test"])


def test_compose_settings_come_from_the_environment(compose: dict[str, Any]) -> None:
    """The purna services share one environment: PostgreSQL, Celery on Redis, the scheduler
    outside the API; every ${NAME} it reads is in .env.example."""
    env = compose["services"]["api"]["environment"]
    for name in PURNA_SERVICES:
        assert compose["services"][name]["environment"] is env  # one anchor
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert (env["JOB_RUNNER"], env["EMBEDDED_SCHEDULER"]) == ("celery", "false")
    assert env["BROKER_URL"] == "redis://redis:6379/0"
    example = (DOCKER / ".env.example").read_text()
    named = set(re.findall(r"^(\w+)=", example, flags=re.M))
    used = set(DEFAULT.findall((DOCKER / "compose.yml").read_text()))
    assert {n for n, _ in used} <= named


def test_every_container_command_is_a_purna_command_it_accepts(compose: dict[str, Any]) -> None:
    """serve, worker, scheduler and db upgrade parse their compose options; so does the image's
    default command."""
    commands = {name: compose["services"][name]["command"] for name in PURNA_SERVICES}
    parsed = {name: _parses(argv) for name, argv in commands.items()}
    assert parsed["api"].params["migrate"] is False  # the migrate service did it, once
    assert parsed["worker"].params["concurrency"] == 1
    dockerfile = (DOCKER / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.M)
    assert cmd is not None
    _parses(yaml.safe_load(cmd.group(1)))
    with pytest.raises(Exception, match="No such option: --no-such-option"):
        _parses(["purna", "worker", "--no-such-option"])


def test_dockerfile_is_slim_non_root_with_a_health_check() -> None:
    """python:3.11-slim, a non-root user, a HEALTHCHECK on /v1/health, the package installed."""
    text = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, flags=re.M)
    user = re.search(r"^USER (\S+)$", text, flags=re.M)
    assert user is not None and user.group(1) not in ("root", "0")
    assert "HEALTHCHECK" in text and "/v1/health" in text
    assert "pip install --no-deps ." in text


def test_docker_compose_config_accepts_the_file() -> None:
    """`docker compose config` (the compose spec's own check) where the CLI has compose."""
    docker = shutil.which("docker")
    has_compose = docker is not None and (
        subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    )
    if not has_compose:
        pytest.skip("the docker CLI here has no compose plugin: `docker compose config` not run")
    assert docker is not None
    done = subprocess.run(
        [
            docker,
            "compose",
            "--env-file",
            str(DOCKER / ".env.example"),
            "-f",
            str(DOCKER / "compose.yml"),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
