"""Fit the learned claim check's weights and write distill/summarize/claims_model.py.

    .venv/bin/python bench/train_claims.py [--synthetic 30] && .venv/bin/ruff format distill

Training data: the hand-labelled LLM sentences of tests/data/claims_llm.jsonl (verbatim and
paraphrase supported, wrong unsupported) plus the synthetic set of tests/claims_data.py on
--synthetic corpus articles (summary sentences, and their changed-number, changed-name,
negated and other-article variants). Features are Verifier.measure's; the model is a
logistic regression on standardised features, class-balanced. bench/eval_claims.py
--labelled measures it by leaving each article out in turn, never on its own training rows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.embed import Embedder, default_embedder  # noqa: E402
from distill.summarize.claims import FEATURES, Verifier  # noqa: E402
from tests.claims_data import (  # noqa: E402
    LABELLED,
    build_claims,
    load_articles,
    load_corpus_article,
    load_labelled,
)
from tests.conftest import CORPUS  # noqa: E402

MODEL_FILE = REPO / "distill" / "summarize" / "claims_model.py"
MISSING = [0.0] * len(FEATURES)  # a claim sharing no word with its article


def labelled_features(
    embedder: Embedder, path: Path = LABELLED
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(article of each row, features, supported) for the hand-labelled sentences."""
    rows = load_labelled(path)
    by_article: dict[str, list[int]] = {}
    for n, row in enumerate(rows):
        by_article.setdefault(row.article, []).append(n)
    features: list[list[float]] = [MISSING] * len(rows)
    for article, indexes in by_article.items():
        verifier = Verifier(load_corpus_article(CORPUS, article), embedder)
        for n, f in zip(indexes, verifier.measure([rows[n].text for n in indexes]), strict=True):
            features[n] = f or MISSING
    labels = np.array([r.supported for r in rows])
    return [r.article for r in rows], np.array(features), labels


def synthetic_features(embedder: Embedder, count: int) -> tuple[np.ndarray, np.ndarray]:
    labelled = {row.article for row in load_labelled()}
    docs = [
        d for d in load_articles(CORPUS, count) if not any(d.source.endswith(a) for a in labelled)
    ]
    claims, _ = build_claims(docs)
    features: list[list[float]] = []
    for n, doc in enumerate(docs):
        texts = [c.text for c in claims if c.article == n]
        features += [f or MISSING for f in Verifier(doc, embedder).measure(texts)]
    return np.array(features), np.array([c.supported for c in claims])


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit((x - means) / scales, y)
    return means, scales, model


def predict(
    means: np.ndarray, scales: np.ndarray, model: LogisticRegression, x: np.ndarray
) -> np.ndarray:
    return np.asarray(model.predict_proba((x - means) / scales)[:, 1])


def write_model(
    means: np.ndarray, scales: np.ndarray, model: LogisticRegression, note: str
) -> None:
    def floats(values: np.ndarray) -> str:
        return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"

    MODEL_FILE.write_text(
        '"""Weights of the learned claim check (Verifier(learned=True)), written by\n'
        f"bench/train_claims.py: {note}.\n"
        'Features in the order of claims.FEATURES; logistic regression on standardised values."""\n'
        "\n"
        f"INTERCEPT = {float(model.intercept_[0]):.6g}\n"
        f"MEANS = {floats(means)}\n"
        f"SCALES = {floats(scales)}\n"
        f"WEIGHTS = {floats(model.coef_[0])}\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=30)
    args = parser.parse_args()
    embedder = default_embedder()
    _, x_lab, y_lab = labelled_features(embedder)
    x_syn, y_syn = synthetic_features(embedder, args.synthetic)
    x = np.vstack([x_lab, x_syn])
    y = np.concatenate([y_lab, y_syn])
    means, scales, model = fit(x, y)
    note = (
        f"{len(y_lab)} labelled LLM sentences and {len(y_syn)} synthetic claims "
        f"from {args.synthetic} articles"
    )
    write_model(means, scales, model, note)
    print(note)
    for name, weight in zip(FEATURES, model.coef_[0], strict=True):
        print(f"  {name:14} {weight:+.3f}")


if __name__ == "__main__":
    main()
