"""The extractive summarizer as a reader meets it: sections, provenance, commands, bad input."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.errors import SummarizeError
from distill.ingest.extract import from_markdown
from distill.models import Document, Line, Section, Span, Summary
from distill.plugins import get_summarizer
from distill.summarize.sentences import MAX_WEIGHED_WORDS, MAX_WORDS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

# An article written for these tests: headings, a conclusion, caveats, figures and code.
ARTICLE = """---
title: Backpressure in stream processing pipelines
---

Backpressure is how a stream processing pipeline slows its sources down when a downstream
operator cannot keep up. Without it, buffers grow until the process runs out of memory.
This article explains how credit-based flow control propagates backpressure and how to
find the operator that causes it.

## How credit-based flow control works

Each receiving task announces credits to its sender, one credit per free network buffer.
A sender only transmits a buffer when it holds a credit for it. When the receiver is slow,
credits run out and the sender stops, which in turn fills the sender's own input buffers.
The slowdown travels upstream one operator at a time until it reaches the sources.

## Measuring it

The busy time metric shows the share of time an operator spends processing records.
An operator that is busy 95% of the time while its upstream operators are mostly idle is
the bottleneck. With 4 slots per task manager and 32 KB network buffers, a job that reads
200,000 records per second settled at a busy time of 40% after we doubled the parallelism.
Set taskmanager.network.memory.fraction to 0.2 when buffers are the limit.

```java
env.setParallelism(8);
stream.keyBy(event -> event.userId())
      .process(new SessionCounter())
      .name("sessions");
```

## Limitations

Unfortunately, backpressure hides the root cause behind a symptom that appears everywhere
upstream. Large buffers also have a cost: they delay checkpoint barriers, so checkpoints
take longer under backpressure. Unaligned checkpoints avoid that trade-off but they make
the checkpoint itself larger.

## Conclusion

We recommend looking at busy time before adding resources to a slow job. In short, find the
first operator that is busy all the time, and fix that operator instead of the sources.
"""


def summarize_text(text: str, source: str = "test.md") -> tuple[Document, Summary]:
    doc = from_markdown(text, source=source)
    return doc, get_summarizer("extractive").summarize(doc)


def assert_faithful(doc: Document, summary: Summary) -> None:
    seen = set()
    for section in summary.sections:
        assert section.lines, f"empty section {section.name}"
        for line in section.lines:
            span = line.source[0]
            block = doc.blocks[span.block]
            if line.kind == "term":
                assert block.text[span.start : span.end].strip()
            else:
                assert block.text[span.start : span.end] == line.text
            if line.kind == "code":
                assert line.text == block.text and line.language == block.language
            key = " ".join(line.text.lower().split())
            assert key not in seen
            seen.add(key)


def lines(summary: Summary, name: str) -> list[str]:
    section = summary.section(name)
    return [line.text for line in section.lines] if section else []


def test_six_sections_each_with_the_material_a_reader_expects() -> None:
    doc, summary = summarize_text(ARTICLE)
    assert_faithful(doc, summary)
    assert summary.backend == "extractive" and summary.version
    executive = lines(summary, "executive_summary")
    assert 2 <= len(executive) <= 4
    assert any("Backpressure is how" in t for t in executive)
    main_points = summary.section("main_points")
    assert main_points is not None
    headings = {line.heading for line in main_points.lines}
    assert {"How credit-based flow control works", "Measuring it"} <= headings
    specs = summary.section("specifications")
    assert specs is not None
    code = [line for line in specs.lines if line.kind == "code"]
    assert len(code) == 1 and code[0].language == "java" and "keyBy" in code[0].text
    assert any("200,000 records per second" in line.text for line in specs.lines)
    assert any("We recommend" in t for t in lines(summary, "takeaways"))
    assert any("Unfortunately" in t or "trade-off" in t for t in lines(summary, "limitations"))
    assert lines(summary, "concepts")


def test_article_without_headings_is_split_into_topical_segments() -> None:
    topics = [
        "Kafka partitions order records by key and each partition has one leader broker",
        "Garbage collection pauses in the JVM stop every thread while the heap is compacted",
        "Terraform plans describe resource changes before any cloud resource is touched",
    ]
    paragraphs = []
    for topic in topics:
        for n in range(4):
            paragraphs.append(
                " ".join(f"{topic} in case {n} {k}." for k in range(6))
                + f" Note {n} repeats what matters about {topic.split()[0]}."
            )
    doc, summary = summarize_text("# Three topics\n\n" + "\n\n".join(paragraphs))
    assert_faithful(doc, summary)
    points = lines(summary, "main_points")
    covered = {t.split()[0] for t in topics if any(t.split()[0] in p for p in points)}
    assert len(covered) >= 2, points


def test_examples_fit_on_one_screen_and_never_repeat_the_executive_summary() -> None:
    summarizer = get_summarizer("extractive")
    for path in sorted(EXAMPLES.glob("*.md")):
        doc = from_markdown(path.read_text(), source=str(path))
        summary = summarizer.summarize(doc)
        assert_faithful(doc, summary)
        prose = sum(
            len(line.text.split())
            for s in summary.sections
            if s.name != "concepts"
            for line in s.lines
            if line.kind == "sentence"
        )
        assert 60 <= prose <= 0.5 * doc.word_count, (path.name, prose)


def test_lead_and_extractive_are_both_registered() -> None:
    assert get_summarizer("lead").name == "lead"
    assert get_summarizer("extractive").name == "extractive"


# ---------------------------------------------------------------- bad input


def _words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = "state checkpoint operator window latency partition record barrier buffer"
    words = vocab.split()
    return [rng.choice(words) for _ in range(n)]


def test_one_sentence_article_gives_a_one_line_summary() -> None:
    doc, summary = summarize_text("# Queues\n\nA bounded queue pushes back on its producers.\n")
    assert lines(summary, "executive_summary") == ["A bounded queue pushes back on its producers."]


def test_giant_paragraph_without_punctuation_is_cut_into_readable_parts() -> None:
    doc, summary = summarize_text("# Run-on\n\n" + " ".join(_words(12_000, 1)) + "\n")
    assert_faithful(doc, summary)
    assert summary.sections
    for section in summary.sections:
        for line in section.lines:
            assert len(line.text.split()) <= MAX_WORDS


@pytest.mark.parametrize(
    "body",
    [
        "| name | value |\n|---|---|\n| alpha beta gamma | one two three |\n| delta | four |\n",
        "\n".join(f"- [Release notes part {i}](https://example.org/{i})" for i in range(20)),
    ],
    ids=["only-a-table", "list-of-links"],
)
def test_article_without_prose_says_too_little_text(body: str) -> None:
    with pytest.raises(SummarizeError, match="too little text to summarize"):
        summarize_text("# Nothing to read\n\n" + body, source="bare.md")


def test_non_english_article_is_summarized_from_its_own_sentences() -> None:
    text = (
        "# Über Datenströme\n\nDie Verarbeitung von Datenströmen braucht einen Zustand, der "
        "nach Fehlern wiederhergestellt werden kann. Flink speichert den Zustand regelmäßig als "
        "Snapshot. Dadurch bleibt das Ergebnis korrekt, auch wenn ein Knoten ausfällt.\n\n"
        "Ein Checkpoint wird durch Barrieren im Datenstrom ausgelöst. Jeder Operator schreibt "
        "seinen Zustand, sobald alle Barrieren angekommen sind.\n"
    )
    doc, summary = summarize_text(text)
    assert_faithful(doc, summary)
    assert 1 <= len(lines(summary, "executive_summary")) <= 2


def test_huge_article_is_capped_and_the_cap_is_reported() -> None:
    rng = random.Random(7)
    paragraphs = [" ".join(_words(19, rng.random())).capitalize() + "." for _ in range(5_300)]
    doc = from_markdown("# Huge\n\n" + "\n\n".join(paragraphs), source="huge.md")
    assert doc.word_count > 100_000
    summarizer = get_summarizer("extractive")
    summary = summarizer.summarize(doc)
    assert_faithful(doc, summary)
    notes = summarizer.notes(doc)
    assert notes and f"{MAX_WEIGHED_WORDS:,}" in notes[0]
    cap_block = max(line.source[0].block for s in summary.sections for line in s.lines)
    assert sum(len(b.text.split()) for b in doc.blocks[:cap_block]) <= MAX_WEIGHED_WORDS


# ---------------------------------------------------------------- commands


def run(home: Path, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    rows = [json.loads(x) for x in result.stdout.splitlines() if x.strip().startswith("{")]
    return result.exit_code, rows


@pytest.fixture
def no_embed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTILL_EMBED", "0")  # these tests are about summaries, not vectors


def test_summarize_command_prints_the_contract_shape_and_stores_nothing(
    home: Path, tmp_path: Path, no_embed: None
) -> None:
    path = tmp_path / "backpressure.md"
    path.write_text(ARTICLE)
    code, rows = run(home, "summarize", str(path), "--json")
    assert code == 0 and len(rows) == 1
    row = rows[0]
    assert set(row) >= {"source", "title", "backend", "sections"}
    assert (
        row["source"] == str(path) and row["title"] == "Backpressure in stream processing pipelines"
    )
    assert row["backend"] == {"name": "extractive", "version": row["backend"]["version"]}
    names = [s["name"] for s in row["sections"]]
    assert names[0] == "executive_summary" and len(names) == len(set(names))
    for section in row["sections"]:
        for line in section["lines"]:
            assert line["kind"] in ("sentence", "code", "term")
            assert set(line) >= {"text", "kind", "heading", "source"}
            assert set(line["source"][0]) == {"block", "start", "end"}
    code, rows = run(home, "list", "--json")
    assert rows[0]["total"] == 0


def test_summarize_reads_each_record_of_a_json_lines_file(
    home: Path, tmp_path: Path, no_embed: None
) -> None:
    records = [
        {"id": "a", "title": "Backpressure", "text": ARTICLE.split("---\n", 2)[2]},
        {"id": "b", "title": "Empty", "text": ""},
        {
            "id": "c",
            "title": "Table",
            "text": "# T\n\n| a b c d | e f g h |\n|---|---|\n| i j k | l m n |",
        },
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    code, rows = run(home, "summarize", str(path), "--json")
    assert code == 1 and len(rows) == 4
    assert rows[0]["title"] == "Backpressure" and rows[0]["sections"]
    assert "neither 'text' nor 'html'" in rows[1]["error"]
    assert "too little text to summarize" in rows[2]["error"] and "(id c)" in rows[2]["source"]
    assert "not valid JSON" in rows[3]["error"] and rows[3]["source"].endswith(":4")


def test_summarize_text_output_shows_section_titles(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(ARTICLE)
    result = CliRunner().invoke(main, ["--home", str(home), "summarize", str(path)])
    assert result.exit_code == 0
    for title in ("Executive summary", "Main points", "Key takeaways", "Measuring it"):
        assert title in result.stdout


def test_resummarize_is_resumable_and_reports_each_article(
    home: Path, tmp_path: Path, no_embed: None
) -> None:
    paths = sorted(EXAMPLES.glob("*.md"))[:3]
    code, added = run(home, "add", *map(str, paths), "--summarizer", "lead", "--json")
    ids = [r["id"] for r in added]
    assert code == 0 and len(ids) == 3
    # A first run that stopped after one article ...
    code, rows = run(home, "resummarize", str(ids[0]), "--json")
    assert code == 0 and rows[0]["status"] == "summarized"
    # ... is picked up where it stopped.
    code, rows = run(home, "resummarize", "--all", "--json")
    assert [r["status"] for r in rows] == ["current", "summarized", "summarized"]
    code, rows = run(home, "show", str(ids[1]), "--json")
    assert rows[0]["summary"]["backend"]["name"] == "extractive"
    result = CliRunner().invoke(main, ["--home", str(home), "resummarize", "--all"])
    assert "0 summarized, 3 already current, 0 failed" in result.stdout
    code, rows = run(home, "resummarize", str(ids[2]), "--backend", "lead", "--json")
    assert rows[0]["backend"]["name"] == "lead" and rows[0]["status"] == "summarized"
    code, rows = run(home, "resummarize", "999", "--json")
    assert code == 1 and "no article with id 999" in rows[0]["error"]
    code, rows = run(home, "resummarize", "--json")
    assert code == 1 and "give article ids or --all" in rows[0]["error"]
    code, rows = run(home, "resummarize", "--all", "--backend", "nope", "--json")
    assert code == 1 and "unknown summarizer 'nope'" in rows[0]["error"]


def test_concepts_use_canonical_names_with_the_first_mention_as_provenance() -> None:
    text = (
        "# Moving our queue\n\nWe moved the job queue from Redis to Postgres last spring. "
        "Postgres row locks with SKIP LOCKED let many workers claim jobs safely. "
        "Our K8s cron jobs now talk to Postgres only, and Redis is gone from the stack.\n"
    )
    doc, summary = summarize_text(text)
    section = summary.section("concepts")
    assert section is not None
    terms = {line.text: line for line in section.lines}
    assert "PostgreSQL" in terms
    span = terms["PostgreSQL"].source[0]
    assert doc.blocks[span.block].text[span.start : span.end] == "Postgres"
    assert span.start == doc.blocks[span.block].text.index("Postgres")


def test_only_code_is_refused_with_a_clear_message(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "code.md"
    path.write_text("# Snippet\n\n```go\nfunc main() {\n\tprintln(1)\n}\n```\n")
    code, rows = run(home, "summarize", str(path), "--json")
    assert code == 1 and "no article text found" in rows[0]["error"]
    assert str(path) in rows[0]["error"]


@pytest.mark.parametrize(
    "text",
    [
        "Unfortunately, we learned that the trade-off is not yet supported.",
        "However the key lessons we learnt: you should always use best practices.",
        "Overall, it's important to keep in mind the downtime; give it a try!",
        "subscribe—unfortunately—can't (limitations) xbest practices recommended",
        "Nothing to see here at all.",
        "“In summary,” we strongly recommend the rule of thumb… 'Do not' use it.",
        "",
    ],
)
def test_word_start_guard_leaves_cue_scores_unchanged(text: str) -> None:
    """cue_score's joined pattern starts with a word-start guard (a speed-up): it must
    score every text as the joined pattern without the guard does."""
    import re

    from distill.summarize import cues

    for table in (cues.TAKEAWAY_CUES, cues.LIMITATION_CUES):
        plain = re.compile(
            "|".join(f"(?P<c{i}>{p.pattern})" for i, (p, _) in enumerate(table)), re.I
        )
        found = {m.lastgroup for m in plain.finditer(text)}
        expected = sum(table[int(name[1:])][1] for name in found if name)
        assert cues.cue_score(text, table) == pytest.approx(expected)


CONCURRENT_LOOKUPS = """
import threading
from distill.plugins import get_summarizer

start = threading.Barrier(12)
failures = []

def look_up(name):
    start.wait()
    try:
        get_summarizer(name)
    except Exception as exc:
        failures.append(f"{name}: {exc}")

threads = [
    threading.Thread(target=look_up, args=(name,))
    for name in ["extractive", "lead", "llm"] * 4
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(failures)
"""


def test_backends_looked_up_from_many_threads_at_once_are_all_found() -> None:
    """A web server's handlers ask for the summarizer at the same moment on first use;
    each must get it (one of them was told "unknown summarizer 'extractive'")."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_LOOKUPS],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_summary_is_stored_with_every_field_of_its_lines() -> None:
    """The stored form is written by hand for speed: it must hold what `asdict` would, so a
    field added to Line or Span later is not silently left out of the library."""
    summary = Summary(
        "extractive",
        "7",
        [
            Section(
                "main_points",
                [
                    Line(
                        "Leases expire after ten seconds.",
                        heading="Leases",
                        source=[Span(2, 0, 31)],
                    ),
                    Line("lease(ttl=10)", kind="code", source=[Span(3, 0, 13)], language="python"),
                    Line("Lanes never starve.", flag="unsupported"),
                ],
            )
        ],
    )
    assert summary.to_dict()["sections"] == [dataclasses.asdict(s) for s in summary.sections]
    assert Summary.from_dict(summary.to_dict()) == summary
