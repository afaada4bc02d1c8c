"""Distill's public surface: the few names a script or another program needs.

    from distill import open_store, ingest, search

    store = open_store(home)                       # a library folder (created if missing)
    result = ingest(source, store, settings)       # one article through the whole pipeline
    found = search(store, "back pressure")         # ranked hits with marked snippets

Everything else is internal and may move between releases; these names stay (a test in
tests/test_public_api.py pins them). They are imported eagerly rather than on first use:
`search` is both this function and the name of a module inside the package, and an eager
import is the only way `distill.search` is always the function, whatever was imported
before. The price is that importing any part of distill loads the pipeline (about 1 s,
which the CLI, the web app and the worker pay anyway). Inside the package, reach the
search module with `from .search import NAME` or `importlib.import_module`, never with
`from . import search` or `import distill.search as module` (both now give the function).
"""

from .errors import DistillError
from .models import Document, Summary
from .pipeline import ingest
from .search import search
from .store import open_store
from .summarize import Summarizer

__all__ = ["DistillError", "Document", "Summarizer", "Summary", "ingest", "open_store", "search"]
