"""Export, import of an export, Markdown export, backup and restore (issue 14).

A library of real corpus articles with embeddings, stars, reading states, user labels, a
tag merge and a feed with entries is exported and imported into an empty library; every
table that carries user data must come back row for row, byte for byte.

The library is built once, on SQLite. The PostgreSQL test copies it into a database
(`migrate-db`), exports that, imports the export into an empty database and into an empty
SQLite library, and finds every row again. Backup and restore stay SQLite-only: a backup is
a copy of the SQLite file (a PostgreSQL database is backed up with its own tools).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from distill.classify import corrections
from distill.config import load_settings
from distill.search.engine import search
from distill.store import open_store
from distill.store.export_rows import ARTICLE_TABLES

from .pg_server import PgServer
from .web_support import build_library

# Every table whose rows an export carries (store/export_sql.py says why the rest do not).
USER_TABLES = ("articles", *ARTICLE_TABLES, "feeds", "feed_entries", "tag_merges")


def cli(home: Path, *args: str, database: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISTILL_EMBED": "false", "DISTILL_DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "distill", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def dump(home: Path, database: str = "") -> dict[str, list[tuple[object, ...]]]:
    store = open_store(home, database)
    try:
        return {
            t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
            for t in USER_TABLES
        }
    finally:
        store.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("export") / "library"
    ids = build_library(home, count=12, embed=True)
    store = open_store(home)
    conn = store.conn
    settings = load_settings(home)
    try:
        store.web.set_starred(ids[0], True)
        store.reading.set_state([ids[1], ids[2]], "read")
        store.reading.set_state([ids[3]], "archived")
        corrections.categorize(store, settings, ids[4], "security")
        corrections.replace_tags(store, settings, ids[5], ["Go", "my own tag"])
        conn.execute("INSERT INTO tag_merges (alias, tag) VALUES ('golang', 'Go')")
        store.web.record_visit(ids[0], "2026-11-01", "visitor-a")
        feed_id, _ = store.feeds.add_feed(
            "https://blog.example/feed.xml", "Example", "https://blog.example/", 3600, 1e9
        )
        entry = store.feeds.insert_entry(
            feed_id, "guid-1", "https://blog.example/1", "One", "", "", "added", 1e9
        )
        assert entry is not None
        store.feeds.mark_entry(entry, "added", ids[6])
        conn.execute("UPDATE feeds SET paused = 1 WHERE id = ?", (feed_id,))
    finally:
        store.close()
    return home


def test_jsonl_export_imports_into_an_identical_library(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "library.jsonl"
    exported = cli(library, "export", "--format", "jsonl", str(out), "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout) == {"format": "jsonl", "output": str(out), "articles": 12}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["type"] == "distill-export"
    assert [json.loads(x)["type"] for x in lines[-3:]] == ["feed", "tag_merges", "end"]

    fresh = tmp_path / "fresh"
    imported = cli(fresh, "import", str(out), "--json")
    assert imported.returncode == 0, imported.stderr
    statuses = [json.loads(x)["status"] for x in imported.stdout.splitlines()]
    assert statuses == ["added"] * 12
    before, after = dump(library), dump(fresh)
    for table in USER_TABLES:
        assert after[table] == before[table], table
    assert before["vectors"] and before["reading_state"] and before["feed_entries"]

    # derived indexes were rebuilt by the triggers: text and meaning search find the same
    title = before["articles"][7][4]
    for home in (library, fresh):
        store = open_store(home)
        try:
            assert search(store, str(title), "text").results[0].id == before["articles"][7][0]
            assert search(store, str(title), "vector").results[0].id == before["articles"][7][0]
        finally:
            store.close()

    # importing it again: every article is a duplicate, nothing doubles
    again = cli(fresh, "import", str(out))
    assert again.returncode == 0 and "0 added, 12 duplicate, 0 failed" in again.stdout
    assert dump(fresh) == after


def test_selection_and_a_cut_export(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "security.jsonl"
    done = cli(library, "export", str(out), "--category", "security", "--json")
    assert done.returncode == 0, done.stderr
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["whole_library"] is False
    assert {r["type"] for r in records} == {"distill-export", "article", "end"}
    assert cli(library, "export", str(out)).returncode == 1  # exists: needs --force
    assert "use --force" in cli(library, "export", str(out)).stderr
    assert cli(library, "export", str(out), "--since", "yesterday").returncode == 1

    whole = tmp_path / "whole.jsonl"
    assert cli(library, "export", str(whole)).returncode == 0
    text = whole.read_bytes()
    lines = text.splitlines(keepends=True)
    cut = b"".join(lines[:6]) + lines[6][: len(lines[6]) // 2]  # header, 5 articles, half
    broken = tmp_path / "cut.jsonl"
    broken.write_bytes(cut)
    fresh = tmp_path / "fresh"
    result = cli(fresh, "import", str(broken), "--json")
    assert result.returncode == 1
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["added"] * 5 + ["failed"] * 2
    assert rows[5]["error"].startswith(f"{broken}:7: not valid JSON")
    assert "the export was cut short" in rows[6]["error"]
    assert len(dump(fresh)["articles"]) == 5


def test_markdown_export_one_safe_file_per_article(library: Path, tmp_path: Path) -> None:
    folder = tmp_path / "md"
    done = cli(library, "export", "--format", "markdown", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    files = sorted(folder.iterdir())
    assert len(files) == 12
    assert all(re.fullmatch(r"\d{6}-[a-z0-9]+(-[a-z0-9]+)*\.md", f.name) for f in files)
    starred = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        assert set(front) >= {"title", "url", "date", "category", "tags", "state", "starred"}
        assert front["title"] and front["url"].startswith("https://")
        assert "## Executive summary" in text
        starred += front["starred"]
    assert starred == 1
    refused = cli(library, "export", "--format", "markdown", str(folder))
    assert refused.returncode == 1 and "folder is not empty" in refused.stderr
    assert cli(library, "export", "--format", "markdown", str(folder), "--force").returncode == 0


def test_backup_and_restore_refuse_a_library_kept_in_postgresql(
    library: Path, tmp_path: Path, pg_server: PgServer
) -> None:
    """They copy the SQLite file in the library folder: on a PostgreSQL library that file
    is not the library, so a backup would hold nothing and say all was well."""
    database = pg_server.new_database()
    out = tmp_path / "library.sqlite3"
    for args in (["backup", str(out)], ["restore", str(out)]):
        refused = cli(library, *args, database=database)
        assert refused.returncode == 1
        assert "in PostgreSQL" in refused.stderr and "pg_dump" in refused.stderr
        assert "migrate-db --to FOLDER" in refused.stderr and "Traceback" not in refused.stderr
    assert not out.exists()
    assert cli(library, "backup", str(out)).returncode == 0  # the SQLite library still can
    assert cli(library, "restore", str(out), "--check", database=database).returncode == 0


def test_backup_and_restore_bring_back_the_library_exactly(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups" / "library.sqlite3"
    made = cli(library, "backup", str(out), "--json")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert report["tables"]["articles"] == 12 and Path(report["manifest"]).is_file()
    assert cli(library, "backup", str(out)).returncode == 1  # exists

    fresh = tmp_path / "restored"
    restored = cli(fresh, "restore", str(out), "--json")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["articles"] == 12
    assert dump(fresh) == dump(library)
    # a second restore over a library with articles needs --force
    again = cli(fresh, "restore", str(out))
    assert again.returncode == 1 and "use --force" in again.stderr
    assert cli(fresh, "restore", str(out), "--force").returncode == 0

    # a damaged backup is refused before it touches the library
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(out.read_bytes()[:-4096] + b"\0" * 4096)
    Path(str(damaged) + ".manifest.json").write_text(
        Path(str(out) + ".manifest.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    other = tmp_path / "other"
    refused = cli(other, "restore", str(damaged))
    assert refused.returncode == 1 and "differ from its manifest" in refused.stderr
    assert cli(other, "restore", str(tmp_path / "missing.sqlite3")).returncode == 1


def test_jsonl_export_and_import_on_postgresql(
    library: Path, tmp_path: Path, pg_server: PgServer
) -> None:
    source, target = pg_server.new_database(), pg_server.new_database()
    home = tmp_path / "pg"  # settings only; the rows live in the databases
    copied = cli(library, "migrate-db", "--to", source)
    assert copied.returncode == 0, copied.stderr
    out = tmp_path / "library.jsonl"
    exported = cli(home, "export", "--format", "jsonl", str(out), "--json", database=source)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["articles"] == 12

    imported = cli(home, "import", str(out), "--json", database=target)
    assert imported.returncode == 0, imported.stderr
    assert [json.loads(x)["status"] for x in imported.stdout.splitlines()] == ["added"] * 12
    before, after = dump(home, source), dump(home, target)
    for table in USER_TABLES:
        assert after[table] == before[table], table
    assert before["vectors"] and before["reading_state"] and before["feed_entries"]

    # an export of the import is the same file (rows in stored order), but for its header
    again = tmp_path / "again.jsonl"
    assert cli(home, "export", str(again), database=target).returncode == 0
    assert again.read_text().splitlines()[1:] == out.read_text().splitlines()[1:]

    # the derived index and vectors were made: text and meaning search find the article
    title, first = before["articles"][7][4], before["articles"][7][0]
    store = open_store(home, target)
    try:
        assert search(store, str(title), "text").results[0].id == first
        assert search(store, str(title), "vector").results[0].id == first
        next_id = store.conn.execute(  # the next new article's id is past the imported ones
            "SELECT nextval(pg_get_serial_sequence('articles', 'id'))"
        ).fetchone()[0]
        assert next_id > max(row[0] for row in after["articles"])
    finally:
        store.close()

    # into SQLite: the same rows as the library the PostgreSQL database was copied from
    fresh = tmp_path / "sqlite"
    assert cli(fresh, "import", str(out)).returncode == 0
    assert dump(fresh) == {t: dump(library)[t] for t in USER_TABLES}

    again_in = cli(home, "import", str(out), database=target)
    assert again_in.returncode == 0 and "0 added, 12 duplicate, 0 failed" in again_in.stdout
    assert dump(home, target) == after
