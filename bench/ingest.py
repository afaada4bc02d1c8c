"""Ingest throughput: Distill's import path beside plain trafilatura.extract() in the same run.

Usage: .venv/bin/python bench/ingest.py [--corpus ../shared/corpus] [--embed] [--postgres]
                                        [--phase NAME]

With --postgres the Distill phases store into a fresh PostgreSQL database on the tests'
server (tests/pg_server.py, started for the run) instead of the SQLite file.

Each phase runs in its own process so its peak memory (max RSS) is its own:
  trafilatura   trafilatura.extract() on the 237 Flink HTML pages (the baseline)
  distill-html  the full import path (read, extract, dedupe, summarize, store) on those pages
  distill-md    the same on the 1,264 Go, Rust and Flink Markdown posts
With --embed the pipeline also computes and stores embeddings (model load excluded).
CPU time includes the extraction child processes (reaped at the end of the phase).
"of it summary" is the CPU time inside the summarizer (its technology match included,
which the classifier then reuses); the last line gives the import's cost without it, the
part issue 17's 1.5x goal measures (the summary's own budget is issue 12's, against LexRank).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def timed(summarizer: Any) -> Any:
    """The summarizer, counting the CPU seconds its summaries take (attribute `cpu`), so the
    import's cost can be told apart from the summary's within one run."""
    from distill.summarize.base import Summarizer

    class Timed(Summarizer):
        cpu = 0.0

        def build(self, doc: Any) -> Any:
            return summarizer.build(doc)

        def summarize(self, doc: Any) -> Any:
            started = time.process_time()
            try:
                return summarizer.summarize(doc)
            finally:
                self.cpu += time.process_time() - started

    out = Timed()
    out.name, out.version, out.extractive = summarizer.name, summarizer.version, True
    return out


def corpus_rows(corpus: Path) -> list[dict]:
    rows = []
    for name in ("go-blog", "rust-blog", "flink-blog"):
        with (corpus / "_index" / f"{name}.jsonl").open() as handle:
            rows += [json.loads(line) for line in handle]
    return rows


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phase(name: str, corpus: Path, embed: bool, database: str = "") -> dict:
    rows = corpus_rows(corpus)
    html = [corpus / r["html_path"] for r in rows if r.get("html_path")]
    markdown = [corpus / r["path"] for r in rows]
    if name == "trafilatura":
        import trafilatura

        files = html
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        for path in files:
            trafilatura.extract(path.read_bytes().decode("utf-8"))
        failed = 0
    else:
        from distill.config import load_settings
        from distill.embed import default_embedder
        from distill.ingest.pipeline import ingest
        from distill.ingest.sources import file_source
        from distill.plugins import get_summarizer
        from distill.store import open_store

        files = html if name == "distill-html" else markdown
        home = Path(tempfile.mkdtemp(prefix="distill-bench-"))
        os.environ["DISTILL_EMBED"] = "1" if embed else "0"
        settings = load_settings(home)
        if embed:
            default_embedder().embed(["warm up the model outside the timed part"])
        from distill.ingest.contain import stop_all

        store = open_store(home, database)
        summarizer = timed(get_summarizer(settings.summarizer).bind(settings))
        ingest(file_source(files[0]), store, settings, summarizer)  # starts the extraction child
        summarizer.cpu = 0.0
        stop_all()
        children_before = _children_cpu()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        failed = 0
        for path in files:
            failed += ingest(file_source(path), store, settings, summarizer).status == "failed"
        store.close()
        # Extraction runs in child processes (distill/ingest/contain.py): closing them
        # reaps them, so their CPU time counts too.
        stop_all()
        start_cpu -= _children_cpu() - children_before
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    summary_cpu = summarizer.cpu if name != "trafilatura" else 0.0
    return {
        "summary_ms_per_article": 1000 * summary_cpu / len(files),
        "phase": name,
        "articles": len(files),
        "failed": failed,
        "per_second": len(files) / wall,
        "cpu_ms_per_article": 1000 * cpu / len(files),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--embed", action="store_true")
    parser.add_argument("--phase")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    if args.postgres:
        sys.path.insert(0, str(REPO))
        from tests.pg_server import running_server

        with running_server() as server:
            names = [args.phase] if args.phase else ["distill-html", "distill-md"]
            for name in names:
                cmd = [sys.executable, __file__, "--corpus", str(corpus), "--phase", name]
                cmd += ["--database", server.new_database()] + (["--embed"] if args.embed else [])
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                print(out.strip().splitlines()[-1], flush=True)
        return
    if args.phase:
        print(json.dumps(phase(args.phase, corpus, args.embed, args.database)))
        return
    results = []
    for name in ("trafilatura", "distill-html", "distill-md"):
        cmd = [sys.executable, __file__, "--corpus", str(corpus), "--phase", name]
        if args.embed:
            cmd.append("--embed")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    print(
        f"{'phase':<14}{'articles':>9}{'failed':>8}{'art/s':>9}{'cpu ms/art':>12}"
        f"{'of it summary':>15}{'peak MB':>9}"
    )
    for r in results:
        print(
            f"{r['phase']:<14}{r['articles']:>9}{r['failed']:>8}{r['per_second']:>9.1f}"
            f"{r['cpu_ms_per_article']:>12.1f}{r['summary_ms_per_article']:>15.1f}"
            f"{r['peak_mb']:>9.0f}"
        )
    base, html = results[0]["cpu_ms_per_article"], results[1]
    ratio = html["cpu_ms_per_article"] / base
    rest = (html["cpu_ms_per_article"] - html["summary_ms_per_article"]) / base
    print(f"HTML ingest CPU cost / trafilatura.extract() alone: {ratio:.2f}x")
    print(f"  the same without the summary (issue 12 budgets it): {rest:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
