"""How much do section vectors buy search, and at what embedding cost per article?

Section vectors are most of MiniLM's work at ingest (an article has about six sections
beside its one article vector), and embedding is most of an article's CPU time in the feed
path (docs/benchmarks.md, "Feeds"). This evaluation decides how many sections, of how many
words, are worth embedding. For each configuration it copies the evaluation library of
bench/eval_search.py (article vectors only), adds section vectors made that way from the
same corpus posts, and scores known-item and paraphrased queries in vector and hybrid mode,
all in one run; the first row (no section vectors) is the baseline. It also prints the
embedding CPU time per article for each configuration (one torch thread, as in the worker).

    .venv/bin/python bench/eval_sections.py
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import torch  # noqa: E402
from corpus_library import CORPUS, DEFAULT_HOME, build, index_rows  # noqa: E402
from eval_search import EMBEDDER, known_items, paraphrases, score  # noqa: E402

from distill import embed  # noqa: E402
from distill.config import load_settings  # noqa: E402
from distill.ingest.sources import file_source  # noqa: E402
from distill.store import open_store  # noqa: E402

# (words per section text, sections per article); None: no section vectors (the baseline).
CONFIGS: list[tuple[int, int] | None] = [None, (200, 32), (128, 12), (96, 8), (64, 6)]


def corpus_docs(ids: dict[str, int]) -> list[tuple[int, object]]:
    settings = load_settings(Path("/tmp"))
    out, seen = [], set()
    for row in index_rows():
        if row["path"] not in ids or ids[row["path"]] in seen:
            continue  # one post is stored twice under two paths (a duplicate)
        seen.add(ids[row["path"]])
        doc = file_source(CORPUS / row["path"]).load(settings)
        doc.description = ""
        out.append((ids[row["path"]], doc))
    return out


def add_sections(home: Path, docs: list[tuple[int, object]], words: int, sections: int) -> float:
    """Store section vectors made with this configuration; return embedding CPU s/article."""
    store = open_store(home)
    cpu = 0.0
    for article_id, doc in docs:
        parts = embed.section_texts(doc, sections, words)  # type: ignore[arg-type]
        started = time.process_time()
        matrix = embed.default_embedder().embed([text for _, _, text in parts])
        cpu += time.process_time() - started
        store.conn.execute("BEGIN")
        for ordinal, ((heading, block, _), vector) in enumerate(zip(parts, matrix, strict=True), 1):
            store.conn.execute(
                "INSERT INTO vectors (article_id, kind, ordinal, heading, block, model,"
                " dimensions, vector) VALUES (?, 'section', ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    ordinal,
                    heading,
                    block,
                    "all-MiniLM-L6-v2",
                    384,
                    vector.astype("<f4").tobytes(),
                ),
            )
        store.conn.execute("COMMIT")
    store.close()
    return cpu / len(docs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/distill-eval-sections"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    ids = build(DEFAULT_HOME)
    sets = known_items(ids)
    queries = {
        "known-item": [q for name in ("go-blog", "rust-blog", "flink-blog") for q in sets[name]],
        "paraphrased": paraphrases(ids),
    }
    for group in queries.values():
        EMBEDDER.embed([text for text, _ in group])
    docs = corpus_docs(ids)
    print(
        f"{len(docs)} articles; queries: " + ", ".join(f"{k} {len(v)}" for k, v in queries.items())
    )
    print(
        "| sections (words x max) | embed CPU ms/article | known-item vector MRR | known-item"
        " hybrid MRR | paraphrased vector MRR | paraphrased hybrid MRR | paraphrased hybrid R@10 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for config in CONFIGS:
        home = args.work / ("none" if config is None else f"{config[0]}x{config[1]}")
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        shutil.copy(DEFAULT_HOME / "library.sqlite3", home / "library.sqlite3")
        cpu = add_sections(home, docs, *config) if config else 0.0
        store = open_store(home)
        cells = [f"{cpu * 1000:.0f} (sections only)" if config else "0"]
        for name in ("known-item", "paraphrased"):
            for mode in ("vector", "hybrid"):
                mrr, recall, _ = score(store, queries[name], mode)
                cells.append(f"{mrr:.3f}")
        cells.append(f"{recall:.3f}")
        label = "none (article vector only)" if config is None else f"{config[0]} x {config[1]}"
        print(f"| {label} | {' | '.join(cells)} |", flush=True)
        store.close()
        shutil.rmtree(home)


if __name__ == "__main__":
    main()
