"""The technology list and matcher: what a reader of tags and summaries would notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.errors import ConfigError
from distill.ingest.extract import from_markdown
from distill.models import Block, Document
from distill.taxonomy.candidates import candidate_terms
from distill.taxonomy.technologies import (
    find_in_document,
    find_technologies,
    load_technologies,
)

from .conftest import require_corpus


def names(text: str) -> dict[str, int]:
    return {m.name: m.count for m in find_technologies(text)}


def test_default_list_is_large_and_covers_every_category_hint() -> None:
    techs = load_technologies()
    assert len(techs) >= 400
    cats = {t.category for t in techs.entries}
    assert cats == {
        "system-design",
        "data-engineering",
        "data-science",
        "databases",
        "infrastructure",
        "networking",
        "security",
        "apis-and-backend",
        "frontend-and-mobile",
        "languages-and-tools",
        "engineering-culture",
    }
    for concept in ("Consistent hashing", "Saga pattern", "CRDT", "Raft", "Paxos", "MVCC"):
        assert techs.by_name[concept].kind == "concept"


def test_aliases_fold_to_the_canonical_name() -> None:
    found = names("We moved from Postgres to PostgreSQL 16 (psql for admin) and run it on K8s.")
    assert found == {"PostgreSQL": 3, "Kubernetes": 1}
    assert names("kafka topics feed a Flink job; pyflink too") == {
        "Apache Kafka": 1,
        "Apache Flink": 2,
    }
    assert "Go" in names("written in golang")


def test_spelling_variants_plurals_and_longest_form_win() -> None:
    found = names("Event-sourcing and event sourcing, bloom filters, two CRDTs, Kafka Streams.")
    assert found["Event sourcing"] == 2
    assert found["Bloom filter"] == 1
    assert found["CRDT"] == 1
    assert found["Kafka Streams"] == 1
    assert "Apache Kafka" not in found  # "Kafka Streams" is one mention, not two


def test_spans_point_at_the_matched_text() -> None:
    text = "Apache Kafka feeds ClickHouse; Kafka again, then C++ and C# services."
    for m in find_technologies(text):
        for start, end in m.spans:
            assert load_technologies().lookup(text[start:end].rstrip("s")) is not None
    by = {m.name: m for m in find_technologies(text)}
    assert [text[s:e] for s, e in by["Apache Kafka"].spans] == ["Apache Kafka", "Kafka"]
    assert [text[s:e] for s, e in by["C++"].spans] == ["C++"]
    assert [text[s:e] for s, e in by["C#"].spans] == ["C#"]


def test_ambiguous_names_count_only_with_context() -> None:
    assert "Go" not in names("Go to the store and buy some milk. Then go home.")
    assert "Go" in names("Go makes concurrency easy: start a goroutine and talk over a channel.")
    assert "Rust" not in names("Rust on the old bridge worried the engineers.")
    assert "Rust" in names("Rust's borrow checker rejects the program until cargo build passes.")
    assert "Apache Spark" not in names("A spark of inspiration. Spark joy.")
    assert "Apache Spark" in names("The Spark job reads the dataframe from HDFS.")
    # case rule: short and ambiguous names match only as written
    assert "Go" not in names("go build ./... in a goroutine-heavy text, then GO HOME")
    assert "R" not in names("r is a letter; so is R in 'R2-D2', and R is a grade here.")
    assert "R" in names("We fit the model in R with ggplot2 and the tidyverse.")


def test_context_far_away_or_once_is_not_enough_but_twice_is() -> None:
    filler = " The weather was pleasant that afternoon." * 30
    once = "Go ahead." + filler + " A channel carries the news."
    assert "Go" not in names(once)
    twice = once + " Another channel opened."
    assert "Go" in names(twice)


def test_document_mentions_carry_block_provenance_and_skip_code() -> None:
    doc = Document(
        title="Running Kafka on Kubernetes",
        blocks=[
            Block("heading", "Why Kafka", level=2),
            Block("paragraph", "We run Apache Kafka with k8s operators and Postgres."),
            Block("code", "kubectl apply -f kafka.yaml  # postgres", language="yaml"),
            Block("paragraph", "The Go code uses goroutines.", language=""),
        ],
    )
    mentions = find_in_document(doc)
    by = {m.name: m for m in mentions}
    assert mentions[0].in_title
    kafka = by["Apache Kafka"]
    assert kafka.count == 3 and kafka.headings == 1
    for span in kafka.spans + by["PostgreSQL"].spans:
        assert doc.blocks[span.block].kind != "code"
        assert doc.blocks[span.block].text[span.start : span.end] in {
            "Kafka",
            "Apache Kafka",
            "Postgres",
        }
    assert [doc.title[s:e] for s, e in kafka.title_spans] == ["Kafka"]
    assert by["Go"].spans[0].block == 3


def test_a_document_edited_in_place_is_matched_again() -> None:
    """The last few documents' mentions are kept (the summary and the classifier both ask);
    an edit to the same Document object must still give the new answer."""
    doc = Document(title="Notes", blocks=[Block("paragraph", "We moved the queue to Kafka.")])
    assert [m.name for m in find_in_document(doc)] == ["Apache Kafka"]
    doc.blocks[0].text = "We moved the queue to Postgres."
    assert [m.name for m in find_in_document(doc)] == ["PostgreSQL"]
    doc.title = "Kafka notes"
    assert {m.name for m in find_in_document(doc)} == {"Apache Kafka", "PostgreSQL"}


def test_code_block_language_licenses_an_ambiguous_language() -> None:
    doc = Document(
        title="Notes",
        blocks=[
            Block("paragraph", "Go ahead and try it yourself."),
            Block("code", "fmt.Println(1)", language="go"),
        ],
    )
    assert "Go" in {m.name for m in find_in_document(doc)}
    doc.blocks[1].language = "text"
    assert "Go" not in {m.name for m in find_in_document(doc)}


def test_user_file_extends_overrides_and_disables(tmp_path: Path) -> None:
    (tmp_path / "technologies.yaml").write_text(
        "- name: Distill\n  aliases: [distill library]\n  kind: tool\n"
        "  category: languages-and-tools\n"
        "- name: PostgreSQL\n  aliases: [pg, postgres]\n  kind: database\n  category: databases\n"
        "- name: Redis\n  disabled: true\n",
        encoding="utf-8",
    )
    techs = load_technologies(tmp_path)
    found = {m.name: m.count for m in techs.find("Distill library, pg and postgres, Redis")}
    assert found == {"Distill": 1, "PostgreSQL": 2}
    assert techs.lookup("psql") is None  # the override replaced the default aliases
    assert "Redis" in names("Redis")  # the package default is untouched


def test_user_file_edits_are_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "technologies.yaml"
    path.write_text("- {name: Foo DB, kind: database}\n", encoding="utf-8")
    assert load_technologies(tmp_path).lookup("foo db") is not None
    path.write_text("- {name: Bar DB, aliases: [bardb], kind: database}\n", encoding="utf-8")
    techs = load_technologies(tmp_path)
    assert techs.lookup("bardb") is not None and techs.lookup("foo db") is None


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ("- {kind: database, aliases: [x]}\n", ["entry 1", "line 1", "missing name"]),
        (
            "- {name: A DB}\n- {name: Zed}\n- {name: a db}\n",
            ["entry 3", "'a db'", "duplicate name", "entry 1"],
        ),
        (
            "- {name: My Queue, aliases: [kafka]}\n",
            ["entry 'My Queue'", "'kafka'", "Apache Kafka", ":1"],
        ),
        ("- {name: Thing, colour: red}\n", ["entry 1 'Thing'", "unknown field", "colour"]),
        ("- {name: Thing, ambiguous: true}\n", ["'Thing'", "context"]),
        ("name: not a list\n", ["expected a list"]),
        ("- {name: [unclosed\n", ["not valid YAML"]),
    ],
)
def test_malformed_user_file_names_file_and_entry(
    tmp_path: Path, body: str, needles: list[str]
) -> None:
    path = tmp_path / "technologies.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_technologies(tmp_path)
    message = str(err.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message


def test_candidate_terms_are_salient_and_unknown() -> None:
    doc = Document(
        title="Scaling the TaskManager pool",
        authors=["Ada Lovelace"],
        blocks=[
            Block("heading", "How the JobMaster talks to QuiverDB", level=2),
            Block(
                "paragraph",
                "Every TaskManager reports to the JobMaster. We store offsets in "
                "QuiverDB, and we chose Stateful Functions for routing. Ada Lovelace wrote "
                "most of it with Kafka and Postgres.",
            ),
            Block("paragraph", "Later, Stateful Functions took over; the TaskManager stayed."),
        ],
    )
    terms = candidate_terms(doc)
    assert {"TaskManager", "JobMaster", "QuiverDB", "Stateful Functions"} <= set(terms)
    assert terms[0] == "TaskManager"
    lowered = {t.lower() for t in terms}
    assert not lowered & {"kafka", "postgres", "ada lovelace", "every", "later"}


def _go_posts() -> list[tuple[dict, Document]]:
    corpus = require_corpus()
    out = []
    for line in (corpus / "_index" / "go-blog.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        path = corpus / row["path"]
        if path.suffix == ".md" and path.is_file():
            out.append((row, from_markdown(path.read_text(encoding="utf-8"), str(path))))
    return out


def test_go_blog_posts_detect_go_and_human_tags() -> None:
    techs = load_technologies()
    posts = _go_posts()
    assert len(posts) >= 150
    missing = []
    tag_total = tag_hits = baseline_hits = 0
    for row, doc in posts:
        found = {m.name for m in techs.find_in_document(doc)}
        if "Go" not in found:
            missing.append(row["path"])
        text = (doc.title + "\n" + doc.text).lower()
        for tag in row.get("tags") or []:
            entry = techs.lookup(str(tag))
            if entry is None:
                continue
            tag_total += 1
            tag_hits += entry.name in found
            baseline_hits += str(tag).lower() in text
    recall = tag_hits / tag_total
    baseline = baseline_hits / tag_total
    print(
        f"\nGo blog: {len(posts) - len(missing)}/{len(posts)} posts detect Go; "
        f"{tag_total} human tags name a list entry; recall {recall:.1%} "
        f"(baseline, tag as a substring of the text: {baseline:.1%})"
    )
    assert len(missing) <= len(posts) // 50, missing  # at most 2% of posts miss Go
    assert tag_total >= 40
    assert recall >= 0.6


def test_other_blogs_rarely_see_go_or_rust_without_reason() -> None:
    """Precision check for ambiguous names: Flink posts are about Java/Scala, not Go."""
    corpus = require_corpus()
    rows = [
        json.loads(line)
        for line in (corpus / "_index" / "flink-blog.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    seen = total = flink = 0
    for row in rows[:80]:
        path = corpus / row["path"]
        if path.suffix != ".md" or not path.is_file():
            continue
        found = {
            m.name for m in find_in_document(from_markdown(path.read_text("utf-8"), str(path)))
        }
        total += 1
        seen += bool({"Go", "Rust", "R", "Swift"} & found)
        flink += "Apache Flink" in found
    print(f"\nFlink blog: {flink}/{total} detect Apache Flink; {seen} see Go/Rust/R/Swift")
    assert total >= 50
    assert flink >= total * 0.95
    assert seen <= total * 0.1
