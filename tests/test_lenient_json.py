"""Lenient JSON: small models' slips repaired, nothing invented, real JSON untouched."""

from __future__ import annotations

import json

import pytest

from distill.errors import InvalidAnswer
from distill.llm.lenient import drop_trailing_commas, loads_lenient, outermost_object
from distill.llm.schema import parse_summary


def test_valid_json_needs_no_repair() -> None:
    assert loads_lenient('{"a": [1, 2]}') == ({"a": [1, 2]}, [])


@pytest.mark.parametrize(
    "text, repair",
    [
        ('```json\n{"a": ["x"]}\n```', "code fence"),
        ('Here is the summary:\n{"a": ["x"]}\nHope this helps.', "text around the object"),
        ('{"a": ["x",],}', "trailing comma"),
        ('{"a": ["line one\nline two"]}', "raw control character in a string"),
    ],
)
def test_each_slip_is_repaired_and_named(text: str, repair: str) -> None:
    value, repairs = loads_lenient(text)
    assert value["a"][0].startswith(("x", "line one"))
    assert repair in repairs


def test_commas_and_braces_inside_strings_are_left_alone() -> None:
    text = '{"a": "keep ,] and ,} and \\" here",}'
    assert drop_trailing_commas(text) == '{"a": "keep ,] and ,} and \\" here"}'
    assert outermost_object('x {"b": "}"} y') == ('{"b": "}"}', True)


def test_a_cut_off_answer_is_not_patched_up() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_lenient('{"executive_summary": ["The cache was shard')


def test_parse_summary_takes_a_fenced_answer_with_trailing_commas() -> None:
    draft = parse_summary('```json\n{"executive_summary": ["Shards cut contention.",],}\n```')
    assert draft.executive_summary == ["Shards cut contention."]


# Captured from Qwen2.5-Coder-0.5B-Instruct (llama.cpp, temperature 0) summarising
# tests/data/llm_article.md with no grammar: it answered in "key: value" lines, not JSON.
# Nothing in it is an object to repair, so the backend's repair prompt has to ask again.
REAL_UNCONSTRAINED = (
    "executive_summary: How we cut cache latency at Larkspur, a PostgreSQL cluster, and its "
    "read-through cache.\n\n"
    "concepts: hash map, eviction path, eviction goroutine, sharding, p99 latency, on-call "
    "team, eviction policy\n\n"
    "code: The code for the Larkspur cache is available at https://github.com/yourusername/"
    "larkspur-cache\n"
)

# Captured the same way with the summary's schema as grammar (dialect json_object): valid
# JSON whose sections echo the prompt and hold fragments rather than sentences.
REAL_CONSTRAINED = (
    '{ "executive_summary": ["Larkspur\'s cache design", "Eviction strategy changes"], '
    '"concepts": ["hash map eviction", "sharding"], "main_points": [{"heading": "Old design", '
    '"point": "The cache kept every entry in one hash map guarded by a single mutex."}], '
    '"specifications": ["The old design"], "code": [], "takeaways": [], '
    '"limitations": ["Trade-offs", "caveats", "open questions the article states"]}'
)


def test_a_real_answer_in_key_value_lines_is_not_made_into_json() -> None:
    with pytest.raises(InvalidAnswer, match="not valid JSON"):
        parse_summary(REAL_UNCONSTRAINED)


def test_a_real_constrained_answer_parses_without_repair() -> None:
    assert loads_lenient(REAL_CONSTRAINED)[1] == []
    draft = parse_summary(REAL_CONSTRAINED)
    assert draft.main_points[0][0] == "Old design"
    # The same answer with a fence and a trailing comma (slips of unconstrained output).
    fenced = "```json\n" + REAL_CONSTRAINED[:-1] + ",}\n```"
    assert parse_summary(fenced) == draft


def test_a_code_fence_quoted_inside_a_string_is_content_not_a_wrapper() -> None:
    """A model quoting a Markdown code block in a string, with a raw newline beside it (seen
    with Qwen2.5-Coder-0.5B on a rustup release note): the object is parsed whole; taking
    the quoted fence for a wrapper lost the answer and fell back to the offline summary."""
    text = '{"code": ["```sh\n$ lanes self update\n```"], "takeaways": ["Update often."]}'
    value, repairs = loads_lenient(text)
    assert value["code"] == ["```sh\n$ lanes self update\n```"]
    assert value["takeaways"] == ["Update often."]
    assert repairs == ["raw control character in a string"]
