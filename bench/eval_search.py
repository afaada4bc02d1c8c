"""Search quality: known-item MRR@10 and Recall@10 for text, vector and hybrid, in one run.

Queries: every human summary in ../shared/corpus/_index (Go `summary`, Rust `description`,
Flink `excerpt`) whose right answer is its own article, searched over the whole corpus
library; and our own 30 paraphrased queries (tests/data/paraphrase_queries.jsonl). The
library is built once by bench/corpus_library.py (human summaries removed from the stored
articles, so a query cannot find its answer by being a copy of stored text) and cached.

Usage: python bench/eval_search.py [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import numpy as np  # noqa: E402
from corpus_library import DEFAULT_HOME, build, index_rows  # noqa: E402

from distill.embed import Embedder, default_embedder  # noqa: E402
from distill.search.engine import MODES, search  # noqa: E402
from distill.store import open_store  # noqa: E402

CUTOFF = 10


class CachedEmbedder(Embedder):
    """MiniLM with a memo: each query is embedded once, not once per mode."""

    def __init__(self) -> None:
        self.inner = default_embedder()
        self.name, self.dimensions = self.inner.name, self.inner.dimensions
        self.memo: dict[str, np.ndarray] = {}

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.memo]
        if missing:
            for text, vector in zip(missing, self.inner.embed_batch(missing), strict=True):
                self.memo[text] = vector
        return np.vstack([self.memo[t] for t in texts])


EMBEDDER = CachedEmbedder()


def known_items(ids: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    sets: dict[str, list[tuple[str, int]]] = {}
    for row in index_rows():
        summary = (row.get("summary") or "").strip()
        if summary and row["path"] in ids:
            sets.setdefault(row["set"], []).append((summary, ids[row["path"]]))
    return sets


def paraphrases(ids: dict[str, int]) -> list[tuple[str, int]]:
    path = REPO / "tests" / "data" / "paraphrase_queries.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(r["query"], ids[r["path"]]) for r in rows if r["path"] in ids]


def score(store, queries: list[tuple[str, int]], mode: str) -> tuple[float, float, float]:
    """(MRR@10, Recall@10, mean ms per query)."""
    reciprocal, found = 0.0, 0
    started = time.perf_counter()
    for text, answer in queries:
        ranked = [
            h.id for h in search(store, text, mode=mode, limit=CUTOFF, embedder=EMBEDDER).results
        ]
        if answer in ranked:
            found += 1
            reciprocal += 1.0 / (ranked.index(answer) + 1)
    ms = (time.perf_counter() - started) * 1000 / max(1, len(queries))
    n = max(1, len(queries))
    return reciprocal / n, found / n, ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    ids = build(args.home)
    store = open_store(args.home)
    count = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    sets = known_items(ids)
    sets["all known-item"] = [
        q for name in ("go-blog", "rust-blog", "flink-blog") for q in sets[name]
    ]
    sets["paraphrased (ours)"] = paraphrases(ids)
    print(f"library: {count} articles ({args.home}); cutoff {CUTOFF}")
    print(f"| query set | n | {' | '.join(f'{m} MRR | {m} R@10' for m in MODES)} |")
    print("| --- | --- |" + " --- | --- |" * len(MODES))
    timing: dict[str, list[float]] = {m: [] for m in MODES}
    for name, queries in sets.items():
        cells = []
        EMBEDDER.embed([text for text, _ in queries])  # one batched pass, timed apart
        for mode in MODES:
            mrr, recall, ms = score(store, queries, mode)
            timing[mode].append(ms)
            cells += [f"{mrr:.3f}", f"{recall:.3f}"]
        print(f"| {name} | {len(queries)} | {' | '.join(cells)} |", flush=True)
    print("mean ms/query: " + ", ".join(f"{m} {sum(t) / len(t):.1f}" for m, t in timing.items()))
    store.close()


if __name__ == "__main__":
    main()
