"""The `llm` backend against a scripted OpenAI-compatible server (tests/fake_llm.py).

What a reader would notice: a faithful model summary shown as written, with provenance; an
invented figure never shown; a slow, rate-limited, broken or absent server never blocking
an import, with the offline summary shown instead and the reason recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import Settings, load_settings
from distill.errors import ConfigError
from distill.ingest.extract import from_markdown
from distill.ingest.pipeline import ingest_document
from distill.llm.config import load_models
from distill.models import Document
from distill.plugins import get_summarizer
from distill.store import SQLStore
from distill.summarize.llm import split_parts

from .fake_llm import FakeLLMServer, Scripted, completion

ARTICLE = Path(__file__).parent / "data" / "llm_article.md"
CODE = (
    "func (c *Cache) shard(key string) *shard {\n"
    "\treturn c.shards[fnv32(key)%uint32(len(c.shards))]\n}"
)
INVENTED = "Sharding cut the p99 latency of cache reads from 80 ms to 5 ms."
FAITHFUL = {
    "executive_summary": [
        "Larkspur runs a read-through cache in front of its PostgreSQL cluster.",
        "After splitting the map into 64 shards, the p99 latency of cache reads fell to 9 ms.",
    ],
    "concepts": ["PostgreSQL", "read-through cache", "mutex"],
    "main_points": [
        {
            "heading": "The old design",
            "point": "Each eviction pass walked 4096 entries while holding the mutex, so "
            "readers queued behind it.",
        },
        {
            "heading": "Sharding the map",
            "point": "Throughput per node rose from 40000 to 95000 requests per second.",
        },
    ],
    "specifications": ["Memory use was steady at 12 GB per node."],
    "code": [CODE],
    "takeaways": ["Measure lock hold times before adding hardware."],
    "limitations": ["A scan over all keys now has to visit every shard."],
}


def sentences(summary_dict: dict) -> list[str]:
    return [
        line["text"]
        for s in summary_dict["sections"]
        for line in s["lines"]
        if line["kind"] == "sentence"
    ]


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer()
    yield server
    server.close()


def write_models(home: Path, base_url: str, dialect: str = "json_schema", **extra: object) -> None:
    home.mkdir(parents=True, exist_ok=True)
    lines = [
        "[models.fake]",
        f'base_url = "{base_url}"',
        'model = "fake-model"',
        f'dialect = "{dialect}"',
        'key_env = "FAKE_LLM_KEY"',
    ]
    for key, value in extra.items():
        if isinstance(value, dict):  # a TOML inline table
            value = "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + "}"
        else:
            value = json.dumps(value)
        lines.append(f"{key} = {value}")
    (home / "models.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def llm_settings(home: Path, fake: FakeLLMServer) -> Settings:
    write_models(home, fake.base_url)
    return load_settings(home).replace(llm_total_timeout=10.0, llm_max_retry_wait=5.0)


@pytest.fixture
def doc() -> Document:
    return from_markdown(ARTICLE.read_text(encoding="utf-8"), source=str(ARTICLE))


def summarize(settings: Settings, doc: Document):
    backend = get_summarizer("llm:fake")
    backend.bind(settings)
    return backend.summarize(doc)


def test_faithful_summary_passes_unchanged_with_provenance(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    fake.script.append(completion(json.dumps(FAITHFUL)))
    summary = summarize(llm_settings, doc)
    assert summary.fallback is None
    assert summary.backend == "llm:fake"
    data = summary.to_dict()
    expected = (
        FAITHFUL["executive_summary"]
        + [p["point"] for p in FAITHFUL["main_points"]]
        + FAITHFUL["specifications"]
        + FAITHFUL["takeaways"]
        + FAITHFUL["limitations"]
    )
    assert sorted(sentences(data)) == sorted(expected)
    for section in summary.sections:
        for line in section.lines:
            assert line.source, line.text  # every shown line points into the article
            for span in line.source:
                assert 0 <= span.start < span.end <= len(doc.blocks[span.block].text)
    terms = [ln.text for ln in summary.section("concepts").lines]  # type: ignore[union-attr]
    assert terms == FAITHFUL["concepts"]
    code = [ln for ln in summary.section("specifications").lines if ln.kind == "code"]  # type: ignore[union-attr]
    assert [ln.text for ln in code] == [CODE] and code[0].language == "go"
    points = summary.section("main_points").lines  # type: ignore[union-attr]
    assert [p.heading for p in points] == ["The old design", "Sharding the map"]
    request = fake.requests[0]["body"]
    assert request["model"] == "fake-model"
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["executive_summary"]["maxItems"] == 4
    assert "Larkspur" in request["messages"][1]["content"]


def test_invented_number_loses_exactly_that_sentence(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    answer = dict(FAITHFUL, executive_summary=FAITHFUL["executive_summary"] + [INVENTED])
    fake.script.append(completion(json.dumps(answer)))
    summary = summarize(llm_settings, doc)
    shown = sentences(summary.to_dict())
    assert INVENTED not in shown
    faithful_sentences = FAITHFUL["executive_summary"] + FAITHFUL["takeaways"]
    assert all(s in shown for s in faithful_sentences)
    assert len(shown) == 7  # every faithful sentence, nothing else


def test_unsupported_sentence_kept_and_flagged_when_asked(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    answer = dict(FAITHFUL, executive_summary=FAITHFUL["executive_summary"] + [INVENTED])
    fake.script.append(completion(json.dumps(answer)))
    summary = summarize(llm_settings.replace(llm_unsupported="flag"), doc)
    flagged = [ln for s in summary.sections for ln in s.lines if ln.flag]
    assert [ln.text for ln in flagged] == [INVENTED]


def test_rate_limited_then_success(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    fake.script += [
        Scripted(429, b'{"error": "slow down"}', {"Retry-After": "1"}),
        completion(json.dumps(FAITHFUL)),
    ]
    summary = summarize(llm_settings, doc)
    assert summary.fallback is None and summary.backend == "llm:fake"
    assert len(fake.requests) == 2


def test_rate_limit_longer_than_allowed_falls_back(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    fake.script.append(Scripted(429, b"{}", {"Retry-After": "3600"}))
    summary = summarize(llm_settings, doc)
    assert summary.backend == "extractive"
    assert summary.fallback and "429" in summary.fallback["reason"]
    assert len(fake.requests) == 1  # it did not wait an hour


@pytest.mark.usefixtures("engine")
def test_hang_past_timeout_falls_back_and_queues_retry(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document, store: SQLStore
) -> None:
    fake.script.append(Scripted(delay=4.0, body=b"{}"))
    settings = llm_settings.replace(llm_total_timeout=1.0, embed=False)
    result = ingest_document(
        doc, store, get_summarizer("llm:fake"), "article", None, settings=settings
    )
    assert result.status == "added" and result.fallback
    assert "llm_total_timeout" in result.fallback
    article = store.get_article(result.id)  # type: ignore[arg-type]
    assert article.summary is not None and article.summary.backend == "extractive"
    assert article.summary.fallback and "llm_total_timeout" in article.summary.fallback["reason"]
    assert [p.article_id for p in store.fallbacks.pending_retries()] == [result.id]
    runner = CliRunner()
    shown = runner.invoke(main, ["show", str(result.id)])
    assert "could not summarise this article" in shown.output
    # The server is back: the retry replaces the offline summary with the model's.
    fake.script.append(completion(json.dumps(FAITHFUL)))
    retried = runner.invoke(main, ["models", "retry", "--json"])
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.output)["status"] == "summarized"
    article = store.get_article(result.id)  # type: ignore[arg-type]
    assert article.summary is not None and article.summary.backend == "llm:fake"
    assert article.summary.fallback is None
    assert store.fallbacks.pending_retries() == []


def test_truncated_json_is_repaired_once(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    whole = json.dumps(FAITHFUL)
    fake.script += [completion(whole[: len(whole) // 2], "length"), completion(whole)]
    summary = summarize(llm_settings, doc)
    assert summary.backend == "llm:fake"
    repair = fake.requests[1]["body"]["messages"]
    assert repair[-1]["role"] == "user" and "not valid JSON" in repair[-1]["content"]


def test_truncated_json_twice_falls_back_with_reason(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    whole = json.dumps(FAITHFUL)
    fake.default = completion(whole[:100], "length")
    summary = summarize(llm_settings, doc)
    assert summary.backend == "extractive"
    assert summary.fallback and "unusable answer twice" in summary.fallback["reason"]
    assert len(fake.requests) == 2


def test_garbage_and_server_down_fall_back(fake: FakeLLMServer, home: Path, doc: Document) -> None:
    fake.script.append(Scripted(200, b"<html>proxy error</html>"))
    write_models(home, fake.base_url)
    summary = summarize(load_settings(home), doc)
    assert summary.fallback and "not an OpenAI-style chat completion" in summary.fallback["reason"]
    fake.close()
    summary = summarize(load_settings(home), doc)
    assert summary.backend == "extractive"
    assert summary.fallback and "cannot connect" in summary.fallback["reason"]


def test_code_block_replaced_by_the_source_block(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document
) -> None:
    altered = CODE.replace("\t", "    ").replace("fnv32", "fnv32a")
    invented = "def unrelated():\n    return 42"
    fake.script.append(completion(json.dumps(dict(FAITHFUL, code=[altered, invented]))))
    summary = summarize(llm_settings, doc)
    code = [ln.text for s in summary.sections for ln in s.lines if ln.kind == "code"]
    assert code == [CODE]


def test_llamacpp_dialect_and_key_sent(
    fake: FakeLLMServer, home: Path, doc: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_models(home, fake.base_url, dialect="json_object")
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    fake.script.append(completion(json.dumps(FAITHFUL)))
    summarize(load_settings(home), doc)
    fmt = fake.requests[0]["body"]["response_format"]
    assert fmt["type"] == "json_object" and "executive_summary" in fmt["schema"]["properties"]
    assert fake.requests[0]["auth"] == "Bearer sk-test"


def test_long_article_is_split_and_nothing_cut(
    fake: FakeLLMServer, home: Path, doc: Document
) -> None:
    write_models(home, fake.base_url, context=1200, options={"max_tokens": 800})
    fake.default = completion(json.dumps(FAITHFUL))
    summary = summarize(load_settings(home), doc)
    assert summary.backend == "llm:fake"
    prompts = [r["body"]["messages"][1]["content"] for r in fake.requests]
    assert len(prompts) > 1 and all(f"of {len(prompts)}" in p for p in prompts)
    joined = "\n".join(prompts)
    assert "CLOCK-based eviction policy in version 2.4" in joined  # the end is not cut off
    parts = split_parts(doc, 300)
    for block in doc.blocks:  # every block reaches the model in some part
        assert any(block.text[:40] in part for part in parts)


def token_limited(answer: str):
    """A responder that, like a real server, stops writing at the request's max_tokens
    (this fake counts a token per character) and says so in finish_reason."""

    def respond(body: dict) -> Scripted:
        room = int(body["max_tokens"])
        cut = len(answer) > room
        return completion(answer[:room], "length" if cut else "stop")

    return respond


def test_a_full_answer_is_not_cut_at_a_fixed_token_limit(
    fake: FakeLLMServer, home: Path, doc: Document
) -> None:
    # A model that writes every section in full: more tokens for this fake than the fixed
    # 1024 every request used to ask for.
    answer = json.dumps(FAITHFUL, indent=10)  # small models indent generously
    assert 1024 < len(answer) < 2048
    fake.responder = token_limited(answer)
    write_models(home, fake.base_url, context=4096)
    summary = summarize(load_settings(home), doc)
    shown = sentences(summary.to_dict())
    assert summary.fallback is None and len(fake.requests) == 1
    assert FAITHFUL["limitations"][0] in shown  # the answer's last section reaches the reader
    body = fake.requests[0]["body"]
    prompt_tokens = sum(len(m["content"]) for m in body["messages"]) / 3
    # The request fits the model's context even if the prompt takes a fifth more tokens
    # than estimated (code does): a strict server refuses a request that does not.
    assert prompt_tokens * 1.2 + body["max_tokens"] <= 4096

    # A cap set in models.toml is the user's: honoured, and here it cuts the answer, which
    # is what every long answer met before: the offline summary, the limit named.
    fake.requests.clear()
    write_models(home, fake.base_url, context=4096, options={"max_tokens": 1024})
    summary = summarize(load_settings(home), doc)
    assert all(r["body"]["max_tokens"] == 1024 for r in fake.requests)
    assert summary.fallback and "token limit" in summary.fallback["reason"]


def test_each_part_of_a_long_article_leaves_room_for_the_answer(
    fake: FakeLLMServer, home: Path
) -> None:
    body = "\n\n".join(
        f"## Lane {n}\n\nLane {n} of the Task Runner holds leases for {n * 7} seconds "
        f"before another worker may claim its tasks, and renews them every {n} seconds."
        for n in range(1, 120)
    )
    long_doc = from_markdown(f"# Task Runner lanes\n\n{body}\n", source="lanes.md")
    fake.default = completion(json.dumps({"executive_summary": ["Lane 1 of the Task Runner."]}))
    write_models(home, fake.base_url, context=4096)
    summarize(load_settings(home), long_doc)
    assert len(fake.requests) > 1  # split into parts
    for request in fake.requests:
        prompt_tokens = sum(len(m["content"]) for m in request["body"]["messages"]) / 3
        assert request["body"]["max_tokens"] >= 4096 // 3 > 1024  # a third, whatever the part
        assert prompt_tokens + request["body"]["max_tokens"] <= 4096


def test_models_file_errors_name_the_problem(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "models.toml").write_text('[models.x]\nbase_url = "ftp://h"\nmodel = "m"\n')
    with pytest.raises(ConfigError, match="base_url 'ftp://h' is not an http"):
        load_models(load_settings(home))
    (home / "models.toml").write_text('[models.x]\nbase_url = "http://h"\nmodel = "m"\nctx = 1\n')
    with pytest.raises(ConfigError, match="unknown key"):
        load_models(load_settings(home))
    result = CliRunner().invoke(main, ["add", "--summarizer", "llm:nope", str(ARTICLE)])
    assert result.exit_code == 1 and "unknown key" in result.output


def test_models_list_and_test_commands(fake: FakeLLMServer, home: Path) -> None:
    write_models(home, fake.base_url, context=4096)
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["models", "list", "--json"]).output)
    assert listed["models"][0]["name"] == "fake"
    assert listed["models"][0]["context"] == 4096
    assert listed["models"][0]["key_set"] is False
    fake.script.append(completion('{"ok": true}'))
    tested = runner.invoke(main, ["models", "test", "fake", "--json"])
    assert tested.exit_code == 0
    report = json.loads(tested.output)
    assert report["ok"] and report["json"] and report["seconds"] >= 0
    fake.script.append(Scripted(503, b"overloaded"))
    failed = runner.invoke(main, ["models", "test", "fake", "--json"])
    assert failed.exit_code == 1 and "HTTP 503" in json.loads(failed.output)["error"]


def test_add_with_llm_summarizer_shows_fallback_reason(fake: FakeLLMServer, home: Path) -> None:
    write_models(home, fake.base_url)
    fake.default = Scripted(500, b"boom")
    result = CliRunner().invoke(main, ["add", "--summarizer", "llm:fake", "--json", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["status"] == "added" and "HTTP 500" in line["fallback"]


@pytest.mark.usefixtures("engine")
def test_fallback_queues_a_resummarize_job_that_the_worker_runs(
    fake: FakeLLMServer, llm_settings: Settings, doc: Document, store: SQLStore
) -> None:
    """The retry owed after a fallback is a job in the shared queue: it waits a while (the
    server just failed), then the worker summarises with the model and clears the reason."""
    from distill.worker import Worker

    fake.script.append(Scripted(500, b"{}"))
    settings = llm_settings.replace(embed=False)
    result = ingest_document(
        doc, store, get_summarizer("llm:fake"), "article", None, settings=settings
    )
    assert result.status == "added" and result.fallback
    job = store.conn.execute(
        "SELECT id, kind, state, run_at - created_at FROM jobs WHERE kind = 'resummarize'"
    ).fetchone()
    assert job is not None and job[2] == "queued" and job[3] >= 60  # not straight away
    store.conn.execute("UPDATE jobs SET run_at = 0 WHERE id = ?", (job[0],))
    fake.script.append(completion(json.dumps(FAITHFUL)))
    Worker(settings.replace(worker_threads=1), until_idle=True).run()
    state = store.conn.execute("SELECT state FROM jobs WHERE id = ?", (job[0],)).fetchone()[0]
    assert state == "done"
    article = store.get_article(result.id)  # type: ignore[arg-type]
    assert article.summary is not None and article.summary.backend == "llm:fake"
    assert article.summary.fallback is None
    assert store.fallbacks.pending_retries() == []
