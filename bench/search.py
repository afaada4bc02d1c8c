"""Search speed at scale: 100,000 articles, 300 queries, text / vector / hybrid vs bare FTS5.

How the library is made (once, cached in /tmp/distill-search-100k): the corpus library of
bench/corpus_library.py (1,262 real articles with summaries and MiniLM article vectors) is
replicated 80 times. Each copy's title and body have 1 word in 12 replaced by a word drawn
from the whole corpus's vocabulary (seeded), so term statistics stay realistic but no two
articles are identical; each copy gets two section vectors and its article vector is the
original plus Gaussian noise (sigma 0.03 per dimension, then normalised), so nearest
neighbours are not exact duplicates. Rows are written straight into the tables with SQL
(the search triggers index them), in one transaction per 5,000 articles; nothing is
re-embedded.

Queries (seeded): 100 rare words (in under 0.1% of articles), 100 common words (in over
20%), 100 multi-word queries (2 to 4 words from real titles). Each is timed as a bare
`MATCH ... ORDER BY bm25() LIMIT 10` on the same database, then through search() in text,
vector and hybrid mode. Query vectors are computed once, batched, before timing (MiniLM
on this shared CPU takes anything from 10 ms to 2 s per query depending on the load from
other work, which would drown the search itself); the per-query embedding cost is printed
separately.

Usage: python bench/search.py [--home DIR] [--copies N]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bulk import full_text_triggers_aside  # noqa: E402
from corpus_library import DEFAULT_HOME as SOURCE_HOME  # noqa: E402
from corpus_library import build as build_corpus  # noqa: E402
from eval_search import CachedEmbedder  # noqa: E402

from distill.embed import default_embedder  # noqa: E402
from distill.search.engine import search  # noqa: E402
from distill.search.syntax import fts_match, parse  # noqa: E402
from distill.store import open_store  # noqa: E402

DEFAULT_HOME = Path("/tmp/distill-search-100k")
COPIES = 80
REPLACE_EVERY = 12
NOISE = 0.03
BATCH = 5000


def perturb(text: str, vocab: list[str], rng: random.Random) -> str:
    words = text.split(" ")
    for i in range(rng.randrange(REPLACE_EVERY), len(words), REPLACE_EVERY):
        words[i] = rng.choice(vocab)
    return " ".join(words)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype("<f4")


def build(home: Path, copies: int) -> None:
    marker = home / "built.json"
    if marker.exists():
        return
    build_corpus(SOURCE_HOME)
    src = open_store(SOURCE_HOME).conn
    rows = src.execute(
        "SELECT a.id, a.title, a.body, a.published, a.site, a.source_tags, s.sections,"
        " v.vector FROM articles a LEFT JOIN summaries s ON s.article_id = a.id"
        " JOIN vectors v ON v.article_id = a.id AND v.kind = 'article' ORDER BY a.id"
    ).fetchall()
    rng = random.Random(7)
    vocab = sorted({w for r in rows[:400] for w in r[2].split() if w.isalpha() and len(w) > 3})
    store = open_store(home)
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")
    started = time.time()
    n = 0
    with full_text_triggers_aside(conn):
        n = _write_copies(conn, rows, copies, vocab, rng, started)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.time() - started
    marker.write_text(json.dumps({"articles": n, "build_seconds": round(seconds)}))
    store.close()


def _write_copies(
    conn, rows, copies: int, vocab: list[str], rng: random.Random, started: float
) -> int:
    n = 0
    for copy in range(copies):
        for r in rows:
            if n % BATCH == 0:
                if n:
                    conn.execute("COMMIT")
                    print(f"{n} articles {time.time() - started:.0f}s", file=sys.stderr)
                conn.execute("BEGIN")
            n += 1
            title = r[1] if copy == 0 else perturb(r[1], vocab, rng)
            body = r[2] if copy == 0 else perturb(r[2], vocab, rng)
            cur = conn.execute(
                "INSERT INTO articles (source, url, canonical_url, title, published, site,"
                " source_tags, blocks, body, word_count, content_hash)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    f"bench:{copy}:{r[0]}",
                    f"https://bench.example/{copy}/{r[0]}",
                    f"https://bench.example/{copy}/{r[0]}",
                    title,
                    r[3],
                    r[4],
                    r[5],
                    json.dumps([{"kind": "paragraph", "text": body}]),
                    body,
                    len(body.split()),
                    f"{copy}:{r[0]}",
                ),
            )
            article_id = cur.lastrowid
            if r[6] is not None:
                conn.execute(
                    "INSERT INTO summaries (article_id, backend, version, sections)"
                    " VALUES (?, 'lead', 'bench', ?)",
                    (article_id, r[6]),
                )
            base = np.frombuffer(r[7], dtype="<f4")
            vecs = [("article", 0, unit(base + np_noise(rng, base)))]
            vecs += [("section", k, unit(base + 3 * np_noise(rng, base))) for k in (1, 2)]
            conn.executemany(
                "INSERT INTO vectors (article_id, kind, ordinal, heading, block, model,"
                " dimensions, vector) VALUES (?,?,?,'',0,'all-MiniLM-L6-v2',384,?)",
                [(article_id, kind, k, v.tobytes()) for kind, k, v in vecs],
            )
    conn.execute("COMMIT")
    print(f"{n} articles stored {time.time() - started:.0f}s; indexing", file=sys.stderr)
    return n


def np_noise(rng: random.Random, base: np.ndarray) -> np.ndarray:
    gen = np.random.default_rng(rng.randrange(2**32))
    return gen.normal(0.0, NOISE, base.shape).astype("<f4")


def queries(conn, rng: random.Random) -> list[tuple[str, str]]:
    total = conn.execute("SELECT count(*) FROM search_fts_docsize").fetchone()[0]
    terms = conn.execute(
        "SELECT term, doc FROM search_fts_terms WHERE term GLOB '[a-z][a-z][a-z]*'"
    ).fetchall()
    rare = [t for t, d in terms if 2 <= d < max(3, total * 0.001)]
    common = [t for t, d in terms if d > total * 0.2]
    titles = [r[0] for r in conn.execute("SELECT title FROM articles WHERE id <= 1300")]
    out = [("rare", w) for w in rng.sample(rare, min(100, len(rare)))]
    out += [("common", w) for w in rng.choices(common, k=100)]
    for _ in range(100):
        words = [w for w in rng.choice(titles).split() if w.isalpha()]
        k = min(len(words), rng.randint(2, 4))
        out.append(("multi", " ".join(rng.sample(words, k)) if k else "stream"))
    return out


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p))


def measure(home: Path) -> None:
    store = open_store(home)
    conn = store.conn
    rng = random.Random(11)
    qs = queries(conn, rng)
    embedder = CachedEmbedder()
    t0 = time.perf_counter()
    embedder.embed([text for _, text in qs])
    embed_ms = (time.perf_counter() - t0) * 1000 / len(qs)
    t0 = time.perf_counter()
    search(store, "warm up", mode="hybrid", embedder=embedder)  # index check, vectors loaded
    first_ms = (time.perf_counter() - t0) * 1000
    single = default_embedder()
    t0 = time.perf_counter()
    for _, text in qs[:30]:
        single.embed([text])
    single_ms = (time.perf_counter() - t0) * 1000 / 30
    timings: dict[str, list[float]] = {"bare FTS5": [], "text": [], "vector": [], "hybrid": []}
    by_class: dict[str, dict[str, list[float]]] = {}
    slowest = (0.0, "", "")
    for kind, text in qs:
        match = fts_match(parse(text))
        t0 = time.perf_counter()
        conn.execute(
            "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ?"
            " ORDER BY bm25(search_fts) LIMIT 10",
            (match,),
        ).fetchall()
        times = {"bare FTS5": time.perf_counter() - t0}
        for mode in ("text", "vector", "hybrid"):
            t0 = time.perf_counter()
            search(store, text, mode=mode, embedder=embedder)
            times[mode] = time.perf_counter() - t0
        for name, seconds in times.items():
            ms = seconds * 1000
            timings[name].append(ms)
            by_class.setdefault(kind, {}).setdefault(name, []).append(ms)
            if ms > slowest[0]:
                slowest = (ms, name, text)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    size = sum(p.stat().st_size for p in home.glob("library.sqlite3*"))
    print(f"articles: {articles}; database: {size / 2**30:.2f} GiB; queries: {len(qs)}")
    print("| method | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in timings.items():
        print(
            f"| {name} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | {pct(values, 99):.1f}"
            f" | {max(values):.1f} |"
        )
    print("p95 ms by query class:")
    for kind, methods in by_class.items():
        print(f"  {kind}: " + ", ".join(f"{m} {pct(v, 95):.1f}" for m, v in methods.items()))
    ratio = pct(timings["text"], 95) / pct(timings["bare FTS5"], 95)
    print(
        f"text p95 / bare p95 = {ratio:.2f};"
        f" slowest: {slowest[1]} {slowest[0]:.0f} ms {slowest[2]!r}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"query embedding (MiniLM, batched, not in the figures above): {embed_ms:.1f} ms per query"
    )
    print(f"one query embedded on its own (as a user's search is): {single_ms:.1f} ms")
    print(f"first search in the process (loads the article vectors): {first_ms:.0f} ms")
    print(f"peak memory (query process, MiniLM loaded): {peak:.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--copies", type=int, default=COPIES)
    args = parser.parse_args()
    build(args.home, args.copies)
    print((args.home / "built.json").read_text())
    measure(args.home)
