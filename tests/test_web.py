"""The web app through TestClient: every page and API route, their error paths, escaping and headers.

Most tests use the real corpus indexed with the hash embedder (fast); the ones that need real answers
use the real model and are marked `slow`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, REPORT, SmallFiles
from fastapi.testclient import TestClient

from assistant.profile_io import load_profile
from assistant.settings import Settings
from corpus.areas import SLUGS
from web.app import create_app
from web.chat import parse_history
from web.render import answer_html

REPORT_PDF = CORPUS / "pdf" / f"{REPORT}.pdf"
PDF = "application/pdf"


@pytest.fixture(scope="module")
def client(hash_home: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hash_home)) as c:
        yield c


def no_server_trace(text: str) -> None:
    assert "Traceback" not in text and "File \"/" not in text


def upload(client: TestClient, url: str, name: str, data: bytes, **kw: object) -> object:
    return client.post(url, files={"file": (name, data)}, **kw)  # type: ignore[arg-type]


# --- app-wide: health, headers, errors, no inline code ---------------------------------------------


def test_healthz_reports_the_loaded_index(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["documents"] == 4 and r.json()["records"] > 100


@pytest.mark.parametrize("url", ["/", "/profile", "/sources", "/practices", f"/sources/{REPORT}"])
def test_pages_send_security_headers_and_no_inline_code(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), "inline style or event handler"
    assert '<link rel="stylesheet" href="/static/app.css">' in html
    assert 'lang="en"' in html and '<main id="main"' in html


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/app.js").headers["content-type"].startswith(("text/javascript",
                                                                             "application/javascript"))


def test_unknown_page_is_an_html_404_and_unknown_api_route_json(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "<h1>Not found</h1>" in r.text
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json()["detail"]


def test_errors_of_an_htmx_swap_replace_the_main_region(client: TestClient) -> None:
    r = client.get("/practices", params={"page": "x"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "<html" not in r.text and 'role="alert"' in r.text
    assert r.headers["hx-retarget"] == "main"


def test_get_on_a_form_address_leads_back_to_its_page(client: TestClient) -> None:
    assert client.get("/chat", follow_redirects=False).headers["location"] == "/"
    assert client.get("/profile/upload", follow_redirects=False).headers["location"] == "/profile"


def test_openapi_schema_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/ask", "/api/profile", "/api/draft", "/api/records"):
        assert path in schema["paths"], path
    assert "multipart/form-data" in json.dumps(schema["paths"]["/api/profile"])
    r = client.get("/docs")
    assert r.status_code == 200 and "/openapi.json" in r.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)


# --- answers: rendering and the chat page -----------------------------------------------------------


def test_answer_markdown_is_escaped_then_linked() -> None:
    html = str(answer_html({
        "answer": "Two practices <b>here</b>:\n\n- In Riga: a <script>x</script> campaign [1]\n- **Guide** [2][9]",
        "citations": [{"n": 1, "record_id": "d:pr:1:a", "doc_id": "doc one", "doc_title": "Doc & co", "page": 3},
                      {"n": 2, "record_id": "d:gq:2:b", "doc_id": "d", "doc_title": "D", "page": 1}]}))
    assert "<b>" not in html and "&lt;b&gt;here&lt;/b&gt;" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<li>") == 2 and "<strong>Guide</strong>" in html
    assert 'href="/sources/doc%20one?page=3&amp;record=d%3Apr%3A1%3Aa#hl"' in html
    assert 'title="Doc &amp; co, p. 3"' in html
    assert "[9]" in html and html.count('class="cite"') == 2  # an unknown marker stays text


def test_history_from_the_form_is_reduced_to_known_fields() -> None:
    turns = parse_history(json.dumps([
        {"question": "q1", "answer": "a [1]", "query": "q1", "evil": "<x>",
         "citations": [{"n": 1, "doc_id": "d", "page": 2, "kind": "practice", "onclick": "x"}, {"n": "2"}]},
        {"question": 5, "answer": "no"}, "junk"]))
    assert len(turns) == 1 and "evil" not in turns[0]
    assert turns[0]["citations"] == [{"n": 1, "page": 2, "record_id": "", "doc_id": "d", "doc_title": "",
                                      "section": "", "city": "", "country": "", "kind": "practice",
                                      "title": "", "quote": "", "grade": ""}]
    assert parse_history("not json") == [] and parse_history('{"a": 1}') == []
    assert parse_history(json.dumps([{"question": "q", "answer": "a", "citations": 7}]))[0]["citations"] == []


def test_chat_page_offers_examples_and_area_filter(client: TestClient) -> None:
    html = client.get("/").text
    assert 'value="How do other cities handle media monitoring?"' in html
    assert '<label for="question">' in html and '<label for="area">' in html
    assert all(f'<option value="{slug}"' in html for slug in SLUGS)
    assert 'hx-post="/chat"' in html and 'action="/chat"' in html  # htmx, and a plain form without it


def test_chat_keeps_the_conversation_until_a_new_one(client: TestClient) -> None:
    first = client.post("/chat", data={"example": "How do cities welcome newcomers?"}, follow_redirects=False)
    assert first.status_code == 303 and re.fullmatch(r"/c/[A-Za-z0-9_-]{22}#latest", first.headers["location"])
    url = first.headers["location"].split("#")[0]
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.text and page.text.count('class="turn"') == 1
    assert f'action="{url}"' in page.text and 'name="history"' not in page.text  # kept on the server
    second = client.post(url, data={"question": "and in Germany?"}, headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.text  # the partial for the swap
    assert second.text.count('class="turn"') == 2 and 'id="latest"' in second.text
    assert "New conversation" in second.text
    assert client.get("/").text.count('class="turn"') == 0


def test_chat_rejects_an_empty_question_with_a_message(client: TestClient) -> None:
    r = client.post("/chat", data={"question": "  ", "history": "[]"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    no_server_trace(r.text)
    r = client.post("/chat", data={"question": "welcome", "area": "gardening"})
    assert r.status_code == 422 and "unknown area" in r.text


def test_chat_escapes_the_question_and_ignores_a_forged_history(client: TestClient) -> None:
    r = client.post("/chat", data={"question": "<script>alert(1)</script> welcome?", "history": "[{]"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_api_ask_takes_malformed_history_without_a_500(client: TestClient) -> None:
    """History is the caller's: turns of the wrong shape are dropped, as the web form's are."""
    bad = [{"question": 1, "answer": None, "citations": "x"}, {"question": "q", "answer": "a", "citations": [1]},
           {"question": "q", "answer": "a", "citations": None, "topic": 5}]
    r = client.post("/api/ask", json={"question": "How do cities welcome newcomers?", "history": bad})
    assert r.status_code == 200, r.text
    assert r.json()["answer"] and isinstance(r.json()["citations"], list)


def test_long_question_in_the_chat_keeps_the_conversation(client: TestClient) -> None:
    history = json.dumps([{"question": "earlier question", "answer": "earlier answer", "citations": []}])
    r = client.post("/chat", data={"question": "x" * 6000, "history": history})
    assert r.status_code == 422 and "earlier question" in r.text  # the page, with the conversation


def test_api_ask_answers_and_validates(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "How do cities welcome newcomers?", "history": []})
    assert r.status_code == 200
    data = r.json()
    assert {"question", "answer", "citations", "found"} <= set(data)
    r = client.post("/api/ask", json={"question": ""})
    assert r.status_code == 422 and "question" in r.json()["detail"].lower()
    assert client.post("/api/ask", json={"question": "x" * 600}).status_code == 422
    assert client.post("/api/ask", json={"question": "welcome", "area": "nope"}).status_code == 422


# --- sources and the reader ---------------------------------------------------------------------------


def test_sources_list_every_document_with_kind_pages_and_counts(client: TestClient) -> None:
    html = client.get("/sources").text
    assert html.count("<tr>") == 1 + 4
    assert "ICC Index report" in html and "Practice booklet" in html and "Benchmark toolkit" in html
    assert f'href="/files/{REPORT}"' in html and ">PDF<" in html
    assert re.search(r'<td class="num">31</td>', html)  # the Hämeenlinna report's pages


def test_reader_highlights_the_cited_passage(client: TestClient) -> None:
    records = client.get("/api/records", params={"kind": "practice", "city": "Neumarkt"}).json()
    rec = records[0]
    r = client.get(f"/sources/{rec['doc_id']}", params={"page": rec["page"], "record": rec["id"]})
    assert r.status_code == 200
    mark = re.search(r'<mark id="hl" tabindex="-1">(.*?)</mark>', r.text, re.S)
    assert mark and " ".join(mark.group(1).split())[:40] in " ".join(rec["text"].split())
    assert f"Page {rec['page']} of 31" in r.text
    assert f'href="/files/{rec["doc_id"]}#page={rec["page"]}"' in r.text
    assert 'rel="prev"' in r.text and 'rel="next"' in r.text and "Neumarkt" in r.text
    # the page of a record is found from the record alone
    assert '<mark id="hl"' in client.get(f"/sources/{rec['doc_id']}", params={"record": rec["id"]}).text


def test_reader_pages_and_errors(client: TestClient) -> None:
    r = client.get(f"/sources/{REPORT}", params={"page": 2}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="reader"') and "<mark" not in r.text
    r = client.get(f"/sources/{REPORT}", params={"page": 99})
    assert r.status_code == 404 and "has 31 pages" in r.text
    assert client.get(f"/sources/{REPORT}", params={"page": "abc"}).status_code == 422
    r = client.get("/sources/not-a-document")
    assert r.status_code == 404 and "no document" in r.text
    r = client.get(f"/sources/{REPORT}", params={"record": "made:up:id"})
    assert r.status_code == 200 and "not in the current index" in r.text


def test_original_files_only_for_known_documents(client: TestClient) -> None:
    r = client.get(f"/files/{REPORT}")
    assert r.status_code == 200 and r.headers["content-type"] == PDF and r.content.startswith(b"%PDF")
    assert r.headers["x-content-type-options"] == "nosniff"
    head = client.head(f"/files/{REPORT}")  # a link checker's request: the headers, no body
    assert head.status_code == 200 and head.headers["content-type"] == PDF and not head.content
    for bad in ("/files/nope", "/files/..%2F..%2Fetc%2Fpasswd", "/files/%2Fetc%2Fpasswd"):
        assert client.get(bad).status_code == 404, bad
        assert client.head(bad).status_code == 404, bad


# --- practices ---------------------------------------------------------------------------------------


def test_practices_lists_every_practice(client: TestClient) -> None:
    practices = client.get("/api/records", params={"kind": "practice"}).json()
    html = client.get("/practices").text
    assert f"{len(practices)} of {len(practices)} practices" in html
    assert '<label for="f-area">' in html and '<label for="f-city">' in html and 'hx-push-url="true"' in html


def test_practices_filter_by_area_and_city_from_the_url(client: TestClient) -> None:
    practices = client.get("/api/records", params={"kind": "practice", "area": "media"}).json()
    city = next(p["city"] for p in practices if p["city"])
    expected = [p for p in practices if p["city"] == city]
    r = client.get("/practices", params={"area": "media", "city": city})
    assert r.status_code == 200
    assert f"{len(expected)} of " in r.text
    assert '<option value="media" selected>' in r.text and f'<option value="{city}" selected>{city} (' in r.text
    assert all(p["city"] == city for p in expected)
    assert f"/sources/{expected[0]['doc_id']}?page={expected[0]['page']}" in r.text
    partial = client.get("/practices", params={"area": "media", "city": "", "q": ""}, headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section id="practices"')
    assert partial.headers["hx-push-url"] == "/practices?area=media"


def test_practices_text_search_folds_accents_and_reports_bad_areas(client: TestClient) -> None:
    r = client.get("/practices", params={"q": "schwabisch"})
    assert "Schwäbisch Gmünd" in r.text and "0 of" not in r.text
    r = client.get("/practices", params={"area": "gardening"})
    assert r.status_code == 422 and "unknown area" in r.text
    assert "0 of" in client.get("/practices", params={"q": "zzzyyyxxx"}).text


# --- profiles: uploads, the rates form, the chart ----------------------------------------------------


def test_profile_upload_shows_aggregates_and_chart_with_weak_areas(client: TestClient) -> None:
    r = upload(client, "/profile/upload", "hameenlinna.pdf", REPORT_PDF.read_bytes(), follow_redirects=False)
    assert r.status_code == 303
    url, anchor = r.headers["location"].split("#")
    assert re.fullmatch(r"/profile/[A-Za-z0-9_-]{16}", url) and anchor == "results"  # without JS: at the results
    html = client.get(url).text
    expected = load_profile(REPORT_PDF).to_json()
    assert "Hämeenlinna · 2024" in html and ">51</dd>" in html and "51.1" in html
    svg = re.search(r"<svg class=\"bars\".*?</svg>", html, re.S)
    assert svg and svg.group(0).count('<g class="area weak">') == len(expected["weak"]) == 8
    assert svg.group(0).count('<g class="area') == 17 and "<title>Media and communication: city 13%, sample 46%" in \
        svg.group(0)
    assert html.count('fill="url(#hatch)"') == 8 and 'class="swatch weak"' in html  # the weak bars; the legend
    assert "Media and communication</strong></label>: 13% against a sample of 46%" in html
    # the weak areas to choose from, the weakest five ticked, the others named as left out; a plain GET form
    assert f'action="{url}/draft#draft-h"' in html and 'method="get"' in html
    boxes = re.findall(r'<input type="checkbox" name="area" value="(\w+)"( checked)?>', html)
    assert [b[0] for b in boxes] == expected["weak"]
    assert [b[0] for b in boxes if b[1]] == expected["weak"][:5]
    left = re.search(r"Left out of the draft as ticked: ([^.]+)\.", html)
    assert left and left.group(1) == ", ".join(w["name"] for w in expected["weak_details"][5:])


def test_profile_upload_with_htmx_swaps_the_region_and_pushes_the_url(client: TestClient) -> None:
    r = upload(client, "/profile/upload", "report.pdf", REPORT_PDF.read_bytes(), headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="profile-main">')
    assert re.fullmatch(r"/profile/[A-Za-z0-9_-]{16}", r.headers["hx-push-url"])


def test_upload_reads_text_reports_json_and_csv(client: TestClient) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_bytes()
    assert client.post("/api/profile", files={"file": ("r.txt", text)}).json()["city"] == "Hämeenlinna"
    rates = json.dumps({"city": "Testville", "areas": {"media": {"city": 10, "sample": 50}}}).encode()
    assert client.post("/api/profile", files={"file": ("rates.json", rates)}).json()["weak"] == ["media"]
    csv = b"area,city,sample\nmedia,20,60\nEducation,70,50\n"
    assert client.post("/api/profile", files={"file": ("rates.txt", csv)}).json()["areas"]["education"] == \
        {"city": 70, "sample": 50}


def test_api_profile_matches_the_cli_json(client: TestClient) -> None:
    r = client.post("/api/profile", files={"file": ("x.pdf", REPORT_PDF.read_bytes(), PDF)})
    assert r.status_code == 200
    data, expected = r.json(), load_profile(REPORT_PDF).to_json()
    assert data.pop("source") == "x.pdf"  # the name it was sent with, not where the server put it
    expected.pop("source")
    assert data == expected
    for key in ("city", "year", "aggregate", "computed_aggregate", "computed_aggregate_extended", "areas", "weak"):
        assert key in data


@pytest.mark.parametrize("make, status, words", [
    (lambda f: f.broken().read_bytes(), 422, "not a readable PDF"),
    (lambda f: f.encrypted().read_bytes(), 422, "encrypted"),
    (lambda f: f.textless().read_bytes(), 422, "no text layer"),
    (lambda f: b"A letter about the weather, with no rates at all.", 422, "no area rate found"),
    (lambda f: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), 415, "not a PDF, text, JSON or CSV"),
    (lambda f: b"", 422, "empty"),
    (lambda f: b'{"areas": {"media": 130}}', 422, "outside 0"),
])
def test_bad_uploads_get_a_message_never_a_server_error(client: TestClient, small_files: SmallFiles, make,  # type: ignore[no-untyped-def]
                                                        status: int, words: str) -> None:
    data = make(small_files)
    api = client.post("/api/profile", files={"file": ("upload.pdf", data)})
    assert api.status_code == status, api.text
    assert words in api.json()["detail"] and "/uploads/" not in api.json()["detail"]
    page = client.post("/profile/upload", files={"file": ("upload.pdf", data)})
    assert page.status_code == status
    assert 'class="error" role="alert"' in page.text and words in page.text
    no_server_trace(page.text)


def test_uploads_are_not_kept_and_never_in_static(client: TestClient, hash_home: Settings) -> None:
    upload(client, "/profile/upload", "r.pdf", REPORT_PDF.read_bytes())
    folder = hash_home.upload_dir
    assert not [p for p in folder.iterdir() if p.is_file()]  # the report is read, then removed
    assert list((folder / "profiles").glob("*.json"))
    static = Path(__file__).resolve().parents[1] / "web" / "static"
    assert not list(static.rglob("*.pdf"))


def test_upload_over_the_limit_is_refused_while_reading(hash_home: Settings) -> None:
    small = hash_home.model_copy(update={"max_upload_mb": 1})
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    with TestClient(create_app(small)) as c:
        api = c.post("/api/profile", files={"file": ("big.pdf", big)})
        assert api.status_code == 413 and "1 MB" in api.json()["detail"]
        page = c.post("/profile/upload", files={"file": ("big.pdf", big)})
        assert page.status_code == 413 and "1 MB" in page.text and 'role="alert"' in page.text
        huge = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)  # past the body cap: refused before it is parsed
        assert c.post("/api/profile", files={"file": ("huge.pdf", huge)}).status_code == 413
        assert c.post("/profile/upload", files={"file": ("huge.pdf", huge)}).status_code == 413


def test_upload_without_a_file_asks_for_one(client: TestClient) -> None:
    r = client.post("/profile/upload", data={"x": "y"})
    assert r.status_code == 422 and "Choose a file" in r.text
    assert client.post("/api/profile").status_code == 422


def test_rates_form_builds_a_profile_or_keeps_the_values_with_a_message(client: TestClient) -> None:
    form = {"city": "Testville", "year": "2023", "city_media": "10", "sample_media": "50", "city_education": "80",
            "sample_education": "60"}
    r = client.post("/profile/rates", data=form)
    assert r.status_code == 200 and "Testville · 2023" in r.text
    assert r.text.count('<g class="area') == 2 and r.text.count('<g class="area weak">') == 1
    bad = {**form, "city_media": "150"}
    r = client.post("/profile/rates", data=bad)
    assert r.status_code == 422 and "outside 0–100" in r.text and 'value="150"' in r.text
    r = client.post("/profile/rates", data={"city": "Nowhere"})
    assert r.status_code == 422 and "no area rate" in r.text


def test_profile_form_fields_are_labelled(client: TestClient) -> None:
    html = client.get("/profile").text
    assert '<label for="file">' in html and 'enctype="multipart/form-data"' in html
    for slug in SLUGS:
        assert f'name="city_{slug}"' in html and f'name="sample_{slug}"' in html
    assert html.count('aria-label="') >= 2 * len(SLUGS)


def test_unknown_or_malformed_profile_ids_are_404(client: TestClient) -> None:
    for pid in ("AAAAAAAAAAAAAAAA", "..%2F..%2Fetc", "short"):
        assert client.get(f"/profile/{pid}").status_code == 404
        assert client.get(f"/profile/{pid}/draft.md").status_code == 404


# --- drafts ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_url(client: TestClient) -> str:
    r = upload(client, "/profile/upload", "r.pdf", REPORT_PDF.read_bytes(), follow_redirects=False)
    return str(r.headers["location"]).split("#")[0]


def test_draft_sections_on_the_page_and_downloads(client: TestClient, profile_url: str) -> None:
    r = client.get(f"{profile_url}/draft", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Draft recommendations for Hämeenlinna" in r.text
    assert r.text.count('<article class="draft-area"') == 5  # Settings.weak_limit
    assert "Media and communication" in r.text
    full = client.get(f"{profile_url}/draft")
    assert "<html" in full.text and 'id="draft"' in full.text and '<svg class="bars"' in full.text
    md = client.get(f"{profile_url}/draft.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert 'filename="icc-draft-hameenlinna.md"' in md.headers["content-disposition"]
    assert "Media and communication" in md.text
    docx = client.get(f"{profile_url}/draft.docx")
    assert docx.status_code == 200 and docx.headers["content-type"].endswith("wordprocessingml.document")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()


def test_api_draft_from_json_or_file_in_three_formats(client: TestClient) -> None:
    profile = load_profile(REPORT_PDF).to_json()
    r = client.post("/api/draft", json=profile)
    assert r.status_code == 200
    data = r.json()
    assert data["city"] == "Hämeenlinna" and [a["slug"] for a in data["areas"]] == profile["weak"][:5]
    area = data["areas"][0]
    assert {"slug", "name", "city_rate", "sample_rate", "findings", "suggestions", "guide_questions",
            "text"} <= set(area)
    for s in area["suggestions"]:
        assert {"doc_id", "doc_title", "page", "section"} <= set(s["citation"])
    r = client.post("/api/draft", params={"format": "md", "limit": 2},
                    files={"file": ("r.pdf", REPORT_PDF.read_bytes())})
    assert r.status_code == 200 and r.text.count("Media and communication") >= 1
    r = client.post("/api/draft", params={"format": "docx"}, json=profile)
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_a_report_outside_the_corpus_cites_its_own_findings(client: TestClient, hash_home: Settings) -> None:
    """An uploaded report the index does not hold: its findings are quoted from the upload itself, cited
    without a link (there is no page of it to open), and its saved records survive a reload."""
    text = (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8").replace("Hämeenlinna", "Testburg") \
        .replace("Håmeenlinna", "Testburg")
    r = upload(client, "/profile/upload", "testburg.txt", text.encode(), follow_redirects=False)
    url = str(r.headers["location"]).split("#")[0]
    pid = url.rsplit("/", 1)[1]
    assert (hash_home.upload_dir / "profiles" / f"{pid}.records.jsonl").is_file()
    page = client.get(f"{url}/draft")
    assert "Draft recommendations for Testburg" in page.text and "What the report found" in page.text
    assert "(the uploaded report)" in page.text and "/sources/upload-" not in page.text
    md = client.get(f"{url}/draft.md").text
    assert "✗ The city does not have instructed its communication department" in md
    r = client.post("/api/draft", params={"format": "json", "limit": 1},
                    files={"file": ("testburg.txt", text.encode())})
    findings = r.json()["areas"][0]["findings"]
    assert findings and all(f["citation"]["doc_id"].startswith("upload-") for f in findings)


def test_the_officer_chooses_the_areas_and_bad_choices_are_4xx(client: TestClient, profile_url: str) -> None:
    """Ticked areas are drafted (also an area that is not weak); an area the profile lacks or an unknown one is a
    422 that says so; the downloads keep the choice."""
    r = client.get(f"{profile_url}/draft", params=[("area", "participation"), ("area", "interaction")],
                   headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.count('<article class="draft-area"') == 2
    assert 'id="d-participation"' in r.text and "not among the weak areas" in r.text
    assert "Weak areas left out:" in r.text and "Media and communication" in r.text.split("Weak areas left out:")[1]
    assert "draft.md?area=participation&amp;area=interaction" in r.text
    md = client.get(f"{profile_url}/draft.md", params=[("area", "participation")]).text
    assert "## 1. Participation" in md and "## 2." not in md
    bad = client.get(f"{profile_url}/draft", params={"area": "nosuch"})
    assert bad.status_code == 422 and "Unknown area" in bad.text and 'id="draft-error"' in bad.text
    assert client.get(f"{profile_url}/draft.docx", params={"area": "nosuch"}).status_code == 422


def test_every_json_route_declares_its_shape_and_the_shapes_keep_every_key(client: TestClient) -> None:
    from web.api import DraftOut, ProfileOut

    paths = client.get("/openapi.json").json()["paths"]

    def schema(path: str, method: str) -> str:
        content = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        return str(content.get("$ref") or content["items"]["$ref"]).rsplit("/", 1)[1]

    assert [schema(p, m) for p, m in (("/api/search", "get"), ("/api/records", "get"), ("/api/ask", "post"),
                                      ("/api/profile", "post"), ("/api/draft", "post"), ("/healthz", "get"))] == \
        ["HitOut", "RecordOut", "AnswerOut", "ProfileOut", "DraftOut", "HealthOut"]
    # the draft route answers with its own response (JSON, Markdown or Word): its JSON is the declared shape
    profile = load_profile(REPORT_PDF).to_json()
    draft = client.post("/api/draft", params={"limit": 2}, json=profile).json()
    assert DraftOut.model_validate(draft).model_dump(exclude_unset=True) == draft
    assert ProfileOut.model_validate(profile).model_dump(exclude_unset=True) == profile
    assert client.post("/api/profile", files={"file": ("r.pdf", REPORT_PDF.read_bytes())}).json() == \
        {**profile, "source": "r.pdf"}


def test_api_draft_bad_input(client: TestClient) -> None:
    """No weak area: a 422 naming the areas closest to the sample; an area the profile has no rate for: 422;
    a profile of one weak area drafts that area."""
    strong = {"city": "Strongville", "areas": {"media": {"city": 80, "sample": 40}, "welcoming": {"city": 90,
                                                                                               "sample": 60}}}
    r = client.post("/api/draft", json=strong)
    assert r.status_code == 422 and "no weak area" in r.json()["detail"] and "Media and communication" in \
        r.json()["detail"]
    r = client.post("/api/draft", params={"area": "education"}, json=strong)
    assert r.status_code == 422 and "no rate for Education" in r.json()["detail"]
    r = client.post("/api/draft", params={"area": "media"}, json=strong)
    assert r.status_code == 200 and [a["slug"] for a in r.json()["areas"]] == ["media"]
    one = {"city": "Oneville", "areas": {"media": {"city": 10, "sample": 50}}}
    r = client.post("/api/draft", json=one)
    assert r.status_code == 200 and [a["slug"] for a in r.json()["areas"]] == ["media"]


def test_api_draft_errors_are_4xx(client: TestClient, small_files: SmallFiles) -> None:
    assert client.post("/api/draft", json={"areas": {"media": 120}}).status_code == 422
    assert client.post("/api/draft", json=5).status_code == 422
    assert client.post("/api/draft", content=b"{", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/api/draft", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    r = client.post("/api/draft", files={"file": ("e.pdf", small_files.encrypted().read_bytes())})
    assert r.status_code == 422 and "encrypted" in r.json()["detail"]
    assert client.post("/api/draft", params={"format": "pdf"}, json={}).status_code == 422


# --- the JSON API of search and records --------------------------------------------------------------


def test_api_search_and_records(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "welcome ceremony", "k": 3, "kind": "practice"}).json()
    assert len(hits) == 3 and all(h["kind"] == "practice" for h in hits)
    assert client.get("/api/search", params={"q": "x", "area": "gardening"}).status_code == 422
    recs = client.get("/api/records", params={"kind": "practice", "country": "Spain"}).json()
    assert recs and all(r["country"] == "Spain" for r in recs)
    assert client.get("/api/records", params={"doc": REPORT}).json()[0]["doc_id"] == REPORT


# --- with the real model: a cited answer end to end --------------------------------------------------


@pytest.mark.slow
def test_example_question_gets_a_cited_answer_that_opens_at_the_passage(real_model_home: Settings) -> None:
    with TestClient(create_app(real_model_home)) as c:
        r = c.post("/chat", data={"example": "How do other cities handle media monitoring?", "history": "[]"})
        assert r.status_code == 200
        links = re.findall(r'<a class="cite" href="([^"]+)"', r.text)
        assert links, "the answer cites nothing"
        page = c.get(links[0].replace("&amp;", "&"))
        assert page.status_code == 200 and '<mark class="quote" id="hl"' in page.text  # the quoted sentence


@pytest.mark.slow
def test_api_ask_grades_its_practices_and_documents_it(real_model_home: Settings) -> None:
    with TestClient(create_app(real_model_home)) as c:
        question = "intercultural conflict mediation service: how does it work?"
        data = c.post("/api/ask", json={"question": question}).json()
        practices = [x for x in data["citations"] if x["kind"] == "practice"]
        assert data["match"] == "direct" and practices and practices[0]["grade"] == "direct"
        assert all(x["grade"] in ("direct", "related") for x in practices)
        assert all("grade" not in x for x in data["citations"] if x["kind"] != "practice")
        schema = c.get("/openapi.json").json()["components"]["schemas"]
        assert "match" in schema["AnswerOut"]["properties"] and "grade" in schema["CitationOut"]["properties"]
