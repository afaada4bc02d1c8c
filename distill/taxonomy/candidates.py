"""Candidate tags: salient technical terms of an article that the technology list lacks.

Why heuristics and not a model: a user reviews these suggestions ("accept as a tag?"), so
they must be few and explainable. A term qualifies by its shape (CamelCase such as
"TaskManager", inner capitals such as "eBPF", acronyms such as "WASI", or a run of two to
four capitalised words inside a sentence such as "Stateful Functions") and by salience:
repeated in the prose, or present in the title or a heading. Known technologies, the
authors' names and ordinary words are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..models import Document
from .technologies import TechList, load_technologies

_CAMEL = re.compile(
    r"(?<![\w.])(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z]+[A-Z][A-Za-z0-9]*)(?![\w])"
)
_ACRONYM = re.compile(r"(?<![\w.])[A-Z][A-Z0-9]{2,7}(?![\w])")
_CAPS_RUN = re.compile(r"(?<=[a-z,;:(] )(?:[A-Z][A-Za-z0-9]+(?:[ -](?=[A-Z]))?){2,4}")
_STOP_WORDS = (
    "the a an and or of in on for to with by at from as is it this that we our you i if but "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)
_STOP = set(_STOP_WORDS.split())
_BORING = (
    "TODO FAQ USA NOTE FIXME THE AND PDF URL URLS ID IDS OK CEO CTO ETA TBD FYI IMHO UTC "
    "EDIT UPDATE API APIS RFC RFCS IDE IDES ABI REPL DBMS NPE UNDO REDO VALUES SELECT FROM "
    "WHERE INSERT CLA CPU CPUS RAM SDK SDKS CLI GUI PRS LTS EOL ARM NEW BUG FIX WIP"
)
_BORING_ACRONYMS = set(_BORING.split())
_SURNAME = re.compile(r"^Ma?c[A-Z][a-z]+$")  # McDonald, MacAllister: names, not terms
_ROMAN = re.compile(r"\s[IVX]{1,4}$")  # "Gluck IV"


def _clean(term: str) -> str:
    words = term.replace("-", " ").split()
    while words and words[0].lower() in _STOP:
        words.pop(0)
    while words and words[-1].lower() in _STOP:
        words.pop()
    return " ".join(words)


def salient_unknown_terms(doc: Document, techs: TechList, limit: int = 10) -> list[str]:
    """Up to `limit` unknown terms, most salient first (ties: first seen first)."""
    score: Counter[str] = Counter()
    first: dict[str, int] = {}
    spelling: dict[str, str] = {}
    names = {w.lower() for a in doc.authors for w in re.findall(r"\w+", a)}
    prose = [(doc.title, 3)] + [
        (b.text, 2 if b.kind == "heading" else 1) for b in doc.blocks if b.kind != "code"
    ]
    order = 0
    for text, weight in prose:
        found = [m.group(0) for m in _CAMEL.finditer(text)]
        found += [m.group(0) for m in _ACRONYM.finditer(text)]
        if weight == 1:  # in sentence-case prose a capitalised run is a name
            found += [m.group(0) for m in _CAPS_RUN.finditer(text)]
        for raw in found:
            term = _clean(raw)
            key = term.lower()
            if len(term) < 3 or key in _STOP or term.upper() in _BORING_ACRONYMS:
                continue
            if _SURNAME.match(term) or _ROMAN.search(term):
                continue
            if set(key.split()) <= names:
                continue
            score[key] += weight
            spelling.setdefault(key, term)
            if key not in first:
                first[key] = order
                order += 1
    for key in list(score):  # "TaskManagers" counts for "TaskManager"
        if key.endswith("s") and key[:-1] in score:
            score[key[:-1]] += score.pop(key)
    out: list[str] = []
    for key, value in sorted(score.items(), key=lambda kv: (-kv[1], first[kv[0]])):
        if value < 2:
            break
        term = spelling[key]
        if techs.lookup(term) is not None or _covered(techs, term):
            continue
        out.append(term)
        if len(out) >= limit:
            break
    return out


def _covered(techs: TechList, term: str) -> bool:
    """True when known technologies already account for most of the term."""
    mentions = techs.find(term)
    covered = sum(e - s for m in mentions for s, e in m.spans)
    return covered >= 0.6 * len(term)


def candidate_terms(doc: Document, home: str | Path | None = None, limit: int = 10) -> list[str]:
    """Salient technical terms of `doc` that are not in the list: candidate new tags."""
    return salient_unknown_terms(doc, load_technologies(home), limit)
