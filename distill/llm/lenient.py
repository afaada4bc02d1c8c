"""Lenient JSON: the small, predictable mistakes small models make, repaired before parsing.

Seen from Qwen2.5-Coder-0.5B and similar models when the server does not constrain the
output (or constrains it only loosely): the object wrapped in a Markdown code fence, a
sentence of prose before or after it, a comma before a closing bracket, raw newlines or tabs
inside strings. `loads_lenient` tries the strict parser first and repairs only when that
fails; it never invents content, so an answer cut off at the token limit is not patched up
(the backend asks the model again, see summarize/llm.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# The closing fence starts a line: the one after the content, or the one right after the
# opening line when the fence holds nothing ("```json\n```", or "```" alone: an empty answer).
_FENCE = re.compile(
    r"```[A-Za-z0-9_-]*[ \t]*(?:\n|\Z)(.*?)(?:(?:\n|(?<=\n))[ \t]*```|\Z)", re.DOTALL
)


def strip_fences(text: str) -> str:
    """The inside of a Markdown code fence around the answer, or the text as it is. A fence
    that opens after the object does (a code block quoted inside one of its strings, as in
    `"code": ["```sh\n$ rustup self update\n```"]`) is the answer's content, not its wrapper."""
    match = _FENCE.search(text)
    brace = text.find("{")
    if match and (brace < 0 or match.start() < brace):
        return match.group(1)
    return text


def _structural(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of every character outside JSON strings, quotes included, from
    `start`: the brackets, commas and string ends that give the text its shape, wherever a
    string's escapes leave them."""
    in_string = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                yield i, ch
        else:
            in_string = ch == '"'
            yield i, ch


def outermost_object(text: str) -> tuple[str, bool]:
    """From the first `{` to the brace that closes it (strings respected), and whether it
    was closed; an unclosed object is returned up to the end of the text."""
    start = text.find("{")
    if start < 0:
        return "", False
    depth = 0
    for i, ch in _structural(text, start):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start : i + 1], True
    return text[start:], False


def drop_trailing_commas(text: str) -> str:
    """Remove a comma that only whitespace separates from a closing `}` or `]`."""
    dropped = set()
    last: tuple[int, str] | None = None  # the last structural character that is not a space
    for i, ch in _structural(text):
        if ch in "}]" and last is not None and last[1] == ",":
            dropped.add(last[0])
        if not ch.isspace():
            last = (i, ch)
    return "".join(ch for i, ch in enumerate(text) if i not in dropped)


def loads_lenient(text: str) -> tuple[Any, list[str]]:
    """The parsed JSON and the repairs it needed; ValueError (json.JSONDecodeError) when
    even the repaired text is not JSON."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        first_error = exc
    repairs: list[str] = []
    body = strip_fences(text)
    if body != text:
        repairs.append("code fence")
    obj, closed = outermost_object(body)
    if not obj:
        raise first_error
    if obj.strip() != body.strip():
        repairs.append("text around the object")
    if not closed:  # cut off: asking again beats guessing what the rest would have said
        raise first_error
    fixed = drop_trailing_commas(obj)
    try:
        # strict=False accepts raw control characters (newlines, tabs) inside strings.
        value = json.loads(fixed, strict=False)
    except json.JSONDecodeError:
        raise first_error from None
    if fixed != obj:
        repairs.append("trailing comma")
    if _has_raw_controls(fixed):
        repairs.append("raw control character in a string")
    return value, repairs


def _has_raw_controls(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return "control character" in exc.msg
    return False
