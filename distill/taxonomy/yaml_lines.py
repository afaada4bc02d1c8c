"""YAML that remembers where each mapping started, so a data-file error names its line.

Both data files users edit (categories.yaml, technologies.yaml) are read through this one
loader: libyaml's safe loader when it is installed (about ten times faster than the pure
Python one), never one that builds arbitrary objects.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import ConfigError

LINE_KEY = "__line__"


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that records the line of each mapping under LINE_KEY."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    value = loader.construct_mapping(node, deep=True)
    value[LINE_KEY] = node.start_mark.line + 1
    return value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml(text: str, origin: str) -> Any:
    """The parsed document, or ConfigError naming `origin` and the line of the problem."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
