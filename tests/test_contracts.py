"""The JSON API gives what the CLI's --json gives: every route's response model keeps every key the library's
`to_json` makes (FastAPI drops, without a word, a key its response model does not declare)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import CORPUS, REPORT
from fastapi.testclient import TestClient

from assistant.answer import ask
from assistant.profile_io import load_profile
from assistant.questions import search_question
from assistant.runtime import Runtime, open_runtime
from assistant.settings import Settings
from index.search import Filters
from web.app import create_app

REPORT_PDF = CORPUS / "pdf" / f"{REPORT}.pdf"


@pytest.fixture(scope="module")
def client(hash_home: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hash_home)) as c:
        yield c


@pytest.fixture(scope="module")
def rt(hash_home: Settings) -> Runtime:
    return open_runtime(hash_home)


def _drop_none(data: Any) -> Any:
    """As `response_model_exclude_none` sends it."""
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_none(v) for v in data]
    return data


def _same(api: Any, lib: Any, where: str = "") -> None:
    """Equal, key for key (numbers as JSON carries them), naming the first place they differ."""
    if isinstance(lib, dict):
        assert isinstance(api, dict), where
        assert set(api) == set(lib), (where, sorted(set(lib) - set(api)), sorted(set(api) - set(lib)))
        for key in lib:
            _same(api[key], lib[key], f"{where}.{key}")
    elif isinstance(lib, (list, tuple)):
        assert isinstance(api, list) and len(api) == len(lib), where
        for i, (a, b) in enumerate(zip(api, lib, strict=True)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert api == lib, (where, api, lib)


def test_ask_answers_as_ask_json(client: TestClient, rt: Runtime) -> None:
    question = "intercultural mediation service"  # answered with a practice even by the hash embedder
    lib = ask(rt.searcher, question, params=rt.ask_params).to_json()
    assert any(c.get("grade") for c in lib["citations"])  # a practice's citation, with its grade
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200
    _same(r.json(), _drop_none(lib))


def test_search_and_records_as_their_json(client: TestClient, rt: Runtime) -> None:
    lib = [h.to_json() for h in search_question(rt.searcher, "anti-rumour strategy", 5, Filters())]
    r = client.get("/api/search", params={"q": "anti-rumour strategy", "k": 5})
    assert r.status_code == 200 and lib
    _same(r.json(), lib)
    records = [rec.to_json() for rec in rt.searcher.records if rec.city == "Tampere"]
    r = client.get("/api/records", params={"city": "Tampere"})
    assert r.status_code == 200 and records
    _same(r.json(), records)


def test_profile_as_profile_json(client: TestClient) -> None:
    lib = load_profile(REPORT_PDF).to_json()
    r = client.post("/api/profile", files={"file": ("report.pdf", REPORT_PDF.read_bytes(), "application/pdf")})
    assert r.status_code == 200
    api = r.json()
    assert api.pop("source") == "report.pdf"  # the file as the user named it
    lib.pop("source")
    _same(api, lib)
