"""Summarize stored articles again, one at a time, resumably.

Articles whose summary already comes from the chosen backend and version are skipped, so a
run stopped halfway (Ctrl-C, a crash) picks up where it left off when started again. The
command line only renders what this yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import Settings
from ..errors import DistillError, NotFound
from ..store import Store
from .base import Summarizer


def targets(store: Store, ids: list[int] | None) -> list[int]:
    """The articles a run covers: `ids` in the order given (once each), or all of them."""
    return sorted(store.summary_versions()) if ids is None else list(dict.fromkeys(ids))


def resummarize(
    store: Store,
    settings: Settings,
    summarizer: Summarizer,
    ids: list[int],
    force: bool = False,
) -> Iterator[dict[str, Any]]:
    """One row per article: {id, status: summarized|current|failed, error, backend}."""
    summarizer.bind(settings)
    versions = store.summary_versions()
    current = (summarizer.name, summarizer.version)
    for article_id in ids:
        row: dict[str, Any] = {"id": article_id, "status": "summarized", "error": None}
        try:
            if article_id not in versions:
                raise NotFound(f"no article with id {article_id}")
            if versions[article_id] == current and not force:
                row["status"] = "current"
            else:
                article = store.get_article(article_id)
                store.save_summary(article_id, summarizer.summarize(article.document))
        except DistillError as exc:
            row.update(status="failed", error=f"#{article_id}: {exc}")
        row["backend"] = {"name": summarizer.name, "version": summarizer.version}
        yield row
