"""Distill's public surface: the few names a script or another program needs.

    from distill import open_store, ingest, search

    store = open_store(home)                       # a library folder (created if missing)
    result = ingest(source, store, settings)       # one article through the whole pipeline
    found = search(store, "back pressure")         # ranked hits with marked snippets

Everything else is internal and may move between releases; these names stay (a test in
tests/test_public_api.py pins them). `ingest` and `search` are also the names of packages
inside distill; importing the functions here, eagerly, makes `distill.ingest` and
`distill.search` the functions whatever was imported before (a submodule loaded later binds
itself on its own package, not here). Inside the package, reach those packages' modules
with `from .search.engine import NAME` (never `from . import search`, which gives the
function); tests that patch a module use `importlib.import_module("distill.search.engine")`.
"""

from .errors import DistillError
from .ingest.pipeline import ingest
from .models import Document, Summary
from .search.engine import search
from .store import open_store
from .summarize import Summarizer

__all__ = ["DistillError", "Document", "Summarizer", "Summary", "ingest", "open_store", "search"]
