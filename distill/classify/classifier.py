"""Categories and technology tags: one classifier for the library and for `distill classify`.

Why this shape:
- **Zero-shot by embeddings.** The article vector is stored at ingest (embed.py), so filing
  an article costs a few dot products against the embedded descriptions and example
  phrases of the categories, which are computed once per process and taxonomy.
- **Technology hints.** The technology list says which category each entry leans to
  (PostgreSQL -> databases); the technologies an article names shift the scores a little,
  which helps most when the prose is generic ("this release ...").
- **Few-shot from corrections.** Articles a user filed by hand are examples: each category's
  score is mixed with the similarity to its nearest examples (k nearest neighbours over
  the same vectors). bench/eval_classify.py measured this against a logistic regression
  over the examples and against a TF-IDF baseline; the figures are in docs/benchmarks.md.
- **Tags** are the technologies the article is about (named in the title or a heading, or
  more than once), by canonical name; salient unknown terms become candidate tags.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import Embedder, article_text
from ..models import Document, Labels
from ..taxonomy.candidates import candidate_terms
from ..taxonomy.categories import Example, Taxonomy
from ..taxonomy.technologies import find_in_document

# Weight of the technology-hint distribution (which sums to 1) against cosine similarities
# (which for MiniLM spread over roughly 0.1-0.6 between an article and a category). 0.15
# moves a close call but cannot overrule a clear one; bench/eval_classify.py prints 0 too.
HINT_WEIGHT = 0.15
# How many of a category's texts (description and example phrases) count towards its
# zero-shot score: the mean of the best few is steadier than the single best phrase.
TOP_TEXTS = 2
# Few-shot: the mean similarity to the k nearest examples of a category, mixed with the
# zero-shot score at FEW_SHOT_WEIGHT. Categories without examples keep their zero-shot
# score, so one corrected category does not drown the others.
NEIGHBOURS = 1
FEW_SHOT_WEIGHT = 0.2
# Softmax temperature turning scores into the reported confidence; at 0.05 a lead of 0.1
# in cosine similarity reads as about 88% against a single runner-up.
TEMPERATURE = 0.05
# Tags: at most this many per article, and a technology named once in the body only
# (not in the title or a heading) is a passing mention, not a tag.
MAX_TAGS = 8
MIN_MENTIONS = 2
# ...except in a short text (a note, a sentence given to `distill classify`), where
# naming a technology once is what the text is about.
SHORT_TEXT_WORDS = 150
MAX_CANDIDATES = 5


# ------------------------------------------------------------------------ tags


def choose_tags(
    mentions: Sequence[Any], limit: int = MAX_TAGS, min_mentions: int = MIN_MENTIONS
) -> list[str]:
    """Canonical names of the technologies an article is about, most salient first."""
    tags = [
        m.name
        for m in mentions
        if m.in_title or getattr(m, "headings", 0) > 0 or m.count >= min_mentions
    ]
    return tags[:limit]


def tag_document(doc: Document, home: Path | None = None) -> tuple[list[Any], list[str], list[str]]:
    """(mentions, tags, candidate tags) of a document, from the library's technology list."""
    mentions = find_in_document(doc, home)
    candidates = candidate_terms(doc, home, limit=MAX_CANDIDATES)
    least = 1 if doc.word_count < SHORT_TEXT_WORDS else MIN_MENTIONS
    return mentions, choose_tags(mentions, min_mentions=least), candidates


def hint_weights(mentions: Sequence[Any], names: Sequence[str]) -> np.ndarray:
    """How strongly the named technologies point at each category (sums to 1, or all 0)."""
    index = {n: i for i, n in enumerate(names)}
    weights = np.zeros(len(names), dtype=np.float32)
    for m in mentions:
        i = index.get(getattr(m, "category", ""))
        if i is None:
            continue
        # a title mention says what the article is about; repeats add with diminishing weight
        weights[i] += (2.0 if m.in_title else 0.0) + math.log1p(m.count)
    total = float(weights.sum())
    return weights / total if total > 0 else weights


# ------------------------------------------------------------------------ categories


class CategoryModel:
    """Scores an article vector against a taxonomy, optionally learning from examples."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        text_vectors: np.ndarray,
        owners: np.ndarray,
        examples: np.ndarray | None = None,
        example_labels: Sequence[str] = (),
        method: str = "knn",
    ) -> None:
        self.taxonomy = taxonomy
        self.names = taxonomy.names
        self.text_vectors = text_vectors  # every category text, unit rows
        self.owners = owners  # category index of each row
        self.method = method
        self.examples = examples if examples is not None and len(examples) else None
        index = {n: i for i, n in enumerate(self.names)}
        self.example_owners = np.array([index[x] for x in example_labels], dtype=np.int64)
        self._linear: Any = None
        if self.examples is not None and method == "linear":
            self._linear = _fit_linear(self.examples, self.example_owners)

    @classmethod
    def build(
        cls,
        taxonomy: Taxonomy,
        embedder: Embedder,
        examples: np.ndarray | None = None,
        example_labels: Sequence[str] = (),
        method: str = "knn",
        cache: Path | None = None,
    ) -> CategoryModel:
        vectors, owners = category_vectors(taxonomy, embedder, cache)
        return cls(taxonomy, vectors, owners, examples, example_labels, method)

    def zero_shot(self, vector: np.ndarray) -> np.ndarray:
        sims = self.text_vectors @ vector
        scores = np.empty(len(self.names), dtype=np.float32)
        for i in range(len(self.names)):
            own = np.sort(sims[self.owners == i])[::-1]
            scores[i] = float(own[:TOP_TEXTS].mean())
        return scores

    def few_shot(self, vector: np.ndarray, zero: np.ndarray) -> np.ndarray:
        if self.examples is None:
            return zero
        if self._linear is not None:
            probs = _linear_scores(self._linear, vector, len(self.names))
            # the linear model only knows categories it saw; the others keep zero-shot
            seen = probs >= 0
            mixed = zero.copy()
            mixed[seen] = (1 - FEW_SHOT_WEIGHT) * zero[seen] + FEW_SHOT_WEIGHT * (
                zero[seen].max() * probs[seen]
            )
            return mixed
        sims = self.examples @ vector
        near = zero.copy()
        for i in np.unique(self.example_owners):
            own = np.sort(sims[self.example_owners == i])[::-1][:NEIGHBOURS]
            near[i] = float(own.mean())
        return (1 - FEW_SHOT_WEIGHT) * zero + FEW_SHOT_WEIGHT * near

    def scores(self, vector: np.ndarray | None, hints: np.ndarray | None = None) -> np.ndarray:
        if vector is None:
            base: np.ndarray = np.zeros(len(self.names), dtype=np.float32)
        else:
            vector = np.asarray(vector, dtype=np.float32)
            base = self.few_shot(vector, self.zero_shot(vector))
        if hints is not None and hints.any():
            base = base + HINT_WEIGHT * hints
        return base

    def predict(
        self, vector: np.ndarray | None, hints: np.ndarray | None = None
    ) -> tuple[str, float, dict[str, float]]:
        scores = self.scores(vector, hints)
        if not scores.any():
            # nothing to go on (no vector, no technology): the last category is the
            # catch-all of a taxonomy written in order of specificity; ours is culture
            return self.names[-1], 0.0, {n: 0.0 for n in self.names}
        probs = np.exp((scores - scores.max()) / TEMPERATURE)
        probs /= probs.sum()
        best = int(np.argmax(scores))
        return (
            self.names[best],
            round(float(probs[best]), 4),
            {n: round(float(s), 4) for n, s in zip(self.names, scores, strict=True)},
        )


def _fit_linear(vectors: np.ndarray, owners: np.ndarray) -> Any:
    classes = np.unique(owners)
    if len(classes) < 2:
        return None
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, max_iter=1000)
    model.fit(vectors, owners)
    return model


def _linear_scores(model: Any, vector: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1.0, dtype=np.float32)
    if model is None:
        return out
    probs = model.predict_proba(vector.reshape(1, -1))[0]
    out[model.classes_] = probs
    return out


_CATEGORY_CACHE: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
# Embedding the taxonomy's ~70 texts costs about as much CPU as embedding an article, and a
# command-line `distill add` is a fresh process each time: the vectors are also kept in the
# library's home, in a file named after what they were made from.
CACHE_FOLDER = "cache"


def _cache_file(home: Path, key: tuple[str, str]) -> Path:
    digest = hashlib.sha256("\n".join(key).encode("utf-8")).hexdigest()[:24]
    return home / CACHE_FOLDER / f"category-vectors-{digest}.npy"


def _read_cached(path: Path, rows: int, dimensions: int) -> np.ndarray | None:
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vectors.shape != (rows, dimensions) or vectors.dtype != np.float32:
        return None
    return vectors


def _write_cached(path: Path, vectors: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home only loses the cache


def category_vectors(
    taxonomy: Taxonomy, embedder: Embedder, cache: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Embedded category texts and the category each belongs to; cached per process and,
    given a library home as `cache`, in a file there."""
    key = (embedder.name, taxonomy.fingerprint)
    cached = _CATEGORY_CACHE.get(key)
    if cached is None:
        texts, owners = [], []
        for i, category in enumerate(taxonomy.categories):
            for text in category.texts():
                texts.append(text)
                owners.append(i)
        path = _cache_file(cache, key) if cache is not None else None
        vectors = _read_cached(path, len(texts), embedder.dimensions) if path else None
        if vectors is None:
            vectors = embedder.embed(texts)
            if path is not None:
                _write_cached(path, vectors)
        cached = (vectors, np.array(owners, dtype=np.int64))
        _CATEGORY_CACHE[key] = cached
    return cached


# ------------------------------------------------------------------------ lexical fallback

_WORD = re.compile(r"[a-z][a-z0-9+#]+")


def lexical_scores(taxonomy: Taxonomy, text: str) -> np.ndarray:
    """Word overlap with each category's texts: the fallback when there is no vector.

    Used only when a library runs with `embed = false`; far weaker than embeddings, but it
    still files "PostgreSQL index tuning" under databases rather than at random.
    """
    words = Counter(_WORD.findall(text.lower()[:20_000]))
    scores = np.zeros(len(taxonomy.categories), dtype=np.float32)
    for i, vocab in enumerate(_vocabularies(taxonomy.fingerprint)):
        hits = sum(math.log1p(words[w]) for w in vocab if w in words)
        scores[i] = hits / (len(vocab) or 1)
    return scores


@functools.lru_cache(maxsize=8)
def _vocabularies(fingerprint: str) -> list[frozenset[str]]:
    """Each category's words, from the taxonomy's fingerprint (its categories' texts as
    JSON): read once per taxonomy instead of once per article."""
    return [
        frozenset(w for t in texts for w in _WORD.findall(t.lower()) if len(w) > 3)
        for texts in json.loads(fingerprint)
    ]


# ------------------------------------------------------------------------ one entry point


class Classifier:
    """Taxonomy + embedder + examples: files documents under one category with tags."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder | None,
        examples: np.ndarray | None = None,
        example_labels: Sequence[str] = (),
        home: Path | None = None,
        method: str = "knn",
        cache: Path | None = None,
    ) -> None:
        """`home` is where the technology list is read from; `cache`, a library home the
        category vectors may be kept in (the library's classifier passes it; a batch
        `distill classify` does not, since it never writes to the library)."""
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.home = home
        self.model: CategoryModel | None = None
        if embedder is not None:
            self.model = CategoryModel.build(
                taxonomy, embedder, examples, example_labels, method, cache
            )

    @classmethod
    def from_examples(
        cls,
        taxonomy: Taxonomy,
        embedder: Embedder,
        examples: Sequence[Example],
        home: Path | None = None,
        method: str = "knn",
    ) -> Classifier:
        vectors = embedder.embed([e.text for e in examples]) if examples else None
        return cls(taxonomy, embedder, vectors, [e.label for e in examples], home, method)

    def vector_for(self, doc: Document) -> np.ndarray | None:
        if self.embedder is None:
            return None
        return self.embedder.embed([article_text(doc)])[0]

    def classify(self, doc: Document, vector: np.ndarray | None = None) -> Labels:
        """Category and tags of `doc`; pass the stored article vector when there is one."""
        mentions, tags, candidates = tag_document(doc, self.home)
        hints = hint_weights(mentions, self.taxonomy.names)
        if self.model is not None and vector is not None:
            name, confidence, scores = self.model.predict(vector, hints)
        else:
            lexical = lexical_scores(self.taxonomy, f"{doc.title}\n{doc.description}\n{doc.text}")
            total = lexical + hints
            best = int(np.argmax(total)) if total.any() else len(total) - 1
            name, confidence = self.taxonomy.names[best], 0.0
            scores = {
                n: round(float(s), 4) for n, s in zip(self.taxonomy.names, total, strict=True)
            }
        return Labels(name, confidence, tags, candidates, scores)
