"""What a new user does, in headless Chromium (Debian's /usr/bin/chromium) against the app on a free port.

Screenshots of every page go to tests/screenshots/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, REPORT, SHOTS, served

from assistant.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HTMX = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "htmx.min.js"
REPORT_PDF = CORPUS / "pdf" / f"{REPORT}.pdf"
EXAMPLE = "How do other cities handle media monitoring?"


@pytest.fixture(scope="module")
def base_url(real_model_home: Settings) -> Iterator[str]:
    from web.app import create_app

    with served(create_app(real_model_home)) as url:
        yield url


@pytest.fixture()
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page at desktop size; fails the test on any console error (a CSP violation is one)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1200, "height": 900}, accept_downloads=True)
    errors: list[str] = []

    def console(pg: Any, m: Any) -> None:
        expected = "status of 4" in m.text and "/static/" not in (m.location or {}).get("url", "")
        if m.type == "error" and not expected:  # a 4xx answer to a bad upload is what the test asks for
            errors.append(f"{pg.url}: {m.text}")

    def watch(pg: Any) -> None:
        pg.on("console", lambda m: console(pg, m))
        pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))

    context.on("page", watch)
    pg = context.new_page()
    yield pg
    context.close()
    assert not errors, f"console errors: {errors}"


@pytest.fixture()
def htmx() -> None:
    """Tests of the swaps need htmx; the pages without it are tested by the no-JavaScript test."""
    if not HTMX.is_file():
        pytest.skip("htmx is not installed in web/static/vendor (make web-assets, which needs npm)")


def shot(pg: Any, name: str) -> None:
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_ask_the_example_then_follow_a_citation_to_the_passage(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    shot(page, "chat-empty")
    page.get_by_role("button", name=EXAMPLE).click()
    turn = page.locator("article.turn")
    expect(turn).to_have_count(1, timeout=60_000)
    expect(turn.locator("h2.question")).to_contain_text(EXAMPLE)
    cites = turn.locator(".answer a.cite")
    expect(cites.first).to_be_visible()
    assert re.search(r"/c/[A-Za-z0-9_-]{22}$", page.url)  # swapped in place; the address is the conversation's
    expect(page.locator("#question")).to_be_focused()
    shot(page, "chat-answer")

    # a follow-up keeps the conversation
    page.locator("#question").fill("and which of them are in Spain?")
    page.locator("#question").press("Enter")
    expect(page.locator("article.turn")).to_have_count(2, timeout=60_000)
    shot(page, "chat-follow-up")

    # a citation opens the source at the passage, in a new tab: the conversation stays where it is
    first = page.locator("article.turn").first.locator(".answer a.cite").first
    label = first.get_attribute("title") or ""
    with page.context.expect_page() as opened:
        first.click()
    reader = opened.value
    reader.wait_for_load_state()
    assert re.search(r"/sources/[^?]+\?page=\d+&record=.+#hl$", reader.url), reader.url
    mark = reader.locator("mark#hl")
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    assert label.split(", p. ")[0] in reader.locator("h1").inner_text()
    shot(reader, "reader")

    # page navigation swaps the page text and keeps the URL shareable
    reader.get_by_role("link", name=re.compile(r"Page \d+ →")).click()
    reader.wait_for_url(re.compile(r"\?page=\d+&"))
    expect(reader.locator(".pager .where")).to_contain_text("Page")
    reader.close()

    expect(page.locator("article.turn")).to_have_count(2)
    page.get_by_role("link", name="New conversation").click()
    expect(page.locator("article.turn")).to_have_count(0)


def test_upload_the_report_see_the_chart_draft_and_download_word(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.goto("/profile")
    shot(page, "profile-empty")
    page.set_input_files("#file", str(REPORT_PDF))
    page.get_by_role("button", name="Read the report").click()
    chart = page.locator("svg.bars")
    expect(chart).to_be_visible(timeout=30_000)
    page.wait_for_url(re.compile(r"/profile/[A-Za-z0-9_-]{16}$"))
    expect(chart.locator("g.area")).to_have_count(17)
    expect(chart.locator("g.area.weak")).to_have_count(8)
    expect(chart.locator("g.area.weak").first.locator("text.label")).to_contain_text("weak")
    expect(page.locator(".weak-list li").first).to_contain_text("Media and communication")
    shot(page, "profile")

    # the weakest five are ticked; untick the first and draft the other four
    expect(page.locator('.weak-list input[name="area"]:checked')).to_have_count(5)
    page.get_by_role("checkbox", name="Media and communication").uncheck()
    page.get_by_role("button", name="Draft recommendations").click()
    sections = page.locator("#draft article.draft-area")
    expect(sections.first).to_be_visible(timeout=60_000)
    expect(sections).to_have_count(4)
    expect(sections.first.locator("h3")).to_have_text("Mediation and conflict resolution")
    page.wait_for_url(re.compile(r"/draft\?area=mediation&"))
    shot(page, "draft")

    with page.expect_download() as info:
        page.get_by_role("link", name="Word (.docx)").click()
    download = info.value
    assert download.suggested_filename == "icc-draft-hameenlinna.docx"
    data = Path(download.path()).read_bytes()
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    page.emulate_media(media="print")
    expect(page.locator("header.site nav")).to_be_hidden()
    expect(page.locator("form.upload")).to_be_hidden()
    shot(page, "profile-print")


def test_a_bad_upload_gets_a_message_on_the_page(page: Any, small_files: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/profile")
    page.set_input_files("#file", str(small_files.encrypted()))
    page.get_by_role("button", name="Read the report").click()
    expect(page.locator("#upload-error")).to_contain_text("encrypted")
    shot(page, "profile-error")


def test_filter_practices_by_area_and_city(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.goto("/practices")
    total = page.locator("article.practice").count()
    assert total > 20
    page.select_option("#f-area", "media")
    page.wait_for_url(re.compile(r"area=media"))
    expect(page.locator("#practices-count")).not_to_contain_text(f"{total} of")
    cities = page.locator("article.practice .meta strong").all_inner_texts()
    city = cities[0]
    page.select_option("#f-city", city)
    page.wait_for_url(re.compile(r"area=media.*city="))
    shown = page.locator("article.practice")
    expect(shown).to_have_count(cities.count(city))
    for text in shown.locator(".meta strong").all_inner_texts():
        assert text == city
    shot(page, "practices")

    page.reload()  # the URL holds the filters: a shared link shows the same view
    expect(page.locator("#f-area")).to_have_value("media")
    expect(page.locator("#f-city")).to_have_value(city)
    expect(page.locator("article.practice")).to_have_count(cities.count(city))


def test_sources_and_docs_pages(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/sources")
    expect(page.locator("table.sources tbody tr")).to_have_count(4)
    shot(page, "sources")
    page.goto("/docs")
    expect(page.locator("body")).to_contain_text("/api/draft", timeout=15_000)
    shot(page, "docs")


def test_pages_work_without_javascript_and_on_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.goto("/")
    pg.get_by_role("button", name=EXAMPLE).click()
    pg.wait_for_load_state()
    assert pg.locator("article.turn").count() == 1
    assert pg.locator("article.turn a.cite").count() > 0
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390, "the chat scrolls sideways on a phone"
    shot(pg, "phone-chat-no-js")
    pg.goto("/profile")
    pg.set_input_files("#file", str(REPORT_PDF))
    pg.get_by_role("button", name="Read the report").click()
    pg.wait_for_url(re.compile(r"/profile/[A-Za-z0-9_-]{16}#results$"))  # without JS: opens at the results
    assert pg.locator("#results-h").bounding_box()["y"] < 844
    assert pg.locator("svg.bars g.area.weak").count() == 8
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(pg, "phone-profile-no-js")
    pg.goto("/practices?area=welcoming")
    assert pg.locator("article.practice").count() > 0
    shot(pg, "phone-practices-no-js")
    context.close()


# --- issue 14: what a new user met on a laptop and a phone ------------------------------------------


def _ask_example(page: Any) -> Any:
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_role("button", name=EXAMPLE).click()
    turn = page.locator("article.turn")
    expect(turn).to_have_count(1, timeout=60_000)
    return turn


def test_a_citation_opens_the_reader_with_the_quoted_sentence_in_the_middle(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    turn = _ask_example(page)
    cite = turn.locator(".answer a.cite").first
    tip = turn.locator(".answer .tip").first
    source = tip.locator(".tip-source").text_content() or ""
    quote = (tip.text_content() or "")[: -len(source)].strip().removeprefix("“").removesuffix("”")
    first_sentence = re.sub(r"\s+", " ", quote.split(" … ")[0]).strip()
    href = cite.get_attribute("href") or ""
    assert "&q=" in href
    page.goto(href)
    mark = page.locator("#hl")
    expect(mark).to_be_visible()
    page.wait_for_timeout(300)  # app.js scrolls after load
    box = mark.bounding_box()
    assert box and 800 / 3 <= box["y"] <= 2 * 800 / 3, f"the mark's top is at {box and box['y']} of 800"
    marked = re.sub(r"\s+", " ", mark.inner_text()).strip()
    assert marked == first_sentence or (first_sentence.endswith(" …") and marked.startswith(first_sentence[:-2]))
    assert mark.evaluate("e => e.tagName") == "MARK"
    for fixed in (page.locator("#reader h1"), page.locator(".reader-head .pager")):
        head = fixed.bounding_box()
        assert head and head["y"] >= 0 and head["y"] + head["height"] <= box["y"], "title or pages out of view"
    page.screenshot(path=str(SHOTS / "reader-quote-window.png"))  # the window: title, pages and the mark

    number = int(re.findall(r"\d+", page.locator(".pager .where").inner_text())[0])
    expect(page).to_have_title(re.compile(rf", p\. {number} "))
    page.get_by_role("link", name=re.compile(r"Page \d+ →")).click()
    expect(page.locator(".pager .where")).to_contain_text(f"Page {number + 1} of")
    expect(page).to_have_title(re.compile(rf", p\. {number + 1} "))  # the tab names the page shown
    original = page.locator("a.original")
    assert original.get_attribute("target") == "_blank" and "#page=" in (original.get_attribute("href") or "")


def test_a_pasted_question_longer_than_the_box_takes_is_said_to_be_cut(page: Any) -> None:
    from playwright.sync_api import expect

    # the browser cuts a pasted text at the box's maxlength without a word: the hint says so
    page.goto("/")
    box = page.locator("#question")
    limit = int(box.get_attribute("maxlength") or 0)
    hint = page.locator("#question-hint")
    expect(hint).to_have_text(f"Up to {limit} characters.")

    def paste(text: str) -> None:
        box.evaluate("""(el, text) => { const data = new DataTransfer(); data.setData("text/plain", text);
            el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})); }""",
                     text)

    paste("How do cities welcome newcomers?")
    expect(hint).to_have_text(f"Up to {limit} characters.")  # a question that fits: nothing said
    paste("x" * (limit + 1))
    expect(hint).to_contain_text(f"longer than {limit} characters")
    expect(hint).to_have_class(re.compile(r"\bwarning\b"))


def test_hovering_or_focusing_a_citation_previews_its_quote(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    turn = _ask_example(page)
    cite = turn.locator(".answer a.cite").first
    tip = turn.locator(".answer .tip").first
    expect(tip).to_be_hidden()
    cite.hover()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("“")
    expect(tip.locator(".tip-source")).to_contain_text("p. ")
    shot(page, "chat-preview")
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    cite.focus()  # the keyboard gets the same preview, and Escape puts it away
    expect(tip).to_be_visible()
    assert cite.get_attribute("aria-describedby") == tip.get_attribute("id")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    box = cite.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24, f"citation target {box}"
    expect(page.locator("#announce")).to_contain_text("New answer", timeout=5_000)


def test_practice_filters_narrow_each_other(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.goto("/practices")
    cities = page.locator("#f-city option")
    before = cities.count()
    page.select_option("#f-area", "education")
    page.wait_for_url(re.compile(r"area=education"))
    expect(cities).not_to_have_count(before)
    labels = cities.all_inner_texts()[1:]
    assert labels and all(re.search(r"\(([1-9]\d*)\)$", x) for x in labels), labels
    expect(page.locator("#f-area")).to_have_value("education")
    shown = re.search(r"\((\d+)\)$", labels[0])
    assert shown
    page.select_option("#f-city", index=1)
    expect(page.locator("article.practice")).to_have_count(int(shown.group(1)))
    expect(page.locator("#f-city optgroup")).not_to_have_count(0)
    shot(page, "practices-narrowed")


def test_focus_moves_to_the_result_or_the_error_after_an_upload(page: Any, htmx: None, small_files: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/profile")
    page.set_input_files("#file", str(small_files.broken()))
    page.get_by_role("button", name="Read the report").click()
    expect(page.locator("#upload-error")).to_be_focused(timeout=30_000)
    expect(page.locator("#upload-error")).to_contain_text("damaged or incomplete")
    page.set_input_files("#file", str(REPORT_PDF))
    page.get_by_role("button", name="Read the report").click()
    expect(page.locator("#results-h")).to_be_focused(timeout=30_000)


def test_the_chart_fits_a_laptop_window_beside_its_legend(page: Any, htmx: None) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/profile")
    page.set_input_files("#file", str(REPORT_PDF))
    page.get_by_role("button", name="Read the report").click()
    chart = page.locator("svg.bars")
    expect(chart.locator("g.area")).to_have_count(17, timeout=30_000)
    chart.evaluate("e => e.scrollIntoView({block: 'center'})")
    box, legend = chart.bounding_box(), page.locator(".chart .legend").bounding_box()
    assert box and legend
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, box
    assert legend["x"] >= box["x"] + box["width"] and legend["y"] < box["y"] + box["height"]  # beside it
    page.screenshot(path=str(SHOTS / "profile-chart-1280x800.png"))  # the window, as the user sees it


PHONE_PAGES = ["/", "/profile", "/practices", "/practices?city=Atlantis", "/sources",
               f"/sources/{REPORT}?page=3", "/no/such/page"]


def test_no_page_scrolls_sideways_on_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    try:
        for url in PHONE_PAGES:
            pg.goto(url)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{url} scrolls sideways on a phone ({width}px)"
            shot(pg, "phone" + re.sub(r"[^a-z0-9]+", "-", url.lower()).rstrip("-"))
        pg.goto("/profile")
        pg.set_input_files("#file", str(REPORT_PDF))
        pg.get_by_role("button", name="Read the report").click()
        pg.locator("svg.bars g.area").first.wait_for(timeout=30_000)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        box = pg.locator("svg.bars").bounding_box()
        assert box and box["x"] + box["width"] <= 390
        shot(pg, "phone-profile-result")
        pg.goto("/")
        pg.get_by_role("button", name=EXAMPLE).click()
        pg.locator("article.turn").wait_for(timeout=60_000)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        cite = pg.locator(".answer a.cite").first
        cite.focus()
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, "the preview overflows on a phone"
        shot(pg, "phone-chat-preview")
    finally:
        context.close()
