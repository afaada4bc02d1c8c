"""all-MiniLM-L6-v2 run with numpy: the same weights and the same vectors, without torch.

Loading torch, transformers and sentence-transformers to embed one article took most of a
`distill add` (9-20 s and 580 MB, issue 17). The model is a six-layer BERT encoder with
mean pooling, small enough to write out: the word-piece tokenizer is the model's own
tokenizer.json run by `tokenizers` (a Rust library that imports in milliseconds), the
weights are read from model.safetensors, and each layer is a few matrix products. Vectors
match sentence-transformers' to float32 rounding (tests/test_minilm.py compares them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

# sentence-transformers truncates this model's input at 256 word pieces
# (sentence_bert_config.json); the position table would allow 512.
MAX_TOKENS = 256


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


# Abramowitz and Stegun 7.1.26: erf(z) = 1 - t * poly(t) * exp(-z*z), t = 1 / (1 + p*|z|),
# within 1.5e-7 of erf, below float32's precision for these activations (numpy has no erf
# and scipy.special costs most of a second to import).
_P = np.float32(0.3275911)
_POLY = [np.float32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)]
_HALF_SQRT2 = np.float32(0.7071067811865476)
# Rows of activations done at once: each step is a pass over memory, and 32 rows of 1,536
# floats stay in the cache between the passes.
_GELU_ROWS = 32


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x) = x/2 * (1 + erf(x/sqrt 2)), in place on `x`."""
    flat = x.reshape(-1, x.shape[-1])
    for start in range(0, flat.shape[0], _GELU_ROWS):
        v = flat[start : start + _GELU_ROWS]
        z = v * _HALF_SQRT2
        a = np.abs(z)
        t = a * _P
        t += 1
        np.reciprocal(t, out=t)
        tail = t * _POLY[0]
        for c in _POLY[1:]:
            tail += c
            tail *= t
        a *= a
        np.negative(a, out=a)
        np.exp(a, out=a)
        tail *= a  # 1 - erf(|z|)
        # 1 + erf(z) is 2 - tail for z >= 0 and tail for z < 0
        v *= np.where(z >= 0, 2 - tail, tail)
        v *= 0.5
    return x


class MiniLM:
    """Tokenizer and encoder of a sentence-transformers BERT model folder."""

    def __init__(self, folder: Path) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        raw: dict[str, np.ndarray] = {}
        with safe_open(str(folder / "model.safetensors"), framework="np") as tensors:
            for key in tensors.keys():  # noqa: SIM118 (safe_open is not a mapping)
                if key.startswith(("embeddings.", "encoder.")) and key != (
                    "embeddings.position_ids"
                ):
                    raw[key] = np.asarray(tensors.get_tensor(key), np.float32)
        # Dense weights stored as (in, out) so a layer is `x @ W + b`; the query, key and
        # value projections joined into one product.
        self.weights: dict[str, np.ndarray] = {}
        for key, value in raw.items():
            if key.startswith("encoder.") and value.ndim == 2:
                self.weights[key] = np.ascontiguousarray(value.T)
            else:
                self.weights[key] = value  # embedding tables, biases, layer norms
        for n in range(self.layers):
            p = f"encoder.layer.{n}.attention.self."
            parts = [p + name for name in ("query", "key", "value")]
            self.weights[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.weights.pop(x + ".weight") for x in parts], axis=1)
            )
            self.weights[p + "qkv.bias"] = np.concatenate(
                [self.weights.pop(x + ".bias") for x in parts]
            )

    def _w(self, key: str) -> np.ndarray:
        return self.weights[key]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        """x @ W + b on (tokens, features): one matrix product for the whole batch."""
        out: np.ndarray = x @ self._w(prefix + ".weight") + self._w(prefix + ".bias")
        return out

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word-piece ids and attention mask, padded to the longest text of the batch."""
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        return ids, mask

    def encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, unit-length float32 vectors, one row per text."""
        ids, mask = self.tokenize(texts)
        batch, width = ids.shape
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:width]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(
            x,
            self._w("embeddings.LayerNorm.weight"),
            self._w("embeddings.LayerNorm.bias"),
            self.eps,
        )
        hidden = x.shape[-1]
        size = hidden // self.heads
        x = x.reshape(batch * width, hidden)  # every token of the batch, one row each
        # Padding gets the most negative float32 before the softmax, as in transformers.
        blocked = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))

        def heads(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, width, self.heads, size).transpose(0, 2, 1, 3)

        for n in range(self.layers):
            p = f"encoder.layer.{n}."
            qkv = self._dense(x, p + "attention.self.qkv")
            q = heads(qkv[:, :hidden]) * scale
            k = heads(qkv[:, hidden : 2 * hidden])
            v = heads(qkv[:, 2 * hidden :])
            scores = q @ k.transpose(0, 1, 3, 2)
            scores += blocked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, hidden)
            attended = _layer_norm(
                self._dense(context, p + "attention.output.dense") + x,
                self._w(p + "attention.output.LayerNorm.weight"),
                self._w(p + "attention.output.LayerNorm.bias"),
                self.eps,
            )
            inner = _gelu(self._dense(attended, p + "intermediate.dense"))
            x = _layer_norm(
                self._dense(inner, p + "output.dense") + attended,
                self._w(p + "output.LayerNorm.weight"),
                self._w(p + "output.LayerNorm.bias"),
                self.eps,
            )
        x = x.reshape(batch, width, hidden)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out: np.ndarray = (pooled / norms).astype(np.float32)
        return out


def load(folder: Any) -> MiniLM:
    return MiniLM(Path(folder))
