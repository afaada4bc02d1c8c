"""The category taxonomy as data: the shipped default plus the library's own file.

Why a file and not code: a team's idea of "what goes where" differs from ours, so the
categories (name, one-line description, example phrases) are YAML that a user can extend
or replace (`<library home>/categories.yaml`). The classifier only ever sees the resolved
list. Every problem is reported with the file and line it sits on, and loading never
touches the library, so a bad file changes nothing.

Labelled examples for few-shot classification (`distill classify --examples FILE.jsonl`)
are read here too, because checking their labels needs the taxonomy.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..jsonl import read_records
from .yaml_lines import load_yaml

USER_FILE = "categories.yaml"
DEFAULT_ORIGIN = "distill/taxonomy/categories.yaml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEYS = {"name", "description", "examples"}
_USER_KEYS = _KEYS | {"disabled"}


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    examples: tuple[str, ...] = ()
    origin: str = ""  # "file:line", for messages

    def texts(self) -> list[str]:
        """What the classifier embeds for this category: its description, then examples."""
        label = self.name.replace("-", " ")
        return [f"{label}: {self.description}", *self.examples]


@dataclass
class Taxonomy:
    categories: list[Category]
    sources: list[str] = field(default_factory=list)  # files it was read from

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def get(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

    def require(self, name: str) -> Category:
        found = self.get(name)
        if found is None:
            raise ConfigError(
                f"{name!r} is not a category of the taxonomy ({', '.join(self.sources)}); "
                f"known: {', '.join(self.names)}"
            )
        return found

    @functools.cached_property
    def fingerprint(self) -> str:
        """Changes whenever anything the classifier embeds changes."""
        return json.dumps([c.texts() for c in self.categories])


@dataclass(frozen=True)
class Example:
    """A labelled text: a line of an examples file, or an article a user categorised."""

    text: str
    label: str
    origin: str = ""


def _entry(raw: Any, origin: str, user: bool) -> tuple[Category, bool]:
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{origin}: each category must be a mapping with name and description, got {raw!r}"
        )
    line = raw.pop("__line__", 0)
    where = f"{origin}:{line}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: category without a name")
    name = name.strip()
    if not _NAME.match(name):
        raise ConfigError(
            f"{where}: category name {name!r} must be lower case letters, digits and hyphens"
        )
    unknown = set(raw) - (_USER_KEYS if user else _KEYS)
    if unknown:
        raise ConfigError(f"{where}: category {name!r}: unknown field(s) {sorted(unknown)}")
    disabled = bool(raw.get("disabled", False))
    description = raw.get("description")
    if not disabled and (not isinstance(description, str) or not description.strip()):
        raise ConfigError(f"{where}: category {name!r} has no description")
    examples = raw.get("examples") or []
    if isinstance(examples, str):
        examples = [examples]
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise ConfigError(f"{where}: category {name!r}: examples must be a list of phrases")
    category = Category(
        name=name,
        description=" ".join(str(description or "").split()),
        examples=tuple(" ".join(e.split()) for e in examples if e.strip()),
        origin=where,
    )
    return category, disabled


def parse_taxonomy(
    text: str, origin: str, user: bool = False
) -> tuple[list[tuple[Category, bool]], bool]:
    """The entries of one file (each with its `disabled` flag) and whether the file
    replaces the default list.

    A file is a list of entries, or (user files only) `{replace: true, categories: [...]}`.
    """
    data = load_yaml(text, origin)
    replace = False
    if isinstance(data, dict):
        line = data.pop("__line__", 1)
        unknown = set(data) - {"replace", "categories"}
        if not user or unknown:
            raise ConfigError(
                f"{origin}:{line}: expected a list of categories"
                + (f" (unknown keys {sorted(unknown)})" if unknown else "")
            )
        replace = bool(data.get("replace", False))
        data = data.get("categories")
    if data is None or data == []:
        raise ConfigError(f"{origin}:1: the taxonomy file is empty (no categories)")
    if not isinstance(data, list):
        raise ConfigError(f"{origin}:1: expected a list of categories")
    entries: list[tuple[Category, bool]] = []
    seen: dict[str, str] = {}
    for raw in data:
        category, disabled = _entry(raw, origin, user)
        if category.name in seen:
            raise ConfigError(
                f"{category.origin}: duplicate category {category.name!r} "
                f"(first defined at {seen[category.name]})"
            )
        seen[category.name] = category.origin
        entries.append((category, disabled))
    return entries, replace


def default_text() -> str:
    return resources.files("distill.taxonomy").joinpath(USER_FILE).read_text(encoding="utf-8")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


@functools.lru_cache(maxsize=8)
def build_taxonomy(user_text: str | None = None, user_origin: str = USER_FILE) -> Taxonomy:
    """The default taxonomy merged with a user's file. Kept per text: every imported
    article asks for it (library_classifier), and parsing the YAML costs ~2 ms a time;
    an edited file is new text, so it is parsed again. Callers never change the result."""
    defaults = [c for c, _ in parse_taxonomy(default_text(), DEFAULT_ORIGIN)[0]]
    if user_text is None:
        return Taxonomy(defaults, [DEFAULT_ORIGIN])
    entries, replace = parse_taxonomy(user_text, user_origin, user=True)
    merged: dict[str, Category] = {} if replace else {c.name: c for c in defaults}
    for category, disabled in entries:
        if disabled:
            merged.pop(category.name, None)
        else:
            merged[category.name] = category
    if not merged:
        raise ConfigError(f"{user_origin}:1: the taxonomy has no categories left")
    sources = [user_origin] if replace else [DEFAULT_ORIGIN, user_origin]
    return Taxonomy(list(merged.values()), sources)


def load_taxonomy(home: Path | None = None, path: Path | None = None) -> Taxonomy:
    """The taxonomy of a library (default + `<home>/categories.yaml`) or of one file.

    `path` (for `distill classify --taxonomy FILE`) is a complete taxonomy on its own.
    """
    if path is not None:
        entries, _ = parse_taxonomy(_read(path), str(path))
        return Taxonomy([c for c, disabled in entries if not disabled], [str(path)])
    user = home / USER_FILE if home is not None else None
    if user is not None and user.is_file():
        return build_taxonomy(_read(user), str(user))
    return build_taxonomy()


def load_examples(path: Path, taxonomy: Taxonomy) -> list[Example]:
    """Labelled examples from JSON Lines (`{"text": ..., "label": ...}` per line)."""
    examples: list[Example] = []
    for _, where, record in read_records(path, ConfigError, "an object with text and label"):
        text, label = record.get("text"), record.get("label")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where}: missing text")
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{where}: missing label")
        if taxonomy.get(label.strip()) is None:
            raise ConfigError(
                f"{where}: label {label!r} is not a category of the taxonomy "
                f"({', '.join(taxonomy.sources)}); known: {', '.join(taxonomy.names)}"
            )
        examples.append(Example(text, label.strip(), where))
    if not examples:
        raise ConfigError(f"{path}:1: the examples file is empty")
    return examples
