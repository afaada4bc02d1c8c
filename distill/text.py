"""Sentence splitting with character offsets, shared by every summarizer and the checker.

Offsets (not copies) are what make provenance exact: a summary line records the block and
the [start, end) span, and `block.text[start:end]` must give the line back.
"""

from __future__ import annotations

import re
from functools import lru_cache

from segtok.segmenter import split_multi

_WORD = re.compile(r"\w+", re.UNICODE)
# A stop written after a space ("... the new Source framework article . Now it is time"),
# often where a link ended the sentence: segtok keeps both sentences as one.
_SPACED_STOP = re.compile(r"(?<=\w)\s+[.!?](?=\s+[A-Z])")


def _split_spaced_stops(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    for match in _SPACED_STOP.finditer(text, start, end):
        pieces.append((start, match.end()))
        start = match.end()
        while start < end and text[start].isspace():
            start += 1
    pieces.append((start, end))
    return pieces


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of each sentence of `text`, in order, trimmed of white space."""
    return [
        piece
        for start, end in _segtok_spans(text)
        for piece in _split_spaced_stops(text, start, end)
    ]


def _segtok_spans(text: str) -> list[tuple[int, int]]:
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


# Words that carry no meaning of their own: articles, pronouns, auxiliaries, conjunctions,
# prepositions. The one list every module starts from; the summarizer adds its own words
# that are too common to say what a sentence is about (summarize/sentences.py), the claim
# check keeps exactly these (a number or "new" can decide whether a claim holds).
FUNCTION_WORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from as into onto over
    under about after before between through during is are was were be been being am do does
    did has have had having it its this that these those there here their them they we us
    our you your he she his her i me my can could will would should may might must shall so
    such than too very just also only more most less least some any each every all both
    other another which who whom whose what when where why how while up down out off again
    further once same own s t not no nor never""".split()
)

# Suffix, replacement: longest first, so "ational" wins over "al".
_SUFFIXES = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ingly", ""),
    ("edly", ""),
    ("ings", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ers", "er"),
    ("ed", ""),
    ("ly", ""),
    ("ches", "ch"),
    ("shes", "sh"),
    ("sses", "ss"),
    ("xes", "x"),
    ("s", ""),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English suffix stripper, the one every module uses: it folds plurals and verb
    forms together ("caches", "caching", "cache" -> "cach") without a dictionary, so a
    summary line, a claim and a search snippet agree on what counts as the same word.

    A trailing "e" goes after the suffix, so the bare verb meets its "-ing" and "-ed" forms.
    Expects lower case; non-ASCII words and words of four letters or fewer stay as they are.
    """
    if len(word) <= 4 or not word.isascii():
        return word
    for suffix, keep in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + keep
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word
