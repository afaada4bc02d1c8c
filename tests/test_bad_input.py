"""Bad input: a clear message naming the problem, and nothing already stored lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main

GOOD = """---
title: Connection pooling in practice
date: 2025-02-01
tags: [PostgreSQL]
---

A connection pool keeps a small number of database connections open and lends them to
requests, so each request skips the cost of a TCP and TLS handshake and authentication.

## Sizing

Start with a pool of about twice the number of CPU cores and measure queueing.
"""


def run(home: Path, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["--home", str(home), *args, "--json"])
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    return result.exit_code, lines


@pytest.fixture
def library(home: Path, tmp_path: Path) -> Path:
    good = tmp_path / "good.md"
    good.write_text(GOOD)
    code, lines = run(home, "add", str(good))
    assert code == 0 and lines[0]["status"] == "added"
    return home


def library_snapshot(home: Path) -> list[dict]:
    code, lines = run(home, "list")
    assert code == 0
    return lines[0]["articles"]


BAD_FILES = {
    "empty.md": (b"", "file is empty"),
    "binary.html": (bytes(range(256)) * 40, "binary file"),
    "no-article.html": (
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "no article text",
    ),
    "broken-front-matter.md": (
        b"---\ntitle: [unclosed\ndate: 2020\n---\n\nSome text here.\n",
        "front matter is not valid YAML",
    ),
    "unclosed-front-matter.md": (b"---\ntitle: x\n\nbody text goes on and on\n", "never closed"),
    "image.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "unsupported file type"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_fails_clearly_and_keeps_library(library: Path, tmp_path: Path, name: str) -> None:
    before = library_snapshot(library)
    data, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, lines = run(library, "add", str(path))
    assert code == 1
    assert lines[0]["status"] == "failed"
    assert message in lines[0]["error"] and name in lines[0]["error"]
    assert library_snapshot(library) == before


def test_fifty_megabyte_file_is_refused_without_reading_it(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    before = library_snapshot(library)
    code, lines = run(library, "add", str(path))
    assert code == 1 and "over the limit" in lines[0]["error"] and "max_bytes" in lines[0]["error"]
    assert library_snapshot(library) == before


def test_non_utf8_file_is_decoded_not_mangled(library: Path, tmp_path: Path) -> None:
    text = (
        "Über die Zuverlässigkeit verteilter Systeme\n\nEin Cluster mit fünf Knoten "
        "übersteht den Ausfall von zwei Knoten, wenn jede Schreiboperation eine Mehrheit "
        "bestätigen muss. Größere Cluster erhöhen die Latenz für Schreibzugriffe.\n"
    )
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    code, lines = run(library, "add", str(path))
    assert code == 0, lines
    code, shown = run(library, "show", str(lines[0]["id"]))
    assert shown[0]["title"] == "Über die Zuverlässigkeit verteilter Systeme"
    assert "übersteht den Ausfall" in shown[0]["blocks"][0]["text"]


def test_folder_import_lands_the_good_files_and_names_the_bad(
    library: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    (folder / "nested").mkdir(parents=True)
    for i in range(3):
        (folder / "nested" / f"ok-{i}.md").write_text(
            f"# Note {i}\n\nDistinct article number {i} about queue depth, retries and "
            f"back-pressure in service {i}, with enough words to count as prose.\n"
        )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.htm").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "ignored.png").write_bytes(b"\x89PNG")
    code, lines = run(library, "import", str(folder))
    assert code == 1
    by_status: dict[str, list[dict]] = {}
    for line in lines:
        by_status.setdefault(line["status"], []).append(line)
    assert len(by_status["added"]) == 3
    assert sorted(Path(x["source"]).name for x in by_status["failed"]) == [
        "binary.htm",
        "empty.txt",
    ]
    assert len(library_snapshot(library)) == 4


def test_jsonl_import_reports_bad_lines_by_number(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    good = {
        "id": "a1",
        "url": "https://example.com/posts/retries",
        "title": "Retries",
        "text": "Retries with exponential backoff and jitter spread load after an outage, "
        "so clients do not all return at the same moment.",
        "date": "2024-05-06",
        "authors": ["Ada"],
        "tags": ["HTTP"],
    }
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"id": "x"}) + "\n[1]\n")
    code, lines = run(library, "import", str(path))
    assert code == 1
    assert [x["status"] for x in lines] == ["added", "failed", "failed", "failed"]
    assert "articles.jsonl:2" in lines[1]["error"] and "not valid JSON" in lines[1]["error"]
    assert "neither 'text' nor 'html'" in lines[2]["error"]
    code, shown = run(library, "show", str(lines[0]["id"]))
    assert shown[0]["title"] == "Retries" and shown[0]["date"] == "2024-05-06"
    assert shown[0]["authors"] == ["Ada"] and shown[0]["url"] == good["url"]


def test_unknown_id_and_missing_file_are_clear(library: Path) -> None:
    code, lines = run(library, "show", "999")
    assert code == 1 and lines == [{"error": "no article with id 999"}]
    code, lines = run(library, "add", "/nonexistent/file.md")
    assert code == 1 and "no such file" in lines[0]["error"]
