"""TF-IDF vectors, similarity and centrality over an article's sentences.

Why not the MiniLM embedder: loading it costs ~12 s per process and it encodes ~60
sentences per second per core, so a 150-sentence article would take seconds against a
150 ms budget. TF-IDF over the article's own sentences (LexRank's representation) is
computed in a few milliseconds and is what centrality-based extractive summarizers use.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..embed import one_blas_thread
from .sentences import Unit, content_words

# LexRank's damping: the chance a random reader jumps to any sentence instead of
# following similarity; 0.15 is the value PageRank and LexRank both use.
DAMPING = 0.15
# Power iterations; the ranking is stable well before 30 on articles of any size here.
ITERATIONS = 30


@dataclass
class Scores:
    vectors: np.ndarray  # one unit-length TF-IDF row per sentence
    similarity: np.ndarray  # cosine similarity, n x n, zero diagonal
    centrality: np.ndarray  # LexRank score scaled to [0, 1]
    centroid: np.ndarray  # cosine to the article's centroid, in [0, 1]
    vocabulary: dict[str, int]
    idf: np.ndarray

    def vector(self, text: str) -> np.ndarray:
        """A unit-length TF-IDF vector for any text (a title, a heading) in this space."""
        row = np.zeros(len(self.vocabulary))
        for word, count in Counter(content_words(text)).items():
            j = self.vocabulary.get(word)
            if j is not None:
                row[j] = (1 + math.log(count)) * self.idf[j]
        norm = float(np.linalg.norm(row)) or 1.0
        return row / norm

    def similarity_to(self, text: str) -> np.ndarray:
        """Cosine similarity of every sentence to `text`."""
        if not self.vocabulary:
            return np.zeros(self.vectors.shape[0])
        return self.vectors @ self.vector(text)


def _scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    low = float(values.min()) if values.size else 0.0
    return (values - low) / (top - low) if top > low else np.zeros_like(values)


def score_units(units: list[Unit]) -> Scores:
    one_blas_thread()  # the products below are small: BLAS threads would only spin
    n = len(units)
    vocabulary: dict[str, int] = {}
    df: Counter[str] = Counter()
    counts = [Counter(u.words) for u in units]
    for c in counts:
        df.update(c.keys())
        for word in c:
            vocabulary.setdefault(word, len(vocabulary))
    idf = np.zeros(len(vocabulary))
    for word, j in vocabulary.items():
        idf[j] = math.log((1 + n) / (1 + df[word])) + 1.0
    matrix = np.zeros((n, max(len(vocabulary), 1)))
    for i, c in enumerate(counts):
        for word, k in c.items():
            j = vocabulary[word]
            matrix[i, j] = (1 + math.log(k)) * idf[j]
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    # A word in one sentence adds nothing between two sentences: the product is taken over
    # the shared words only, a fraction of the vocabulary on long articles.
    shared = np.fromiter((df[word] > 1 for word in vocabulary), bool, len(vocabulary))
    common = matrix[:, : len(vocabulary)][:, shared]
    similarity = common @ common.T
    np.fill_diagonal(similarity, 0.0)

    # LexRank with continuous weights: a Markov chain over the similarity graph.
    weights = similarity.sum(axis=1)
    transition = np.divide(
        similarity, weights[:, None], out=np.zeros_like(similarity), where=weights[:, None] > 0
    )
    rank = np.full(n, 1.0 / max(n, 1))
    for _ in range(ITERATIONS):
        rank = DAMPING / max(n, 1) + (1 - DAMPING) * (transition.T @ rank)

    centroid_row = matrix.sum(axis=0)
    length = float(np.linalg.norm(centroid_row)) or 1.0
    centroid = matrix @ (centroid_row / length)
    return Scores(matrix, similarity, _scale(rank), _scale(centroid), vocabulary, idf)
