"""Append-only schema migrations: one `schema/NNNN_name.sql` file per step, applied in name order.

Each step runs in its own transaction and its name is recorded in `schema_migrations`, so a
library opened by a newer Distill is brought up to date exactly once. Never edit or reorder a
step that has shipped; add a new file instead. Each feature area takes its own number range
(0001-0099 core, 0100 classify, 0200 search, 0300 web, 0400 jobs and feeds, 0500 llm) so work
on separate features never collides.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from .part import immediate


def migration_steps(package: str = "distill.store") -> list[tuple[str, str]]:
    """(name, SQL) of every step in `package`'s schema folder, in name order (each engine
    keeps its own list: `distill.store` for SQLite, `distill.store.postgres`)."""
    folder = resources.files(package) / "schema"
    steps = [
        (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(steps)


def apply_migrations(conn: Any) -> list[str]:
    """Apply every step not yet recorded; return the names applied now."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in migration_steps():
        if name in done:
            continue
        with immediate(conn):
            # Re-check inside the write lock: another process may have just applied it.
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements, keeping trigger bodies whole."""
    import sqlean

    statements: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not current:
            continue
        current += line
        if sqlean.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
