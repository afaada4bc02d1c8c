"""Waking idle workers on PostgreSQL: a session that LISTENs for queued jobs.

Migration 0430 makes every statement that leaves a job `queued` (an enqueue, a retry, a
release, `jobs retry`) send a notification on `distill_jobs` when its transaction commits.
An idle worker waits on this session (its poll interval stays the upper bound, the
fallback), so a job queued anywhere in the cluster is claimed at once instead of at the
next poll. SQLite has no such channel: its workers poll.
"""

from __future__ import annotations

import psycopg

from ...errors import DatabaseUnavailable

CHANNEL = "distill_jobs"


class JobSignal:
    """A session listening on CHANNEL; `wait` blocks until a notification or a timeout."""

    def __init__(self, url: str) -> None:
        try:
            self.conn = psycopg.connect(url, autocommit=True)
            self.conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"cannot listen on PostgreSQL: {exc}") from exc

    def wait(self, seconds: float) -> bool:
        """True when a job was queued within `seconds` (or before, since the last wait).
        A lost session raises DatabaseUnavailable: open a new signal once the server is back
        (a job queued meanwhile is found by the worker's next claim, not by a notification)."""
        woken = False
        try:
            for _ in self.conn.notifies(timeout=seconds, stop_after=1):
                woken = True
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"lost the PostgreSQL session that listens: {exc}") from exc
        return woken

    def close(self) -> None:
        self.conn.close()
