"""ROUGE of the executive summary against the corpus's human summaries, beside baselines.

    .venv/bin/python bench/eval_summaries.py [--limit N]

Sets: the Go (272), Rust (142) and Flink (98) posts that come with a human summary. Every
system's output is cut to the same word budget per article, the length of that article's
human summary, so no system gains from saying more. Systems: Distill's `extractive`
executive summary; lead (the first sentences); LexRank and TextRank from sumy, given the
same sentences (see sumy_baselines.py). Scores: ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 from
rouge-score with stemming, averaged per set, then over the three sets.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_docs import SETS, posts  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402
from sumy_baselines import make, sentences, summarize  # noqa: E402

from distill.errors import SummarizeError  # noqa: E402
from distill.plugins import get_summarizer  # noqa: E402
from distill.text import sentence_spans  # noqa: E402

METRICS = ("rouge1", "rouge2", "rougeLsum")
# Sentences the baselines pick before the cut to the word budget (more than any budget needs).
BASELINE_SENTENCES = 4


def cut(sentence_list: list[str], budget: int) -> str:
    """The sentences, one per line (for ROUGE-Lsum), cut after `budget` words."""
    out, left = [], budget
    for sentence in sentence_list:
        words = sentence.split()
        if left <= 0:
            break
        out.append(" ".join(words[:left]))
        left -= len(words)
    return "\n".join(out)


def reference_lines(text: str) -> str:
    return "\n".join(text[s:e] for s, e in sentence_spans(text)) or text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="articles per set (0: all)")
    parser.add_argument("--backend", default="extractive")
    args = parser.parse_args()

    distill = get_summarizer(args.backend)
    lexrank, textrank = make("lexrank"), make("textrank")
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    systems = ("distill", "lead", "lexrank", "textrank")
    totals: dict[str, dict[str, dict[str, list[float]]]] = {
        s: {name: defaultdict(list) for name in systems} for s in SETS
    }
    counts: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    for post in posts(with_reference=True):
        if args.limit and counts[post.set] >= args.limit:
            continue
        counts[post.set] += 1
        budget = len(post.reference.split())
        try:
            summary = distill.summarize(post.doc)
            section = summary.section("executive_summary")
            ours = [line.text for line in section.lines] if section else []
        except SummarizeError:
            ours = []
        outputs = {
            "distill": ours,
            "lead": sentences(post.doc)[:BASELINE_SENTENCES],
            "lexrank": summarize(lexrank, post.doc, BASELINE_SENTENCES),
            "textrank": summarize(textrank, post.doc, BASELINE_SENTENCES),
        }
        reference = reference_lines(post.reference)
        for name, output in outputs.items():
            scores = scorer.score(reference, cut(output, budget))
            for metric in METRICS:
                totals[post.set][name][metric].append(scores[metric].fmeasure * 100)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    print(
        f"ROUGE F1 x100, word budget = human summary length ({time.perf_counter() - started:.0f} s)"
    )
    header = f"{'set':<12}{'n':>5}  {'system':<10}" + "".join(f"{m:>11}" for m in METRICS)
    print(header)
    print("-" * len(header))
    average: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in systems}
    for s in SETS:
        for name in systems:
            row = [mean(totals[s][name][m]) for m in METRICS]
            for metric, value in zip(METRICS, row, strict=True):
                average[name][metric].append(value)
            cells = "".join(f"{v:>11.2f}" for v in row)
            print(f"{s:<12}{counts[s]:>5}  {name:<10}{cells}")
        print()
    for name in systems:
        cells = "".join(f"{mean(average[name][m]):>11.2f}" for m in METRICS)
        print(f"{'average':<12}{sum(counts.values()):>5}  {name:<10}{cells}")


if __name__ == "__main__":
    main()
