"""Command line: parse arguments, call one library function, print text or --json.

Each command group lives in its own module and registers on `main` when imported; logic
stays in the library so the web pages and the API can call the same functions.
"""

from __future__ import annotations

from . import (
    classify,  # noqa: F401  (registers categorize, tags, recategorize, classify)
    feeds,  # noqa: F401  (registers feeds, jobs, worker)
    library,  # noqa: F401  (registers its commands)
    llm,  # noqa: F401  (registers models and verify)
    search,  # noqa: F401  (registers search, related, reindex)
    web,  # noqa: F401  (registers serve and tokens)
)
from .root import main

__all__ = ["main"]
