"""Claim-check evaluation: can distill/verify.py tell supported sentences from altered ones?

    .venv/bin/python bench/eval_claims.py [--articles 100]

For 100 corpus articles: the sentences of the offline summary (supported) and variants
made from them (one number changed, one name changed, negated, a summary sentence of the
most similar other article from the same blog: unsupported). Prints ROC-AUC and accuracy
at the checker's threshold for the claim check and, in the same run, for plain word
overlap (share of the claim's words in its best source sentence), plus the time the
checker takes per article's batch of summary sentences (model load excluded).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.embed import default_embedder  # noqa: E402
from distill.summarize.claims import DEFAULT_THRESHOLD, Verifier, word_overlap  # noqa: E402
from tests.claims_data import backend_name, build_claims, load_articles  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.0)
    for t in np.unique(scores):
        acc = float(((scores >= t) == labels).mean())
        if acc > best[1]:
            best = (float(t), acc)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args()
    docs = load_articles(CORPUS, args.articles)
    claims, batches = build_claims(docs)
    embedder = default_embedder()
    embedder.embed(["warm up the model"])  # model load is not the checker's cost

    verdicts: list[tuple[float, bool]] = []
    verifiers = {}
    for n, doc in enumerate(docs):
        verifiers[n] = Verifier(doc, embedder)
    by_article: dict[int, list[int]] = {}
    for index, claim in enumerate(claims):
        by_article.setdefault(claim.article, []).append(index)
    scores = np.zeros(len(claims))
    passed = np.zeros(len(claims), dtype=bool)
    embedded = 0
    for n, indexes in by_article.items():
        checks = verifiers[n].check([claims[i].text for i in indexes])
        embedded += verifiers[n].embedded
        for i, check in zip(indexes, checks, strict=True):
            scores[i] = check.score
            passed[i] = check.supported
            verdicts.append((check.score, claims[i].supported))
    labels = np.array([c.supported for c in claims])
    overlap = np.array([word_overlap(docs[c.article], c.text) for c in claims])

    # Speed: a fresh Verifier per article (as the backend does), checking that article's
    # batch of summary sentences; the embedding model is already loaded.
    times = []
    for doc, batch in zip(docs, batches, strict=True):
        if not batch:
            continue
        started = time.perf_counter()
        Verifier(doc, embedder).check(batch)
        times.append((time.perf_counter() - started) * 1000)
    full_times = []
    for doc, batch in list(zip(docs, batches, strict=True))[:30]:
        if batch:
            started = time.perf_counter()
            Verifier(doc, embedder, shortcut=False).check(batch)
            full_times.append((time.perf_counter() - started) * 1000)

    kinds = sorted({c.kind for c in claims})
    print(
        f"articles: {len(docs)}  claims: {len(claims)} "
        f"({int(labels.sum())} supported, {int((~labels).sum())} unsupported)"
    )
    print(f"supported sentences from: {backend_name()} summaries")
    print("counts by kind: " + ", ".join(f"{k} {sum(c.kind == k for c in claims)}" for k in kinds))
    print()
    t_overlap, acc_overlap_best = best_threshold(overlap, labels)
    rows = [
        (
            "claim check (distill/verify.py)",
            scores,
            DEFAULT_THRESHOLD,
            float((passed == labels).mean()),
        ),
        (
            "word overlap (baseline)",
            overlap,
            t_overlap,
            float(((overlap >= t_overlap) == labels).mean()),
        ),
    ]
    print(f"{'method':34} {'ROC-AUC':>8} {'threshold':>9} {'accuracy':>9}")
    for name, values, threshold, accuracy in rows:
        print(f"{name:34} {roc_auc_score(labels, values):8.3f} {threshold:9.2f} {accuracy:9.3f}")
    t_best, acc_best = best_threshold(scores, labels)
    print(
        f"(claim check's best-accuracy threshold on this set: {t_best:.2f}, "
        f"accuracy {acc_best:.3f}; word overlap's threshold above is its own best)"
    )
    print()
    print("accuracy by kind (claim check / word overlap):")
    for kind in kinds:
        mask = np.array([c.kind == kind for c in claims])
        ours = float((passed[mask] == labels[mask]).mean())
        base = float(((overlap[mask] >= t_overlap) == labels[mask]).mean())
        print(f"  {kind:14} {ours:.3f} / {base:.3f}  (n={int(mask.sum())})")
    print()
    print(f"claims that needed the embedding model: {embedded} of {len(claims)}")
    print(
        f"checker time per article's summary batch (ms, {len(times)} articles): "
        f"median {statistics.median(times):.1f}, p95 {np.percentile(times, 95):.1f}, "
        f"max {max(times):.1f}"
    )
    print(
        f"same with embeddings for every claim ({len(full_times)} articles): "
        f"median {statistics.median(full_times):.1f}, p95 {np.percentile(full_times, 95):.1f}"
    )


if __name__ == "__main__":
    main()
