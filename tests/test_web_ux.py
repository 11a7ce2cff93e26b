"""What a new user met in issue 14, through TestClient: plain messages, text reports in any Unicode form,
partial rates, the practice filters, and the reader that marks the quoted sentences only.

The real corpus indexed with the hash embedder (fast); browser checks are in test_browser.py.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import zlib
from collections.abc import Iterator

import pytest
from conftest import CORPUS, REPORT, SmallFiles
from fastapi.testclient import TestClient

from assistant.settings import Settings
from web.app import create_app

EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)\b|Input should be|ValidationError")


@pytest.fixture(scope="module")
def client(hash_home: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hash_home)) as c:
        yield c


def message_of(html: str) -> str:
    m = re.search(r'<p[^>]* class="error"[^>]*>(.*?)</p>', html, re.S)
    assert m, "no error message on the page"
    return html_lib.unescape(re.sub(r"\s+", " ", m.group(1)).strip())


def bomb_pdf(size: int = 80_000_000) -> bytes:
    """A PDF whose one content stream unpacks to `size` bytes (a 'zip bomb'): small to send, huge to read."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET\n" + b" " * size, 9)
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + font + b" /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# --- D: every 4xx in plain words --------------------------------------------------------------------


@pytest.mark.parametrize("url, words", [
    ("/practices?page=0", "page number in the address must be 1 or more"),
    ("/practices?page=two", "page number in the address must be a whole number"),
    (f"/sources/{REPORT}?page=0", "page number in the address must be 1 or more"),
    (f"/sources/{REPORT}?page=999", "Choose a page from 1 to"),
    ("/sources/no-such-document", "list of sources"),
    ("/no/such/page", "no page at this address"),
])
def test_address_errors_say_what_is_wrong_and_what_to_do(client: TestClient, url: str, words: str) -> None:
    r = client.get(url)
    assert 400 <= r.status_code < 500
    message = message_of(r.text)
    assert words in message, message
    assert not EXCEPTION_NAME.search(message), message


def test_a_method_the_address_does_not_take_is_explained(client: TestClient) -> None:
    r = client.delete("/practices")
    assert r.status_code == 405
    assert "Go back to the page" in message_of(r.text) and "Method Not Allowed" not in r.text


@pytest.mark.parametrize("name, make, words", [
    ("cut.pdf", lambda f: f.broken().read_bytes(), "damaged or incomplete"),
    ("bomb.pdf", lambda f: bomb_pdf(), "unpacks to far more data"),
    ("picture.pdf", lambda f: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "upload the report as PDF"),
    ("empty.txt", lambda f: b"", "choose it again"),
])
def test_bad_uploads_say_why_in_plain_words(client: TestClient, small_files: SmallFiles, name: str, make,  # type: ignore[no-untyped-def]
                                            words: str) -> None:
    r = client.post("/profile/upload", files={"file": (name, make(small_files))})
    assert 400 <= r.status_code < 500
    message = message_of(r.text)
    assert words in message and name in message, message
    assert not EXCEPTION_NAME.search(message), message


def test_empty_rates_form_says_what_to_type(client: TestClient) -> None:
    r = client.post("/profile/rates", data={"city": "Nowhere"})
    assert r.status_code == 422 and "type the city's rate of at least one area" in message_of(r.text)


# --- C: text reports in UTF-16 and other byte-order-marked encodings --------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_text_report_with_a_byte_order_mark_is_read(client: TestClient, encoding: str) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8")
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
    data = (bom + text).encode(encoding)
    r = client.post("/api/profile", files={"file": ("report.txt", data)})
    assert r.status_code == 200, r.text
    assert r.json()["city"] == "Hämeenlinna" and len(r.json()["areas"]) == 17


def test_utf16_rates_file_is_read(client: TestClient) -> None:
    data = "area,city,sample\nmedia,20,60\nÉducation,70,50\n".replace("É", "E").encode("utf-16")
    r = client.post("/api/profile", files={"file": ("rates.csv", data)})
    assert r.status_code == 200, r.text
    assert r.json()["areas"]["media"] == {"city": 20, "sample": 60}


# --- A: the reader marks the quoted sentences, the rest of the record is a band ---------------------


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))).strip()


def test_the_reader_marks_only_the_quoted_sentence(client: TestClient) -> None:
    from assistant.citations import quote_spans, reader_url

    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    record = next(r for r in catalog.practices if r.page == r.page_end and len(_sentences(r.text)) >= 3
                  and "\n\n" in r.text)
    quoted = _sentences(record.text)[1]
    url = reader_url(record.doc_id, record.page, record.id, quote_spans(record.text, [quoted]))
    assert "&q=" in url and url.endswith("#hl")
    html = client.get(url).text
    marks = re.findall(r'<mark class="quote"[^>]*>(.*?)</mark>', html, re.S)
    assert len(marks) == 1 and _text(marks[0]) == re.sub(r"\s+", " ", quoted).strip()
    assert re.search(r'<mark class="quote" id="hl" tabindex="-1">', html)
    band = _text(" ".join(re.findall(r'<span class="band"[^>]*>(.*?)</span>', html, re.S)))
    first, shown = (re.sub(r"\s+", " ", x)[:60] for x in (_sentences(record.text)[0], quoted))
    assert first in band and shown not in band  # the rest of the record, lighter
    assert "Marked: the quoted text" in html


def test_without_a_quote_the_whole_record_is_marked_as_before(client: TestClient) -> None:
    from assistant.citations import reader_url

    record = client.app.state.catalog.practices[0]  # type: ignore[attr-defined]
    html = client.get(reader_url(record.doc_id, record.page, record.id)).text
    assert 'id="hl"' in html and '<mark class="quote"' not in html and "Highlighted: a practice" in html


def test_a_quote_that_runs_onto_the_next_page_shows_both_pages(client: TestClient) -> None:
    from assistant.citations import quote_spans, reader_url

    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    docs = catalog.documents
    for record in catalog.records:
        if record.page_end != record.page + 1:
            continue
        cut = docs[record.doc_id].page_starts[record.page] - record.start  # where the page break falls
        crossing = [s for s in _sentences(record.text) if record.text.find(s) < cut < record.text.find(s) + len(s)]
        if crossing:
            break
    else:
        pytest.skip("no sentence of the corpus runs across a page break")
    html = client.get(reader_url(record.doc_id, record.page, record.id,
                                 quote_spans(record.text, crossing[:1]))).text
    assert f'id="page-{record.page}"' in html and f'id="page-{record.page + 1}"' in html
    assert "the quote continues" in html
    assert len(re.findall(r'<mark class="quote"', html)) == 2  # its part on each page


def test_reader_drops_extraction_leftovers_and_links_addresses(client: TestClient) -> None:
    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    doc = next(d for d in catalog.documents.values() if "\\(coe.int\\)" in d.text)
    pages = sorted({doc.page_of(doc.text.index(x)) for x in ("\\(coe.int\\)", "- o ", "<https://")})
    for n in pages:
        html = client.get(f"/sources/{doc.doc_id}?page={n}").text
        body = html[html.index('<article class="page-text"'):]
        assert "\\(" not in body and "- o " not in body and "&lt;https://" not in body
        assert "<li>o " not in body
    html = client.get(f"/sources/{doc.doc_id}?page={doc.page_of(doc.text.index('<https://'))}").text
    assert re.search(r'<a href="https://[^"]+" rel="noopener noreferrer">https://', html)
    assert re.search(r"<h3>", html)  # headings as headings


def test_reader_shows_original_in_a_new_tab_at_its_page_and_names_the_page(client: TestClient) -> None:
    html = client.get(f"/sources/{REPORT}?page=5").text
    assert re.search(rf'href="/files/{REPORT}#page=5"\s+target="_blank" rel="noopener"', html)
    assert 'data-title="' in html and ", p. 5 · ICC practice assistant" in html
    partial = client.get(f"/sources/{REPORT}?page=6", headers={"HX-Request": "true"}).text
    assert partial.lstrip().startswith('<div id="reader"') and ", p. 6 · ICC practice assistant" in partial


def test_chat_citations_carry_the_quote_and_a_preview(client: TestClient) -> None:
    """An earlier turn as the form sends it back: its [n] open the reader at the quoted sentences and show
    the quote and its source on hover or focus."""
    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    record = next(r for r in catalog.practices if len(_sentences(r.text)) >= 2)
    quote = " … ".join(_sentences(record.text)[:2][::-1])
    turn = {"question": "How do cities welcome newcomers?", "answer": f"- In {record.city}: the practice. [1]",
            "citations": [{"n": 1, "record_id": record.id, "doc_id": record.doc_id, "doc_title": record.doc_title,
                           "page": record.page, "city": record.city, "quote": quote}]}
    r = client.post("/chat", data={"question": "and in Germany?", "history": json.dumps([turn])})
    assert r.status_code == 200
    links = re.findall(r'<a class="cite" href="([^"]+)" aria-describedby="(tip-1-\d+)"', r.text)
    assert len(links) == 1
    href, tip = links[0]
    spans = re.search(r"&amp;q=([\d,-]+)#hl", href)
    assert spans and len(spans.group(1).split(",")) == 2
    m = re.search(rf'<span class="tip" role="tooltip" id="{tip}">“(.+?)” <span class="tip-source">(.+?)</span>',
                  r.text, re.S)
    assert m and _text(m.group(1))[:40] == re.sub(r"\s+", " ", quote)[:40]
    assert record.doc_title[:30] in html_lib.unescape(m.group(2))
    assert 'id="announce"' in r.text and 'aria-live="polite"' in r.text


# --- B: practices ------------------------------------------------------------------------------------


def _options(html: str, name: str) -> dict[str, tuple[str, int]]:
    """value -> (label, count) of a filter's choices on the page (the first select of that id)."""
    select = re.search(rf'<select id="f-{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select
    found = {}
    for value, label, count in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*?) \((\d+)\)</option>', select.group(1)):
        found[html_lib.unescape(value)] = (html_lib.unescape(label), int(count))
    return found


def _count(html: str) -> int:
    m = re.search(r'id="practices-count"[^>]*>(\d+) of', html)
    assert m
    return int(m.group(1))


def test_each_filter_offers_only_choices_the_others_leave_with_counts(client: TestClient) -> None:
    html = client.get("/practices?area=education").text
    cities = _options(html, "city")
    assert cities and all(n > 0 for _, n in cities.values())
    every_city = _options(client.get("/practices").text, "city")
    assert set(cities) < set(every_city)  # narrowed by the area
    for city, (_, n) in list(cities.items())[:6]:  # each count is what choosing it shows
        assert _count(client.get("/practices", params={"area": "education", "city": city}).text) == n
    areas = _options(client.get("/practices?city=Oslo").text, "area")
    assert "education" not in areas or areas["education"][1] > 0
    for slug, (_, n) in areas.items():
        assert _count(client.get("/practices", params={"area": slug, "city": "Oslo"}).text) == n


def test_cities_and_organisations_are_listed_apart(client: TestClient) -> None:
    html = client.get("/practices").text
    select = re.search(r'<select id="f-city"[^>]*>(.*?)</select>', html, re.S)
    assert select
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(1), re.S))
    assert set(groups) == {"Cities", "Organisations"}
    assert ">Oslo (" in groups["Cities"] and ">Council of Europe (" in groups["Organisations"]
    assert "Council of Europe" not in groups["Cities"] and ">Oslo (" not in groups["Organisations"]


def test_an_unknown_value_in_the_address_is_named_with_the_nearest(client: TestClient) -> None:
    r = client.get("/practices?city=Atlantis")
    message = message_of(r.text)
    assert "Atlantis" in message and "nearest" in message and "clear the filter" in message
    assert len(message.split("nearest: ")[1].split(".")[0].split(", ")) == 3
    assert '<option value="Atlantis" selected>Atlantis (not found)</option>' in r.text
    assert "Tampere" in message_of(client.get("/practices?city=Tamper0").text)
    assert "Finland" in message_of(client.get("/practices?country=Finlnd").text)


def test_card_titles_say_what_the_practice_is(client: TestClient) -> None:
    html = client.get("/practices").text
    titles = [_text(t) for t in re.findall(r'<h2 id="p-\d+">(.*?)</h2>', html, re.S)]
    assert titles and not [t for t in titles if re.match(r"(Example from|Practice of) ", t)]
    genoa = _text(client.get("/practices?city=Genoa").text)
    assert "The city has organised training on community mediation" in genoa


def test_excerpts_do_not_open_with_addresses_and_words_are_marked(client: TestClient) -> None:
    html = client.get("/practices?q=vantaa").text
    openings = [_text(x) for x in re.findall(r'<p class="excerpt">(.*?)</p>', html, re.S)]
    assert openings and not [o for o in openings if re.match(r"(https?://|www\.|<|\S+@\S+)", o)]
    assert "<mark>Vantaa</mark>" in html or "<mark>vantaa</mark>" in html.lower()
    marked = client.get("/practices?q=hameenlinna").text
    assert re.search(r"<mark>Hämeenlinna</mark>", marked) or _count(marked) == 0


def test_a_filter_swap_updates_the_choices_out_of_band(client: TestClient) -> None:
    r = client.get("/practices?area=education", headers={"HX-Request": "true"})
    for name in ("area", "city", "country", "doc"):
        assert f'<select id="f-{name}" name="{name}" hx-swap-oob="innerHTML"' in r.text
    assert "hx-swap-oob" not in client.get("/practices?area=education").text


# --- C: the profile ----------------------------------------------------------------------------------


def test_partial_rates_show_how_many_areas_and_no_aggregate_figure(client: TestClient) -> None:
    form = {"city": "Testville", "city_media": "10", "sample_media": "50", "city_education": "80",
            "sample_education": "60"}
    r = client.post("/profile/rates", data=form)
    assert r.status_code == 200
    assert "<strong>2 of 17 areas</strong> have a rate" in r.text
    aggregates = re.search(r'<dl class="aggregates">(.*?)</dl>', r.text, re.S)
    assert aggregates and not re.search(r"<dd>\s*\d", aggregates.group(1))  # no figure from two areas
    assert aggregates.group(1).count("Not computed") == 3 and "45" not in aggregates.group(1)
    assert "for the 2 of 17 areas that have a rate" in r.text


def test_a_whole_report_shows_its_aggregates(client: TestClient) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_bytes()
    r = client.post("/profile/upload", files={"file": ("report.txt", text)})
    assert "have a rate. Aggregates" not in r.text and "Not computed" not in r.text
    assert "<dd>51</dd>" in r.text and re.search(r"<dd>51.1 <small>14 of 14 areas", r.text)


def test_results_and_errors_are_anchored_and_marked_for_focus(client: TestClient) -> None:
    r = client.post("/profile/upload", files={"file": ("report.txt", (CORPUS / f"{REPORT}.txt").read_bytes())},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("#results")
    page = client.get(r.headers["location"].split("#")[0]).text
    assert '<section id="results"' in page and '<h2 id="results-h" tabindex="-1" data-autofocus>' in page
    empty = client.get("/profile").text
    assert 'action="/profile/upload#upload-error"' in empty and 'action="/profile/rates#rates-error"' in empty
    bad = client.post("/profile/upload", files={"file": ("cut.pdf", b"%PDF-1.4\n1 0 obj")},
                      headers={"HX-Request": "true"})
    assert '<p id="upload-error" class="error" role="alert" tabindex="-1" data-autofocus>' in bad.text


def test_chart_is_drawn_at_a_size_that_fits_a_laptop_window(client: TestClient) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_bytes()
    html = client.post("/profile/upload", files={"file": ("report.txt", text)}).text
    m = re.search(r'<svg class="bars" viewBox="0 0 ([\d.]+) ([\d.]+)" width="[\d.]+" height="[\d.]+"', html)
    assert m and float(m.group(1)) <= 450 and float(m.group(2)) <= 660  # 17 areas, drawn 1:1 in CSS pixels
    assert '<ul class="legend"' in html
