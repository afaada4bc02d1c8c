"""The search query language: what a person types, parsed without ever raising.

    kafka "exactly once" -batch tech:flink site:flink.apache.org after:2022-01-01

Plain words, "quoted phrases", -excluded words or phrases, and inline filters
(tech:, category:, site:, after:, before:, is:unread|read|archived|starred; a filter
value may be quoted; several is: filters must all hold). Anything else,
including FTS5 operators, brackets, stars, carets, unbalanced quotes and lone minus signs,
is treated as text: only word characters reach the index, each quoted as an FTS5 string,
so no input can be read as FTS5 syntax. Problems the user should know about (a bad date,
a query cut short) are collected in `notes`, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FILTER_KEYS = ("tech", "category", "site", "after", "before", "is")
# `is:` values (reading state and stars); the SQL for each is in store/reading.py.
IS_VALUES = ("unread", "read", "archived", "starred")
# Words beyond this many are ignored (and the user told): a pasted page of text should
# still get an answer quickly, and BM25 gains nothing from the 65th word of a query.
MAX_TERMS = 64
# Characters of a query we look at; 10,000 pasted characters are cut here first.
MAX_QUERY_CHARS = 4000

_WORD = re.compile(r"\w+", re.UNICODE)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TOKEN = re.compile(
    r'(?P<neg>-?)(?:(?P<key>[A-Za-z]+):(?:"(?P<qval>[^"]*)"?|(?P<val>\S*))'
    r'|"(?P<phrase>[^"]*)"?|(?P<word>\S+))'
)


@dataclass
class ParsedQuery:
    """A query split into what the index matches and what filters the articles."""

    text: str
    words: list[str] = field(default_factory=list)  # required words (lower-cased)
    phrases: list[list[str]] = field(default_factory=list)  # required phrases, as words
    excluded: list[list[str]] = field(default_factory=list)  # words or phrases to leave out
    filters: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def plain_text(self) -> str:
        """The positive words and phrases as one string: what the meaning search embeds."""
        return " ".join(self.words + [" ".join(p) for p in self.phrases])

    def all_terms(self) -> list[str]:
        return self.words + [w for p in self.phrases for w in p]


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def normalize_date(value: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a sortable YYYY-MM-DD prefix, else None."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def parse(text: str, filters: dict[str, str] | None = None) -> ParsedQuery:
    """Parse a typed query; `filters` (from options such as --site) add to inline ones."""
    query = ParsedQuery(text=text)
    if len(text) > MAX_QUERY_CHARS:
        query.notes.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        text = text[:MAX_QUERY_CHARS]
    for match in _TOKEN.finditer(text):
        negative = bool(match.group("neg"))
        key = (match.group("key") or "").lower()
        if key in FILTER_KEYS:
            value = match.group("qval") if match.group("qval") is not None else match.group("val")
            _add_filter(query, key, (value or "").strip(), negative)
            continue
        if key:  # "foo:bar" with an unknown key is just text
            raw = match.group(0).lstrip("-")
        else:
            raw = (
                match.group("phrase") if match.group("phrase") is not None else match.group("word")
            )
        tokens = words_of(raw or "")
        if not tokens:
            continue
        if negative:
            query.excluded.append(tokens)
        elif match.group("phrase") is not None and len(tokens) > 1:
            query.phrases.append(tokens)
        else:
            query.words.extend(t for t in tokens if t not in query.words)
    for key, value in (filters or {}).items():
        if value:
            _add_filter(query, key, str(value).strip(), False)
    _cap_terms(query)
    return query


def _add_filter(query: ParsedQuery, key: str, value: str, negative: bool) -> None:
    if negative:
        query.notes.append(f"-{key}: is not supported; ignored")
        return
    if not value:
        query.notes.append(f"{key}: needs a value, as in {key}:{_EXAMPLES[key]}; ignored")
        return
    if key in ("after", "before"):
        date = normalize_date(value)
        if date is None:
            query.notes.append(
                f"{key}:{value} is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY); ignored"
            )
            return
        value = date
    if key == "is":
        value = value.lower()
        if value not in IS_VALUES:
            query.notes.append(f"is:{value} is not one of {', '.join(IS_VALUES)}; ignored")
            return
        known = query.filters.get("is", "").split(",") if query.filters.get("is") else []
        value = ",".join(dict.fromkeys([*known, value]))
    query.filters[key] = value


_EXAMPLES = {
    "tech": "kafka",
    "category": "databases",
    "site": "go.dev",
    "after": "2023-01-01",
    "before": "2024-01-01",
    "is": "unread",
}


def _cap_terms(query: ParsedQuery) -> None:
    if len(query.all_terms()) <= MAX_TERMS:
        return
    budget = MAX_TERMS
    phrases = []
    for phrase in query.phrases:
        if len(phrase) <= budget:
            phrases.append(phrase)
            budget -= len(phrase)
    query.phrases = phrases
    query.words = query.words[:budget]
    query.excluded = query.excluded[:MAX_TERMS]
    query.notes.append(f"query cut to its first {MAX_TERMS} words")


def fts_string(word: str) -> str:
    """One word or phrase as an FTS5 string literal (the only quoting FTS5 has)."""
    return '"' + word.replace('"', '""') + '"'


def fts_match(
    query: ParsedQuery, any_word: bool = False, drop: frozenset[str] = frozenset()
) -> str:
    """The FTS5 MATCH expression: all words (or any, when `any_word`), phrases, NOT excluded.

    `drop` names words left out of the expression (very common ones, see search.py).
    """
    words = [fts_string(w) for w in query.words if w not in drop]
    phrases = [fts_string(" ".join(p)) for p in query.phrases]
    if any_word and words:
        positive = "(" + " OR ".join(words) + ")"
        required = " AND ".join([positive, *phrases])
    else:
        required = " AND ".join(words + phrases)
    if not required:
        return ""
    for excluded in query.excluded:
        required = f"({required}) NOT {fts_string(' '.join(excluded))}"
    return required
