"""Reader judgements of `extractive` summaries: junk/wrong line rate, concept precision,
executive-summary rating, re-scored on every run against labels we wrote by hand.

    PYTHONPATH=$PWD .venv/bin/python bench/judge_summaries.py [--show] [--unlabelled]

The judged set is tests/data/summary_judgements.jsonl (see tests/data/README.md). It holds
article paths and, per summary line, a hash of the section and the line's text with our
label; never the article text. Each run summarizes the judged articles again and looks
every line up by its hash: a line the summarizer no longer shows simply no longer counts,
a line not judged yet is counted as unlabelled (and listed with --unlabelled, so it can be
judged and appended). Labels:

- sentences and code: ok, junk (not worth reading: boilerplate, byline, anecdote, aside,
  fragment, command output), wrong (says something false about the article: a refuted
  claim as fact, a sentence that means something else without its missing antecedent),
  misplaced (worth reading but in the wrong section, e.g. a detail opening the executive
  summary);
- concepts: ok (a technology or a term the article is about) or wrong (a fragment, a
  name standing for an idea, a term the article does not contain or only mentions);
- executive summary, as a whole: 1-5 for "says what the article is about and concludes".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_docs import CORPUS  # noqa: E402

from distill.errors import DistillError, SummarizeError  # noqa: E402
from distill.ingest.extract import from_html, from_markdown  # noqa: E402
from distill.models import Document, Summary  # noqa: E402
from distill.plugins import get_summarizer  # noqa: E402

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "summary_judgements.jsonl"
LINE_LABELS = ("ok", "junk", "wrong", "misplaced")


def line_key(section: str, text: str) -> str:
    """What a label is stored under: the section and the line's text, hashed."""
    return hashlib.sha1(f"{section}\0{' '.join(text.split())}".encode()).hexdigest()[:12]


def exec_key(summary: Summary) -> str:
    section = summary.section("executive_summary")
    texts = [line.text for line in section.lines] if section else []
    return line_key("executive_summary:whole", "\n".join(texts))


def read_labels(path: Path = LABELS) -> tuple[list[dict], dict[tuple[str, str], dict]]:
    """The judged articles (in order) and every label by (article, hash)."""
    articles: list[dict] = []
    labels: dict[tuple[str, str], dict] = {}
    for raw in path.read_text().splitlines():
        if not raw.strip():
            continue
        row = json.loads(raw)
        if row["kind"] == "article":
            articles.append(row)
        else:
            labels[(row["path"], row["hash"])] = row
    return articles, labels


def load(article: dict) -> Document:
    path = CORPUS / article["path"]
    if article.get("format") == "html":
        return from_html(path.read_text(), source=article["path"])
    doc = from_markdown(path.read_text(), source=article["path"])
    doc.description = ""  # the human summary must not stand in for ours
    return doc


def judge(backend: str = "extractive", show: bool = False, unlabelled: bool = False) -> dict:
    articles, labels = read_labels()
    summarizer = get_summarizer(backend)
    counts: Counter[str] = Counter()
    by_section: dict[str, Counter[str]] = {}
    concept: Counter[str] = Counter()
    ratings: list[int] = []
    missing_ratings = 0
    for article in articles:
        try:
            doc = load(article)
            summary = summarizer.summarize(doc)
        except (DistillError, SummarizeError) as exc:
            print(f"# {article['path']}: {exc}")
            continue
        key = exec_key(summary)
        rating = labels.get((article["path"], key))
        if rating:
            ratings.append(int(rating["label"]))
        else:
            missing_ratings += 1
        if show or unlabelled:
            mark = rating["label"] if rating else "?"
            print(f"\n## {article['path']} [{article.get('format', 'md')}] exec={mark} {key}")
        for section in summary.sections:
            for line in section.lines:
                h = line_key(section.name, line.text)
                found = labels.get((article["path"], h))
                label = found["label"] if found else "unlabelled"
                if section.name == "concepts":
                    concept[label] += 1
                counts[label] += 1
                by_section.setdefault(section.name, Counter())[label] += 1
                if show or (unlabelled and not found):
                    text = line.text if line.kind != "code" else line.text[:300]
                    print(f"{h} {section.name[:4]} {label:<10} {text!r}")
    judged = sum(counts[x] for x in LINE_LABELS)
    prose = Counter()
    for name, c in by_section.items():
        if name != "concepts":
            prose.update(c)
    judged_prose = sum(prose[x] for x in LINE_LABELS)
    judged_concepts = concept["ok"] + concept["wrong"]
    result = {
        "articles": len(articles),
        "lines": sum(counts.values()),
        "unlabelled": counts["unlabelled"],
        "junk_rate": counts["junk"] / judged if judged else 0.0,
        "wrong_rate": counts["wrong"] / judged if judged else 0.0,
        "misplaced_rate": counts["misplaced"] / judged if judged else 0.0,
        "prose_junk_wrong_rate": (prose["junk"] + prose["wrong"]) / judged_prose
        if judged_prose
        else 0.0,
        "concept_precision": concept["ok"] / judged_concepts if judged_concepts else 0.0,
        "exec_mean": sum(ratings) / len(ratings) if ratings else 0.0,
        "exec_rated": len(ratings),
        "exec_unrated": missing_ratings,
        "by_section": {k: dict(v) for k, v in by_section.items()},
    }
    return result


def add_labels(path: Path) -> int:
    """Append judgements written in the short form `--unlabelled` invites:

        @ <article path> [<executive summary hash> <rating 1-5>]
        <line hash> <label>

    Each label belongs to the article named by the last `@` line. Returns rows added."""
    _, labels = read_labels()
    rows: list[dict] = []
    article = ""
    for raw in path.read_text().splitlines():
        parts = raw.split()
        if not parts:
            continue
        if parts[0] == "@":
            article = parts[1]
            if len(parts) == 4:
                rows.append(
                    {"kind": "exec", "path": article, "hash": parts[2], "label": int(parts[3])}
                )
            continue
        h, label = parts[0], parts[1]
        if label not in LINE_LABELS:
            raise SystemExit(f"{path}: unknown label {label!r} (use one of {LINE_LABELS})")
        rows.append({"kind": "line", "path": article, "hash": h, "label": label})
    fresh = [r for r in rows if (r["path"], r["hash"]) not in labels]
    with LABELS.open("a") as out:
        for row in fresh:
            out.write(json.dumps(row) + "\n")
    return len(fresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="extractive")
    parser.add_argument("--show", action="store_true", help="print every line with its label")
    parser.add_argument("--unlabelled", action="store_true", help="print lines not judged yet")
    parser.add_argument("--add", type=Path, help="append labels from a short-form file")
    args = parser.parse_args()
    if args.add:
        print(f"{add_labels(args.add)} labels added to {LABELS}")
        return
    r = judge(args.backend, args.show, args.unlabelled)
    print(
        f"\n{r['articles']} articles, {r['lines']} lines ({r['unlabelled']} unlabelled)\n"
        f"junk {r['junk_rate']:.1%}  wrong {r['wrong_rate']:.1%}  "
        f"junk+wrong {r['junk_rate'] + r['wrong_rate']:.1%}  misplaced {r['misplaced_rate']:.1%}\n"
        f"sentence and code lines only: junk+wrong {r['prose_junk_wrong_rate']:.1%}\n"
        f"concept precision {r['concept_precision']:.2f}\n"
        f"executive summary {r['exec_mean']:.2f} of 5 ({r['exec_rated']} rated,"
        f" {r['exec_unrated']} not rated)"
    )
    for name, c in r["by_section"].items():
        print(f"  {name:<18} " + "  ".join(f"{k} {v}" for k, v in sorted(c.items())))


if __name__ == "__main__":
    main()
