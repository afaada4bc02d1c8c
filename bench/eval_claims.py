"""Claim-check evaluation: can distill/verify.py tell supported sentences from altered ones?

    .venv/bin/python bench/eval_claims.py [--articles 100]
    .venv/bin/python bench/eval_claims.py --labelled [--synthetic 30]

--labelled evaluates on real LLM sentences instead: tests/data/claims_llm.jsonl, sentences
Qwen2.5-Coder-0.5B and 1.5B wrote in summaries of corpus articles, each labelled by hand as
verbatim or paraphrase (supported) or wrong (unsupported). It reports ROC-AUC overall,
paraphrase vs wrong and verbatim vs wrong, and accuracy per kind, for the default check,
the learned check (Verifier(learned=True), fitted anew with each article left out, so no
sentence is scored by a model that saw it), plain word overlap and ROUGE-2 precision, in
one run: for all the sentences, then for each labelling round (round 4 is held out: see
tests/data/README.md).

For 100 corpus articles: the sentences of the offline summary (supported) and variants
made from them (one number changed, one name changed, negated, a summary sentence of the
most similar other article from the same blog: unsupported). Prints ROC-AUC and accuracy
at the checker's threshold for the claim check and, in the same run, for plain word
overlap (share of the claim's words in its best source sentence), plus the time the
checker takes per article's batch of summary sentences (model load excluded).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.config import load_settings  # noqa: E402
from distill.embed import Embedder, default_embedder  # noqa: E402
from distill.llm.config import ModelEntry  # noqa: E402
from distill.summarize.claims import (  # noqa: E402
    DEFAULT_THRESHOLD,
    FEATURES,
    LEARNED_THRESHOLD,
    Verifier,
    word_overlap,
)
from distill.summarize.judge import JUDGE_WEIGHT, Judge, passage_text, question  # noqa: E402
from tests.claims_data import (  # noqa: E402
    KINDS,
    LABELLED,
    Labelled,
    backend_name,
    build_claims,
    load_articles,
    load_corpus_article,
    load_labelled,
)
from tests.conftest import CORPUS  # noqa: E402


def best_threshold(
    scores: np.ndarray, labels: np.ndarray, balanced: bool = False
) -> tuple[float, float]:
    """The baseline's threshold of best accuracy on this very set (flattering it); balanced
    accuracy where most sentences are supported, or "accept everything" would win."""
    best = (0.0, 0.0)
    for t in np.unique(scores):
        ok = scores >= t
        acc = balanced_accuracy(ok, labels) if balanced else float((ok == labels).mean())
        if acc > best[1]:
            best = (float(t), acc)
    return best


def balanced_accuracy(ok: np.ndarray, labels: np.ndarray) -> float:
    """The mean of the accuracies on supported and on wrong sentences."""
    return (float(ok[labels].mean()) + float((~ok[~labels]).mean())) / 2


def rouge2_precision(source: str, claim: str) -> float:
    """Share of the claim's word pairs that occur in the article (ROUGE-2 precision)."""
    words = re.findall(r"\w+", source.lower())
    pairs = set(zip(words, words[1:], strict=False))
    mine = re.findall(r"\w+", claim.lower())
    claimed = list(zip(mine, mine[1:], strict=False))
    return sum(p in pairs for p in claimed) / len(claimed) if claimed else 0.0


def judge_scores(
    url: str, model: str, rows: list, docs: dict, embedder: Embedder
) -> tuple[np.ndarray, list[float]]:
    """The judge's P(yes) for every row (NaN where the check does not ask it: a missing
    fact, or no passage), and the seconds each article's batch of questions took.

    Answers are cached in ~/.cache/distill/judge-answers.jsonl by model and question (the
    prompt, passage and sentence), so a rerun asks only what is new; cached answers add no
    time.
    """
    settings = load_settings(Path("/tmp/distill-bench-home"))
    entry = ModelEntry("judge", url, model, dialect="none")
    judge = Judge(entry, settings.replace(llm_total_timeout=1800.0))
    cache_path = Path.home() / ".cache" / "distill" / "judge-answers.jsonl"
    cache: dict[str, float] = {}
    if cache_path.exists():
        for line in cache_path.read_text("utf-8").splitlines():
            record = json.loads(line)
            cache[record["key"]] = record["p"]
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    scores = np.full(len(rows), np.nan)
    batch_seconds = []
    for article, doc in docs.items():
        indexes = [n for n, r in enumerate(rows) if r.article == article]
        checks = Verifier(doc, embedder).check([rows[n].text for n in indexes])
        spent, asked = 0.0, False
        for n, check in zip(indexes, checks, strict=True):
            if check.missing or not check.passages:
                continue
            passage = passage_text(check)
            asking = json.dumps(question(passage, check.text))  # a new prompt is a new key
            key = hashlib.sha256(f"{model}\0{asking}".encode()).hexdigest()
            if key not in cache:
                started = time.perf_counter()
                cache[key] = judge.entailment(passage, check.text)
                spent += time.perf_counter() - started
                asked = True
                with cache_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": key, "p": cache[key]}) + "\n")
            scores[n] = cache[key]
        if asked:
            batch_seconds.append(spent)
    return scores, batch_seconds


def auc_or_nan(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores)) if len(set(labels)) == 2 else float("nan")


def labelled_report(
    synthetic: int, path: Path, judges: list[str], model_filter: str = "", round_filter: int = 0
) -> None:
    # bench/train_claims.py sits beside this file.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from train_claims import fit, labelled_features, predict, synthetic_features

    embedder = default_embedder()
    rows = load_labelled(path)
    articles, x_lab, y_lab = labelled_features(embedder, path)
    kinds = np.array([r.kind for r in rows])
    docs = {a: load_corpus_article(CORPUS, a) for a in sorted(set(articles))}
    default = np.zeros(len(rows))
    default_ok = np.zeros(len(rows), dtype=bool)
    for article, doc in docs.items():
        indexes = [n for n, r in enumerate(rows) if r.article == article]
        for n, check in zip(
            indexes, Verifier(doc, embedder).check([rows[n].text for n in indexes]), strict=True
        ):
            default[n], default_ok[n] = check.score, check.supported
    x_syn, y_syn = synthetic_features(embedder, synthetic)
    learned = np.zeros(len(rows))
    for article in docs:
        held = np.array([a == article for a in articles])
        means, scales, model = fit(
            np.vstack([x_lab[~held], x_syn]), np.concatenate([y_lab[~held], y_syn])
        )
        learned[held] = predict(means, scales, model, x_lab[held])
    missing = x_lab[:, FEATURES.index("missing")] > 0
    learned_ok = (learned >= LEARNED_THRESHOLD) & ~missing
    overlap = np.array([word_overlap(docs[r.article], r.text) for r in rows])
    rouge = np.array([rouge2_precision(docs[r.article].text, r.text) for r in rows])
    t_overlap, _ = best_threshold(overlap, y_lab, balanced=True)
    t_rouge, _ = best_threshold(rouge, y_lab, balanced=True)
    methods = [
        ("claim check (default)", default, default_ok),
        ("learned check (article held out)", learned, learned_ok),
        (f"word overlap (best threshold {t_overlap:.2f})", overlap, overlap >= t_overlap),
        (f"ROUGE-2 precision (best threshold {t_rouge:.2f})", rouge, rouge >= t_rouge),
    ]
    threshold = DEFAULT_THRESHOLD
    for spec in judges:
        url, model = spec.rsplit("@", 1)
        judged, seconds = judge_scores(url, model, rows, docs, embedder)
        asked = ~np.isnan(judged)
        # Not asked (a missing fact, no passage): the check's verdict stands, as in judge.py.
        alone = np.where(asked, judged, default)
        mixed = np.where(
            asked, (1 - JUDGE_WEIGHT) * default + JUDGE_WEIGHT * np.nan_to_num(judged), default
        )
        methods.append(
            (f"judge {model} alone (P(yes))", alone, np.where(asked, alone >= 0.5, default_ok))
        )
        methods.append((f"check + judge {model} (shipped rule)", mixed, mixed >= threshold))
        if seconds:
            print(
                f"judge {model}: {int(asked.sum())} of {len(rows)} sentences asked; seconds per "
                f"article's batch ({len(seconds)} articles asked afresh): median "
                f"{statistics.median(seconds):.1f}, p95 {np.percentile(seconds, 95):.1f}"
            )
    keep = np.array(
        [
            (not model_filter or r.model == model_filter)
            and (not round_filter or r.round == round_filter)
            for r in rows
        ]
    )
    if model_filter or round_filter:
        writer = model_filter or "any model"
        print(f"only the sentences {writer} wrote, labelling round {round_filter or 'any'}:")
    print(f"learned check trained with {len(y_syn)} synthetic claims besides the labelled rows")
    subsets = [("all", keep)]
    rounds = sorted({r.round for r in rows})
    if not round_filter and len(rounds) > 1:  # each round on its own: 4 is held out
        subsets += [(f"round {n}", keep & np.array([r.round == n for r in rows])) for n in rounds]
    for title, mask in subsets:
        print()
        print_table(
            title,
            [r for r, k in zip(rows, mask, strict=True) if k],
            kinds[mask],
            y_lab[mask],
            [(name, s[mask], ok[mask]) for name, s, ok in methods],
        )
    print()
    print("(baselines' thresholds: their best balanced accuracy on the whole set: flattering)")


def print_table(
    title: str,
    rows: list[Labelled],
    kinds: np.ndarray,
    y_lab: np.ndarray,
    methods: list[tuple[str, np.ndarray, np.ndarray]],
) -> None:
    counts = ", ".join(f"{k} {int((kinds == k).sum())}" for k in KINDS)
    print(
        f"{title}: {len(rows)} labelled LLM sentences from {len({r.article for r in rows})} "
        f"articles ({counts})"
    )
    wrong = kinds == "wrong"
    header = f"{'method':44} {'AUC all':>8} {'para/wrong':>10} {'verb/wrong':>10}"
    header += "".join(f" {'acc ' + k[:5]:>10}" for k in KINDS) + f" {'bal acc':>8}"
    print(header)
    for name, scores, ok in methods:
        cells = [auc_or_nan(y_lab, scores)]
        for kind in ("paraphrase", "verbatim"):
            mask = (kinds == kind) | wrong
            cells.append(auc_or_nan(y_lab[mask], scores[mask]))
        accs = [float((ok[kinds == k] == y_lab[kinds == k]).mean()) for k in KINDS]
        balanced = balanced_accuracy(ok, y_lab)
        line = f"{name:44} " + " ".join(
            f"{c:8.3f}  " if i else f"{c:8.3f}" for i, c in enumerate(cells)
        )
        print(line + "".join(f" {a:10.3f}" for a in accs) + f" {balanced:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--labelled", action="store_true")
    parser.add_argument("--synthetic", type=int, default=30)
    parser.add_argument("--labelled-file", type=Path, default=LABELLED)
    parser.add_argument(
        "--judge",
        action="append",
        default=[],
        metavar="BASE_URL@MODEL",
        help="also score with this model server as the claim judge (repeatable)",
    )
    parser.add_argument("--model", default="", help="report only the sentences this model wrote")
    parser.add_argument(
        "--round", type=int, default=0, help="report only this labelling round (4: held out)"
    )
    args = parser.parse_args()
    if args.labelled:
        labelled_report(args.synthetic, args.labelled_file, args.judge, args.model, args.round)
        return
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
