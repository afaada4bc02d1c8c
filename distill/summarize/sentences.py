"""The article as a list of candidate sentences, each knowing exactly where it sits.

Every summary line the extractive backend shows is one of these units (or a whole code
block), so provenance is decided here once: a unit is `block`, `start`, `end` into the
block's text, and `text` is always `block.text[start:end]`.

Units also carry what the scorers need: the heading they sit under, their position, and
their content words (lower-cased, stop words removed, lightly stemmed) for TF-IDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Document
from ..text import FUNCTION_WORDS, sentence_spans, stem
from .boilerplate import boilerplate

# Prose block kinds a summary sentence may come from (headings, code and tables are not).
PROSE_KINDS = ("paragraph", "list_item", "quote")
# A page's footnotes (Markdown's are gathered under this heading at extraction): asides
# that finish a sentence elsewhere ("Since incremental was first enabled, which was in
# Rust 1.24."), kept in the article but never a summary line.
FOOTNOTES = re.compile(r"^\s*footnotes\s*$", re.IGNORECASE)
# Sentences with fewer words than this are fragments ("Thanks!", "See below.").
MIN_WORDS = 4
# A list entry shorter than this without a full stop is a label or a link title.
MIN_LIST_WORDS = 7
# Longer "sentences" are usually a paragraph without punctuation (or a run-on list);
# they are cut at clause boundaries into pieces of at most this many words, each a
# contiguous part of the sentence, so no single line swamps a section.
MAX_WORDS = 60
# Work caps: a 100,000-word article has ~5,000 sentences and the similarity matrix is
# quadratic in them; beyond this many words (or sentences) the rest of the article is not
# weighed, and the summarizer says so (ExtractiveSummarizer.notes).
MAX_WEIGHED_WORDS = 20_000
MAX_UNITS = 2_000

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b|#\d{3,}\b")
_CLAUSE_END = re.compile(r"[,;:—–]\s+|\s+-\s+")

# Words too common to say what a sentence is about: the function words every module
# shares (text.py) and these, common in prose but not in a claim's facts.
_COMMON_IN_PROSE = """
    able above against already always anyone anything aren't around back because below can't
    cannot come comes couldn't didn't doesn't doing don't either etc even ever few first get
    gets getting go going good got great hadn't hasn't haven't hers herself him himself
    however isn't it's itself know last let let's like look lot lots made make makes many
    much myself need needs new next now often one others ours ourselves part per put quite
    rather really say says see seems seen shouldn't since still take that's theirs
    themselves there's they're thing things think though thus two until upon use used uses
    using via want wasn't way ways we're we've well weren't what's whether within without
    won't wouldn't year years yet you're yours yourself"""
STOP_WORDS = FUNCTION_WORDS | frozenset(_COMMON_IN_PROSE.split())


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed words of `text` without stop words or bare numbers."""
    out = []
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'")
        if word in STOP_WORDS or word.isdigit() or len(word) < 2:
            continue
        out.append(stem(word))
    return out


@dataclass
class Unit:
    """One candidate sentence: its text and exactly where it came from."""

    index: int  # position among units
    block: int
    start: int
    end: int
    text: str
    kind: str  # the block's kind: paragraph, list_item or quote
    heading: str  # the nearest heading above it ("" before the first heading)
    part: int  # heading-delimited part of the article, 0 for the text before any heading
    words: list[str] = field(default_factory=list)
    word_count: int = 0
    first_in_block: bool = False
    position: float = 0.0  # 0.0 for the first unit, 1.0 for the last


@dataclass
class Sentences:
    """All units of a document plus the structure the section builders need."""

    units: list[Unit]
    headings: list[tuple[int, str, int]]  # (block, text, level) for every heading
    capped: bool  # True when a work cap stopped the split before the end of the article
    last_block: int  # the last block that was read


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence into contiguous clauses of at most MAX_WORDS words."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) <= MAX_WORDS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    first = 0  # index of the first word of the current piece
    while first < len(words):
        if len(words) - first <= MAX_WORDS:
            pieces.append((start + words[first][0], end))
            break
        limit = start + words[first + MAX_WORDS - 1][1]
        floor = start + words[first + MAX_WORDS // 3][1]
        cut = limit
        for match in _CLAUSE_END.finditer(text, floor, limit):
            cut = match.start() + 1 if text[match.start()] in ",;:" else match.start()
        pieces.append((start + words[first][0], cut))
        while first < len(words) and start + words[first][0] < cut:
            first += 1
    return [(s, e) for s, e in pieces if e > s]


def _usable(text: str, kind: str) -> bool:
    words = text.split()
    if len(words) < MIN_WORDS or not _LETTER.search(text):
        return False
    if kind == "list_item" and len(words) < MIN_LIST_WORDS and text[-1] not in ".!?":
        return False  # a link title or a menu entry, not a statement
    if len(_TICKET.findall(text)) >= 2:
        return False  # a run of issue-tracker entries ("[FLINK-123] - ...") from a changelog
    symbols = sum(text.count(c) for c in "{};=<>|\\")
    if symbols * 25 > len(text) or ("{" in text and "}" in text and ";" in text):
        return False  # style sheets, markup or code that slipped into a paragraph
    # Mostly links, paths or code-like tokens: not a sentence a reader wants in a summary.
    odd = sum(1 for w in words if "://" in w or w.count("/") > 1 or w.startswith("@"))
    if odd * 3 >= len(words):
        return False
    # Bylines, calls to action, pointers, banners, changelog entries (boilerplate.py).
    return not boilerplate(text)


def split_document(doc: Document, max_units: int = MAX_UNITS) -> Sentences:
    units: list[Unit] = []
    headings: list[tuple[int, str, int]] = []
    heading, part, capped, words, last = "", 0, False, 0, -1
    for b, block in enumerate(doc.blocks):
        if capped or words >= MAX_WEIGHED_WORDS:
            capped = True
            break
        last = b
        if block.kind == "heading":
            headings.append((b, block.text, block.level))
            heading, part = block.text, part + 1
            continue
        if block.kind not in PROSE_KINDS or FOOTNOTES.match(heading):
            continue
        first = True
        for s, e in sentence_spans(block.text):
            for start, end in _pieces(block.text, s, e):
                text = block.text[start:end]
                if not _usable(text, block.kind):
                    continue
                if len(units) >= max_units:
                    capped = True
                    break
                units.append(
                    Unit(
                        index=len(units),
                        block=b,
                        start=start,
                        end=end,
                        text=text,
                        kind=block.kind,
                        heading=heading,
                        part=part,
                        words=content_words(text),
                        word_count=len(text.split()),
                        first_in_block=first,
                    )
                )
                words += units[-1].word_count
                first = False
    final = max(len(units) - 1, 1)
    for unit in units:
        unit.position = unit.index / final
    return Sentences(units, headings, capped, last)
