"""Conversations that last (issue 14, item 1): kept on the server at /c/{id} for the browser that started them,
listed on the chat page, marked when older turns leave the follow-up context, exported as Markdown with their
sources. The real corpus indexed with the hash embedder; two browsers are two TestClients on one app.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.answer import MAX_QUESTION
from assistant.settings import Settings
from web.app import create_app
from web.chat import CONTEXT_TURNS

QUESTION = "How do cities welcome newcomers?"
FOUND = "intercultural mediation service"  # answered with sources even by the hash embedder


@pytest.fixture()
def me(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture()
def other(app: FastAPI) -> TestClient:
    return TestClient(app)


def start(client: TestClient, question: str = QUESTION, **form: str) -> str:
    r = client.post("/chat", data={"question": question, **form}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return str(r.headers["location"]).split("#")[0]


def test_a_conversation_lasts_across_requests_and_apps(me: TestClient, hash_home: Settings) -> None:
    url = start(me)
    assert me.post(url, data={"question": "and in Germany?"}, follow_redirects=False).status_code == 303
    page = me.get(url)
    assert page.status_code == 200 and page.text.count('class="turn"') == 2
    assert QUESTION in page.text and "and in Germany?" in page.text
    assert f"<title>{QUESTION} · ICC practice assistant</title>" in page.text
    # a restart: a new app on the same ICC_HOME, the same browser cookie
    with TestClient(create_app(hash_home), cookies=me.cookies) as again:
        assert again.get(url).text.count('class="turn"') == 2
    db = sqlite3.connect(hash_home.state_db)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_htmx_swaps_the_conversation_and_shows_its_address(me: TestClient) -> None:
    r = me.post("/chat", data={"question": QUESTION}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="conversation"')
    url = r.headers["hx-push-url"]
    assert re.fullmatch(r"/c/[A-Za-z0-9_-]{22}", url) and f'hx-post="{url}"' in r.text
    follow = me.post(url, data={"question": "and in Italy?"}, headers={"HX-Request": "true"})
    assert follow.status_code == 200 and follow.text.count('class="turn"') == 2 and "hx-push-url" in follow.headers
    # back or reload after a swap: htmx asks for the whole page
    restore = me.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text and restore.text.count('class="turn"') == 2


def test_only_the_browser_that_started_it_opens_a_conversation(me: TestClient, other: TestClient) -> None:
    url = start(me, "Which cities train librarians in intercultural skills?")
    assert me.get(url).status_code == 200
    for r in (other.get(url), other.get(f"{url}.md"), other.post(url, data={"question": "and in Spain?"}),
              other.post(f"{url}/delete")):
        assert r.status_code == 404 and "librarians" not in r.text
        assert "only in the browser that started it" in r.text
    assert me.get(url).text.count('class="turn"') == 1  # the other browser's question was not added
    assert "librarians" not in other.get("/").text  # nor is it in the other browser's list
    assert me.get("/c/" + "A" * 22).status_code == 404


def test_the_chat_page_lists_this_browsers_recent_conversations(me: TestClient, other: TestClient) -> None:
    first = start(me, "How do cities welcome newcomers?")
    second = start(me, "How do other cities handle media monitoring?")
    home = me.get("/").text
    assert "Your recent conversations" in home
    assert home.index(f'href="{second}"') < home.index(f'href="{first}"')  # the latest first
    assert f'href="{second}" aria-current="page"' in me.get(second).text
    other_home = other.get("/").text
    assert first not in other_home and second not in other_home


def test_the_page_says_when_older_questions_leave_the_follow_up_context(me: TestClient) -> None:
    url = start(me, "How do cities welcome newcomers?")
    for n in range(2, CONTEXT_TURNS + 1):
        me.post(url, data={"question": f"and what about libraries number {n}?"})
    page = me.get(url).text
    assert page.count('class="turn"') == CONTEXT_TURNS and 'id="context-note"' not in page
    me.post(url, data={"question": "and in Spain?"})
    page = me.get(url).text
    assert page.count('class="turn"') == CONTEXT_TURNS + 1  # every question stays on the page...
    note = re.search(r'<p id="context-note"[^>]*>(.*?)</p>', page, re.S)
    assert note, "the page does not say that the first question left the context"  # ...and this is said
    text = " ".join(note.group(1).split())
    assert f"last {CONTEXT_TURNS} answers (questions 2–{CONTEXT_TURNS + 1})" in text
    assert "Question 1 stays above but no longer counts" in text


def test_export_as_markdown_with_numbered_sources(me: TestClient) -> None:
    url = start(me, FOUND, area="mediation")
    me.post(url, data={"question": "and which of them are in Spain?"})
    page = me.get(url).text
    assert f'href="{url}.md" download' in page
    r = me.get(f"{url}.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert re.search(r'attachment; filename="icc-conversation-\d{4}-\d{2}-\d{2}-intercultural-mediation-service\.md"',
                     r.headers["content-disposition"])
    md = r.text
    assert md.startswith(f"# {FOUND}\n") and f"## 1. {FOUND}" in md
    assert "## 2. and which of them are in Spain?" in md and "*Only the area Mediation and conflict resolution.*" in md
    first = md.split("## 2.")[0]
    markers = set(re.findall(r"\[(\d+)\]", first.split("Sources:")[0]))
    listed = re.findall(r"^- \[(\d+)\] (.+?) <(http://testserver/sources/[^>]+)>$", first, re.M)
    assert markers and listed, md[:1500]
    assert markers <= {n for n, _, _ in listed}  # every marker of the answer has its source
    n, label, link = listed[0]
    assert ", p. " in label
    assert me.get(link.replace("http://testserver", "")).status_code == 200  # the link opens the passage


def test_one_question_length_for_the_form_and_the_server(me: TestClient) -> None:
    html = me.get("/").text
    assert f'maxlength="{MAX_QUESTION}"' in html and f"Up to {MAX_QUESTION} characters" in html
    url = start(me, "x " * (MAX_QUESTION // 2))  # exactly the limit (what the field lets one type)
    r = me.post(url, data={"question": "y" * (MAX_QUESTION + 1)})
    assert r.status_code == 422 and f"keep it under {MAX_QUESTION}" in r.text and 'role="alert"' in r.text
    assert me.get(url).text.count('class="turn"') == 1  # a refused question is not kept


def test_a_history_sent_by_an_older_page_starts_the_conversation(me: TestClient) -> None:
    history = '[{"question": "an earlier question", "answer": "an earlier answer [1]", "citations": []}]'
    url = start(me, "and in Germany?", history=history)
    page = me.get(url).text
    assert page.count('class="turn"') == 2 and "an earlier question" in page
    assert "<title>an earlier question" in page


def test_delete_a_conversation(me: TestClient) -> None:
    url = start(me)
    r = me.post(f"{url}/delete", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert me.get(url).status_code == 404 and url not in me.get("/").text
