"""A conversation survives reload and back, in headless Chromium (Debian's /usr/bin/chromium), with htmx and
without JavaScript. The app runs on the hash-embedder index (fast); screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SHOTS, served

from assistant.settings import Settings

pytestmark = [pytest.mark.browser]

HTMX = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "htmx.min.js"
FOUND = "intercultural mediation service"  # answered with sources even by the hash embedder
CONVERSATION = re.compile(r"/c/[A-Za-z0-9_-]{22}(#latest)?$")


@pytest.fixture(scope="module")
def base_url(hash_home: Settings) -> Iterator[str]:
    from web.app import create_app

    with served(create_app(hash_home), timeout=60) as url:
        yield url


def _errors(context: Any) -> list[str]:
    """Console errors of every page of `context` (a CSP violation is one)."""
    errors: list[str] = []

    def watch(pg: Any) -> None:
        pg.on("console", lambda m: m.type == "error" and errors.append(f"{pg.url}: {m.text}"))
        pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))

    context.on("page", watch)
    return errors


def test_reload_and_back_keep_the_conversation(browser: Any, base_url: str) -> None:
    if not HTMX.is_file():
        pytest.skip("htmx is not installed in web/static/vendor (make web-assets, which needs npm)")
    from playwright.sync_api import expect

    context = browser.new_context(base_url=base_url, viewport={"width": 1200, "height": 900})
    errors = _errors(context)
    page = context.new_page()
    page.goto("/")
    page.locator("#question").fill(FOUND)
    page.locator("#question").press("Enter")
    turns = page.locator("article.turn")
    expect(turns).to_have_count(1, timeout=30_000)
    page.wait_for_url(CONVERSATION)  # htmx pushed the conversation's address
    url = page.url
    expect(turns.first.locator(".answer a.cite").first).to_be_visible()

    page.reload()
    expect(page.locator("article.turn")).to_have_count(1)
    expect(page.locator("article.turn h2.question")).to_contain_text(FOUND)
    page.locator("#question").fill("and which of them are in Spain?")
    page.locator("#question").press("Enter")
    expect(page.locator("article.turn")).to_have_count(2, timeout=30_000)

    page.get_by_role("link", name="Practices", exact=True).click()
    page.wait_for_url(re.compile(r"/practices$"))
    page.go_back()
    page.wait_for_url(url)
    expect(page.locator("article.turn")).to_have_count(2)
    page.goto("/")  # the chat page lists it
    link = page.locator(".recent a").first
    expect(link).to_have_text(FOUND)
    link.click()
    expect(page.locator("article.turn")).to_have_count(2)
    expect(page.get_by_role("link", name="Download as Markdown")).to_be_visible()
    page.screenshot(path=str(SHOTS / "conversation-after-reload.png"), full_page=True)
    context.close()
    assert not errors, f"console errors: {errors}"


def test_without_javascript_a_conversation_is_a_page_that_reloads(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/")
    page.locator("#question").fill(FOUND)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url(CONVERSATION)
    assert page.locator("article.turn").count() == 1
    page.locator("#question").fill("and which of them are in Spain?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("article.turn").count() == 2
    page.reload()  # a GET of the conversation: nothing is asked again
    assert page.locator("article.turn").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the chat scrolls sideways on a phone"
    page.screenshot(path=str(SHOTS / "conversation-no-js.png"), full_page=True)
    context.close()
