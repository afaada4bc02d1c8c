"""Structured input read within limits: JSON and YAML/TOML front matter.

A parser is a recursive walk: a few kilobytes nested thousands of levels deep end in
RecursionError (a traceback, and in a JSON Lines import the end of the whole batch), and a
YAML document whose anchors refer to anchors ("billion laughs") is a kilobyte that expands
to gigabytes the moment anything formats it. So structured input is parsed here, and each
excess becomes an InputError naming the input and the limit, for that input alone.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import yaml

from .errors import FrontMatterError, InputError

# Levels of nesting any real input needs: JSON-LD graphs, feeds and front matter go a
# handful deep; 64 leaves room for generated ones and is far below Python's recursion limit.
MAX_NESTING = 64
# Front matter is a title, a date, some tags: 64 KiB is generous for that and small enough
# that even a pathological parse of it is quick.
MAX_FRONT_MATTER_BYTES = 64 * 1024
# Nodes a front matter document may have once aliases are expanded. A real one has tens;
# billion laughs has 10**9. Counting stops at the limit, so checking costs at most this.
MAX_FRONT_MATTER_NODES = 10_000


def nesting_error(origin: str, what: str, kind: type[InputError] = InputError) -> InputError:
    return kind(f"{origin}: {what} is nested more than {MAX_NESTING} levels deep; refused")


def check_depth(value: Any, origin: str, what: str, kind: type[InputError] = InputError) -> Any:
    """`value` unchanged, or InputError when lists/dicts nest deeper than MAX_NESTING."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_NESTING:
            raise nesting_error(origin, what, kind)
        stack.extend((child, depth + 1) for child in children)
    return value


def load_json(text: str | bytes, origin: str, what: str = "JSON") -> Any:
    """json.loads with a nesting limit; ValueError (as json raises) for text that is not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise nesting_error(origin, what) from None
    return check_depth(value, origin, what)


def _check_nodes(root: yaml.Node, origin: str) -> None:
    """Walk the composed YAML graph as construction would expand it, with both caps."""
    seen = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_FRONT_MATTER_NODES:
            raise FrontMatterError(
                f"{origin}: front matter expands to more than {MAX_FRONT_MATTER_NODES:,} "
                "values (YAML aliases repeating anchors); refused"
            )
        if depth > MAX_NESTING:
            raise nesting_error(origin, "front matter", FrontMatterError)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def load_front_matter(raw: str, loader: str, origin: str) -> Any:
    """The YAML or TOML front matter `raw`, parsed within the size, nesting and expansion
    limits; FrontMatterError naming the problem (and the line, for YAML syntax)."""
    size = len(raw.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            f"{origin}: front matter is {size:,} bytes, over the limit of "
            f"{MAX_FRONT_MATTER_BYTES:,}; refused"
        )
    try:
        if loader == "toml":
            return check_depth(tomllib.loads(raw), origin, "front matter", FrontMatterError)
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        if node is None:
            return None
        _check_nodes(node, origin)
        return yaml.safe_load(raw)
    except RecursionError:
        raise nesting_error(origin, "front matter", FrontMatterError) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""
        raise FrontMatterError(
            f"{origin}:{where} front matter is not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"{origin}: front matter is not valid TOML: {exc}") from exc
