"""Fallbacks recorded, and the retry owed to an article whose LLM summary failed.

`queue_retry` is the hook the pipeline calls after storing an article that another backend
had to summarise. The reason goes to `llm_fallbacks` (shown with the article); the retry is
a `resummarize` job in the shared jobs queue (distill/jobs.py), which the worker of
`distill worker` / `distill serve` runs after RETRY_DELAY_S, with the queue's backoff and
attempt limit. `distill models retry` runs every pending retry now.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..errors import DistillError, PermanentError, RetryableError
from ..jobs import RESUMMARIZE
from ..plugins import get_summarizer
from ..store.base import Store

# A model server that just failed is given this long before the first retry; later ones
# wait the jobs queue's backoff (job_backoff * 2**attempts).
RETRY_DELAY_S = 300.0
# After this many failed retries an article keeps its offline summary for good.
MAX_ATTEMPTS = 5


def queue_retry(store: Store, article_id: int, fallback: dict[str, str]) -> None:
    """Record why the LLM did not summarise this article; queue a retry when it may help."""
    retry = fallback.get("retry", "yes") == "yes"
    backend = fallback.get("backend", "llm")
    store.fallbacks.record_fallback(article_id, backend, fallback["reason"], retry)
    if retry:
        now = time.time()
        store.jobs.insert_job(
            RESUMMARIZE,
            {"article_id": article_id, "backend": backend},
            now,
            key=f"{RESUMMARIZE}:{article_id}",
            run_at=now + RETRY_DELAY_S,
            max_attempts=MAX_ATTEMPTS,
        )


def fallback_of(store: Store, article_id: int) -> dict[str, str] | None:
    row = store.fallbacks.get_fallback(article_id)
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


def run_retries(store: Store, settings: Settings, limit: int = 100) -> list[RetryResult]:
    """Try each pending article with its LLM backend again now; keep what succeeds."""
    return [
        retry_one(store, settings, pending.article_id, pending.backend, pending.attempts)
        for pending in store.fallbacks.pending_retries(limit)
    ]


def retry_one(
    store: Store, settings: Settings, article_id: int, backend_name: str, attempts: int
) -> RetryResult:
    """One more try with the LLM backend: the new summary replaces the offline one."""
    backend = get_summarizer(backend_name).bind(settings)
    try:
        article = store.get_article(article_id)
        summary = backend.summarize(article.document)
    except DistillError as exc:
        return RetryResult(article_id, backend_name, "failed", str(exc))
    if summary.fallback:
        if attempts + 1 >= MAX_ATTEMPTS:
            store.fallbacks.give_up(article_id)
        else:
            queue_retry(store, article_id, summary.fallback)
        return RetryResult(article_id, backend_name, "fallback", summary.fallback["reason"])
    store.save_summary(article_id, summary)
    store.fallbacks.clear_fallback(article_id)
    return RetryResult(article_id, backend_name, "summarized")


def run_retry_job(store: Store, settings: Settings, payload: dict[str, Any]) -> dict[str, Any]:
    """The worker's `resummarize` job: done when summarised (or nothing is owed any more);
    a RetryableError while the model server still fails, so the queue backs off."""

    article_id = int(payload["article_id"])
    pending = store.fallbacks.get_fallback(article_id)
    if pending is None or pending.status != "pending":
        return {"article_id": article_id, "status": "nothing owed"}
    result = retry_one(store, settings, article_id, pending.backend, pending.attempts)
    if result.status == "fallback":
        raise RetryableError(f"{pending.backend} still unavailable: {result.reason}")
    if result.status == "failed":
        raise PermanentError(result.reason)
    return result.to_dict()
