"""Helpers shared by the web tests: a library built from the real corpus, a token, a client.

Embeddings are switched off while building (settings embed=False) so the library builds in
seconds; the pages and API under test read what the store holds either way. The 30-article
library is built once per test run (`pristine_library`) and never written to: each module
or test that uses it works on a copy (`copy_library`), a file copy of a few milliseconds,
so no test sees another's writes.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from distill.config import load_settings
from distill.ingest.extract import from_markdown
from distill.ingest.pipeline import ingest
from distill.ingest.sources import Source
from distill.models import Document
from distill.plugins import get_summarizer
from distill.store import open_store
from distill.web.app import create_app
from distill.web.security import hash_token, new_token

from .conftest import library_store, require_corpus

CORPUS_ARTICLES = 30  # enough for three pages of 12 on the category page


def corpus_records(count: int) -> list[dict[str, str]]:
    """Index rows (url, path) of Go and Rust posts, two Go for every Rust, in index order."""
    import json

    corpus = require_corpus()
    rows: dict[str, list[dict[str, str]]] = {}
    for name in ("go-blog", "rust-blog"):
        lines = (corpus / "_index" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        rows[name] = [r for r in map(json.loads, lines) if r.get("title") and r.get("date")]
    mixed = []
    for i in range(len(rows["go-blog"])):
        mixed.append(rows["go-blog"][i])
        if i % 2 == 1 and i // 2 < len(rows["rust-blog"]):
            mixed.append(rows["rust-blog"][i // 2])
    return mixed[: count * 2]


def corpus_source(row: dict[str, str]) -> Source:
    """A corpus post read at run time, with its public URL so cards show the real site."""
    path = require_corpus() / row["path"]

    def load(_settings: object) -> Document:
        doc = from_markdown(path.read_text(encoding="utf-8"), source=str(path))
        doc.url = doc.canonical_url = row["url"]
        doc.site = urlsplit(row["url"]).hostname or ""
        doc.date = doc.date or row["date"][:10]
        return doc

    return Source(str(path), load)


def build_library(home: Path, count: int = CORPUS_ARTICLES, embed: bool = False) -> list[int]:
    """Import `count` corpus articles into the library at `home`; return their ids.

    Without embeddings unless asked (MiniLM would dominate the tests' set-up time)."""
    settings = load_settings(home).replace(embed=embed)
    store = open_store(home, settings.database_url)
    backend = get_summarizer(settings.summarizer)
    ids = []
    try:
        for row in corpus_records(count):  # a few posts are too thin to import: skip them
            result = ingest(corpus_source(row), store, settings, backend)
            if result.id:
                ids.append(result.id)
            if len(ids) == count:
                break
    finally:
        store.close()
    return ids


def make_token(home: Path, name: str = "tester") -> str:
    token = new_token()
    store = library_store(home)
    try:
        store.web.create_token(name, hash_token(token))
    finally:
        store.close()
    return token


_PRISTINE: list[Path] = []  # the built library, once per test process


def pristine_library() -> Path:
    """The CORPUS_ARTICLES-article library, built on first use and then shared.

    A plain function with a cache rather than only a fixture: test_web_schema needs its app
    when its module is imported, before any fixture runs. conftest's `corpus_library`
    fixture hands the same folder to the other modules. Never write to it: copy it."""
    if not _PRISTINE:
        folder = Path(tempfile.mkdtemp(prefix="distill-corpus-library-"))
        atexit.register(shutil.rmtree, folder, True)
        build_library(folder / "library")
        _PRISTINE.append(folder / "library")
    return _PRISTINE[0]


def copy_library(dest: Path) -> Path:
    """A private copy of the pristine library at `dest` (the SQLite file is closed)."""
    shutil.copytree(pristine_library(), dest)
    return dest


def client_for(home: Path, host: str = "127.0.0.1", **settings: object) -> TestClient:
    app = create_app(load_settings(home).replace(**settings), host=host)
    return TestClient(app, base_url="http://127.0.0.1")
