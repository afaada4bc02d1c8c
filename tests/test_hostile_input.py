"""Hostile bytes: YAML bombs, deep nesting, oversized records, huge pages, control characters.

Each input ends with a clear error naming what was wrong (or a correct article), and the
inputs around it are stored as usual. Real SQLite file, real extraction child processes.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from distill.cli.render import render_article, render_listing
from distill.config import Settings
from distill.errors import FeedError, InputError
from distill.feeds.reader import parse_json_feed
from distill.feeds.subscribe import import_opml
from distill.ingest.pipeline import IngestResult, ingest
from distill.ingest.sources import import_sources, parse_source
from distill.models import Block, Document, Summary
from distill.store import SQLiteStore

PROSE = (
    "Consistent hashing spreads keys over a ring of nodes so that adding a node moves only "
    "the keys between it and its neighbour, instead of reshuffling the whole key space. "
)


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """No embeddings: these tests are about what extraction and storage accept."""
    return settings.replace(embed=False)


def _markdown(front: str, title: str = "Ring Hashing") -> str:
    return f"---\n{front}\n---\n# {title}\n\n{PROSE * 3}\n"


def _add_file(
    tmp_path: Path, name: str, text: str, store: SQLiteStore, s: Settings
) -> IngestResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest(parse_source(str(path)), store, s)


def _laughs(levels: int, width: int = 10) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels):
        refs = ", ".join(f"*a{i - 1}" for _ in range(width))
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"title: *a{levels - 1}")
    return "\n".join(lines)


def test_billion_laughs_front_matter_is_refused(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    # 6 levels of 10 is a million values: small enough to be safe to run on old code.
    result = _add_file(tmp_path, "bomb.md", _markdown(_laughs(6)), store, quick)
    assert result.status == "failed"
    assert "front matter expands to more than 10,000 values" in (result.error or "")
    assert store.article_ids() == []


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("tags: " + "[" * 5000 + "]" * 5000, "nested more than 64 levels"),
        ("title: x\ntags:\n" + "".join("  " * i + "- \n" for i in range(200)), "nested"),
        ("title: " + "x" * 70_000, "over the limit of 65,536"),
    ],
    ids=["flow-nesting", "block-nesting", "oversized"],
)
def test_front_matter_limits_are_clear_errors(
    tmp_path: Path, store: SQLiteStore, quick: Settings, front: str, problem: str
) -> None:
    result = _add_file(tmp_path, "deep.md", _markdown(front), store, quick)
    assert result.status == "failed"
    assert problem in (result.error or "")
    assert "deep.md" in (result.error or "")


def test_deep_toml_front_matter_is_a_clear_error(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    text = "+++\ntags = " + "[" * 3000 + "]" * 3000 + f"\n+++\n# T\n\n{PROSE * 3}\n"
    result = _add_file(tmp_path, "deep.md", text, store, quick)
    assert result.status == "failed" and "nested more than 64 levels" in (result.error or "")


def test_one_bad_json_lines_record_fails_alone(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    good = [
        {"id": n, "title": f"Good record {n}", "text": PROSE * 3 + f" Record {n}."} for n in (1, 2)
    ]
    lines = [
        json.dumps(good[0]),
        '{"id": 9, "title": "deep", "text": ' + "[" * 20_000 + "]" * 20_000 + "}",
        json.dumps({"id": 10, "title": "huge", "text": "word " * 40_000}),
        '{"id": 11, "text": "t", "tags": ' + "[" * 70 + "]" * 70 + "}",
        json.dumps(good[1]),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limited = quick.replace(max_bytes=100_000)
    results = []
    for source in import_sources(path, limited.max_bytes):
        if isinstance(source, InputError):
            results.append(("error", str(source)))
        else:
            results.append((ingest(source, store, limited).status, source.label))
    statuses = [status for status, _ in results]
    assert statuses.count("added") == 2, results
    errors = [text for status, text in results if status == "error"]
    assert any(":2: record is nested more than 64 levels" in e for e in errors), errors
    assert any(":3: record is over the limit of 100,000 bytes" in e for e in errors), errors
    assert any(":4: record is nested more than 64 levels" in e for e in errors), errors
    titles = {store.get_article(i).document.title for i in store.article_ids()}
    assert titles == {"Good record 1", "Good record 2"}


def test_deep_json_feed_is_a_feed_error() -> None:
    data = ('{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 50_000).encode()
    data += b"]" * 50_000 + b"}"
    with pytest.raises(FeedError, match="nested more than 64 levels"):
        parse_json_feed(data, "http://127.0.0.1/feed.json")


def test_page_with_absurd_json_ld_is_still_an_article(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    ld = '{"@type": "Article", "author": ' + "[" * 50_000 + "]" * 50_000 + "}"
    page = (
        f'<html><head><title>Ring Hashing</title><script type="application/ld+json">{ld}'
        f"</script></head><body><article><h1>Ring Hashing</h1><p>{PROSE * 3}</p></article>"
        "</body></html>"
    )
    result = _add_file(tmp_path, "page.html", page, store, quick)
    assert result.status == "added", result.error
    assert result.title == "Ring Hashing"


def test_page_over_the_element_limit_is_refused(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    page = "<html><body><article>" + "<p>x</p>" * 250_000 + "</article></body></html>"
    result = _add_file(tmp_path, "huge.html", page, store, quick)
    assert result.status == "failed"
    assert "more than 200,000 HTML elements" in (result.error or "")


def test_extraction_past_its_time_limit_is_stopped(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    """190,000 tiny paragraphs (under the element limit) take trafilatura minutes; the
    child doing it is stopped at extract_timeout and the next extraction still works."""
    page = "<html><body><article>" + "<p>a b</p>" * 190_000 + "</article></body></html>"
    limited = quick.replace(extract_timeout=1.0)
    result = _add_file(tmp_path, "slow.html", page, store, limited)
    assert result.status == "failed"
    assert "extraction took longer than 1s (extract_timeout); stopped" in (result.error or "")
    after = _add_file(tmp_path, "fine.md", f"# Fine\n\n{PROSE * 3}", store, limited)
    assert after.status == "added", after.error


def test_control_characters_are_stripped_at_ingest(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    record = {
        "title": "Null\x00 and \x1b[31mred\x1b[0m\x07 title",
        "text": f"{PROSE}\x00\x0b{PROSE}\x1b]0;owned\x07{PROSE}",
        "tags": ["ta\x00g"],
    }
    path = tmp_path / "controls.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (source,) = import_sources(path)
    assert not isinstance(source, InputError)
    result = ingest(source, store, quick)
    assert result.status == "added", result.error
    doc = store.get_article(result.id or 0).document
    assert doc.title == "Null and red title"
    assert not any(c in doc.text for c in "\x00\x0b\x1b\x07")
    ET.fromstring(f"<t>{doc.title}{doc.text}</t>".replace("&", "&amp;"))  # valid XML text


def _stored_with_escapes(store: SQLiteStore) -> int:
    """An article stored before ingest stripped controls (written to the store directly)."""
    doc = Document(
        title="\x1b]0;pwned\x07Title \x1b[2J",
        blocks=[Block("paragraph", f"{PROSE} \x1b[31mred\x1b[0m")],
        site="evil\x1b[1m.example",
    )
    return store.add_article(doc, "hash-escapes", Summary("lead", "1", []), None)


def test_show_and_list_never_print_escape_sequences(store: SQLiteStore) -> None:
    article_id = _stored_with_escapes(store)
    out = io.StringIO()
    console = Console(file=out, highlight=False, width=200)
    render_article(console, store.get_article(article_id))
    render_listing(console, store.list_articles(limit=10), 1, 10)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "Title" in text and "red" in text


def test_folder_import_does_not_follow_links_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Secret\n\n{PROSE}", encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "post.md").write_text(f"# Post\n\n{PROSE}", encoding="utf-8")
    (folder / "link.md").symlink_to(outside / "secret.md")
    (folder / "linkdir").symlink_to(outside, target_is_directory=True)
    found = list(import_sources(folder))
    labels = [s.label for s in found if not isinstance(s, InputError)]
    errors = [str(s) for s in found if isinstance(s, InputError)]
    assert labels == [str(folder / "post.md")]
    assert len(errors) == 1 and "outside the folder; not imported" in errors[0]


def test_opml_over_the_size_limit_is_refused(
    tmp_path: Path, store: SQLiteStore, quick: Settings
) -> None:
    path = tmp_path / "big.opml"
    outline = '<outline xmlUrl="http://127.0.0.1/feed{}.xml"/>'
    path.write_text(
        "<opml><body>" + "".join(outline.format(i) for i in range(3000)) + "</body></opml>"
    )
    with pytest.raises(FeedError, match=r"over the limit of 10,000 \(max_bytes\)"):
        import_opml(store, quick.replace(max_bytes=10_000), path)
    assert store.conn.execute("SELECT count(*) FROM feeds").fetchone()[0] == 0
