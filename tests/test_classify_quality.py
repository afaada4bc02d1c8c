"""Quality on real articles, against baselines measured in the same run.

The full figures (120 labelled articles, few-shot, TF-IDF baseline) come from
bench/eval_classify.py; these tests keep a bounded slice of it honest on every run.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from distill.classify.classifier import CategoryModel, hint_weights, tag_document
from distill.config import load_settings
from distill.embed import article_text, default_embedder
from distill.ingest.sources import file_source
from distill.taxonomy.categories import load_taxonomy
from distill.taxonomy.technologies import find_in_document, load_technologies
from tests.conftest import require_corpus

LABELS = Path(__file__).parent / "data" / "category_labels.jsonl"


def test_zero_shot_categories_beat_the_majority_class(tmp_path: Path) -> None:
    corpus = require_corpus()
    rows = [json.loads(x) for x in LABELS.read_text().splitlines() if x.strip()]
    assert len(rows) == 120
    sample = rows[::4]  # 30 articles, 10 per blog
    settings = load_settings(tmp_path)
    docs = [file_source(corpus / r["path"]).load(settings) for r in sample]
    gold = [r["label"] for r in sample]
    taxonomy = load_taxonomy()
    embedder = default_embedder()
    model = CategoryModel.build(taxonomy, embedder)
    vectors = embedder.embed([article_text(d) for d in docs])
    predicted = [
        model.predict(v, hint_weights(tag_document(d)[0], taxonomy.names))[0]
        for v, d in zip(vectors, docs, strict=True)
    ]
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    majority = Counter(gold).most_common(1)[0][1] / len(gold)
    assert accuracy >= 0.7 and accuracy > majority + 0.2, (accuracy, majority)


def test_tags_find_human_go_tags_more_precisely_than_every_mention(tmp_path: Path) -> None:
    """Recall of the Go blog's human tags that name a list entry; precision against the
    baseline of tagging every technology the article mentions."""
    corpus = require_corpus()
    techs = load_technologies()
    rows = [json.loads(x) for x in (corpus / "_index" / "go-blog.jsonl").open()]
    settings = load_settings(tmp_path)
    ours = {"tp": 0, "fp": 0, "fn": 0}
    every = {"tp": 0, "fp": 0, "fn": 0}
    for row in rows:
        human = {e.name for e in map(techs.lookup, map(str, row["tags"])) if e is not None}
        if not human:
            continue
        doc = file_source(corpus / row["path"]).load(settings)
        for counts, tags in (
            (ours, set(tag_document(doc)[1])),
            (every, {m.name for m in find_in_document(doc)}),
        ):
            counts["tp"] += len(tags & human)
            counts["fp"] += len(tags - human)
            counts["fn"] += len(human - tags)
    recall = ours["tp"] / (ours["tp"] + ours["fn"])
    precision = ours["tp"] / (ours["tp"] + ours["fp"])
    every_precision = every["tp"] / (every["tp"] + every["fp"])
    assert ours["tp"] + ours["fn"] >= 60  # enough human tags for the figure to mean much
    assert recall >= 0.8, recall
    assert precision > 1.5 * every_precision, (precision, every_precision)
