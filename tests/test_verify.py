"""The claim check: what a reader relies on is that an altered claim does not pass."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import roc_auc_score

from distill.cli import main
from distill.embed import default_embedder
from distill.ingest.extract import from_markdown
from distill.models import Document
from distill.summarize.claims import Verifier, facts, word_overlap

from .claims_data import KINDS, build_claims, load_articles, load_labelled
from .conftest import require_corpus

ARTICLE = Path(__file__).parent / "data" / "llm_article.md"


@pytest.fixture(scope="module")
def doc() -> Document:
    return from_markdown(ARTICLE.read_text(encoding="utf-8"), source=str(ARTICLE))


@pytest.fixture(scope="module")
def verifier(doc: Document) -> Verifier:
    return Verifier(doc, default_embedder())


def test_source_sentences_and_paraphrases_are_supported_with_spans(
    doc: Document, verifier: Verifier
) -> None:
    original = "Each eviction pass walked 4096 entries while holding that mutex."
    paraphrase = "Readers had to wait in a queue because the eviction pass held the single mutex."
    checks = verifier.check([original, paraphrase])
    assert [c.supported for c in checks] == [True, True], [c.to_dict() for c in checks]
    passage = checks[0].passages[0]
    assert "4096 entries" in doc.blocks[passage.block].text[passage.start : passage.end]


def test_an_invented_evaluation_of_true_facts_is_not_supported(verifier: Verifier) -> None:
    # The most common error of the 1.5B model in our labelled set: the article's facts with
    # a judgement the article never makes. It scores between the old threshold (0.55) and
    # the default (0.7), where the faithful rewording beside it clears the default.
    invented = (
        "Larkspur's read-through cache sits in front of a PostgreSQL cluster and is widely "
        "used across the industry."
    )
    reworded = (
        "Splitting the map into 64 shards let readers stop queueing behind the eviction pass."
    )
    bragging, faithful = verifier.check([invented, reworded])
    assert not bragging.supported and not bragging.missing, bragging.to_dict()
    assert faithful.supported, faithful.to_dict()


@pytest.mark.parametrize(
    "claim, missing",
    [
        ("Each eviction pass walked 8192 entries while holding that mutex.", "8192"),
        ("Larkspur runs a read-through cache in front of its MySQL cluster.", "MySQL"),
        ("We plan to try a CLOCK-based eviction policy in version 3.1 of the cache.", "3.1"),
        ("The shard function hashes keys with murmur3_hash before picking a shard.", None),
    ],
)
def test_invented_facts_are_unsupported(verifier: Verifier, claim: str, missing: str) -> None:
    (check,) = verifier.check([claim])
    assert not check.supported, check.to_dict()
    if missing:
        assert missing in check.missing


def test_names_from_elsewhere_in_the_article_are_not_invented_but_numbers_must_stay(
    verifier: Verifier,
) -> None:
    # A sentence that merges passages names things from all of them; commands and
    # identifiers sit in code blocks. Neither is an invented fact.
    merged = "Larkspur moved eviction to a background goroutine per shard."
    coded = "Each key picks its shard with fnv32."
    # A figure from another passage backs nothing here: 64 were shards, not weeks.
    borrowed = "The change took two engineers about 64 weeks."
    checks = {c.text: c for c in verifier.check([merged, coded, borrowed])}
    assert checks[merged].missing == [] and checks[coded].missing == []
    assert checks[merged].supported, checks[merged].to_dict()
    assert checks[borrowed].missing == ["64"] and not checks[borrowed].supported


def test_negation_and_unrelated_claims_score_below_the_original(verifier: Verifier) -> None:
    original, negated, unrelated = verifier.check(
        [
            "Memory use was steady at 12 GB per node.",
            "Memory use was not steady at 12 GB per node.",
            "The compiler now inlines generic functions across package boundaries.",
        ]
    )
    assert original.supported
    assert not negated.supported and negated.score < original.score
    assert not unrelated.supported and unrelated.score < 0.3


def test_facts_finds_numbers_versions_names_identifiers() -> None:
    found = facts("In Kafka 3.7 p99 fell from 80 ms after calling fetch_batch() and os.Exit.")
    for fact in ("3.7", "80", "Kafka", "fetch_batch", "os.Exit"):
        assert fact in found, found


def test_verify_cli_json_shape_and_pairs(tmp_path: Path, home: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text(
        "- Larkspur runs a read-through cache in front of its PostgreSQL cluster.\n"
        "- The p99 latency of cache reads fell to 2 ms.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(ARTICLE), str(summary), "--json"])
    assert result.exit_code == 0, result.output
    sentences = json.loads(result.output)["sentences"]
    assert [s["supported"] for s in sentences] == [True, False]
    assert set(sentences[0]) >= {"text", "score", "supported", "passages"}
    assert set(sentences[0]["passages"][0]) == {"block", "start", "end"}
    assert 0 <= sentences[1]["score"] <= 1
    pairs = tmp_path / "pairs.jsonl"
    source = ARTICLE.read_text(encoding="utf-8")
    pairs.write_text(
        json.dumps({"id": "a", "source": source, "summary": "Memory use was steady at 12 GB."})
        + "\nnot json\n"
        + json.dumps({"id": "c", "source": source, "summary": "Memory use hit 99 GB."})
        + "\n",
        encoding="utf-8",
    )
    batch = runner.invoke(main, ["verify", "--pairs", str(pairs), "--json"])
    assert batch.exit_code == 1  # one line was bad; the others were still checked
    lines = [json.loads(x) for x in batch.output.splitlines()]
    assert [x.get("id") for x in lines] == ["a", None, "c"]
    assert lines[0]["sentences"][0]["supported"] is True
    assert "pairs.jsonl:2" in lines[1]["error"]
    assert lines[2]["sentences"][0]["supported"] is False


def test_claim_check_on_corpus_sample_against_word_overlap() -> None:
    """A small slice of bench/eval_claims.py, so a regression in the checker fails a test.

    On these synthetic variants plain word overlap ranks well too (a variant always adds a
    word the source sentence lacks), so the comparison is on what a reader gets: decisions
    at a fixed threshold. Ours is the shipped default; the baseline gets its best threshold
    on this very sample, an advantage ours does not have.
    """
    corpus = require_corpus()
    docs = load_articles(corpus, 12)
    claims, _ = build_claims(docs)
    labels = np.array([c.supported for c in claims])
    assert labels.sum() >= 20 and (~labels).sum() >= 20
    checks = {}
    for n, doc in enumerate(docs):
        mine = [i for i, c in enumerate(claims) if c.article == n]
        for i, check in zip(
            mine,
            Verifier(doc, default_embedder()).check([claims[i].text for i in mine]),
            strict=True,
        ):
            checks[i] = check
    ours = np.array([checks[i].score for i in range(len(claims))])
    decided = np.array([checks[i].supported for i in range(len(claims))])
    baseline = np.array([word_overlap(docs[c.article], c.text) for c in claims])
    base_accuracy = max(float(((baseline >= t) == labels).mean()) for t in np.unique(baseline))
    accuracy = float((decided == labels).mean())
    assert roc_auc_score(labels, ours) >= 0.9
    assert accuracy >= 0.9 and accuracy >= base_accuracy - 0.02, (accuracy, base_accuracy)


def test_learned_check_keeps_facts_as_hard_requirements(doc: Document) -> None:
    learned = Verifier(doc, default_embedder(), learned=True)
    original, invented, unrelated = learned.check(
        [
            "Each eviction pass walked 4096 entries while holding that mutex.",
            "Each eviction pass walked 8192 entries while holding that mutex.",
            "The team migrated the billing service to a new message broker last winter.",
        ]
    )
    assert original.supported, original.to_dict()
    assert not invented.supported and "8192" in invented.missing
    assert not unrelated.supported
    assert 0.0 <= unrelated.score < original.score <= 1.0


def test_labelled_llm_sentences_are_well_formed() -> None:
    rows = load_labelled()
    assert rows and {r.kind for r in rows} <= set(KINDS)
    assert {r.kind for r in rows} == set(KINDS)  # every kind is represented
    assert len({(r.article, r.text) for r in rows}) == len(rows)
