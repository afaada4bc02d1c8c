"""The command line as a user drives it: the installed `distill` entry point and --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import load_settings, settings_markdown
from distill.store import open_store

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def cli(home: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args], input=input)
    return result.exit_code, result.stdout


def test_import_examples_then_list_newest_first_with_paging(home: Path) -> None:
    code, out = cli(home, "import", str(EXAMPLES), "--json")
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(rows) == len(list(EXAMPLES.glob("*.md"))) >= 8
    assert {tuple(sorted(r)) for r in rows} == {
        (
            "date",
            "duplicate_of",
            "error",
            "fallback",  # added by the llm backend (docs/cli.md); null for offline backends
            "id",
            "site",
            "source",
            "status",
            "title",
            "words",
        )
    }
    code, out = cli(home, "list", "--json", "--per-page", "3", "--page", "2")
    page = json.loads(out)
    assert page["total"] == len(rows) and page["page"] == 2 and len(page["articles"]) == 3
    code, out = cli(home, "list", "--json", "--per-page", "100")
    dates = [a["date"] for a in json.loads(out)["articles"]]
    assert dates == sorted(dates, reverse=True)
    code, out = cli(home, "list", "--json", "--after", "2025-06-01", "--before", "2026-01-01")
    assert all("2025-06-01" <= a["date"] < "2026-01-01" for a in json.loads(out)["articles"])
    code, text = cli(home, "list")
    assert code == 0 and f"of {len(rows)} articles" in text


def test_import_twice_reports_duplicates_and_a_count(home: Path) -> None:
    cli(home, "import", str(EXAMPLES))
    code, out = cli(home, "import", str(EXAMPLES))
    count = len(list(EXAMPLES.glob("*.md")))
    assert code == 0 and f"0 added, {count} duplicate, 0 failed" in out


def test_show_renders_summary_and_text(home: Path) -> None:
    code, out = cli(home, "add", str(EXAMPLES / "caching-strategies.md"), "--json")
    article_id = json.loads(out)["id"]
    code, out = cli(home, "show", str(article_id))
    assert code == 0 and "Executive summary" in out and "Article text" in out
    code, out = cli(home, "show", str(article_id), "--json")
    data = json.loads(out)
    assert data["summary"]["backend"]["name"] == load_settings(home).summarizer
    line = data["summary"]["sections"][0]["lines"][0]
    block = data["blocks"][line["source"][0]["block"]]["text"]
    assert block[line["source"][0]["start"] : line["source"][0]["end"]] == line["text"]


def test_add_from_stdin(home: Path) -> None:
    text = (
        "# Backpressure\n\nWhen a consumer is slower than its producer, a bounded queue "
        "pushes back instead of growing until the process runs out of memory.\n"
    )
    code, out = cli(home, "add", "-", "--json", input=text)
    row = json.loads(out)
    assert code == 0 and row["status"] == "added" and row["title"] == "Backpressure"


def test_markup_in_titles_is_printed_literally(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wide enough that the title is not wrapped inside its cell (the listing has a reading
    # state column since issue 14)
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "x.md"
    path.write_text(
        "# [bold red]Not markup[/] <script>alert(1)</script>\n\n"
        "This article's title contains terminal markup that must print as is.\n"
    )
    cli(home, "add", str(path))
    code, out = cli(home, "list")
    assert "[bold red]Not markup[/]" in out.replace("\n", "")
    assert "\x1b[" not in out


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    env = {**os.environ, "DISTILL_HOME": str(tmp_path / "lib")}
    exe = Path(sys.executable).with_name("distill")
    out = subprocess.run(
        [str(exe), "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == {"total": 0, "page": 1, "per_page": 20, "articles": []}
    out = subprocess.run(
        [sys.executable, "-m", "distill", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "import" in out.stdout


def test_library_is_one_wal_sqlite_file_with_recorded_migrations(home: Path) -> None:
    store = open_store(home)
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations")]
        assert names[0] == "0001_articles"
    finally:
        store.close()
    assert (home / "library.sqlite3").is_file()


def test_every_setting_is_documented() -> None:
    assert (REPO / "docs" / "settings.md").read_text() == settings_markdown()


def test_settings_file_and_environment_override_defaults(home: Path, monkeypatch) -> None:
    from distill.config import load_settings

    home.mkdir(parents=True)
    (home / "distill.toml").write_text("max_bytes = 1234\nread_timeout = 2.5\n")
    monkeypatch.setenv("DISTILL_MAX_BYTES", "99")
    loaded = load_settings(home)
    assert loaded.max_bytes == 99 and loaded.read_timeout == 2.5
    (home / "distill.toml").write_text("no_such_setting = 1\n")
    code, out = cli(home, "list", "--json")
    assert code == 1 and "unknown setting 'no_such_setting'" in out


def test_added_article_has_article_and_section_vectors(home: Path) -> None:
    import numpy as np

    code, out = cli(home, "add", str(EXAMPLES / "database-sharding.md"), "--json")
    article_id = json.loads(out)["id"]
    store = open_store(home)
    try:
        vector = store.article_vector(article_id)
        assert vector is not None and vector.shape == (384,)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
        headings = [
            r[0]
            for r in store.conn.execute(
                "SELECT heading FROM vectors WHERE article_id = ? AND kind = 'section'"
                " ORDER BY ordinal",
                (article_id,),
            )
        ]
        assert len(headings) >= 3 and all(headings[1:])
    finally:
        store.close()


def test_each_command_is_found_by_the_module_table_and_add_loads_no_server_code() -> None:
    """The root group imports a command's module on demand: its table must name exactly the
    modules that register each command, or a command would be missing from the line."""
    from distill.cli.root import COMMAND_MODULES, load_commands

    load_commands()
    registered: dict[str, set[str]] = {}
    for name, command in main.commands.items():
        parts = [command, *getattr(command, "commands", {}).values()]
        registered[name] = {c.callback.__module__.rsplit(".", 1)[1] for c in parts if c.callback}
    assert registered == {name: set(mods) for name, mods in COMMAND_MODULES.items()}

    # fresh interpreters: `add` loads neither the feed reader nor httpx; `list` not even
    # the ingest pipeline (nor, through it, the summarizer and the classifier)
    def loaded(command: str, watched: tuple[str, ...]) -> list[str]:
        probe = (
            "import sys\nfrom distill.cli import main\n"
            f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {watched!r} if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
        return json.loads(out.strip().splitlines()[-1].replace("'", '"'))

    assert loaded("add", ("feedparser", "httpx", "trafilatura", "scipy")) == []
    assert loaded("list", ("distill.ingest.pipeline", "distill.classify.classifier")) == []
