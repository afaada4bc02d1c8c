"""Build (once) and cache a library of the whole corpus for search evaluation.

Every Markdown post listed in ../shared/corpus/_index is ingested with the current pipeline
(extract, summarize, embed, store) into a folder outside the repository (default
/tmp/distill-search-eval). The human summary of each post (front-matter summary,
description or excerpt) is removed from the Document before it is stored, because those
summaries are the evaluation's queries: leaving them in would let every query find its
answer by copying. `ids.json` maps each index row's path to its article id.

Usage: python bench/corpus_library.py [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.config import load_settings  # noqa: E402
from distill.embed import DocumentVectors, article_text, default_embedder  # noqa: E402
from distill.errors import TooLittleText  # noqa: E402
from distill.ingest.pipeline import content_hash  # noqa: E402
from distill.ingest.sources import file_source, normalize_url  # noqa: E402
from distill.plugins import get_summarizer  # noqa: E402
from distill.store import open_store  # noqa: E402


def _corpus() -> Path:
    """DISTILL_CORPUS, else shared/corpus beside the repository (or beside its worktree folder)."""
    if os.environ.get("DISTILL_CORPUS"):
        return Path(os.environ["DISTILL_CORPUS"])
    for parent in (REPO.parent, REPO.parent.parent):
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    return REPO.parent / "shared" / "corpus"


CORPUS = _corpus()
DEFAULT_HOME = Path("/tmp/distill-search-eval")
SETS = ("go-blog", "rust-blog", "flink-blog")
BATCH = 64


def index_rows(corpus: Path = CORPUS) -> list[dict]:
    rows = []
    for name in SETS:
        with open(corpus / "_index" / f"{name}.jsonl", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def build(home: Path, corpus: Path = CORPUS) -> dict[str, int]:
    """Ingest the corpus into `home` unless ids.json says it is already there.

    To keep the build bounded on a shared 2-core machine (MiniLM costs about a second per
    text there), only the whole-article vector is computed, in batches across articles;
    section vectors are left out of this evaluation library.
    """
    ids_file = home / "ids.json"
    if ids_file.exists():
        return dict(json.loads(ids_file.read_text()))
    settings = load_settings(home)
    store = open_store(home)
    summarizer = get_summarizer(settings.summarizer)
    embedder = default_embedder()
    ids: dict[str, int] = {}
    started = time.time()
    rows = index_rows(corpus)
    for first in range(0, len(rows), BATCH):
        docs = []
        for row in rows[first : first + BATCH]:
            try:
                doc = file_source(corpus / row["path"]).load(settings)
            except Exception as exc:  # noqa: BLE001 - report and go on; the eval counts misses
                print(f"skip {row['path']}: {exc}", file=sys.stderr)
                continue
            doc.description = ""  # the human summary is the query; keep it out of the library
            doc.canonical_url = normalize_url(doc.canonical_url or doc.url)
            docs.append((row["path"], doc))
        matrix = embedder.embed([article_text(doc) for _, doc in docs])
        for (path, doc), vector in zip(docs, matrix, strict=True):
            digest = content_hash(doc)
            existing = store.find_duplicate(doc.canonical_url, digest)
            if existing is None:
                try:
                    summary = summarizer.summarize(doc)
                except TooLittleText as exc:  # a listing page: the import path refuses it too
                    print(f"skip {path}: {exc}", file=sys.stderr)
                    continue
                vectors = DocumentVectors(article=vector, sections=[])
                existing = store.add_article(doc, digest, summary, vectors, embedder.name)
            ids[path] = existing
        print(f"{first + len(docs)}/{len(rows)} {time.time() - started:.0f}s", file=sys.stderr)
    store.close()
    ids_file.write_text(json.dumps(ids))
    return ids


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    built = build(args.home)
    print(f"{len(built)} articles in {args.home}")
