"""Lenient JSON: small models' slips repaired, nothing invented, real JSON untouched."""

from __future__ import annotations

import json

import pytest

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
