"""Registry of backends. Built-in backends register exactly the way an outside package would.

An outside package exposes an entry point in the group `distill.summarizers` whose value is
a Summarizer subclass; it is loaded the first time a backend name is looked up.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .summarize.base import Summarizer

_SUMMARIZERS: dict[str, type[Summarizer]] = {}
_LOADED = False


def register_summarizer(cls: type[Summarizer]) -> type[Summarizer]:
    """Class decorator: make a backend available under its `name`."""
    _SUMMARIZERS[cls.name] = cls
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import distill.summarize  # noqa: F401  (built-ins register on import)

    for ep in entry_points(group="distill.summarizers"):
        register_summarizer(ep.load())


def summarizer_names() -> list[str]:
    _load()
    return sorted(_SUMMARIZERS)


def get_summarizer(spec: str) -> Summarizer:
    """An instance for `name` or `name:option` (the option is passed to the backend)."""
    _load()
    name, _, option = spec.partition(":")
    if name not in _SUMMARIZERS:
        raise ConfigError(
            f"unknown summarizer {name!r}; available: {', '.join(summarizer_names())}"
        )
    return _SUMMARIZERS[name](option) if option else _SUMMARIZERS[name]()
