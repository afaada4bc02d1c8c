"""The claim judge (`claim_judge`): a model asked whether each sentence's passages entail it.

What a reader would notice: a sentence that recombines the article's own words into a claim
the article never makes, which the word-and-meaning check lets through, is gone when a
judge is configured; an invented figure stays gone whatever the judge says; a judge that
cannot answer never lets unjudged sentences through. The judge here is the scripted fake
server of tests/fake_llm.py (a real model cannot be made to answer a given way); the real
models' judgements are measured in bench/eval_claims.py --judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import Settings, load_settings
from distill.embed import default_embedder
from distill.errors import LLMUnavailable
from distill.ingest.extract import from_markdown
from distill.llm.config import get_model
from distill.models import Document
from distill.plugins import get_summarizer
from distill.summarize.claims import Verifier
from distill.summarize.judge import Judge

from .fake_llm import FakeLLMServer, Scripted, completion, yes_no
from .test_llm import ARTICLE, FAITHFUL, INVENTED, sentences, write_models

# Every word is the article's ("readers queued behind it", "a background goroutine per
# shard"), so the word check passes it; the article never says readers waited on it.
RECOMBINED = "Readers queued behind the background goroutine of each shard."


@pytest.fixture
def fake() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer()
    yield server
    server.close()


@pytest.fixture
def doc() -> Document:
    return from_markdown(ARTICLE.read_text(encoding="utf-8"), source=str(ARTICLE))


@pytest.fixture
def settings(home: Path, fake: FakeLLMServer) -> Settings:
    write_models(home, fake.base_url)
    return load_settings(home).replace(llm_total_timeout=10.0, llm_max_retry_wait=5.0)


def judge_requests(fake: FakeLLMServer) -> list[dict[str, Any]]:
    return [r["body"] for r in fake.requests if r["body"].get("max_tokens") == 1]


def statement(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"]).split("Statement: ", 1)[1].split("\n", 1)[0]


def knows_the_article(body: dict[str, Any]) -> Scripted:
    """A judge that finds RECOMBINED unsupported and everything else supported."""
    return yes_no(0.04 if statement(body) == RECOMBINED else 0.93)


def summarize(settings: Settings, doc: Document):
    return get_summarizer("llm:fake").bind(settings).summarize(doc)


def with_recombined() -> str:
    return json.dumps(dict(FAITHFUL, takeaways=FAITHFUL["takeaways"] + [RECOMBINED]))


def test_the_word_check_alone_passes_the_recombination(
    fake: FakeLLMServer, settings: Settings, doc: Document
) -> None:
    # The baseline of the next test, in the same terms: without a judge it is shown.
    fake.script.append(completion(with_recombined()))
    assert RECOMBINED in sentences(summarize(settings, doc).to_dict())
    assert judge_requests(fake) == []


def test_the_judge_drops_the_recombination_and_keeps_the_faithful_sentences(
    fake: FakeLLMServer, settings: Settings, doc: Document
) -> None:
    fake.script.append(completion(with_recombined()))
    fake.responder = knows_the_article
    summary = summarize(settings.replace(claim_judge="fake"), doc)
    assert summary.fallback is None
    shown = sentences(summary.to_dict())
    assert RECOMBINED not in shown
    assert set(FAITHFUL["executive_summary"] + FAITHFUL["takeaways"]) <= set(shown)
    asked = {statement(b): b for b in judge_requests(fake)}
    assert RECOMBINED in asked and len(asked) == len(shown) + 1
    # The judge reads the passages the check aligned, not the whole article.
    source = asked[RECOMBINED]["messages"][-1]["content"]
    assert "readers queued behind it" in source and "Larkspur runs" not in source
    assert asked[RECOMBINED]["logprobs"] is True and asked[RECOMBINED]["temperature"] == 0.0


def test_an_invented_figure_is_not_asked_about_and_stays_dropped(
    fake: FakeLLMServer, settings: Settings, doc: Document
) -> None:
    answer = dict(FAITHFUL, executive_summary=FAITHFUL["executive_summary"] + [INVENTED])
    fake.script.append(completion(json.dumps(answer)))
    fake.responder = lambda body: yes_no(0.99)  # a judge that believes everything
    shown = sentences(summarize(settings.replace(claim_judge="fake"), doc).to_dict())
    assert INVENTED not in shown
    assert INVENTED not in {statement(b) for b in judge_requests(fake)}


def test_a_judge_that_cannot_answer_makes_the_summary_fall_back_with_the_reason(
    fake: FakeLLMServer, settings: Settings, doc: Document
) -> None:
    fake.script.append(completion(with_recombined()))
    fake.responder = lambda body: Scripted(503, b'{"error": "overloaded"}')
    summary = summarize(settings.replace(claim_judge="fake"), doc)
    assert summary.fallback is not None
    assert summary.fallback["reason"].startswith("claim judge ")
    assert "HTTP 503" in summary.fallback["reason"] and summary.fallback["retry"] == "yes"
    assert RECOMBINED not in sentences(summary.to_dict())


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(completion("Yes"), 1.0), (completion("no."), 0.0), (yes_no(0.25, written="No"), 0.25)],
)
def test_the_answer_is_read_from_log_probabilities_or_else_the_word(
    fake: FakeLLMServer, settings: Settings, answer: Scripted, expected: float
) -> None:
    fake.script.append(answer)
    judge = Judge(get_model(settings, "fake"), settings)
    assert judge.entailment("The sky is blue.", "The sky is blue.") == pytest.approx(expected)


def test_an_answer_that_is_neither_yes_nor_no_is_an_error_naming_it(
    fake: FakeLLMServer, settings: Settings
) -> None:
    fake.script.append(completion("Perhaps"))
    judge = Judge(get_model(settings, "fake"), settings)
    with pytest.raises(LLMUnavailable, match="'Perhaps' to a yes/no question"):
        judge.entailment("The sky is blue.", "The sky is green.")


def test_verify_reports_the_judge_per_sentence(
    fake: FakeLLMServer, settings: Settings, doc: Document, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text(f"{FAITHFUL['takeaways'][0]}\n{RECOMBINED}\n", encoding="utf-8")
    fake.responder = knows_the_article
    runner = CliRunner()
    args = ["verify", str(ARTICLE), str(summary), "--json"]
    plain = json.loads(runner.invoke(main, args).output)["sentences"]
    assert [s["judge"] for s in plain] == [None, None]
    assert all(s["supported"] for s in plain)
    result = runner.invoke(main, [*args, "--judge", "fake"])
    assert result.exit_code == 0, result.output
    judged = json.loads(result.output)["sentences"]
    assert [s["supported"] for s in judged] == [True, False]
    assert judged[0]["judge"] == pytest.approx(0.93) and judged[1]["judge"] == pytest.approx(0.04)
    word_only = Verifier(doc, default_embedder()).check([RECOMBINED])[0].score
    assert judged[1]["score"] == pytest.approx((word_only + 0.04) / 2, abs=0.05)
    unknown = runner.invoke(main, [*args, "--judge", "nosuch"])
    assert unknown.exit_code != 0 and "unknown model 'nosuch'" in unknown.output
