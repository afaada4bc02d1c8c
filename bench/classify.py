"""Cost of categorising and tagging one article whose embeddings already exist.

    .venv/bin/python bench/classify.py [--per-blog 100] [--examples 40]

Reads corpus articles (Go, Rust, Flink Markdown), embeds them first (not timed: at ingest
the vector is computed once and stored), then times `Classifier.classify(doc, vector)`:
technology matching, candidate terms, hints and the category scores, with a few-shot
model holding `--examples` user corrections. Prints median, p95 and max per article.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from eval_classify import default_corpus  # noqa: E402

from distill.classify.classifier import Classifier, tag_document  # noqa: E402
from distill.config import load_settings  # noqa: E402
from distill.embed import article_text, default_embedder  # noqa: E402
from distill.errors import DistillError  # noqa: E402
from distill.ingest.sources import file_source  # noqa: E402
from distill.taxonomy.categories import load_taxonomy  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--per-blog", type=int, default=100)
    parser.add_argument("--examples", type=int, default=40)
    args = parser.parse_args()
    settings = load_settings(REPO / ".bench-home")
    docs = []
    for blog in ("go-blog", "rust-blog", "flink-blog"):
        rows = [json.loads(x) for x in (args.corpus / "_index" / f"{blog}.jsonl").open()]
        rows = [r for r in rows if (r.get("words") or 0) >= 150]
        step = max(1, len(rows) // args.per_blog)
        for row in rows[::step][: args.per_blog]:
            try:
                docs.append(file_source(args.corpus / row["path"]).load(settings))
            except DistillError:
                continue
    embedder = default_embedder()
    start = time.perf_counter()
    vectors = embedder.embed([article_text(d) for d in docs])
    print(f"embedded {len(docs)} articles in {time.perf_counter() - start:.1f} s (not timed below)")
    taxonomy = load_taxonomy()
    labels = [taxonomy.names[i % len(taxonomy.names)] for i in range(args.examples)]
    classifier = Classifier(taxonomy, embedder, vectors[: args.examples], labels)
    tag_document(docs[0])  # load the technology list once, as a long-running process has
    classifier.classify(docs[0], vectors[0])
    # wall time, and this thread's CPU time: on a shared machine the wall-clock tail is
    # mostly waiting for a core, which the CPU time leaves out
    times, tag_times, cpu_times = [], [], []
    for doc, vector in zip(docs, vectors, strict=True):
        t0 = time.perf_counter()
        tag_document(doc)
        t1 = time.perf_counter()
        c1 = time.thread_time()
        classifier.classify(doc, vector)
        c2 = time.thread_time()
        t2 = time.perf_counter()
        tag_times.append((t1 - t0) * 1000)
        times.append((t2 - t1) * 1000)
        cpu_times.append((c2 - c1) * 1000)

    def line(name: str, values: list[float]) -> None:
        values = sorted(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"  {name:<42} median {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms"
            f"   max {values[-1]:6.2f} ms"
        )

    words = statistics.median(d.word_count for d in docs)
    print(f"{len(docs)} articles (median {words:.0f} words), {args.examples} user examples:")
    line("classify (category + tags + candidates), wall", times)
    line("classify, CPU time of the thread", cpu_times)
    line("technology tags and candidates alone, wall", tag_times)


if __name__ == "__main__":
    main()
