"""No input gives a 500 (issue 15, item 4): text that is not text, JSON nested or sized beyond reason, in the
API and in the chat form; and an unexpected error is a page with the usual headers on a connection that stays
open.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest
from conftest import served
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.inputs import MAX_DEPTH, BadInput, InputError, json_depth, load_json
from assistant.settings import Settings
from web.app import create_app

DEEP = "[" * 100_000 + "]" * 100_000
LONE = '"welcome \\ud800 newcomers"'  # JSON can spell half of a character; UTF-8 cannot carry it
JSON = {"content-type": "application/json"}
# what a message for a person must not read like
TECHNICAL = ("Error", "Exception", "codec", "surrogates not allowed", "value_error", "Traceback", "RecursionError",
             "json_invalid", "string_type")


def boom() -> None:
    raise RuntimeError("an error nobody planned for")


def value_bug() -> None:
    raise ValueError("a ValueError of the app's own, not of the input")


def bad_input() -> None:
    raise BadInput("The question is 600 characters long; keep it under 500.")


@pytest.fixture(scope="module")
def app(hash_home: Settings) -> FastAPI:
    application = create_app(hash_home)
    # routes that fail the way a bug would: the app's own answer to the unexpected is under test
    application.add_api_route("/boom", boom)
    application.add_api_route("/api/boom", boom)
    application.add_api_route("/api/value-bug", value_bug)
    application.add_api_route("/api/bad-input", bad_input)
    return application


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def plain(message: str) -> str:
    assert message and not any(word in message for word in TECHNICAL), message
    return message


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert json_depth(b'["\\"[[[", [[]]]') == 3
    assert json_depth(DEEP.encode(), stop=MAX_DEPTH) == MAX_DEPTH + 1  # stops counting early
    assert load_json('{"a": ["x", {"b": 1}]}', "it") == {"a": ["x", {"b": 1}]}
    assert load_json('"\\ud83d\\ude00"', "it") == "\U0001f600"  # a whole character spelt in two halves is fine
    for bad, words in ((DEEP, "levels deep"), (LONE, "half of a character"), ("{", "not valid JSON"),
                       ("[1]" + " " * 3_000_000, "the limit is 2 MB")):
        with pytest.raises(InputError, match=words) as info:
            load_json(bad, "The body")
        plain(info.value.message)


@pytest.mark.parametrize("body", [
    '{"question": ' + LONE + '}',
    '{"question": "How do cities welcome newcomers?", "history": [{"question": ' + LONE + ', "answer": "a"}]}',
    '{"question": "How do cities welcome newcomers?", "history": [{"question": "q", "answer": "a", '
    '"citations": [{"n": 1, "quote": ' + LONE + '}]}]}',
])
def test_api_ask_refuses_text_that_is_not_text(client: TestClient, body: str) -> None:
    r = client.post("/api/ask", content=body.encode(), headers=JSON)
    assert r.status_code == 422
    assert "half of a character" in plain(r.json()["detail"])


@pytest.mark.parametrize("url, body", [
    ("/api/draft", DEEP),
    ("/api/ask", '{"question": "welcome", "history": ' + DEEP + "}"),
    ("/api/draft", '{"city": "Testville", "areas": ' + "[" * 40 + "]" * 40 + "}"),
])
def test_api_refuses_json_nested_beyond_reason(client: TestClient, url: str, body: str) -> None:
    r = client.post(url, content=body.encode(), headers=JSON)
    assert r.status_code == 422
    assert "levels deep" in plain(r.json()["detail"])
    assert r.headers["x-content-type-options"] == "nosniff"


def test_api_refuses_a_profile_with_text_that_is_not_text_and_oversized_json(client: TestClient) -> None:
    r = client.post("/api/draft", content=('{"city": ' + LONE + ', "areas": {"media": 10}}').encode(), headers=JSON)
    assert r.status_code == 422 and "half of a character" in plain(r.json()["detail"])
    big = json.dumps({"city": "x" * 3_000_000, "areas": {"media": 10}}).encode()
    r = client.post("/api/draft", content=big, headers=JSON)
    assert r.status_code == 413 and "2 MB" in plain(r.json()["detail"])
    r = client.post("/api/ask", content=b'{"question": ', headers=JSON)
    assert r.status_code == 422 and "not valid JSON" in plain(r.json()["detail"])
    # a good body still reaches the route, unchanged
    assert client.post("/api/ask", json={"question": "How do cities welcome newcomers?"}).status_code == 200


def test_chat_form_refuses_a_history_with_text_that_is_not_text_or_too_deep(client: TestClient) -> None:
    history = '[{"question": ' + LONE + ', "answer": "an answer", "citations": []}]'
    for sent, words in ((history, "half of a character"), (DEEP, "levels deep")):
        r = client.post("/chat", data={"question": "How do cities welcome newcomers?", "history": sent})
        assert r.status_code == 422, r.text[:300]
        assert words in r.text and 'role="alert"' in r.text and "Start a new conversation" in r.text
        assert 'value="How do cities welcome newcomers?"' in r.text  # the question is kept to send again
        assert not any(word in r.text for word in ("Traceback", "RecursionError", "codec"))
        partial = client.post("/chat", data={"question": "welcome", "history": sent}, headers={"HX-Request": "true"})
        assert partial.status_code == 422 and "<html" not in partial.text and words in partial.text


def test_chat_form_bytes_that_are_not_utf8_are_no_server_error(client: TestClient) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = client.post("/chat", content=b"question=welcome%ED%A0%80newcomers&history=", headers=form)
    assert r.status_code in (200, 303, 422) and "\ud800" not in r.text
    r = client.post("/chat", files={"question": (None, b"welcome\xed\xa0\x80newcomers")})
    assert r.status_code in (200, 303, 422)


def test_an_unexpected_error_is_a_plain_page_with_the_security_headers(client: TestClient) -> None:
    page = client.get("/boom")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in page.text and "error has been logged" in page.text
    assert "an error nobody planned for" not in page.text and "Traceback" not in page.text
    api = client.get("/api/boom")
    assert api.status_code == 500 and "error has been logged" in plain(api.json()["detail"])
    for r in (page, api):
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"


def test_only_input_errors_are_422_not_every_value_error(client: TestClient) -> None:
    r = client.get("/api/bad-input")
    assert r.status_code == 422 and r.json()["detail"] == "The question is 600 characters long; keep it under 500."
    r = client.get("/api/value-bug")
    assert r.status_code == 500 and "error has been logged" in r.json()["detail"] and "own" not in r.text
    page = client.get("/api/value-bug", headers={"accept": "text/html"})
    assert page.status_code == 500


def test_the_connection_stays_open_after_an_unexpected_error(app: FastAPI) -> None:
    """Through a real server (uvicorn): it closes a connection when an error escapes the app."""
    with served(app, timeout=60) as url:
        port = int(url.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/boom")
        first = conn.getresponse()
        assert first.status == 500 and b"error has been logged" in first.read()
        assert first.getheader("connection", "").lower() != "close"
        assert first.getheader("content-security-policy")
        sock = conn.sock
        assert sock is not None
        conn.request("GET", "/healthz")
        second = conn.getresponse()
        assert second.status == 200 and json.loads(second.read())["status"] == "ok"
        assert conn.sock is sock  # the same connection answered: it was not closed and reopened
        conn.request("POST", "/api/draft", body=DEEP.encode(), headers=JSON)
        third = conn.getresponse()
        assert third.status == 422 and b"levels deep" in third.read() and conn.sock is sock
        conn.close()

