"""Why meaning search scans vectors in memory: three exact-or-not scans over the same vectors.

Reads the article vectors of the 100,000-article library of bench/search.py and times, for
the same query vectors in the same run:
  - sqlite-vec vec0, float[384] cosine, k = 150 (the old design; exact)
  - sqlite-vec vec0, bit[384] (sign of each dimension), k = 1,000 candidates to re-score
  - numpy: one float32 matrix-vector product and a partial sort (the design kept; exact)
and, for the binary scan, how many of the exact top 10 survive re-scoring of the best
300 / 1,000 / 2,000 candidates by Hamming distance. The vec0 tables are built in a
temporary file (about 230 MB), not in the library.

    .venv/bin/python bench/vector_scan.py [--home /tmp/distill-search-100k] [--queries 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlean
import sqlite_vec

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.store.vector_index import VectorIndex  # noqa: E402


def p50_p95(values: list[float]) -> str:
    return f"p50 {np.percentile(values, 50):.1f} ms, p95 {np.percentile(values, 95):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path("/tmp/distill-search-100k"))
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    library = sqlean.connect(f"file:{args.home / 'library.sqlite3'}?mode=ro", uri=True)
    index = VectorIndex()
    index.sync(library, 0)
    ids, matrix = index.ids, index.matrix
    print(f"article vectors: {len(ids)}")
    rng = np.random.default_rng(5)
    # Queries: stored vectors moved off their article (sigma 0.05), so the nearest
    # neighbours are a realistic neighbourhood rather than the vector itself.
    picks = rng.choice(len(ids), args.queries, replace=False)
    queries = matrix[picks] + rng.normal(0, 0.05, (args.queries, matrix.shape[1])).astype("f4")
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlean.connect(str(Path(tmp) / "vec.sqlite3"))
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.execute(
            "CREATE VIRTUAL TABLE vf USING vec0(id INTEGER PRIMARY KEY,"
            " embedding float[384] distance_metric=cosine)"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE vb USING vec0(id INTEGER PRIMARY KEY, embedding bit[384])"
        )
        rows = [(int(i), v.astype("<f4").tobytes()) for i, v in zip(ids, matrix, strict=True)]
        conn.executemany("INSERT INTO vf VALUES (?, ?)", rows)
        conn.executemany("INSERT INTO vb VALUES (?, vec_quantize_binary(?))", rows)
        conn.commit()
        timings: dict[str, list[float]] = {"vec0 float": [], "vec0 bit": [], "numpy": []}
        for q in queries:
            blob = q.astype("<f4").tobytes()
            t0 = time.perf_counter()
            conn.execute(
                "SELECT id FROM vf WHERE embedding MATCH ? AND k = 150", (blob,)
            ).fetchall()
            timings["vec0 float"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            conn.execute(
                "SELECT id FROM vb WHERE embedding MATCH vec_quantize_binary(?) AND k = 1000",
                (blob,),
            ).fetchall()
            timings["vec0 bit"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            index.nearest(q, 150)
            timings["numpy"].append((time.perf_counter() - t0) * 1000)
        for name, values in timings.items():
            print(f"{name}: {p50_p95(values)}")

    bits = np.packbits(matrix > 0, axis=1)
    for candidates in (300, 1000, 2000):
        kept = []
        for q in queries:
            exact = matrix @ q
            truth = set(np.argsort(-exact)[:10])
            hamming = np.unpackbits(bits ^ np.packbits(q > 0), axis=1).sum(axis=1)
            chosen = np.argpartition(hamming, candidates)[:candidates]
            rescored = chosen[np.argsort(-exact[chosen])[:10]]
            kept.append(len(truth & set(rescored)) / 10)
        print(
            f"binary scan, {candidates} candidates re-scored: {np.mean(kept):.3f} of exact top 10"
        )


if __name__ == "__main__":
    main()
