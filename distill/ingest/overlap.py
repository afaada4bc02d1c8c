"""Word n-gram overlap between two texts: how extraction quality is measured.

Shared by the extraction-quality test and bench/ so both report the same number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..text import words

NGRAM = 4  # 4-grams reward keeping word order without punishing small wording changes


@dataclass
class Overlap:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def ngram_overlap(candidate: str, reference: str, n: int = NGRAM) -> Overlap:
    def grams(text: str) -> Counter[tuple[str, ...]]:
        tokens = words(text)
        return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))

    cand, ref = grams(candidate), grams(reference)
    common = sum((cand & ref).values())
    precision = common / sum(cand.values()) if cand else 0.0
    recall = common / sum(ref.values()) if ref else 0.0
    return Overlap(precision, recall)
