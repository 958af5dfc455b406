"""Browser journeys: Purna served by uvicorn on a copy of the demo database, driven through
Debian's Chromium by Playwright. Without Chromium the journeys skip with a message, except
under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.commands.serve_commands import prepare
from api.main import create_app
from dispatch import localtime
from dispatch.account import service as account_service
from dispatch.config import Settings
from dispatch.customer.models import Customer
from dispatch.db import make_engine
from dispatch.demo.catalogue import TIMEZONE
from dispatch.demo.generate import generate

CHROMIUM = Path(os.environ.get("PURNA_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
# The flags the machine's closed network needs: no background calls to Google's hosts.
# Conditions are waited for, never slept on; on a busy 2-core machine they may take a while.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def web_settings(url: str) -> Settings:
    """The embedded shape without its scheduler, with no map tiles (the network is closed)."""
    values: dict[str, Any] = {
        "database_url": url,
        "embedded_scheduler": False,
        "job_runner": "thread",
        "solve_time_limit_s": 3.0,
        "map_tile_url": "",
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass(frozen=True)
class Site:
    """A running Purna: its address and the demo tokens by role."""

    url: str
    tokens: dict[str, str]
    settings: Settings


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, or a skip (a failure under CI=true) when it is not installed."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo business loaded once (what `make run` does), with a token per role."""
    path = tmp_path_factory.mktemp("web-demo") / "purna.db"
    users = prepare(web_settings(f"sqlite:///{path}"))
    _bind_story_customer(f"sqlite:///{path}")
    return path, {u.role.value: u.token for u in users}


# The customer the customer-page stories are written for: English, a Gesit Bebek 125 under
# warranty and an AC, bookings ahead. The demo's own pick (the first visit's customer) follows
# the sliding history window and changes with the day the demo is loaded on; customers do not.
STORY_CUSTOMER = 264  # the index of that customer in the generated demo


def _bind_story_customer(url: str) -> None:
    """Bind the demo-customer account to STORY_CUSTOMER, found by its phone."""
    data = generate(localtime.local_day(localtime.utc_now(), localtime.zone(TIMEZONE)))
    phone = data.customers[STORY_CUSTOMER].phone
    engine = make_engine(web_settings(url))
    with Session(engine) as session:
        customer = session.exec(select(Customer).where(Customer.phone == phone)).one()
        user = account_service.get_by_name(session=session, name="demo-customer")
        assert user is not None
        user.customer_id = customer.id
        session.add(user)
        session.commit()
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(
    demo_file: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Purna on its own copy of the demo database, served by uvicorn in a thread."""
    source, tokens = demo_file
    path = tmp_path_factory.mktemp("web-site") / "purna.db"
    shutil.copyfile(source, path)
    settings = web_settings(f"sqlite:///{path}")
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    # uvicorn sets `started` once it listens; wait for that condition, not for a fixed time.
    while not started.wait(0.05):
        if server.started:
            started.set()
        elif not thread.is_alive():
            pytest.fail("uvicorn did not start")
    yield Site(f"http://127.0.0.1:{port}", tokens, settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    """One headless Chromium per test process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    """A page in a 1366x768 window, as a dispatcher's laptop."""
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="Asia/Jakarta")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page on a 360 px wide touch screen, as a technician's phone."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Write the page as docs/screenshots/<name>.png (shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
