"""SQL for LLM fallbacks: the recorded reason and the retry queue (table llm_fallbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .part import Part


@dataclass
class Fallback:
    article_id: int
    backend: str  # the backend that was asked for, e.g. "llm:local"
    reason: str
    retry: bool
    status: str  # pending | done | failed | none
    attempts: int


def _row(row: Any) -> Fallback:
    return Fallback(
        int(row["article_id"]),
        row["backend"],
        row["reason"],
        bool(row["retry"]),
        row["status"],
        int(row["attempts"]),
    )


class FallbackStore(Part):
    """Why the LLM did not write an article's summary, and whether a retry is owed."""

    def record_fallback(self, article_id: int, backend: str, reason: str, retry: bool) -> None:
        self.conn.execute(
            "INSERT INTO llm_fallbacks (article_id, backend, reason, retry, status)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET"
            " backend = excluded.backend, reason = excluded.reason, retry = excluded.retry,"
            " status = excluded.status, attempts = llm_fallbacks.attempts + 1,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (article_id, backend, reason, int(retry), "pending" if retry else "none"),
        )

    def clear_fallback(self, article_id: int) -> None:
        """The LLM summarised the article after all: the recorded reason no longer applies."""
        self.conn.execute("DELETE FROM llm_fallbacks WHERE article_id = ?", (article_id,))

    def give_up(self, article_id: int) -> None:
        self.conn.execute(
            "UPDATE llm_fallbacks SET status = 'failed',"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE article_id = ?",
            (article_id,),
        )

    def get_fallback(self, article_id: int) -> Fallback | None:
        row = self.conn.execute(
            "SELECT * FROM llm_fallbacks WHERE article_id = ?", (article_id,)
        ).fetchone()
        return _row(row) if row else None

    def pending_retries(self, limit: int = 100) -> list[Fallback]:
        rows = self.conn.execute(
            "SELECT * FROM llm_fallbacks WHERE status = 'pending' ORDER BY updated_at, article_id"
            " LIMIT ?",
            (limit,),
        ).fetchall()
        return [_row(r) for r in rows]
