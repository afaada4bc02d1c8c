"""Extraction quality on all 237 real Flink pages, against plain trafilatura in the same run."""

from __future__ import annotations

import json
from statistics import mean

import trafilatura

from distill.ingest.extract import extract, from_markdown
from distill.ingest.overlap import ngram_overlap

from .conftest import require_corpus


def test_extraction_is_at_least_as_good_as_plain_trafilatura() -> None:
    corpus = require_corpus()
    rows = [json.loads(line) for line in (corpus / "_index" / "flink-blog.jsonl").open()]
    rows = [r for r in rows if r.get("html_path")]
    assert len(rows) == 237
    ours, theirs = [], []
    for row in rows:
        reference = from_markdown((corpus / row["path"]).read_text(encoding="utf-8")).text
        html = (corpus / row["html_path"]).read_bytes()
        ours.append(ngram_overlap(extract(html, "html", row["html_path"]).text, reference))
        plain = trafilatura.extract(html.decode("utf-8")) or ""
        theirs.append(ngram_overlap(plain, reference))

    def line(name: str, scores: list) -> str:
        return (
            f"{name:<22} P={mean(s.precision for s in scores):.3f} "
            f"R={mean(s.recall for s in scores):.3f} F1={mean(s.f1 for s in scores):.3f}"
        )

    print("\nword 4-gram overlap with the Markdown source, 237 Flink pages")
    print(line("distill", ours))
    print(line("trafilatura.extract()", theirs))
    assert mean(s.f1 for s in ours) >= mean(s.f1 for s in theirs)
