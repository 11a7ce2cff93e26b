"""Saved profiles and drafts belong to the browser that made them: two browsers (two TestClients with their
own cookie jars) on one app, the real corpus indexed with the hash embedder.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import CORPUS, REPORT
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from web.session import COOKIE, load_secret, read_cookie

# The report made into one of a city the index does not hold ("Testburg"), so its findings are read from the
# upload; two copies differ in one findings sentence only, which leaves their profiles equal.
_BASE = (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8").replace("Hämeenlinna", "Testburg") \
    .replace("Håmeenlinna", "Testburg")
_SENTENCE = "mediation service run by a civil society organization. [Naapurussovittelun"
ALICE_SECRET = "Alice Private Foundation"
BOB_TEXT = "Bob Open Association"


def report(who: str) -> bytes:
    assert _BASE.count(_SENTENCE) == 1
    return _BASE.replace(_SENTENCE, f"mediation service run by the {who}. [Naapurussovittelun").encode()


@pytest.fixture()
def alice(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture()
def bob(app: FastAPI) -> TestClient:
    return TestClient(app)


def save(client: TestClient, name: str, data: bytes) -> str:
    r = client.post("/profile/upload", files={"file": (name, data)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).split("#")[0]  # the page, without the anchor it opens at


def test_the_two_reports_give_the_same_profile(alice: TestClient) -> None:
    a = alice.post("/api/profile", files={"file": ("alice-private.txt", report(ALICE_SECRET))}).json()
    b = alice.post("/api/profile", files={"file": ("bob.txt", report(BOB_TEXT))}).json()
    assert a.pop("source") == "alice-private.txt" and b.pop("source") == "bob.txt"
    assert a == b  # what the old cache keyed drafts by: equal, so the second upload got the first one's draft


def test_a_draft_never_shows_another_uploads_name_or_findings(alice: TestClient, bob: TestClient) -> None:
    """The leak of issue 15: Alice drafts first, Bob's same-profile report must get his own draft."""
    first = alice.post("/api/draft", files={"file": ("alice-private.txt", report(ALICE_SECRET))})
    assert first.status_code == 200 and first.json()["source"] == "alice-private.txt"
    assert ALICE_SECRET in first.text
    for fmt in ("json", "md"):
        r = bob.post("/api/draft", params={"format": fmt}, files={"file": ("bob.txt", report(BOB_TEXT))})
        assert r.status_code == 200
        assert BOB_TEXT in r.text
        assert ALICE_SECRET not in r.text and "alice-private" not in r.text
    assert bob.post("/api/draft", files={"file": ("bob.txt", report(BOB_TEXT))}).json()["source"] == "bob.txt"

    # the same through the saved-profile pages, where drafts are cached and shared by the downloads
    a_url = save(alice, "alice-private.txt", report(ALICE_SECRET))
    assert ALICE_SECRET in alice.get(f"{a_url}/draft").text
    b_url = save(bob, "bob.txt", report(BOB_TEXT))
    for path in (b_url, f"{b_url}/draft", f"{b_url}/draft.md"):
        r = bob.get(path)
        assert r.status_code == 200
        assert ALICE_SECRET not in r.text and "alice-private" not in r.text
    assert BOB_TEXT in bob.get(f"{b_url}/draft.md").text and "From bob.txt" in bob.get(b_url).text


def test_another_browser_sees_a_profile_only_through_its_share_link(alice: TestClient, bob: TestClient) -> None:
    url = save(alice, "alice-private.txt", report(ALICE_SECRET))
    pid = url.rsplit("/", 1)[1]
    page = alice.get(url)
    assert page.status_code == 200 and f'action="/profile/{pid}/share"' in page.text
    assert "Only this browser can open this profile" in page.text
    for path in (url, f"{url}/draft", f"{url}/draft.md", f"{url}/draft.docx"):
        r = bob.get(path)
        assert r.status_code == 404, path  # as for an id that does not exist: nothing is revealed
        assert ALICE_SECRET not in r.text and "alice-private" not in r.text and "Testburg" not in r.text
    assert bob.post(f"{url}/share", follow_redirects=False).status_code == 404  # only the owner shares

    shared = alice.post(f"{url}/share", follow_redirects=False)
    assert shared.status_code == 303 and shared.headers["location"] == f"{url}#share"
    owner_page = alice.get(url).text
    link = re.search(r'id="share-url" type="text" readonly value="([^"]+)"', owner_page)
    assert link and "Stop sharing" in owner_page
    share_url = link.group(1).replace("&amp;", "&")
    token = share_url.split("share=", 1)[1]
    assert len(token) >= 32 and share_url.endswith(f"{url}?share={token}")
    assert alice.post(f"{url}/share", follow_redirects=False).status_code == 303
    assert token in alice.get(url).text  # sharing again keeps the same link

    seen = bob.get(f"{url}?share={token}")
    assert seen.status_code == 200 and "Testburg" in seen.text and "Shared with you" in seen.text
    # the draft form keeps the view shared
    assert f'action="/profile/{pid}/draft#draft-h"' in seen.text and f'name="share" value="{token}"' in seen.text
    assert f"/profile/{pid}/delete" not in seen.text and f"/profile/{pid}/share\"" not in seen.text
    draft = bob.get(f"{url}/draft", params={"share": token})
    assert draft.status_code == 200 and f"/profile/{pid}/draft.md?share={token}" in draft.text
    assert bob.get(f"{url}/draft.md", params={"share": token}).status_code == 200
    assert bob.get(url, params={"share": token[:-1] + ("A" if token[-1] != "A" else "B")}).status_code == 404
    assert bob.get(url).status_code == 404  # the link, not a visit, gives access
    assert bob.get(url, params={"share": token * 10}).status_code == 404  # a wrong token of any length: 404

    assert alice.post(f"{url}/unshare", follow_redirects=False).status_code == 303
    assert bob.get(url, params={"share": token}).status_code == 404
    assert "Only this browser" in alice.get(url).text


def test_delete_is_owner_only_and_removes_everything(app: FastAPI, alice: TestClient, bob: TestClient,
                                                     hash_home: Settings) -> None:
    url = save(alice, "alice-private.txt", report(ALICE_SECRET))
    pid = url.rsplit("/", 1)[1]
    files = hash_home.upload_dir / "profiles"
    assert (files / f"{pid}.json").is_file() and (files / f"{pid}.records.jsonl").is_file()
    assert alice.get(f"{url}/draft.md").status_code == 200
    assert len(app.state.drafts) >= 1
    share = alice.post(f"{url}/share")
    assert share.status_code == 200
    token = re.search(r"share=([A-Za-z0-9_-]+)", share.text)
    assert token

    r = bob.delete(f"/api/profile/{pid}")
    assert r.status_code == 404 and "no saved profile" in r.json()["detail"]
    assert bob.post(f"{url}/delete", follow_redirects=False).status_code == 404  # the share link is no key
    assert alice.get(url).status_code == 200

    cached = len(app.state.drafts)
    assert alice.delete(f"/api/profile/{pid}").status_code == 204
    assert not (files / f"{pid}.json").exists() and not (files / f"{pid}.records.jsonl").exists()
    assert len(app.state.drafts) == cached - 1  # its draft is forgotten too
    assert alice.get(url).status_code == 404 and bob.get(url, params={"share": token.group(1)}).status_code == 404
    assert alice.delete(f"/api/profile/{pid}").status_code == 404

    # without JavaScript: a form POST, then the empty profile page says what happened
    url = save(alice, "rates.json", b'{"city": "Testville", "areas": {"media": {"city": 10, "sample": 50}}}')
    page = alice.get(url).text
    assert f'action="{url}/delete"' in page
    r = alice.post(f"{url}/delete", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/profile?deleted=true"
    assert "were deleted" in alice.get(r.headers["location"]).text
    assert alice.get(url).status_code == 404


def test_the_browser_cookie_is_signed_and_a_forged_one_is_ignored(app: FastAPI, alice: TestClient,
                                                                 hash_home: Settings) -> None:
    url = save(alice, "rates.json", b'{"city": "Cookieville", "areas": {"media": {"city": 10, "sample": 50}}}')
    set_cookie = alice.get("/profile").headers.get("set-cookie")
    assert set_cookie is None  # a browser with its cookie is not given a new one
    value = alice.cookies[COOKIE]
    browser, _, signature = value.partition(".")
    assert read_cookie(load_secret(hash_home), value) == browser

    forger = TestClient(app)
    forger.cookies.set(COOKIE, f"{browser}.{'A' * len(signature)}")
    r = forger.get(url)
    assert r.status_code == 404 and "Cookieville" not in r.text
    fresh = r.headers["set-cookie"]  # a new id, in place of the forged one
    assert fresh.startswith(f"{COOKIE}=") and not fresh.startswith(f"{COOKIE}={browser}.")
    assert "HttpOnly" in fresh and "SameSite=Lax" in fresh and "Path=/" in fresh


def test_the_signing_key_is_made_once_private_or_taken_from_the_setting(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", corpus_dir=CORPUS)
    key = load_secret(settings)
    path = settings.secret_file
    assert path.is_file() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret(settings) == key and len(key) >= 32  # kept: cookies survive a restart
    given = Settings(home=tmp_path / "home", corpus_dir=CORPUS, secret_key="a-key-of-twenty-chars")  # type: ignore[arg-type]
    assert load_secret(given) == b"a-key-of-twenty-chars"
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(home=tmp_path, corpus_dir=CORPUS, secret_key="short")  # type: ignore[arg-type]
