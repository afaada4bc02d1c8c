"""Sentence splitting with character offsets, shared by every summarizer and the checker.

Offsets (not copies) are what make provenance exact: a summary line records the block and
the [start, end) span, and `block.text[start:end]` must give the line back.
"""

from __future__ import annotations

import re

from segtok.segmenter import split_multi

_WORD = re.compile(r"\w+", re.UNICODE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of each sentence of `text`, in order, trimmed of white space."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_multi(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        start = text.find(sentence, cursor)
        if start < 0:  # segtok normalised something; fall back to a loose search
            start = cursor
            end = min(len(text), start + len(sentence))
        else:
            end = start + len(sentence)
        spans.append((start, end))
        cursor = end
    return spans


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())
