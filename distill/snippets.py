"""Snippets: the passage of an article that best matches the query, matched words marked.

Done in Python over the few articles shown rather than with FTS5's snippet(), which
re-tokenises every column of every row it is asked about (a tenth of a second for ten long
articles on a busy machine, more than the search itself). Words match the query by a
light suffix-stripping stem, close enough to the index's porter stemmer for highlighting.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .store.search_index import MARK_END, MARK_START

WINDOW_WORDS = 30
# Only the opening of a very long body is scanned: the best window is almost always found
# there, and the cost stays bounded for 100,000-word articles.
MAX_SCAN_CHARS = 30_000
_WORD = re.compile(r"\w+", re.UNICODE)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def best_passage(texts: list[str], terms: list[str]) -> str:
    """The window of the first text with the most distinct query words, marked; else ''."""
    stems = {stem(t) for t in terms if t}
    if not stems:
        return ""
    # A regex finds words that start like a query stem; only those are stemmed in Python.
    prefixes = sorted({s[:4] if len(s) > 4 else s for s in stems}, key=len, reverse=True)
    candidate = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.I)
    best: tuple[int, str] = (0, "")
    for text in texts:
        text = text[:MAX_SCAN_CHARS]
        found = [m for m in candidate.finditer(text) if stem(m.group(0)) in stems]
        if not found:
            continue
        words = list(_WORD.finditer(text))
        starts = [m.start() for m in words]
        hits = [bisect_left(starts, m.start()) for m in found]
        for first in hits:
            window = [i for i in hits if first <= i < first + WINDOW_WORDS]
            distinct = len({stem(words[i].group(0)) for i in window})
            if distinct > best[0]:
                best = (distinct, _render(text, words, first, set(window)))
            if best[0] == len(stems):
                return best[1]
        if best[0]:
            return best[1]  # a summary passage beats a slightly better body passage
    return best[1]


def _render(text: str, words: list[re.Match[str]], first: int, marked: set[int]) -> str:
    start_word = max(0, first - 4)
    end_word = min(len(words), start_word + WINDOW_WORDS)
    out = ["… " if start_word > 0 else ""]
    cursor = words[start_word].start()
    for i in range(start_word, end_word):
        match = words[i]
        out.append(text[cursor : match.start()])
        out.append(f"{MARK_START}{match.group(0)}{MARK_END}" if i in marked else match.group(0))
        cursor = match.end()
    out.append(" …" if end_word < len(words) else text[cursor:])
    return " ".join("".join(out).split())
