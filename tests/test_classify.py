"""Categories and tags as a user meets them: at ingest, corrected, refiled, merged, in batch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.store import open_store
from distill.taxonomy.categories import load_taxonomy

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout


def articles(home: Path) -> dict[str, dict]:
    code, out = cli(home, "list", "--json", "--per-page", "100")
    assert code == 0
    return {a["title"].split(":")[0]: a for a in json.loads(out)["articles"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's example articles imported once; tests work on copies of the library."""
    home = tmp_path_factory.mktemp("built") / "library"
    code, _ = cli(home, "import", str(EXAMPLES))
    assert code == 0
    return home


@pytest.fixture
def library(built: Path, home: Path) -> Path:
    shutil.copytree(built, home)
    return home


def test_every_new_article_gets_one_category_and_tags(library: Path) -> None:
    found = articles(library)
    names = set(load_taxonomy().names)
    assert len(found) == len(list(EXAMPLES.glob("*.md")))
    assert all(a["category"] in names for a in found.values())
    assert found["PostgreSQL Indexing in Practice"]["category"] == "databases"
    assert found["Event Streaming with Apache Kafka"]["category"] == "data-engineering"
    assert found["DNS for Engineers"]["category"] == "networking"
    assert "PostgreSQL" in found["PostgreSQL Indexing in Practice"]["library_tags"]
    assert "Apache Kafka" in found["Event Streaming with Apache Kafka"]["library_tags"]
    code, out = cli(library, "show", str(found["DNS for Engineers"]["id"]), "--json")
    shown = json.loads(out)
    assert shown["category"] == "networking" and shown["library_tags"]
    code, text = cli(library, "show", str(found["DNS for Engineers"]["id"]))
    assert "category: networking" in text


def test_user_labels_survive_recategorize_and_teach(library: Path) -> None:
    dns = articles(library)["DNS for Engineers"]
    code, out = cli(library, "categorize", str(dns["id"]), "security", "--json")
    assert code == 0 and json.loads(out) == {
        "id": dns["id"],
        "category": "security",
        "origin": "user",
    }
    removed = dns["library_tags"][0]
    code, out = cli(
        library, "tags", str(dns["id"]), "--add", "resolver cache", "--remove", removed, "--json"
    )
    edited = json.loads(out)
    assert code == 0 and "resolver cache" in edited["tags"] and removed not in edited["tags"]
    assert edited["tag_origins"]["resolver cache"] == "user"
    code, out = cli(library, "recategorize", "--json")
    report = json.loads(out)
    assert code == 0 and report["articles"] == 10 and report["kept_user"] == 1
    after = articles(library)["DNS for Engineers"]
    assert after["category"] == "security"
    assert "resolver cache" in after["library_tags"] and removed not in after["library_tags"]
    # the correction is a few-shot example: the library's classifier now holds it
    from distill.classify.corrections import library_classifier
    from distill.config import load_settings
    from distill.embed import default_embedder

    store = open_store(library)
    try:
        classifier = library_classifier(store, load_settings(library), default_embedder())
        assert classifier.model is not None and classifier.model.examples is not None
        assert list(classifier.model.example_owners) == [load_taxonomy().names.index("security")]
    finally:
        store.close()


def test_extending_the_taxonomy_and_recategorize_refiles(library: Path) -> None:
    (library / "categories.yaml").write_text(
        "- name: caching\n"
        "  description: Caches in front of slow systems, cache invalidation, TTLs, cache"
        " stampedes and hit rates.\n"
        "  examples: [cache-aside with Redis, invalidating cached entries]\n"
    )
    code, out = cli(library, "recategorize", "--json")
    assert code == 0 and json.loads(out)["changed"] >= 1
    assert (
        articles(library)["Caching Strategies That Survive Production Traffic"]["category"]
        == "caching"
    )
    code, _ = cli(library, "categorize", "1", "caching")
    assert code == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "categories.yaml:1: the taxonomy file is empty"),
        (
            "- name: a\n  description: x\n- name: b\n",
            "categories.yaml:3: category 'b' has no description",
        ),
        (
            "- name: a\n  description: x\n- name: a\n  description: y\n",
            "categories.yaml:3: duplicate category 'a' (first defined at",
        ),
        ("- name: a\n  description: [unclosed\n", "categories.yaml:3: not valid YAML"),
    ],
)
def test_bad_taxonomy_names_file_and_line_and_changes_nothing(
    library: Path, text: str, problem: str
) -> None:
    before = articles(library)
    (library / "categories.yaml").write_text(text)
    code, out = cli(library, "recategorize", "--json")
    assert code == 1 and problem in json.loads(out)["error"]
    code, out = cli(library, "add", str(EXAMPLES / "dns-fundamentals.md"), "--json")
    assert code == 1 and problem in json.loads(out)["error"]
    code, out = cli(library, "categorize", "1", "databases", "--json")
    assert code == 1 and problem in json.loads(out)["error"]
    (library / "categories.yaml").unlink()
    assert articles(library) == before


def test_tag_merges_are_suggested_and_applied_everywhere(library: Path) -> None:
    # terms the technology list does not know (it folds its own aliases already)
    cli(library, "tags", "1", "--add", "cache warming")
    cli(library, "tags", "4", "--add", "cache warming")
    cli(library, "tags", "2", "--add", "Cache-Warming")
    cli(library, "tags", "3", "--add", "warming the cache")
    code, out = cli(library, "tags", "suggest-merges", "--json")
    pairs = {(s["tag"], s["into"], s["reason"]) for s in json.loads(out)["suggestions"]}
    assert code == 0
    assert ("Cache-Warming", "cache warming", "spelling") in pairs
    assert ("warming the cache", "cache warming", "meaning") in pairs
    assert not any({a, b} == {"PostgreSQL", "MySQL"} for a, b, _ in pairs)
    code, out = cli(library, "tags", "merge", "Cache-Warming", "cache warming", "--json")
    assert code == 0 and json.loads(out) == {
        "merged": "Cache-Warming",
        "into": "cache warming",
        "articles": 1,
    }
    code, out = cli(library, "tags", "list", "--json")
    tags = {t["tag"]: t["articles"] for t in json.loads(out)["tags"]}
    assert "Cache-Warming" not in tags and tags["cache warming"] == 3
    # merging an automatic tag folds it in later automatic passes too
    caching = tags["Caching"]
    code, _ = cli(library, "tags", "merge", "Caching", "cache design")
    cli(library, "recategorize")
    code, out = cli(library, "tags", "list", "--json")
    tags = {t["tag"]: t["articles"] for t in json.loads(out)["tags"]}
    assert "Caching" not in tags and tags["cache design"] == caching


TEAM_TAXONOMY = """
- name: team-north
  description: Articles the north team reads.
- name: team-south
  description: Articles the south team reads.
"""


def test_batch_classify_learns_from_examples(tmp_path: Path, home: Path) -> None:
    """Two categories whose descriptions say nothing: only the examples can tell them apart."""
    taxonomy = tmp_path / "teams.yaml"
    taxonomy.write_text(TEAM_TAXONOMY)
    examples = tmp_path / "examples.jsonl"
    north = [
        "Tuning PostgreSQL indexes and reading EXPLAIN plans for slow SQL queries.",
        "Choosing transaction isolation levels and avoiding deadlocks in the database.",
        "Partitioning a large table and vacuuming dead rows in Postgres.",
    ]
    south = [
        "Building accessible React components with CSS grid layouts in the browser.",
        "Making a web page load faster by splitting JavaScript bundles.",
        "Animating a mobile app's screens on iOS and Android.",
    ]
    examples.write_text(
        "".join(json.dumps({"text": t, "label": "team-north"}) + "\n" for t in north)
        + "".join(json.dumps({"text": t, "label": "team-south"}) + "\n" for t in south)
    )
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(
        json.dumps({"id": "a", "text": "Why the query planner ignored our B-tree index in MySQL."})
        + "\n"
        + json.dumps({"id": 7, "text": "Shipping TypeScript to the browser: a CSS and DOM story."})
        + "\n"
    )
    code, out = cli(
        home,
        "classify",
        "--taxonomy",
        str(taxonomy),
        "--examples",
        str(examples),
        "--input",
        str(inputs),
        "--json",
    )
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0
    assert [(r["id"], r["label"]) for r in rows] == [("a", "team-north"), (7, "team-south")]
    assert all(set(r) == {"id", "label", "confidence", "tags"} for r in rows)
    assert "MySQL" in rows[0]["tags"] and 0.5 < rows[0]["confidence"] <= 1
    assert not home.exists()  # a batch never touches the library


def test_batch_classify_bad_examples_and_input(tmp_path: Path, home: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": 1, "text": "Kubernetes rollouts."}) + "\n")
    examples = tmp_path / "ex.jsonl"
    examples.write_text('{"text": "a", "label": "databases"}\n{"text": "b", "label": "cooking"}\n')
    code, out = cli(home, "classify", "--examples", str(examples), "--input", str(inputs), "--json")
    assert code == 1 and f"{examples}:2: label 'cooking' is not a category" in out
    examples.write_text('{"text": "a", "label": "databases"}\n{"text": "b", "label"\n')
    code, out = cli(home, "classify", "--examples", str(examples), "--input", str(inputs), "--json")
    assert code == 1 and f"{examples}:2: not valid JSON" in out
    inputs.write_text('{"id": 1}\n')
    code, out = cli(home, "classify", "--input", str(inputs), "--json")
    assert code == 1 and f"{inputs}:1: expected an object with id and text" in out


def test_tags_on_unknown_article_and_unknown_category(library: Path) -> None:
    code, out = cli(library, "tags", "999", "--add", "x", "--json")
    assert code == 1 and "no article with id 999" in out
    code, out = cli(library, "categorize", "1", "cooking", "--json")
    assert code == 1 and "'cooking' is not a category" in json.loads(out)["error"]


def test_without_embeddings_articles_are_still_filed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTILL_EMBED", "false")
    for name in ("postgresql-indexing.md", "kubernetes-deployments.md"):
        code, _ = cli(home, "add", str(EXAMPLES / name))
        assert code == 0
    found = articles(home)
    assert found["PostgreSQL Indexing in Practice"]["category"] == "databases"
    assert found["Zero-Downtime Kubernetes Deployments"]["category"] == "infrastructure"
    assert "Kubernetes" in found["Zero-Downtime Kubernetes Deployments"]["library_tags"]
