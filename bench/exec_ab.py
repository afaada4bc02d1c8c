"""Blind before/after ratings of executive summaries, re-read against today's summaries.

    PYTHONPATH=$PWD .venv/bin/python bench/exec_ab.py

tests/data/exec_summary_ab.jsonl holds, per article a change moved, a rater's 1-5 for the
executive summary before and after that change (see tests/data/README.md) and a hash of
each version. This summarizes those articles again and says, per change and for the
held-out articles apart, the mean before, the mean after, and the mean of what a reader
gets today: the rating of today's summary when it is one of the two rated versions. A
summary that has since become something else is counted, not guessed at.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from judge_summaries import exec_key, load  # noqa: E402

from distill.plugins import get_summarizer  # noqa: E402

RATINGS = Path(__file__).resolve().parents[1] / "tests" / "data" / "exec_summary_ab.jsonl"


def mean(values: list[int]) -> str:
    return f"{sum(values) / len(values):.2f}" if values else "-"


def main() -> None:
    summarizer = get_summarizer("extractive")
    groups: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    for raw in RATINGS.read_text().splitlines():
        row = json.loads(raw)
        groups[(row["pass"], row["held_out"])].append(row)
    print(
        "| change | articles | held out | before | after | today (rated versions) | moved since |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for (name, held_out), rows in sorted(groups.items()):
        today: list[int] = []
        for row in rows:
            key = exec_key(summarizer.summarize(load({"path": row["path"]})))
            rated = {row["before_hash"]: row["before"], row["after_hash"]: row["after"]}
            if key in rated:
                today.append(rated[key])

        print(
            f"| {name} | {len(rows)} | {'yes' if held_out else 'no'} "
            f"| {mean([r['before'] for r in rows])} | {mean([r['after'] for r in rows])} "
            f"| {mean(today)} ({len(today)}) | {len(rows) - len(today)} |"
        )


if __name__ == "__main__":
    main()
