"""A sentence-transformers BERT folder (Transformer → mean pooling → Normalize) run in numpy.

The query path of `search` and `ask` embeds one short text: importing torch and sentence-transformers for
it costs several seconds, the forward pass here a few milliseconds. Weights come from the folder's
`model.safetensors`, the word pieces from its `tokenizer.json` (the `tokenizers` library, no torch).
`supported(folder)` says whether a folder has that shape; anything else goes through sentence-transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def supported(folder: Path) -> bool:
    """Whether `folder` is a BERT sentence-transformers model with mean pooling and normalisation, and has
    the files this engine reads."""
    try:
        config = _read(folder / "config.json")
        modules = _read(folder / "modules.json")
        pooling = _read(folder / next(m["path"] for m in modules if m["type"] == _POOLING) / "config.json")
    except (OSError, ValueError, StopIteration, KeyError, TypeError):
        return False
    return (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and pooling.get("pooling_mode_mean_tokens") is True
            and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                                   "pooling_mode_mean_sqrt_len_tokens"))
            and any(m["type"] == _NORMALIZE for m in modules)
            and (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file())


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # exact GELU, as BERT's "gelu"; scipy comes with bm25s

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class NumpyBert:
    """The forward pass of a BERT encoder with mean pooling, L2-normalised, in float32 numpy."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = _read(folder / "config.json")
        st_config = folder / "sentence_bert_config.json"
        self.max_len = int(_read(st_config).get("max_seq_length", 256)) if st_config.is_file() else 256
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        w = load_file(str(folder / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in w.items()}
        for n in range(self.layers):  # weights as (in, out), contiguous; query, key and value as one product
            p = f"encoder.layer.{n}."
            self.w[p + "qkv.weight"] = np.ascontiguousarray(np.concatenate(
                [self.w[f"{p}attention.self.{x}.weight"].T for x in ("query", "key", "value")], axis=1))
            self.w[p + "qkv.bias"] = np.concatenate([self.w[f"{p}attention.self.{x}.bias"]
                                                     for x in ("query", "key", "value")])
            for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
                self.w[f"{p}{name}.weight"] = np.ascontiguousarray(self.w[f"{p}{name}.weight"].T)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(min(self.max_len, int(config.get("max_position_embeddings", 512))))
        self.tokenizer.no_padding()
        # One BLAS thread for the process once this engine is in use: its products are a few dozen rows,
        # and handing them between threads cost more than the work (one question: 34 ms on one thread,
        # 190–390 ms on two while other processes used the cores); a server runs questions side by side.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")

    def _encode_one(self, ids: np.ndarray) -> np.ndarray:
        w, n = self.w, len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        h, d = self.heads, self.dim // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            qkv = x @ w[p + "qkv.weight"] + w[p + "qkv.bias"]
            q, k, v = (qkv[:, i * self.dim:(i + 1) * self.dim].reshape(n, h, d).transpose(1, 0, 2) for i in range(3))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, self.dim)
            att = ctx @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(att + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            inner = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = inner @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        return x.mean(axis=0)  # no padding: every token counts in the mean

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts))):
            out[i] = self._encode_one(np.asarray(enc.ids, dtype=np.int64))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms
