"""SQLite implementation of the store: one file, WAL mode, foreign keys on.

The driver is sqlean-py rather than the standard library's sqlite3, because this machine's
stdlib build cannot load extensions and vector search (sqlite-vec) needs to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlean
import sqlite_vec

from .export_rows import ExportStore
from .fallbacks import FallbackStore
from .feeds import FeedStore
from .jobs import JobStore
from .labels import LabelStore
from .migrations import apply_migrations
from .reading import ReadingStore
from .search_index import SearchStore
from .shared import SQLStore
from .web_state import WebStateStore

DB_NAME = "library.sqlite3"
# Milliseconds a writer waits for another process's lock before failing; imports and a
# worker may write at the same time, and a single article transaction is short.
BUSY_TIMEOUT_MS = 10_000


class SQLiteStore(SQLStore):
    integrity_error = sqlean.IntegrityError

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn: Any = sqlean.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlean.Row
        # sqlite-vec on every connection: migration 0200 creates a vec0 table (dropped again
        # by 0210, vectors are now searched in memory) and must run on every new library.
        self.conn.enable_load_extension(True)
        sqlite_vec.load(self.conn)
        self.conn.enable_load_extension(False)
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.applied = apply_migrations(self.conn)
        self.labels = LabelStore(self.conn)
        self.search = SearchStore(self.conn)
        self.feeds = FeedStore(self.conn)
        self.jobs = JobStore(self.conn)
        self.web = WebStateStore(self.conn)
        self.fallbacks = FallbackStore(self.conn)
        self.reading = ReadingStore(self.conn)
        self.export = ExportStore(self.conn)


def open_store(home: Path) -> SQLiteStore:
    return SQLiteStore(home / DB_NAME)
