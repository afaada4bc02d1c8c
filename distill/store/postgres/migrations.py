"""PostgreSQL's own append-only migrations: `postgres/schema/NNNN_name.sql`, in name order.

The same rules as SQLite's list (store/migrations.py): each step in its own transaction, its
name recorded in `schema_migrations`, never edited once shipped. The numbers follow the same
areas (0001 core, 0100 classify, 0200 search, 0300 web, 0400 jobs and feeds, 0500 llm) but
the two lists are independent: a step exists where an engine needs it. Several processes
may open a new database at once; a transaction-scoped advisory lock makes them apply each
step one after another, and the re-check inside it makes a step run exactly once.
"""

from __future__ import annotations

from typing import Any

from ..migrations import migration_steps as shared_steps

# pg_advisory_xact_lock key: any constant the application does not use for anything else.
MIGRATION_LOCK = 0x44_49_53_54  # "DIST"


def migration_steps() -> list[tuple[str, str]]:
    return shared_steps("distill.store.postgres")


def pending_migrations(raw: Any) -> list[str]:
    """Names of the steps not yet applied to this database."""
    exists = raw.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    done = {r[0] for r in raw.execute("SELECT name FROM schema_migrations")} if exists else set()
    return [name for name, _ in migration_steps() if name not in done]


def apply_migrations(raw: Any) -> list[str]:
    """Apply every step not yet recorded; return the names applied now.

    `raw` is a psycopg connection in autocommit mode. A step's file runs as one multi-statement
    string (no parameters, so function bodies with `$$` and `%` reach the server as written).
    """
    if not pending_migrations(raw):
        return []
    applied = []
    for name, sql in migration_steps():
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at text NOT NULL DEFAULT"
                " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
            )
            if raw.execute("SELECT 1 FROM schema_migrations WHERE name = %s", (name,)).fetchone():
                continue
            raw.execute(sql)
            raw.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
        applied.append(name)
    return applied
