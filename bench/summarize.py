"""Speed of the extractive summarizer on the 1,264 Markdown posts, beside sumy's LexRank.

    .venv/bin/python bench/summarize.py [--limit N]

Per article: CPU milliseconds (process time, so other work on a shared machine inflates it
less than wall time) for Distill's `extractive` summary and for sumy LexRank choosing three
sentences from the same sentences (see sumy_baselines.py). Parsing the Markdown is not
timed; loading (the technology list, the first call) is done once before timing. Peak
memory is this process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_docs import posts  # noqa: E402
from sumy_baselines import make, summarize  # noqa: E402

from distill.errors import SummarizeError  # noqa: E402
from distill.plugins import get_summarizer  # noqa: E402

LEXRANK_SENTENCES = 3


def timed(func) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    func()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def describe(name: str, cpu: list[float], wall: list[float]) -> str:
    cpu_sorted = sorted(cpu)
    p95 = cpu_sorted[int(0.95 * (len(cpu_sorted) - 1))]
    rate = len(cpu) / (sum(cpu) / 1000) if sum(cpu) else 0.0
    return (
        f"| {name} | {len(cpu)} | {statistics.median(cpu):.1f} | {p95:.1f} | {max(cpu):.0f}"
        f" | {rate:.1f} | {statistics.median(wall):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="articles (0: all)")
    args = parser.parse_args()
    docs = [p.doc for p in posts()]
    if args.limit:
        docs = docs[: args.limit]
    distill = get_summarizer("extractive")
    lexrank = make("lexrank")
    distill.summarize(docs[0])  # load the technology list and warm caches: not timed
    results: dict[str, tuple[list[float], list[float]]] = {"distill": ([], []), "lexrank": ([], [])}
    failed = 0

    def ours(doc):  # type: ignore[no-untyped-def]
        def run() -> None:
            nonlocal failed
            try:
                distill.summarize(doc)
            except SummarizeError:
                failed += 1

        return run

    started = time.perf_counter()
    for doc in docs:
        for name, run in (
            ("distill", ours(doc)),
            ("lexrank", lambda d=doc: summarize(lexrank, d, LEXRANK_SENTENCES)),
        ):
            cpu, wall = timed(run)
            results[name][0].append(cpu)
            results[name][1].append(wall)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(docs)} articles, {failed} too little text, {time.perf_counter() - started:.0f} s")
    print(
        "| system | articles | median CPU ms | p95 CPU ms | max CPU ms | articles/s (CPU) |"
        " median wall ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (cpu, wall) in results.items():
        print(describe("Distill extractive" if name == "distill" else "sumy LexRank", cpu, wall))
    ratio = statistics.median(results["distill"][0]) / statistics.median(results["lexrank"][0])
    print(f"median ratio Distill / LexRank: {ratio:.2f}x; peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
