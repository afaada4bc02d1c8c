"""Distill's public surface: the few names a script or another program needs.

    from distill import open_store, ingest, search

    store = open_store(home)                       # a library folder (created if missing)
    result = ingest(source, store, settings)       # one article through the whole pipeline
    found = search(store, "back pressure")         # ranked hits with marked snippets

Everything else is internal and may move between releases; these names stay (a test in
tests/test_public_api.py pins them). `ingest` and `search` are also the names of packages
inside distill. They are properties of this module's class, so they stay the functions
whatever is imported later (the import system's binding of a subpackage here is ignored),
and the pipeline and the search engine load on first use: a command that needs neither
(`distill list`, `show`) does not pay for numpy, the classifier and the summarizer's
imports. Inside the package, reach those packages' modules with `from .search.engine import
NAME` (never `from . import search`); tests that patch a module use
`importlib.import_module("distill.search.engine")`.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from .errors import DistillError
from .models import Document, Summary
from .store import open_store
from .summarize import Summarizer

if TYPE_CHECKING:
    from .ingest.pipeline import ingest
    from .search.engine import search

__all__ = ["DistillError", "Document", "Summarizer", "Summary", "ingest", "open_store", "search"]


class _PublicSurface(types.ModuleType):
    @property
    def ingest(self) -> Any:
        from .ingest.pipeline import ingest

        return ingest

    @ingest.setter
    def ingest(self, _subpackage: Any) -> None:
        """The import system binding the `distill.ingest` package here: the function stays."""

    @property
    def search(self) -> Any:
        from .search.engine import search

        return search

    @search.setter
    def search(self, _subpackage: Any) -> None:
        """The import system binding the `distill.search` package here: the function stays."""


sys.modules[__name__].__class__ = _PublicSurface
