"""Snippets: the passage of an article that best matches the query, matched words marked.

Done in Python over the few articles shown rather than with FTS5's snippet(), which
re-tokenises every column of every row it is asked about (a tenth of a second for ten long
articles on a busy machine, more than the search itself). Words match the query by a
light suffix-stripping stem (text.stem, the one the summarizer uses), close enough to
the index's porter stemmer for highlighting.
"""

from __future__ import annotations

import os
import re

from ..store.search_index import MARK_END, MARK_START
from ..text import stem

WINDOW_WORDS = 30
CONTEXT_WORDS = 4  # shown before the first matched word
# Matches are grouped by distance in characters (about WINDOW_WORDS words of prose), so
# the body is never split into words; only the window shown is.
WINDOW_CHARS = 200
# Only the opening of a very long body is scanned: the best window is almost always found
# there, and the cost stays bounded for 100,000-word articles.
MAX_SCAN_CHARS = 30_000
_WORD = re.compile(r"\w+", re.UNICODE)


def word_stem(word: str) -> str:
    """The shared stem (text.stem) of a word as it appears in an article or a query."""
    return stem(word.lower())


def _prefix(term: str) -> str:
    """What every word with the same stem as `term` starts with, at most four letters:
    the stem may end in a replacement ("policies" -> "policy") the word does not have."""
    lowered = term.lower()
    return os.path.commonprefix([lowered, word_stem(lowered)])[:4]


def best_passage(texts: list[str], terms: list[str]) -> str:
    """The window of the first text with the most distinct query words, marked; else ''."""
    stems = {word_stem(t) for t in terms if t}
    if not stems:
        return ""
    # A regex finds words that start like a query stem; only those are stemmed in Python.
    prefixes = sorted({_prefix(t) for t in terms if t}, key=len, reverse=True)
    candidate = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.I)
    for text in texts:
        text = text[:MAX_SCAN_CHARS]
        found = [
            (m.start(), found_stem)
            for m in candidate.finditer(text)
            if (found_stem := word_stem(m.group(0))) in stems
        ]
        if found:
            first, last = _densest_window(found, len(stems))
            return _render(text, found[first][0], {start for start, _ in found[first : last + 1]})
    return ""


def _densest_window(found: list[tuple[int, str]], wanted: int) -> tuple[int, int]:
    """(first, last) indexes into `found` of the window with the most distinct stems."""
    best, best_span, last = 0, (0, 0), 0
    for first in range(len(found)):
        last = max(last, first)
        while last + 1 < len(found) and found[last + 1][0] < found[first][0] + WINDOW_CHARS:
            last += 1
        distinct = len({found_stem for _, found_stem in found[first : last + 1]})
        if distinct > best:
            best, best_span = distinct, (first, last)
            if distinct == wanted:
                break
    return best_span


def _render(text: str, hit: int, marked: set[int]) -> str:
    """About WINDOW_WORDS words from a few words before `hit`, words starting at `marked`
    wrapped in the highlight markers."""
    before = list(_WORD.finditer(text, max(0, hit - 60), hit))[-CONTEXT_WORDS:]
    begin = before[0].start() if before else hit
    out = ["… " if begin > 0 else ""]
    cursor = begin
    for count, match in enumerate(_WORD.finditer(text, begin)):
        if count == WINDOW_WORDS:
            out.append(" …")
            break
        out.append(text[cursor : match.start()])
        word = match.group(0)
        out.append(f"{MARK_START}{word}{MARK_END}" if match.start() in marked else word)
        cursor = match.end()
    else:
        out.append(text[cursor:])
    return " ".join("".join(out).split())
