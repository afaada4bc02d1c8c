"""Search speed at scale: 100,000 articles, 300 queries, text / vector / hybrid vs a bare
full-text query, on SQLite and (with --postgres) on PostgreSQL in the same run.

How the library is made (once, cached in /tmp/distill-search-100k): the corpus library of
bench/corpus_library.py (1,261 real articles with summaries and MiniLM article vectors) is
replicated 80 times. Each copy's title and body have 1 word in 12 replaced by a word drawn
from the whole corpus's vocabulary (seeded), so term statistics stay realistic but no two
articles are identical; each copy gets two section vectors and its article vector is the
original plus Gaussian noise (sigma 0.03 per dimension, then normalised), so nearest
neighbours are not exact duplicates. Rows are written straight into the tables with SQL,
in one transaction per 5,000 articles, with the full-text triggers set aside; the index is
then filled once by the rebuild `distill reindex` runs (bench/bulk.py). Nothing is
re-embedded.

With --postgres the tests' PostgreSQL server (tests/pg_server.py) is started for the run and
that same SQLite library is copied into a fresh, migrated database: rows (same ids) in one
transaction per 5,000 articles, with the search triggers and the GIN and HNSW indexes set
aside; then every article's tsvector is written by the store's own function
(distill_index_article, what its triggers call), the GIN index is built, and the HNSW index
is built once (the schema's own definitions; maintenance_work_mem raised for the builds).
Load, full-text indexing and the HNSW build are timed separately.

Queries (seeded, drawn from the SQLite library): 100 rare words (in under 0.1% of articles),
100 common words (in over 20%), 100 multi-word queries (2 to 4 words from real titles).
Each is timed as a bare full-text query on the same database (SQLite: `MATCH ... ORDER BY
bm25() LIMIT 10`; PostgreSQL: the store's tsquery ranked by the store's ts_rank, LIMIT 10),
then through search() in text, vector and hybrid mode. Query vectors are computed once,
batched, before timing (MiniLM on this shared CPU takes anything from 10 ms to 2 s per
query depending on the load from other work, which would drown the search itself); the
per-query embedding cost is printed separately. On PostgreSQL the bench then measures
HNSW recall@10: for each of the 300 query texts' vectors, and for 150 stored article
vectors moved off their article (sigma 0.05), the exact top 10 by cosine over every article
vector against the store's nearest_articles(vector, 10) (also with ann-benchmarks'
epsilon 0.01: a result counts when it is as near as the exact 10th, within 1%), and
against the bare index (`ORDER BY embedding <=> q LIMIT 10`) at two hnsw.ef_search
values; and, as a user meets
it, search()'s vector-mode top 10 on PostgreSQL against the same search on SQLite (whose
scan is exact) for the same vectors.

Usage: python bench/search.py [--home DIR] [--copies N] [--postgres | --postgres-url URL]

--postgres-url measures on a database of your own (loaded first if it has no articles),
so a loaded database can be measured again after a change without loading it again.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bulk import full_text_triggers_aside  # noqa: E402
from corpus_library import DEFAULT_HOME as SOURCE_HOME  # noqa: E402
from corpus_library import build as build_corpus  # noqa: E402
from eval_search import CachedEmbedder  # noqa: E402

from distill.embed import Embedder, default_embedder  # noqa: E402
from distill.search.engine import search  # noqa: E402
from distill.search.syntax import fts_match, parse  # noqa: E402
from distill.store import open_store  # noqa: E402
from distill.store.postgres.search import _vector_literal  # noqa: E402

DEFAULT_HOME = Path("/tmp/distill-search-100k")
COPIES = 80
REPLACE_EVERY = 12
NOISE = 0.03
BATCH = 5000
# For the index builds of the PostgreSQL copy: an HNSW graph that outgrows it builds far slower.
MAINTENANCE_WORK_MEM = "4GB"


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


def sqlite_bare(conn) -> Callable[[str], None]:
    def bare(match: str) -> None:
        conn.execute(
            "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ?"
            " ORDER BY bm25(search_fts) LIMIT 10",
            (match,),
        ).fetchall()

    return bare


def postgres_bare(conn) -> Callable[[str], None]:
    """The tsquery the store builds, ranked as the store ranks, with nothing around it."""
    from distill.store.postgres.search import _WEIGHTS, tsquery

    def bare(match: str) -> None:
        query, params = tsquery(match)
        conn.execute(
            f"SELECT article_id, ts_rank({_WEIGHTS}, document, ({query})) AS r"
            f" FROM search_documents WHERE document @@ ({query}) ORDER BY r DESC LIMIT 10",
            [*params, *params],
        ).fetchall()

    return bare


def measure(store, engine: str, qs: list[tuple[str, str]], embedder: CachedEmbedder) -> None:
    """Each query once, bare and through search() in the three modes; the table printed."""
    conn = store.conn
    postgres = engine == "PostgreSQL"
    bare_name = "bare tsquery" if postgres else "bare FTS5"
    bare = postgres_bare(conn) if postgres else sqlite_bare(conn)
    t0 = time.perf_counter()
    search(store, "warm up", mode="hybrid", embedder=embedder)  # index check, vectors loaded
    first_ms = (time.perf_counter() - t0) * 1000
    timings: dict[str, list[float]] = {bare_name: [], "text": [], "vector": [], "hybrid": []}
    by_class: dict[str, dict[str, list[float]]] = {}
    slowest = (0.0, "", "")
    for kind, text in qs:
        match = fts_match(parse(text))
        t0 = time.perf_counter()
        bare(match)
        times = {bare_name: time.perf_counter() - t0}
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
    if postgres:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    else:
        size = sum(p.stat().st_size for p in store.path.parent.glob(store.path.name + "*"))
    print(f"== {engine}: {articles} articles; database {size / 2**30:.2f} GiB; {len(qs)} queries")
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
    ratio = pct(timings["text"], 95) / pct(timings[bare_name], 95)
    print(
        f"text p95 / bare p95 = {ratio:.2f};"
        f" slowest: {slowest[1]} {slowest[0]:.0f} ms {slowest[2]!r}"
    )
    print(f"first search in the process: {first_ms:.0f} ms", flush=True)


EPSILON = 0.01
EPSILON_LABEL = f"store nearest_articles(k=10), epsilon {EPSILON} (ann-benchmarks)"


def epsilon_recall(similarities: np.ndarray, exact_tenth: float) -> float:
    """ann-benchmarks' "epsilon recall": a result counts when its cosine distance is at most
    (1 + EPSILON) times the exact 10th's. Where many articles sit at nearly the same
    distance (the copies of this library), which of them make the top 10 is a tie, and
    this says whether the ones returned are as near as the exact ones, up to that tie."""
    limit = (1 + EPSILON) * (1 - exact_tenth)
    return float(np.sum((1 - similarities) <= limit)) / 10


def bare_index_top10(raw, q: np.ndarray, ef_search: int) -> set[int]:
    """The HNSW index's own top 10 at a given breadth, without the store's re-scoring (the
    caller resets the store's remembered ef_search afterwards)."""
    raw.execute(f"SET hnsw.ef_search = {ef_search}")
    rows = raw.execute(
        "SELECT article_id FROM vectors WHERE kind = 'article'"
        " AND embedding IS NOT NULL ORDER BY embedding <=> %s::vector LIMIT 10",
        (_vector_literal(q),),
    ).fetchall()
    return {int(r[0]) for r in rows}


def recall(sqlite_store, pg_store, qs: list[tuple[str, str]], embedder: CachedEmbedder) -> None:
    """HNSW top 10 (the store's nearest-article search, and the bare index) against an exact
    cosine scan over every article vector, for two sets of query vectors: the 300 query
    texts' own, and 150 stored article vectors moved off their article (sigma 0.05, as in
    bench/vector_scan.py), which sit among the data as a "more like this" query does."""
    rows = sqlite_store.conn.execute(
        "SELECT article_id, vector FROM vectors WHERE kind = 'article' ORDER BY article_id"
    ).fetchall()
    ids = np.array([r[0] for r in rows])
    matrix = np.stack([np.frombuffer(r[1], dtype="<f4") for r in rows])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    gen = np.random.default_rng(5)
    near = matrix[gen.choice(len(matrix), 150, replace=False)]
    near = near + gen.normal(0.0, 0.05, near.shape).astype("<f4")
    sets = {"query texts": embedder.embed([text for _, text in qs]), "moved-off vectors": near}
    raw = pg_store.conn.raw
    for set_name, vectors in sets.items():
        found: dict[str, list[float]] = {}
        tenth: list[float] = []
        for q in vectors:
            q = (q / np.linalg.norm(q)).astype("<f4")
            scores = matrix @ q
            order = np.argsort(-scores, kind="stable")
            tenth.append(float(scores[order[9]] - scores[order[99]]))
            exact = set(ids[order[:10]].tolist())
            got = {a for a, _ in pg_store.search.nearest_articles(q, 10)}
            found.setdefault("store nearest_articles(k=10)", []).append(len(exact & got) / 10)
            found.setdefault(EPSILON_LABEL, []).append(
                epsilon_recall(scores[np.searchsorted(ids, sorted(got))], scores[order[9]])
            )
            for ef in (40, 100):
                hits = bare_index_top10(raw, q, ef)
                found.setdefault(f"bare HNSW LIMIT 10, ef_search {ef}", []).append(
                    len(exact & hits) / 10
                )
            pg_store.search._ef_search = (0, 0)  # the store sets its own breadth again
        found["search() vector mode top 10 vs SQLite's (exact scan)"] = through_search(
            sqlite_store, pg_store, vectors
        )
        print(
            f"== HNSW recall@10 against an exact scan: {set_name}, {len(vectors)} vectors"
            f" (median cosine gap between exact 10th and 100th: {np.median(tenth):.3f})"
        )
        for name, values in found.items():
            print(f"  {name}: {np.mean(values):.4f} (min {min(values):.1f})")


class FixedEmbedder(Embedder):
    """Each query text "probeN" stands for the N-th of a set of given vectors."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        # its own name per set: search() caches query vectors by embedder name and text
        self.name = f"probes {hash(vectors.tobytes())}"
        self.dimensions = vectors.shape[1]

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.vectors[int(t.removeprefix("probe"))] for t in texts])


def through_search(sqlite_store, pg_store, vectors: np.ndarray) -> list[float]:
    """Recall as a user meets it: search() in vector mode (nearest articles, then section
    vectors) on PostgreSQL against the same search on SQLite, whose scan is exact."""
    unit_rows = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    probes = FixedEmbedder(unit_rows.astype("<f4"))
    out = []
    for n in range(len(vectors)):
        text = f"probe{n}"
        exact = {h.id for h in search(sqlite_store, text, mode="vector", embedder=probes).results}
        got = {h.id for h in search(pg_store, text, mode="vector", embedder=probes).results}
        out.append(len(exact & got) / max(1, len(exact)))
    return out


def load_postgres(home: Path, url: str) -> dict[str, float]:
    """The SQLite library's rows copied into an empty PostgreSQL database in batches (same
    ids), then indexed as the store indexes: every article's tsvector through the store's
    own function, the GIN and the HNSW index (the schema's own definitions) built once."""
    import sqlite3

    store = open_store(home, url)
    pg = store.conn.raw
    indexes = {
        name: pg.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (name,)
        ).fetchone()[0]
        for name in ("search_documents_gin", "vectors_embedding_hnsw")
    }
    for name in indexes:
        pg.execute(f"DROP INDEX {name}")
    for table in ("articles", "summaries"):
        pg.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    src = sqlite3.connect(f"file:{home / 'library.sqlite3'}?mode=ro", uri=True)
    columns = (
        "id, source, url, canonical_url, title, published, site, source_tags, blocks, body,"
        " word_count, content_hash"
    )
    last = src.execute("SELECT max(id) FROM articles").fetchone()[0]
    started = time.perf_counter()
    for first in range(1, last + 1, BATCH):
        span = (first, first + BATCH - 1)
        articles = src.execute(
            f"SELECT {columns} FROM articles WHERE id BETWEEN ? AND ?", span
        ).fetchall()
        summaries = src.execute(
            "SELECT article_id, backend, version, sections FROM summaries"
            " WHERE article_id BETWEEN ? AND ?",
            span,
        ).fetchall()
        vectors = src.execute(
            "SELECT article_id, kind, ordinal, heading, block, model, dimensions, vector"
            " FROM vectors WHERE article_id BETWEEN ? AND ?",
            span,
        ).fetchall()
        with pg.transaction(), pg.cursor() as cur:
            cur.executemany(
                f"INSERT INTO articles ({columns}) VALUES ({', '.join(['%s'] * 12)})", articles
            )
            cur.executemany(
                "INSERT INTO summaries (article_id, backend, version, sections)"
                " VALUES (%s, %s, %s, %s)",
                summaries,
            )
            cur.executemany(
                "INSERT INTO vectors (article_id, kind, ordinal, heading, block, model,"
                " dimensions, vector, embedding) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s::vector)",
                [
                    (
                        *v,
                        _vector_literal(np.frombuffer(v[7], dtype="<f4"))
                        if v[1] == "article"
                        else None,
                    )
                    for v in vectors
                ],
            )
        done = min(first + BATCH - 1, last)
        print(f"postgres: {done} articles {time.perf_counter() - started:.0f}s", file=sys.stderr)
    pg.execute(
        "SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))"
    )
    loaded = time.perf_counter()
    for table in ("articles", "summaries"):
        pg.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for first in range(1, last + 1, BATCH * 4):
        pg.execute(
            "SELECT distill_index_article(id) FROM articles WHERE id BETWEEN %s AND %s",
            (first, first + BATCH * 4 - 1),
        )
        print(f"postgres: tsvectors to {first + BATCH * 4 - 1}", file=sys.stderr)
    pg.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
    pg.execute(indexes["search_documents_gin"])
    pg.execute("VACUUM ANALYZE")
    text_indexed = time.perf_counter()
    pg.execute(indexes["vectors_embedding_hnsw"])
    pg.execute("ANALYZE vectors")
    done_at = time.perf_counter()
    store.close()
    src.close()
    return {
        "load_seconds": round(loaded - started, 1),
        "full_text_seconds": round(text_indexed - loaded, 1),
        "hnsw_seconds": round(done_at - text_indexed, 1),
    }


def measure_postgres(
    home: Path, url: str, sqlite_store, qs: list[tuple[str, str]], embedder: CachedEmbedder
) -> None:
    probe = open_store(home, url)
    empty = probe.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    probe.close()
    if empty:
        built = load_postgres(home, url)
        print(f"PostgreSQL build: {json.dumps(built)}", flush=True)
    pg_store = open_store(home, url)
    measure(pg_store, "PostgreSQL", qs, embedder)
    recall(sqlite_store, pg_store, qs, embedder)
    pg_store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--copies", type=int, default=COPIES)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-url", default="", help="a database to use (loaded if empty)")
    args = parser.parse_args()
    build(args.home, args.copies)
    print((args.home / "built.json").read_text())
    sqlite_store = open_store(args.home)
    qs = queries(sqlite_store.conn, random.Random(11))
    embedder = CachedEmbedder()
    t0 = time.perf_counter()
    embedder.embed([text for _, text in qs])
    embed_ms = (time.perf_counter() - t0) * 1000 / len(qs)
    single = default_embedder()
    t0 = time.perf_counter()
    for _, text in qs[:30]:
        single.embed([text])
    single_ms = (time.perf_counter() - t0) * 1000 / 30
    measure(sqlite_store, "SQLite", qs, embedder)
    if args.postgres_url:
        measure_postgres(args.home, args.postgres_url, sqlite_store, qs, embedder)
    elif args.postgres:
        from tests.pg_server import running_server

        with running_server() as server:
            measure_postgres(args.home, server.new_database(), sqlite_store, qs, embedder)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"query embedding (MiniLM, batched, not in the figures above): {embed_ms:.1f} ms per query"
    )
    print(f"one query embedded on its own (as a user's search is): {single_ms:.1f} ms")
    print(f"peak memory (bench process, MiniLM loaded): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
