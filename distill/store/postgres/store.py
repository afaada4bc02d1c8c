"""The PostgreSQL store: the shared article statements and parts over one psycopg connection.

Selected by `DISTILL_DATABASE_URL` (or `--database`), for a library many workers and web
servers share. One `PostgresStore` holds one connection, like a `SQLiteStore` holds one;
servers and workers already open one store per thread, so each thread has its own session.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg

from ...errors import PendingMigrations
from ...models import DocumentVectors
from ..fallbacks import FallbackStore
from ..feeds import FeedStore
from ..jobs import JobSignal
from ..labels import LabelStore
from ..reading import ReadingStore
from ..shared import SQLStore
from ..web_state import WebStateStore
from .connection import Connection
from .export import PostgresExportStore
from .jobs import PostgresJobStore
from .listen import JobSignal as PostgresJobSignal
from .migrations import apply_migrations, pending_migrations
from .search import PostgresSearchStore, set_embedding

# Tables whose id is an identity column (its sequence must pass copied-in ids).
IDENTITY_TABLES = ("articles", "api_tokens", "jobs", "feeds", "feed_entries")


class PostgresFeedStore(FeedStore):
    """Row locks for the scheduler: a feed whose check is being recorded (its row updated
    by another session) is skipped; one the scheduler read stays due until its job is
    queued, so a check finishing in between cannot make it queue a second one."""

    DUE_ROW_LOCK = " FOR UPDATE SKIP LOCKED"


class PostgresStore(SQLStore):
    integrity_error = psycopg.errors.UniqueViolation

    def __init__(self, url: str, migrate: bool = True) -> None:
        """`migrate=False` (serve and worker) refuses a database with unapplied steps instead
        of applying them: on a shared database, a new version changing the schema under
        running older workers is a deliberate step (`distill migrate`), not a side effect."""
        self.url = url
        self.conn: Any = Connection(url)
        self.applied = apply_migrations(self.conn.raw) if migrate else []
        pending = [] if migrate else pending_migrations(self.conn.raw)
        if pending:
            self.conn.close()
            raise PendingMigrations(pending)
        self.labels = LabelStore(self.conn)
        self.search = PostgresSearchStore(self.conn)
        self.feeds = PostgresFeedStore(self.conn)
        self.jobs = PostgresJobStore(self.conn)
        self.web = WebStateStore(self.conn)
        self.fallbacks = FallbackStore(self.conn)
        self.reading = ReadingStore(self.conn)
        self.export = PostgresExportStore(self.conn, self.after_copy)

    def write_vectors(self, article_id: int, vectors: DocumentVectors, model: str) -> None:
        """The stored bytes as on SQLite, plus the article vector in pgvector's type."""
        super().write_vectors(article_id, vectors, model)
        set_embedding(self.conn, article_id, np.asarray(vectors.article, dtype=np.float32))

    def job_signal(self) -> JobSignal:
        """A session LISTENing for queued jobs (migration 0430 sends the notifications)."""
        return PostgresJobSignal(self.url)

    def after_copy(self) -> None:
        """Rows came in with their ids: move each identity past the largest id, then fill the
        pgvector column from the copied bytes (the tsvectors were made by the triggers)."""
        for table in IDENTITY_TABLES:
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        self.search.rebuild()
