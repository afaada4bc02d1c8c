"""Fallbacks recorded, and the retry owed to an article whose LLM summary failed.

`queue_retry` is the hook the pipeline calls after storing an article that another backend
had to summarise. The shared jobs table (branch `feeds`, `distill/jobs.py`) had not landed
when this was written, so pending retries live in the `llm_fallbacks` table and
`distill models retry` runs them; when the jobs queue lands, `queue_retry` should enqueue a
`resummarize` job there instead and the worker will pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..errors import DistillError
from ..plugins import get_summarizer
from ..store import llm as sql
from ..store.base import Store


def _conn(store: Store) -> Any:
    conn = getattr(store, "conn", None)
    if conn is None:
        raise DistillError("this store does not keep LLM fallbacks")
    return conn


def queue_retry(store: Store, article_id: int, fallback: dict[str, str]) -> None:
    """Record why the LLM did not summarise this article; queue a retry when it may help."""
    retry = fallback.get("retry", "yes") == "yes"
    sql.record_fallback(
        _conn(store), article_id, fallback.get("backend", "llm"), fallback["reason"], retry
    )


def fallback_of(store: Store, article_id: int) -> dict[str, str] | None:
    conn = getattr(store, "conn", None)
    row = sql.get_fallback(conn, article_id) if conn is not None else None
    if row is None:
        return None
    return {
        "backend": row.backend,
        "reason": row.reason,
        "retry": row.status,
    }


@dataclass
class RetryResult:
    id: int
    backend: str
    status: str  # "summarized" | "fallback" | "failed"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "backend": self.backend,
            "status": self.status,
            "reason": self.reason,
        }


# After this many failed retries an article keeps its offline summary for good.
MAX_ATTEMPTS = 5


def run_retries(store: Store, settings: Settings, limit: int = 100) -> list[RetryResult]:
    """Try each pending article with its LLM backend again; keep what now succeeds."""
    conn = _conn(store)
    results = []
    for pending in sql.pending_retries(conn, limit):
        backend = get_summarizer(pending.backend)
        bind = getattr(backend, "bind", None)
        if bind is not None:
            bind(settings)
        try:
            article = store.get_article(pending.article_id)
            summary = backend.summarize(article.document)
        except DistillError as exc:
            results.append(RetryResult(pending.article_id, pending.backend, "failed", str(exc)))
            continue
        if summary.fallback:
            if pending.attempts + 1 >= MAX_ATTEMPTS:
                sql.give_up(conn, pending.article_id)
            else:
                queue_retry(store, pending.article_id, summary.fallback)
            results.append(
                RetryResult(
                    pending.article_id, pending.backend, "fallback", summary.fallback["reason"]
                )
            )
            continue
        store.save_summary(pending.article_id, summary)
        sql.clear_fallback(conn, pending.article_id)
        results.append(RetryResult(pending.article_id, pending.backend, "summarized"))
    return results
