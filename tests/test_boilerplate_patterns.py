"""The boilerplate patterns look only where a match can start (a speed-up) and find exactly
what the patterns as written find.

`boilerplate.at_word_starts` tries a pattern only at the start of the text and where a
word starts. That is the same pattern only when each of its alternatives begins with `^`,
or with `\\b` before a word character; the first test checks that shape in the parsed
pattern, so an alternative added later in another shape fails here instead of silently
missing sentences. The second compares the two on every sentence of the corpus and on
texts written to sit at the edges (quotes first, a comma before the match, brackets).
"""

from __future__ import annotations

import json
import re
import re._constants as sre  # the parser's own tree: the only exact view of a pattern
import re._parser as sre_parse
from typing import Any

import pytest

from distill.errors import DistillError
from distill.ingest.extract import from_markdown
from distill.summarize import boilerplate
from distill.text import sentence_spans
from tests.conftest import require_corpus

_LOOKBEHIND = -1


def _word_character(code: int) -> bool:
    return chr(code).isalnum() or chr(code) == "_"


def _begins_with_word_character(items: list[Any]) -> bool:
    """Whether every text the parsed sequence matches begins with a word character."""
    if not items:
        return False
    (op, arg), rest = items[0], items[1:]
    if op == sre.LITERAL:
        return _word_character(arg)
    if op == sre.IN:
        if arg and arg[0][0] == sre.NEGATE:
            return False
        return all(
            (kind == sre.LITERAL and _word_character(value))
            or (kind == sre.RANGE and all(map(_word_character, range(value[0], value[1] + 1))))
            or (kind == sre.CATEGORY and value in (sre.CATEGORY_DIGIT, sre.CATEGORY_WORD))
            for kind, value in arg
        )
    if op == sre.SUBPATTERN:
        return _begins_with_word_character(list(arg[3]) + rest)
    if op == sre.BRANCH:
        return all(_begins_with_word_character(list(b) + rest) for b in arg[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        inner = _begins_with_word_character(list(arg[2]))
        return inner if arg[0] >= 1 else inner and _begins_with_word_character(rest)
    if op == sre.AT and arg in (sre.AT_BEGINNING, sre.AT_BOUNDARY):
        return _begins_with_word_character(rest)
    if op in (sre.ASSERT, sre.ASSERT_NOT):  # consumes nothing
        return _begins_with_word_character(rest)
    return False


def _starts_at_a_word(items: list[Any]) -> bool:
    """Whether every match of the parsed sequence starts at 0 or where a word starts."""
    while items and items[0][0] in (sre.ASSERT, sre.ASSERT_NOT) and items[0][1][0] == _LOOKBEHIND:
        items = items[1:]
    if not items:
        return False
    (op, arg), rest = items[0], items[1:]
    if op == sre.AT and arg == sre.AT_BEGINNING:
        return True
    if op == sre.AT and arg == sre.AT_BOUNDARY:
        return _begins_with_word_character(rest)
    if op == sre.SUBPATTERN:
        return _starts_at_a_word(list(arg[3]) + rest)
    if op == sre.BRANCH:
        return all(_starts_at_a_word(list(b) + rest) for b in arg[1])
    return False


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (f"{name}[{n}]", pattern)
        for name, patterns in boilerplate.AS_WRITTEN.items()
        for n, pattern in enumerate(patterns)
    ]


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=[n for n, _ in _patterns()])
def test_every_alternative_starts_at_the_text_start_or_a_word(
    name: str, pattern: re.Pattern[str]
) -> None:
    assert _starts_at_a_word(list(sre_parse.parse(pattern.pattern, pattern.flags))), name


def test_the_checker_refuses_alternatives_that_start_elsewhere() -> None:
    """The shape check itself: a match that may start inside a word or at punctuation."""
    for text in (r"lorem ipsum", r"\((?:video)\)", r"\b, contact", r"(?:^|,\s*)us", r"\bx?\."):
        assert not _starts_at_a_word(list(sre_parse.parse(text))), text
    for text in (r"\blorem", r"(?<=\()\bvideo\)", r"^(?:,|x)", r"\b(?:a|(?:b|c)d)"):
        assert _starts_at_a_word(list(sre_parse.parse(text))), text


EDGES = [
    "“Please let us know what you think.”",
    "(video) Queues at Scale walks through the design.",
    "Queues at Scale (video) walks through the design.",
    "Questions? Please, contact us at the Larkspur desk.",
    "Questions,contact us at the Larkspur desk.",
    "Questions, contact the Task Runner team today.",
    "We’d like to thank everyone who tested the Larkspur betas.",
    "Some xlorem ipsum dolor, and lorem ipsum.",
    '"I wrote the first version in a weekend," she said.',
    "(I have been there.) I've since moved on.",
    "It is a common misconception that queues are slow.",
    "As we saw earlier, the worker retries.",
    "—This one starts with a dash, such things happen.",
    "",
]


def _corpus_sentences(every: int) -> list[str]:
    """The sentences of every `every`-th post of the corpus."""
    corpus = require_corpus()
    out = []
    for name in ("go-blog", "rust-blog", "flink-blog"):
        lines = (corpus / "_index" / f"{name}.jsonl").read_text().splitlines()
        for line in lines[::every]:
            path = json.loads(line)["path"]
            try:
                doc = from_markdown((corpus / path).read_text(), source=path)
            except DistillError:
                continue
            for block in doc.blocks:
                out += [block.text[s:e] for s, e in sentence_spans(block.text)]
    return out


@pytest.mark.slow
def test_the_patterns_find_what_they_found_as_written() -> None:
    # A sixth of the posts (the shape test above is the guarantee; this is its check on
    # real text, kept to a few seconds): about 14,000 sentences.
    sentences = _corpus_sentences(every=6) + EDGES
    assert len(sentences) > 10_000
    shipped = {
        name: getattr(boilerplate, name) for name in boilerplate.AS_WRITTEN if name != "REFERS_BACK"
    }
    for name, fast in shipped.items():
        [written] = boilerplate.AS_WRITTEN[name]
        differ = [s for s in sentences if bool(fast.search(s)) != bool(written.search(s))]
        assert not differ, (name, differ[:3])
    back = boilerplate.AS_WRITTEN["REFERS_BACK"]
    differ = [s for s in sentences if boilerplate.refers_back(s) != any(p.search(s) for p in back)]
    assert not differ, differ[:3]
    found = sum(bool(boilerplate.CALL_TO_ACTION.search(s)) for s in sentences)
    assert found > 20  # the comparison saw matches, not only misses
