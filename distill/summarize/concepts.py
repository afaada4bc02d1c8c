"""Core concepts and technologies: canonical names from the technology list, then key phrases.

A technology line's text is its canonical name ("PostgreSQL") and its provenance is the
span of the first mention in the article, which may be an alias ("Postgres"). Concepts the
list does not know come from the article's own repeated noun phrases, shown exactly as
first written, so the span holds the line's text.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, replace
from typing import Any

from ..models import Document, Line, Span
from .sentences import PROSE_KINDS, STOP_WORDS, stem

MAX_TERMS = 10
# At most this many of the entries are key phrases, so named technologies come first.
MAX_PHRASES = 6
# A phrase must recur to be a concept of the article (or sit in its title or a heading);
# a lower-case phrase without a technical shape must recur more, since without a part-of-
# speech tagger repetition is the best evidence that it names a thing.
MIN_PHRASE_COUNT = 2
MIN_PLAIN_PHRASE_COUNT = 3
# Mentions a technology needs to be core to the article rather than named in passing.
MIN_TECH_MENTIONS = 2

_TOKEN = re.compile(r"[A-Za-z][\w+#]*(?:[.\-/][A-Za-z0-9][\w+#]*)*")
_BREAK = re.compile(r"[.,;:!?()\[\]\"“”]")
# Words that make a phrase generic rather than a concept (written for this module).
_GENERIC_TEXT = """blog post posts article today time times people team teams example examples work
    works release releases version versions number numbers problem problems case cases
    thing things lot user users support change changes feature features way ways part
    parts year years month months week weeks day days point points end start idea ideas
    question questions issue issues help details detail information community talk talks
    project projects place order kind kinds type types result results reason reasons step
    steps section sections list lists value values set sets line lines name names word
    words note notes fact course level levels side sides hand group groups state states"""
GENERIC = frozenset(_GENERIC_TEXT.split())


@dataclass
class _Phrase:
    surface: str
    span: Span
    count: int = 0
    in_title: bool = False
    in_heading: bool = False
    capitalised: int = 0


def _technologies() -> Any | None:
    """The technology matcher when it is installed (it lands from another branch)."""
    try:
        return importlib.import_module("distill.taxonomy.technologies")
    except ImportError:
        return None


def technology_terms(doc: Document, limit: int) -> list[Line]:
    module = _technologies()
    if module is None:
        return []
    lines = []
    for mention in module.find_in_document(doc):
        if not mention.spans:
            continue
        if mention.count < MIN_TECH_MENTIONS and not mention.in_title and not mention.headings:
            continue
        first = mention.spans[0]
        lines.append(
            Line(mention.name, kind="term", source=[Span(first.block, first.start, first.end)])
        )
        if len(lines) >= limit:
            break
    return lines


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in '.!?:;"“('


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Tokens of `text` split into runs at punctuation and stop words."""
    runs: list[list[re.Match[str]]] = [[]]
    cursor = 0
    for match in _TOKEN.finditer(text):
        gap = text[cursor : match.start()]
        cursor = match.end()
        word = match.group().lower()
        if _BREAK.search(gap) or word in STOP_WORDS or len(word) < 2:
            runs.append([])
            if word in STOP_WORDS or len(word) < 2:
                continue
        runs[-1].append(match)
    return [r for r in runs if r]


def key_phrases(doc: Document, limit: int, known: set[str], last_block: int) -> list[Line]:
    phrases: dict[tuple[str, ...], _Phrase] = {}
    title_keys = {stem(w.lower()) for w in _TOKEN.findall(doc.title)}
    for b, block in enumerate(doc.blocks[: last_block + 1]):
        if block.kind not in (*PROSE_KINDS, "heading"):
            continue
        heading = block.kind == "heading"
        for run in _runs(block.text):
            lowered = [t.group().lower() for t in run]
            stems = [stem(w) for w in lowered]
            generic = [w in GENERIC for w in lowered]
            upper = [
                t.group()[0].isupper() and not _sentence_start(block.text, t.start()) for t in run
            ]
            for size in (1, 2, 3):
                for k in range(len(run) - size + 1):
                    if all(generic[k : k + size]):
                        continue
                    key = tuple(stems[k : k + size])
                    phrase = phrases.get(key)
                    if phrase is None:
                        start, end = run[k].start(), run[k + size - 1].end()
                        phrase = phrases[key] = _Phrase(block.text[start:end], Span(b, start, end))
                    phrase.count += 1
                    phrase.in_heading |= heading
                    phrase.capitalised += any(upper[k : k + size])
    for key, phrase in phrases.items():
        phrase.in_title = all(p in title_keys for p in key)
    scored: list[tuple[float, tuple[str, ...]]] = []
    for key, phrase in phrases.items():
        if phrase.count < MIN_PHRASE_COUNT and not phrase.in_title:
            continue
        technical = any(ch.isdigit() or ch in "+#" for ch in phrase.surface) or bool(
            re.search(r"[a-z][A-Z]|^[A-Z]{2,}", phrase.surface)
        )
        named = phrase.capitalised * 2 > phrase.count
        if len(key) == 1 and not (technical or named):
            continue  # a lone common word ("memory", "data") is not a concept
        notable = technical or named or phrase.in_title or phrase.in_heading
        if not notable and phrase.count < MIN_PLAIN_PHRASE_COUNT:
            continue
        value = phrase.count * (1.0 + 0.6 * (len(key) - 1))
        value += 2.0 * phrase.in_title + 1.0 * phrase.in_heading + 0.5 * technical
        scored.append((value, key))
    chosen: list[tuple[str, ...]] = []
    lines: list[Line] = []
    known_keys = {tuple(stem(w) for w in k.lower().split()) for k in known}
    initials = {"".join(w[0] for w in re.split(r"[\s-]+", k) if w).lower() for k in known}
    for _, key in sorted(scored, reverse=True):
        if len(lines) >= limit:
            break
        overlaps = any(
            set(key) <= set(other) or set(other) <= set(key) for other in chosen + list(known_keys)
        )
        phrase = phrases[key]
        if overlaps or (phrase.surface.isupper() and phrase.surface.lower() in initials):
            continue  # part of a name already shown, or its acronym ("CEP")
        chosen.append(key)
        lines.append(Line(phrase.surface, kind="term", source=[phrase.span]))
    return lines


def concepts(doc: Document, last_block: int) -> list[Line]:
    """Technologies first, then key phrases; only blocks up to `last_block` are read."""
    part = (
        doc
        if last_block + 1 >= len(doc.blocks)
        else replace(doc, blocks=doc.blocks[: last_block + 1])
    )
    techs = technology_terms(part, MAX_TERMS)
    known = {line.text for line in techs}
    room = min(MAX_PHRASES, MAX_TERMS - len(techs))
    return techs + (key_phrases(part, room, known, last_block) if room > 0 else [])
