"""HNSW recall and speed on PostgreSQL at 1,000,000 article vectors shaped like real ones.

bench/search.py's large library copies each corpus article 80 (or 800) times with noise
drawn the same way in every direction, so each query's exact top 10 is a near-tie among
copies of one article (the 10th and the 100th within 0.03 of cosine): the worst case for
any approximate index, where strict recall says more about the copies than about the
index. Here no two article vectors are alike: each is the mean of four MiniLM sentence
vectors drawn from the corpus's own sentences, normalised, as a mean-pooled embedding of a
text made of those sentences would be. Queries are embedded the same way and never part
of an article: 300 corpus titles, and 300 corpus sentences kept out of the pool.

Measured, for each query set: the store's own `nearest_articles(q, 10)` (HNSW candidates
re-scored exactly, what vector search and related articles call) against an exact scan
over all vectors, as strict recall@10 and as ann-benchmarks' epsilon 0.01 recall (a
result counts when it is within 1% of the exact 10th's distance); the bare index
(`ORDER BY embedding <=> q LIMIT 10`) at hnsw.ef_search 40 and 100; the store call's
p50 / p95 ms; and the load and HNSW build times (the schema's own index definition).

Rows go into a fresh database on the tests' server (tests/pg_server.py), or --postgres-url:
1,000,000 minimal article rows and their vectors by COPY, the HNSW index set aside during
the load and built once after it. Sentence vectors are cached in the work folder.

Usage: python bench/vector_recall.py [--articles N] [--postgres-url URL [--loaded]] [--work DIR]

--loaded measures again on a database an earlier run with the same --articles loaded.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus_docs import posts  # noqa: E402
from search import (  # noqa: E402
    EPSILON,
    MAINTENANCE_WORK_MEM,
    bare_index_top10,
    epsilon_recall,
    pct,
)

from distill.embed import default_embedder  # noqa: E402
from distill.store import open_store  # noqa: E402
from distill.store.postgres.search import _vector_literal  # noqa: E402
from distill.text import sentence_spans  # noqa: E402

POOL = 12_000  # sentences whose vectors make the articles
QUERIES = 300  # per query set
PER_ARTICLE = 4  # sentences averaged into one article vector
MIN_WORDS, MAX_WORDS = 8, 40
CHUNK = 50_000
MODEL = "all-MiniLM-L6-v2"


def corpus_texts(seed: int) -> tuple[list[str], list[str]]:
    """Sentences (prose, 8-40 words) and titles of the corpus posts, deduplicated, shuffled."""
    sentences: set[str] = set()
    titles: set[str] = set()
    for post in posts(with_reference=False):
        if post.doc.title:
            titles.add(post.doc.title)
        for block in post.doc.blocks:
            if block.kind != "paragraph":
                continue
            for start, end in sentence_spans(block.text):
                text = block.text[start:end]
                if MIN_WORDS <= len(text.split()) <= MAX_WORDS:
                    sentences.add(text)
    rng = random.Random(seed)
    ordered = sorted(sentences)
    rng.shuffle(ordered)
    named = sorted(titles)
    rng.shuffle(named)
    return ordered, named


def sentence_vectors(work: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pool, held-out sentences, titles) vectors, embedded once and cached."""
    cache = work / "vectors.npz"
    if cache.exists():
        saved = np.load(cache)
        return saved["pool"], saved["sentences"], saved["titles"]
    sentences, titles = corpus_texts(seed=3)
    embedder = default_embedder()
    started = time.perf_counter()
    pool = embedder.embed(sentences[:POOL])
    held_out = embedder.embed(sentences[POOL : POOL + QUERIES])
    named = embedder.embed(titles[:QUERIES])
    print(f"embedded {POOL + 2 * QUERIES} texts in {time.perf_counter() - started:.0f} s")
    work.mkdir(parents=True, exist_ok=True)
    np.savez(cache, pool=pool, sentences=held_out, titles=named)
    return pool, held_out, named


def unit_rows(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype("<f4")


def article_vectors(pool: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` unit vectors, each the mean of PER_ARTICLE pool vectors drawn at random."""
    gen = np.random.default_rng(seed)
    out = np.empty((count, pool.shape[1]), dtype="<f4")
    for first in range(0, count, CHUNK):
        n = min(CHUNK, count - first)
        picks = gen.integers(0, len(pool), size=(n, PER_ARTICLE))
        out[first : first + n] = unit_rows(pool[picks].mean(axis=1))
    return out


def load(url: str, home: Path, vectors: np.ndarray) -> dict[str, float]:
    """Minimal article rows and their vectors by COPY, then the schema's HNSW index."""
    store = open_store(home, url)
    pg = store.conn.raw
    definition = pg.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'vectors_embedding_hnsw'"
    ).fetchone()[0]
    pg.execute("DROP INDEX vectors_embedding_hnsw")
    pg.execute("ALTER TABLE articles DISABLE TRIGGER USER")
    started = time.perf_counter()
    for first in range(0, len(vectors), CHUNK):
        block = vectors[first : first + CHUNK]
        with pg.transaction(), pg.cursor() as cur:
            with cur.copy(
                "COPY articles (id, source, title, blocks, body, word_count, content_hash)"
                " FROM STDIN"
            ) as copy:
                for i in range(len(block)):
                    n = first + i + 1
                    copy.write_row((n, "bench", f"article {n}", "[]", "", 0, f"h{n}"))
            with cur.copy(
                "COPY vectors (article_id, kind, ordinal, model, dimensions, vector, embedding)"
                " FROM STDIN"
            ) as copy:
                for i, v in enumerate(block):
                    n = first + i + 1
                    copy.write_row((n, "article", 0, MODEL, 384, v.tobytes(), _vector_literal(v)))
        print(f"loaded {first + len(block)} vectors", file=sys.stderr, flush=True)
    pg.execute("ALTER TABLE articles ENABLE TRIGGER USER")
    loaded = time.perf_counter()
    pg.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
    pg.execute(definition)
    pg.execute("ANALYZE vectors")
    built = time.perf_counter()
    store.close()
    return {"load_seconds": round(loaded - started, 1), "hnsw_seconds": round(built - loaded, 1)}


def exact_top10(matrix: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of each query's 10 nearest vectors (cosine), and the 10th's similarity."""
    best = np.full((len(queries), 10), -1, dtype=np.int64)
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    for first in range(0, len(matrix), CHUNK * 4):
        scores = queries @ matrix[first : first + CHUNK * 4].T
        top = np.argpartition(-scores, 10, axis=1)[:, :10]
        merged = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        rows = np.concatenate([best, top + first], axis=1)
        keep = np.argsort(-merged, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged, keep, 1)
        best = np.take_along_axis(rows, keep, 1)
    return best, best_scores[:, 9]


def measure(url: str, home: Path, matrix: np.ndarray, name: str, queries: np.ndarray) -> None:
    queries = unit_rows(queries)
    exact, tenth = exact_top10(matrix, queries)
    store = open_store(home, url)
    raw = store.conn.raw
    strict, relaxed, took = [], [], []
    bare: dict[int, list[float]] = {40: [], 100: []}
    for q, rows, last in zip(queries, exact, tenth, strict=True):
        wanted = {int(r) + 1 for r in rows}  # article ids are row numbers + 1
        t0 = time.perf_counter()
        got = store.search.nearest_articles(q, 10)
        took.append((time.perf_counter() - t0) * 1000)
        ids = [a for a, _ in got]
        strict.append(len(wanted & set(ids)) / 10)
        relaxed.append(epsilon_recall(matrix[np.array(ids) - 1] @ q, float(last)))
        for ef in bare:
            bare[ef].append(len(wanted & bare_index_top10(raw, q, ef)) / 10)
        store.search._ef_search = (0, 0)  # the store sets its own breadth again
    store.close()
    print(f"== {name}, {len(queries)} queries (median exact 10th cosine {np.median(tenth):.3f})")
    print(f"  store nearest_articles(k=10): recall {np.mean(strict):.4f} (min {min(strict):.1f})")
    print(f"  same, epsilon {EPSILON}: {np.mean(relaxed):.4f} (min {min(relaxed):.1f})")
    for ef, values in bare.items():
        print(f"  bare HNSW LIMIT 10, ef_search {ef}: {np.mean(values):.4f}")
    print(f"  store call: p50 {pct(took, 50):.1f} ms, p95 {pct(took, 95):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default="", help="an empty migrated database")
    parser.add_argument("--work", type=Path, default=Path("/tmp/distill-vector-recall"))
    parser.add_argument(
        "--loaded", action="store_true", help="--postgres-url already holds this run's vectors"
    )
    args = parser.parse_args()
    pool, held_out, titles = sentence_vectors(args.work)
    matrix = article_vectors(pool, args.articles, seed=7)
    home = args.work / "home"
    home.mkdir(parents=True, exist_ok=True)

    def run(url: str) -> None:
        if not args.loaded:
            print(f"PostgreSQL build: {load(url, home, matrix)}", flush=True)
        measure(url, home, matrix, "corpus titles", titles)
        measure(url, home, matrix, "held-out corpus sentences", held_out)

    if args.postgres_url:
        run(args.postgres_url)
    else:
        from tests.pg_server import running_server

        with running_server() as server:
            run(server.new_database())


if __name__ == "__main__":
    main()
