"""The hostile-input corpus: every attack from issue 17 (and a few more), generated.

Each Case is one input and the outcome it must have: `added` (a correct article, with the
listed title when one is given) or an error containing `error`. Files are generated rather
than stored so the repository holds no bombs, and so sizes can follow the limits.

    python -m tests.hostile_corpus OUTDIR    # write the corpus and its manifest.json

tests/test_hostile_corpus.py runs every case against a real library; bench/fuzz.py
goes further with generated inputs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROSE = (
    "Write-ahead logging makes a database durable: every change is appended to the log "
    "and flushed before the data pages are touched, so a crash replays the log. "
)
ARTICLE_MD = f"# Durable Writes\n\n{PROSE * 4}\n"


@dataclass
class Case:
    """One hostile input: how to feed it (`kind`) and what must come out."""

    name: str
    kind: str  # file | jsonl | feed | url
    filename: str = ""
    data: bytes = b""
    expect: str = "added"  # "added" or a substring of the error
    title: str = ""  # for added cases: the title the article must have
    # jsonl: the outcome of each line, in order ("added" or an error substring)
    lines: list[str] = field(default_factory=list)


def _laughs(levels: int, width: int = 10, key: str = "title") -> str:
    out = ['a0: &a0 "lol"']
    for i in range(1, levels):
        out.append(f"a{i}: &a{i} [" + ", ".join(f"*a{i - 1}" for _ in range(width)) + "]")
    out.append(f"{key}: *a{levels - 1}")
    return "\n".join(out)


def _body(name: str) -> str:
    """The article text with the case's name in it, so no case is a duplicate of another."""
    return f"{ARTICLE_MD}\nThis copy is case {name}.\n"


def _md(front: str, name: str) -> bytes:
    return f"---\n{front}\n---\n{_body(name)}".encode()


def _html(body: str, head: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def markdown_cases() -> list[Case]:
    return [
        Case(
            "yaml-laughs-title", "file", "laughs-title.md", _md(_laughs(9), "1"), "expands to more"
        ),
        Case(
            "yaml-laughs-tags",
            "file",
            "laughs-tags.md",
            _md(_laughs(9, key="tags"), "2"),
            "expands to more",
        ),
        Case(
            "yaml-flow-nesting",
            "file",
            "flow.md",
            _md("tags: " + "[" * 20_000 + "]" * 20_000, "3"),
            "nested more than 64 levels",
        ),
        Case(
            "yaml-block-nesting",
            "file",
            "block.md",
            _md("tags:\n" + "".join("  " * i + "- \n" for i in range(100)), "4"),
            "nested more than 64 levels",
        ),
        Case(
            "yaml-oversized", "file", "big-front.md", _md("title: " + "x" * 100_000, "5"), "65,536"
        ),
        Case(
            "yaml-python-tag",
            "file",
            "tag.md",
            _md("title: !!python/object/apply:os.system ['true']", "6"),
            "not valid YAML",
        ),
        Case(
            "toml-nesting",
            "file",
            "toml.md",
            ("+++\ntags = " + "[" * 5000 + "]" * 5000 + "\n+++\n" + _body("7")).encode(),
            "nested more than 64 levels",
        ),
        Case(
            "markdown-quote-nesting",
            "file",
            "quotes.md",
            (">" * 50_000 + " deep\n\n" + _body("8")).encode(),
            "added",
            "Durable Writes",
        ),
        Case(
            "markdown-controls",
            "file",
            "controls.md",
            _md('title: "Clean\\0 \\e[31mTitle\\a"', "9"),
            "added",
            "Clean Title",
        ),
        Case("binary-as-markdown", "file", "binary.md", b"\x00\x01\x02" * 1000, "binary"),
        Case("empty-file", "file", "empty.md", b"", "empty"),
    ]


def html_cases() -> list[Case]:
    def article(name: str, title: str = "Durable Writes") -> str:
        return f"<article><h1>{title}</h1><p>{PROSE * 4} Case {name}.</p></article>"

    deep_ld = '{"@type": "Article", "author": ' + "[" * 50_000 + "]" * 50_000 + "}"
    return [
        Case(
            "json-ld-nesting",
            "file",
            "ld.html",
            _html(article("ld"), f'<script type="application/ld+json">{deep_ld}</script>'),
            "added",
            "Durable Writes",
        ),
        Case(
            "element-bomb",
            "file",
            "elements.html",
            _html("<article>" + "<p>x</p>" * 300_000 + "</article>"),
            "HTML elements",
        ),
        Case(
            "div-nesting",
            "file",
            "divs.html",
            _html("<div>" * 20_000 + article("divs") + "</div>" * 20_000),
            "no article text",  # libxml2 stops at 256 levels: what is left has no text
        ),
        Case("no-text", "file", "empty.html", _html("<nav>menu</nav>"), "no article text"),
        Case(
            "html-nul",
            "file",
            "nul.html",
            _html(article("nul", "Durable\x00 Writes")),
            "binary file",  # NUL never occurs in a text page: refused as binary
        ),
        Case(
            "html-escape-sequences",
            "file",
            "escapes.html",
            _html(article("esc", "Durable \x1b]0;owned\x07\x1b[31mWrites\x0b")),
            "added",
            "Durable Writes",
        ),
        Case(
            "bad-utf8",
            "file",
            "latin.html",
            _html(article("latin")).replace(b"Write-ahead", b"Write\xe9ahead"),
            "added",
            "Durable Writes",
        ),
    ]


def jsonl_case() -> Case:
    good = {"title": "Durable Writes", "text": PROSE * 4}
    lines = [
        (json.dumps({**good, "id": 1}), "added"),
        ('{"id": 2, "text": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested more than 64"),
        (json.dumps({"id": 3, "text": "word " * 2_200_000}), "over the limit"),
        ('{"id": 4, "title": "t", "text": "x", "tags": ' + "[" * 80 + "]" * 80 + "}", "nested"),
        ('{"id": 5, "title": "lone \\ud800 surrogate", "text": "' + PROSE * 4 + 'x"}', "added"),
        (json.dumps({"id": 6, "title": "nul\x00 \x1b[2Jtitle", "text": PROSE * 5}), "added"),
        ("[1, 2, 3]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
        (json.dumps({"id": 9, "title": "no text"}), "neither 'text' nor 'html'"),
        (json.dumps({"id": 10, "title": "Last Good", "text": PROSE * 6}), "added"),
    ]
    data = "\n".join(line for line, _ in lines) + "\n"
    return Case("jsonl-mixed", "jsonl", "batch.jsonl", data.encode(), lines=[e for _, e in lines])


def feed_cases() -> list[Case]:
    entity_bomb = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lollollol">'
        + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
        + ']><rss version="2.0"><channel><title>&i;</title><item><title>x</title>'
        "<link>http://127.0.0.1/x</link></item></channel></rss>"
    )
    deep_json = '{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 60_000
    return [
        # expat refuses to expand it: the feed reads with the entity left as text
        Case("rss-entity-bomb", "feed", "bomb.xml", entity_bomb.encode(), "added"),
        Case(
            "json-feed-nesting",
            "feed",
            "deep.json",
            (deep_json + "]" * 60_000 + "}").encode(),
            "nested more than 64 levels",
        ),
        Case("feed-garbage", "feed", "garbage.xml", b"\x00\xff" * 5000, "feed"),
    ]


def url_cases() -> list[Case]:
    return [
        Case("url-port-out-of-range", "url", data=b"http://127.0.0.1:99999/", expect="Port"),
        Case("url-bracketed-ipv4", "url", data=b"http://[127.0.0.1]/", expect="not a valid URL"),
        Case("url-metadata", "url", data=b"http://100.100.100.200/", expect="non-public"),
        Case("url-mapped-loopback", "url", data=b"http://[::ffff:127.0.0.1]/", expect="non-public"),
        Case("url-6to4-private", "url", data=b"http://[2002:a00:1::1]/", expect="non-public"),
        Case("url-nat64-private", "url", data=b"http://[64:ff9b::a00:1]/", expect="non-public"),
        Case("url-slow-headers", "url", data=b"TRICKLE", expect="total timeout"),
    ]


def all_cases() -> list[Case]:
    return markdown_cases() + html_cases() + [jsonl_case()] + feed_cases() + url_cases()


def write_corpus(folder: Path) -> list[Case]:
    """Write each case's file into `folder`, plus manifest.json describing the outcomes."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = all_cases()
    manifest = []
    for case in cases:
        if case.filename:
            (folder / case.filename).write_bytes(case.data)
        entry = {k: v for k, v in asdict(case).items() if k != "data"}
        if case.kind == "url":
            entry["url"] = case.data.decode()
        manifest.append(entry)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    written = write_corpus(target)
    print(f"{len(written)} cases written to {target}")
