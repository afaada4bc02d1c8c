"""Technology matcher over the real corpus: speed per article and agreement with human tags.

Run: DISTILL_CORPUS=/path/corpus .venv/bin/python bench/tech_match.py [--set go-blog]
Prints: list size and load time; median/p95 matching time per article (with words);
for each set, how many posts detect the set's own subject (Go / Rust / Apache Flink);
for the Go blog, recall of human tags that name a list entry, beside a baseline that only
looks for the tag word itself in the text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from distill.ingest.extract import from_markdown
from distill.taxonomy.technologies import build_list, default_file_text, load_technologies

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DISTILL_CORPUS", REPO.parent / "shared" / "corpus"))
SUBJECT = {"go-blog": "Go", "rust-blog": "Rust", "flink-blog": "Apache Flink"}


def rows(name: str) -> list[dict]:
    path = CORPUS / "_index" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    sets = args.set or list(SUBJECT)
    t = time.perf_counter()
    build_list(default_file_text())
    print(f"entries: {len(load_technologies())}; cold build {time.perf_counter() - t:.3f} s")
    techs = load_technologies()
    times: list[float] = []
    words: list[int] = []
    near_3000: list[float] = []  # articles of 2,500-3,500 words
    for name in sets:
        found_subject = total = 0
        tag_hits = tag_total = base_hits = 0
        for row in rows(name)[: args.limit or None]:
            path = CORPUS / row["path"]
            if not path.is_file() or path.suffix != ".md":
                continue
            try:
                doc = from_markdown(path.read_text(encoding="utf-8"), str(path))
            except Exception as exc:  # noqa: BLE001 - a bench reports and goes on
                print(f"skip {path}: {exc}", file=sys.stderr)
                continue
            t = time.perf_counter()
            mentions = techs.find_in_document(doc)
            times.append(time.perf_counter() - t)
            words.append(doc.word_count)
            if 2500 <= doc.word_count <= 3500:  # best of 5: the machine is shared
                best = times[-1]
                for _ in range(4):
                    t = time.perf_counter()
                    techs.find_in_document(doc)
                    best = min(best, time.perf_counter() - t)
                near_3000.append(best)
            names = {m.name for m in mentions}
            total += 1
            found_subject += SUBJECT[name] in names
            text = (doc.title + "\n" + doc.text).lower()
            for tag in row.get("tags") or []:
                entry = techs.lookup(str(tag))
                if entry is None:
                    continue
                tag_total += 1
                tag_hits += entry.name in names
                base_hits += re.search(rf"\b{re.escape(str(tag).lower())}\b", text) is not None
        print(f"{name}: {found_subject}/{total} posts detect {SUBJECT[name]!r}")
        if tag_total:
            print(
                f"{name}: human tags naming a list entry: {tag_total}; recall "
                f"{tag_hits / tag_total:.2%} (baseline, tag word in text: "
                f"{base_hits / tag_total:.2%})"
            )
    if times:
        ms = sorted(x * 1000 for x in times)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        print(
            f"match per article: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms "
            f"over {len(ms)} articles (median {statistics.median(words):.0f} words)"
        )
    if near_3000:
        ms = sorted(x * 1000 for x in near_3000)
        print(
            f"articles of 2,500-3,500 words, best of 5 runs each: median "
            f"{statistics.median(ms):.2f} ms, "
            f"max {ms[-1]:.2f} ms over {len(ms)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
