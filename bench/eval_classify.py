"""Quality of categories and tags on the real corpus; prints the figures in docs/benchmarks.md.

    .venv/bin/python bench/eval_classify.py [--corpus DIR] [--tags-sample 30]

Categories: the team's own labels of 120 corpus articles (tests/data/category_labels.jsonl,
40 per blog). Reported: zero-shot (with and without technology hints), then leave-one-out
few-shot with up to 8 examples per category drawn from the other labelled articles, for
Distill's k-nearest-neighbour mixing, a logistic regression over the same vectors, and a
TF-IDF + logistic regression baseline trained on the same examples in the same run.

Tags: precision and recall of Distill's tags against the human tags of the 171 tagged Go
posts, counting only human tags that name an entry of the technology list. With
--tags-sample N it also prints the tags of N labelled articles for checking by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.classify.classifier import CategoryModel, hint_weights, tag_document  # noqa: E402
from distill.config import load_settings  # noqa: E402
from distill.embed import article_text, default_embedder  # noqa: E402
from distill.ingest.sources import file_source  # noqa: E402
from distill.models import Document  # noqa: E402
from distill.taxonomy.categories import load_taxonomy  # noqa: E402

LABELS = REPO / "tests" / "data" / "category_labels.jsonl"
SHOTS = 8  # examples per category for few-shot, as the issue asks
SEED = 7


def default_corpus() -> Path:
    """DISTILL_CORPUS, else ../shared/corpus beside the checkout (or one level up)."""
    env = os.environ.get("DISTILL_CORPUS")
    if env:
        return Path(env)
    near = [p / "shared" / "corpus" for p in REPO.parents]
    return next((p for p in near if p.is_dir()), near[0])


def load_docs(corpus: Path, paths: list[str]) -> list[Document]:
    settings = load_settings(REPO / ".bench-home")
    return [file_source(corpus / p).load(settings) for p in paths]


def report(name: str, gold: list[str], pred: list[str]) -> dict[str, float]:
    labels = sorted(set(gold))
    acc = accuracy_score(gold, pred)
    f1 = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    print(f"  {name:<44} accuracy {acc:6.1%}   macro-F1 {f1:.3f}")
    return {"accuracy": acc, "macro_f1": f1}


def pick_examples(
    labels: list[str], exclude: int, rng: random.Random, shots: int = SHOTS
) -> list[int]:
    """Up to `shots` other labelled articles per category, drawn at random."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        if i != exclude:
            by_label[label].append(i)
    chosen: list[int] = []
    for label in sorted(by_label):
        pool = by_label[label]
        chosen += rng.sample(pool, min(shots, len(pool)))
    return chosen


def categories(corpus: Path) -> None:
    rows = [json.loads(x) for x in LABELS.read_text().splitlines() if x.strip()]
    gold = [r["label"] for r in rows]
    docs = load_docs(corpus, [r["path"] for r in rows])
    taxonomy = load_taxonomy()
    embedder = default_embedder()
    start = time.perf_counter()
    vectors = embedder.embed([article_text(d) for d in docs])
    print(f"embedded {len(docs)} articles in {time.perf_counter() - start:.1f} s")
    hints = [hint_weights(tag_document(d)[0], taxonomy.names) for d in docs]
    zero = CategoryModel.build(taxonomy, embedder)
    print(f"\nCategories: {len(rows)} hand-labelled articles, {len(set(gold))} categories used")
    results = {}
    results["zero-shot (embeddings only)"] = report(
        "zero-shot, embeddings only", gold, [zero.predict(v)[0] for v in vectors]
    )
    results["zero-shot"] = report(
        "zero-shot, embeddings + technology hints",
        gold,
        [zero.predict(v, h)[0] for v, h in zip(vectors, hints, strict=True)],
    )
    texts = [f"{d.title}\n{d.description}\n{d.text}" for d in docs]
    preds: dict[str, list[str]] = defaultdict(list)
    rng = random.Random(SEED)
    for i in range(len(docs)):
        chosen = pick_examples(gold, i, rng)
        ex_vectors, ex_labels = vectors[chosen], [gold[j] for j in chosen]
        for method in ("knn", "linear"):
            model = CategoryModel(
                taxonomy, zero.text_vectors, zero.owners, ex_vectors, ex_labels, method
            )
            preds[method].append(model.predict(vectors[i], hints[i])[0])
        # the baseline: TF-IDF over the article text, logistic regression, same examples
        tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_features=20_000)
        matrix = tfidf.fit_transform([texts[j] for j in chosen])
        lr = LogisticRegression(C=10.0, max_iter=1000).fit(matrix, ex_labels)
        preds["tfidf"].append(str(lr.predict(tfidf.transform([texts[i]]))[0]))
    print(f"  leave-one-out few-shot, up to {SHOTS} examples per category:")
    report("few-shot, embeddings + k nearest neighbours", gold, preds["knn"])
    report("few-shot, embeddings + logistic regression", gold, preds["linear"])
    report("baseline: TF-IDF + logistic regression", gold, preds["tfidf"])
    confusion: dict[tuple[str, str], int] = defaultdict(int)
    for g, p in zip(
        gold, [zero.predict(v, h)[0] for v, h in zip(vectors, hints, strict=True)], strict=True
    ):
        if g != p:
            confusion[(g, p)] += 1
    print("  zero-shot mistakes (gold -> predicted):")
    for (g, p), n in sorted(confusion.items(), key=lambda x: -x[1]):
        print(f"    {n:3d}  {g} -> {p}")


def tags(corpus: Path, sample: int) -> None:
    from distill.taxonomy import technologies

    techs = technologies.load_technologies()
    index = corpus / "_index" / "go-blog.jsonl"
    rows = [json.loads(x) for x in index.read_text().splitlines()]
    rows = [r for r in rows if r["tags"]]
    settings = load_settings(REPO / ".bench-home")
    tp = fp = fn = 0
    covered = 0
    ours_total = 0
    for row in rows:
        human = set()
        for tag in row["tags"]:
            entry = techs.lookup(str(tag))
            if entry is not None:
                human.add(entry.name)
        doc = file_source(corpus / row["path"]).load(settings)
        ours = set(tag_document(doc)[1])
        ours_total += len(ours)
        if not human:
            continue
        covered += 1
        tp += len(ours & human)
        fp += len(ours - human)
        fn += len(human - ours)
    print(f"\nTags: {len(rows)} tagged Go posts, {covered} with a human tag in the list")
    print(f"  Distill tags per post: {ours_total / len(rows):.1f}")
    print(f"  recall    {tp / max(tp + fn, 1):6.1%}  ({tp} of {tp + fn} listed human tags found)")
    print(
        f"  precision {tp / max(tp + fp, 1):6.1%}  (of Distill's tags on those {covered} posts,"
        " share the human also gave; humans tag sparsely, see the hand check)"
    )
    if sample:
        labelled = [json.loads(x) for x in LABELS.read_text().splitlines() if x.strip()]
        per_blog: dict[str, list[str]] = defaultdict(list)
        for r in labelled:
            per_blog[r["path"].split("/")[0]].append(r["path"])
        print(f"\nTags of {sample} labelled articles, for the hand check:")
        for blog in sorted(per_blog):
            for path in per_blog[blog][:: max(1, len(per_blog[blog]) // (sample // 3))][
                : sample // 3
            ]:
                doc = file_source(corpus / path).load(settings)
                _, chosen, candidates = tag_document(doc)
                print(f"  {path}\n    tags: {chosen}\n    candidates: {candidates}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--tags-sample", type=int, default=0)
    args = parser.parse_args()
    categories(args.corpus)
    tags(args.corpus, args.tags_sample)


if __name__ == "__main__":
    main()
