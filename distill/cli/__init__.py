"""Command line: parse arguments, call one library function, print text or --json.

Each command group lives in its own module and registers on `main` when imported; logic
stays in the library so the web pages and the API can call the same functions.
"""

from __future__ import annotations

from . import (
    classify,  # noqa: F401  (registers categorize, tags, recategorize, classify)
    export,  # noqa: F401  (registers export, backup, restore)
    feed_admin,  # noqa: F401  (registers feeds pause, resume, interval)
    feeds,  # noqa: F401  (registers feeds, jobs, worker)
    library,  # noqa: F401  (registers its commands)
    llm,  # noqa: F401  (registers models and verify)
    manage,  # noqa: F401  (registers remove, migrate-db, migrate)
    reading,  # noqa: F401  (registers mark)
    search,  # noqa: F401  (registers search, related, reindex)
    summaries,  # noqa: F401  (registers summarize, resummarize)
    web,  # noqa: F401  (registers serve and tokens)
)
from .root import main

__all__ = ["main"]
