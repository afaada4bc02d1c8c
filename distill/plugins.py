"""Registry of backends. Built-in backends load exactly the way an outside package's do.

An outside package exposes an entry point in the group `distill.summarizers` whose value is
a Summarizer subclass ("package.module:Class"). The built-ins are the same kind of entry,
listed below as data, and one function loads both the first time a name is looked up, so
importing a backend module never registers anything as a side effect.
"""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .summarize.base import Summarizer

GROUP = "distill.summarizers"
BUILTIN_SUMMARIZERS = {
    "extractive": "distill.summarize.extractive:ExtractiveSummarizer",
    "lead": "distill.summarize.lead:LeadSummarizer",
    "llm": "distill.summarize.llm:LLMSummarizer",
}

_SUMMARIZERS: dict[str, type[Summarizer]] = {}
_LOADED_ENTRIES: set[tuple[str, str]] = set()  # (name, value) of each entry loaded
# Web handlers and job threads look names up at once: without the lock one thread marked an
# entry loaded while another, finding it marked, saw no class yet ("unknown summarizer
# 'extractive'" under concurrent posts). Reentrant: a backend's import may look a name up.
_LOAD_LOCK = threading.RLock()


def register_summarizer(cls: type[Summarizer]) -> type[Summarizer]:
    """Make a backend class available under its `name` (for code that builds one at run
    time; packages use the entry point group instead)."""
    _SUMMARIZERS[cls.name] = cls
    return cls


def _entries() -> list[EntryPoint]:
    builtin = [EntryPoint(name, value, GROUP) for name, value in BUILTIN_SUMMARIZERS.items()]
    return builtin + list(entry_points(group=GROUP))


def _load(name: str | None = None) -> None:
    """Load the entry named `name`, or every entry when None.

    One name at a time because a backend's module is the cost: the `llm` backend imports
    the HTTP client and the claim check, which an offline summary never uses.
    """
    for entry in _entries():
        key = (entry.name, entry.value)
        # keyed by value too: an outside backend named like a built-in loads after it and
        # replaces it, as it did when every entry loaded at once
        if key not in _LOADED_ENTRIES and name in (None, entry.name):
            _LOADED_ENTRIES.add(key)
            register_summarizer(entry.load())


def summarizer_names() -> list[str]:
    with _LOAD_LOCK:
        _load()
    return sorted(_SUMMARIZERS)


def get_summarizer(spec: str) -> Summarizer:
    """An instance for `name` or `name:option` (the option is passed to the backend)."""
    name, _, option = spec.partition(":")
    if name not in _SUMMARIZERS:
        with _LOAD_LOCK:
            if name not in _SUMMARIZERS:  # entry points are read only for a name not seen yet
                _load(name)
            if name not in _SUMMARIZERS:  # a class registered under another name than its entry
                _load()
    if name not in _SUMMARIZERS:
        raise ConfigError(
            f"unknown summarizer {name!r}; available: {', '.join(summarizer_names())}"
        )
    return _SUMMARIZERS[name](option) if option else _SUMMARIZERS[name]()
