"""LLM summaries of corpus articles, recorded sentence by sentence for labelling.

    .venv/bin/python bench/llm_summaries.py --base-url http://127.0.0.1:8765/v1 \
        --articles 40 --out /tmp/llm-summaries.jsonl [--dialect json_object|none]

Asks a running OpenAI-compatible server (docs/offline-llm.md) for the six sections of
corpus articles of 300 to 600 words, spread over the three blogs, one request each, and
writes one JSON line per article: its corpus path, the raw answer, finish reason, seconds,
the repairs lenient parsing needed, and every sentence with its section. Articles already
in --out are skipped, so the run can be stopped and resumed; `--skip-labelled` also skips
the articles tests/data/claims_llm.jsonl already labels, to grow that set with new ones
(`--words 250-700` widens the pool). The output holds model text, so it stays outside the
repository; tests/data/claims_llm.jsonl keeps only the labelled
sentences and article ids.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.config import load_settings  # noqa: E402
from distill.errors import InvalidAnswer, LLMUnavailable  # noqa: E402
from distill.ingest.extract import from_markdown  # noqa: E402
from distill.llm.client import chat  # noqa: E402
from distill.llm.config import ModelEntry  # noqa: E402
from distill.llm.lenient import loads_lenient  # noqa: E402
from distill.llm.schema import SUMMARY_SCHEMA, SYSTEM_PROMPT, parse_summary, user_prompt  # noqa: E402
from distill.summarize.llm import request_tokens  # noqa: E402
from distill.text import sentence_spans  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402

SETS = ("go-blog", "rust-blog", "flink-blog")


def pick_articles(count: int, low: int = 300, high: int = 600) -> list[str]:
    """Corpus paths (relative), alternating between the blogs, evenly spaced in each."""
    per_set = []
    for name in SETS:
        rows = [
            json.loads(line)
            for line in (CORPUS / "_index" / f"{name}.jsonl").read_text("utf-8").splitlines()
        ]
        paths = sorted(
            r["path"]
            for r in rows
            if r["path"].endswith(".md") and low <= (r.get("words") or 0) <= high
        )
        step = max(1, len(paths) // (count // len(SETS) + 1))
        per_set.append(paths[step // 2 :: step])
    out: list[str] = []
    for group in zip(*per_set, strict=False):
        out.extend(group)
    return out[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--dialect", default="json_object")
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--max-tokens", type=int, default=0, help="0: sized as the product does")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skip-labelled", action="store_true")
    parser.add_argument("--words", default="300-600", help="article length range, in words")
    args = parser.parse_args()
    done = set()
    if args.out.exists():
        done = {json.loads(line)["article"] for line in args.out.read_text("utf-8").splitlines()}
    if args.skip_labelled:
        labelled = (REPO / "tests" / "data" / "claims_llm.jsonl").read_text("utf-8")
        done |= {json.loads(line)["article"] for line in labelled.splitlines()}
    entry = ModelEntry(
        "bench",
        args.base_url,
        args.model,
        dialect=args.dialect,
        context=4096,
        options={"temperature": 0.0, "seed": 7}
        | ({"max_tokens": args.max_tokens} if args.max_tokens else {}),
    )
    # A small model on a busy CPU takes minutes per article: bound only a hung server.
    os.environ.setdefault("DISTILL_LLM_TOTAL_TIMEOUT", "1800")
    settings = load_settings(Path("/tmp/distill-bench-home"))
    low, high = (int(n) for n in args.words.split("-"))
    for path in pick_articles(args.articles, low, high):
        if path in done:
            continue
        doc = from_markdown((CORPUS / path).read_text("utf-8"), source=path)
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(doc.title, doc.text)},
        ]
        record: dict[str, object] = {"article": path, "dialect": args.dialect}
        try:
            reply = chat(entry, settings, messages, SUMMARY_SCHEMA, request_tokens(entry, messages))
        except LLMUnavailable as exc:
            record["error"] = str(exc)
        else:
            record.update(raw=reply.content, finish=reply.finish_reason, seconds=reply.seconds)
            try:
                record["repairs"] = loads_lenient(reply.content)[1]
                draft = parse_summary(reply.content, reply.finish_reason)
            except (InvalidAnswer, ValueError) as exc:
                record["error"] = str(exc)
            else:
                sentences = []
                items = [("executive_summary", t) for t in draft.executive_summary]
                items += [("main_points", p) for _, p in draft.main_points]
                for name in ("specifications", "takeaways", "limitations"):
                    items += [(name, t) for t in getattr(draft, name)]
                for name, text in items:
                    sentences += [
                        {"section": name, "text": text[s:e]} for s, e in sentence_spans(text)
                    ]
                record["sentences"] = sentences
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        print(path, record.get("seconds"), record.get("error", ""), flush=True)


if __name__ == "__main__":
    main()
