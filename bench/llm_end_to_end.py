"""The `llm` backend end to end on corpus articles: what a user of a local model gets.

    .venv/bin/python bench/llm_end_to_end.py --base-url http://127.0.0.1:8765/v1 \
        --model qwen05 --articles 20 [--timeout 900] [--max-tokens N]

Summarizes corpus articles of 300 to 600 words (the same pick as bench/llm_summaries.py)
with the product's own path, `llm:bench` through `get_summarizer`: the model's answer,
lenient parsing and one repair request, the claim check, and the fallback to the offline
summary with its reason. Per article it prints seconds, sentences the model wrote, how many
the check kept, and the fallback reason if any; then the median and p95 seconds, the share
of sentences kept and the share of articles that fell back, by reason. Needs a running
OpenAI-compatible server (docs/offline-llm.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from llm_summaries import pick_articles  # noqa: E402

from distill.config import load_settings  # noqa: E402
from distill.ingest.extract import from_markdown  # noqa: E402
from distill.plugins import get_summarizer  # noqa: E402
from distill.summarize import claims  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402

SENTENCE_SECTIONS = (
    "executive_summary",
    "main_points",
    "specifications",
    "takeaways",
    "limitations",
)


class Counting:
    """Counts the sentences the claim check is asked about and how many it supports."""

    def __init__(self) -> None:
        self.asked = 0
        self.supported = 0
        self._check = claims.Verifier.check

    def __enter__(self) -> Counting:
        counter = self

        def check(verifier: claims.Verifier, texts: list[str]) -> list:
            out = counter._check(verifier, texts)
            counter.asked += len(out)
            counter.supported += sum(1 for c in out if c.supported)
            return out

        claims.Verifier.check = check  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        claims.Verifier.check = self._check  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True, help="the model name the server answers to")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900.0, help="llm_total_timeout, s")
    parser.add_argument(
        "--max-tokens", type=int, default=0, help="a models.toml cap; 0 (default): none, sized"
    )
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="distill-llm-bench-"))
    (home / "models.toml").write_text(
        f'[models.bench]\nbase_url = "{args.base_url}"\nmodel = "{args.model}"\n'
        'dialect = "json_object"\ncontext = 4096\n\n[models.bench.options]\n'
        "temperature = 0.0\n" + (f"max_tokens = {args.max_tokens}\n" if args.max_tokens else "")
    )
    os.environ["DISTILL_HOME"] = str(home)
    os.environ["DISTILL_LLM_TOTAL_TIMEOUT"] = str(args.timeout)
    summarizer = get_summarizer("llm:bench")
    summarizer.bind(load_settings())  # type: ignore[attr-defined]

    seconds: list[float] = []
    asked = kept = shown_total = 0
    reasons: Counter[str] = Counter()
    paths = pick_articles(args.articles)
    for path in paths:
        doc = from_markdown((CORPUS / path).read_text("utf-8"), source=path)
        doc.description = ""
        with Counting() as counting:
            started = time.perf_counter()
            summary = summarizer.summarize(doc)
            took = time.perf_counter() - started
        seconds.append(took)
        shown = sum(  # sentences only: a code block in the specifications is not a claim
            line.kind == "sentence"
            for s in summary.sections
            if s.name in SENTENCE_SECTIONS
            for line in s.lines
        )
        reason = (summary.fallback or {}).get("reason", "")
        if reason:
            reasons[reason.split(": ", 1)[-1].split(" (")[0][:60]] += 1
        else:
            asked += counting.asked
            kept += counting.supported
            shown_total += shown
        print(
            f"{path}: {took:.1f} s, model wrote {counting.asked} sentences, "
            f"check kept {counting.supported}, shown {shown}"
            + (f", FELL BACK: {reason}" if reason else ""),
            flush=True,
        )
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"\n{len(paths)} articles, model {args.model}: median {statistics.median(seconds):.1f} s,"
        f" p95 {p95:.1f} s per article; sentences kept {kept} of {asked}"
        f" ({kept / max(1, asked):.0%}), {shown_total} sentences shown (section limits),"
        " where the model's summary was used;"
        f" fell back {sum(reasons.values())} of {len(paths)}"
    )
    for reason, n in reasons.most_common():
        print(f"  {n} x {reason}")


if __name__ == "__main__":
    main()
