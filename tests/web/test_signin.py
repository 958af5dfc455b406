"""Landing page and sign-in: every page is reachable from /, a token signs in once and leaves
the address bar, sign-out forgets it, and a page refuses plainly what the role may not see."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Site

pytestmark = pytest.mark.browser


def test_landing_links_every_page(site: Site, laptop: Any) -> None:
    """/ names what Purna is and links to the three pages, the API docs and sign-in."""
    laptop.goto(site.url + "/")
    expect(laptop.get_by_role("heading", name="Purna", exact=True)).to_be_visible()
    for href in ("/board", "/me", "/book", "/docs", "/signin"):
        expect(laptop.locator(f"main a[href='{href}']").first).to_be_visible()


def test_signin_with_typed_token_opens_the_role_page(site: Site, laptop: Any) -> None:
    """A dispatcher types the token, lands on the board, and sign-out forgets the token."""
    laptop.goto(site.url + "/signin")
    laptop.get_by_label("Bearer token").fill(site.tokens["dispatcher"])
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop).to_have_url(site.url + "/board")
    expect(laptop.locator("#who-name")).to_contain_text("demo-dispatcher")
    laptop.get_by_role("button", name="Sign out").click()
    expect(laptop).to_have_url(site.url + "/signin")
    laptop.goto(site.url + "/board")
    expect(laptop.get_by_role("alert")).to_contain_text("needs a bearer token")


def test_token_in_address_signs_in_and_leaves_the_address(site: Site, laptop: Any) -> None:
    """?token= signs in once; the address bar no longer shows it, and the session keeps it."""
    laptop.goto(f"{site.url}/?token={site.tokens['customer']}")
    expect(laptop.locator("#who-name")).to_contain_text("demo-customer")
    assert "token" not in laptop.url
    laptop.goto(site.url + "/")
    expect(laptop.locator("#index-status")).to_contain_text("Signed in as demo-customer")


def test_unknown_token_is_refused(site: Site, laptop: Any) -> None:
    """A wrong token is refused on the sign-in page and nothing is kept."""
    laptop.goto(site.url + "/signin")
    laptop.get_by_label("Bearer token").fill("not-a-real-token-at-all")
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_role("alert")).to_contain_text("unknown or revoked")
    assert laptop.evaluate("sessionStorage.getItem('purna.token')") is None


def test_page_of_another_role_is_refused_plainly(site: Site, laptop: Any) -> None:
    """A customer who opens the board sees who the page is for, and no board."""
    laptop.goto(f"{site.url}/board?token={site.tokens['customer']}")
    expect(laptop.get_by_role("alert")).to_contain_text("for a dispatcher")
    expect(laptop.locator("#map")).to_have_count(0)


def test_api_docs_load_without_a_cdn(site: Site, laptop: Any) -> None:
    """/docs renders Swagger UI from this site: every request stays on the site's address."""
    asked: list[str] = []
    laptop.on("request", lambda request: asked.append(request.url))
    laptop.goto(site.url + "/docs")
    expect(laptop.get_by_text("/v1/regions", exact=True).first).to_be_visible()
    assert asked and all(url.startswith(site.url) or url.startswith("data:") for url in asked)
