"""Copying a whole library from one engine to another (`distill migrate-db`).

Table by table in an order that respects the foreign keys, in batches, each batch one
transaction on the target, every row inserted `ON CONFLICT DO NOTHING` with its id kept: an
interrupted copy run again skips what arrived and finishes the job. What triggers derive
(the full-text index, the vector change log, the content version) is not copied; the
target's own triggers make it as rows arrive, and the target then rebuilds its search index
(`SQLStore.after_copy`). The copy ends with a verification: rows per table and a SHA-256
over every article's text and summary must be equal on both sides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DistillError
from .shared import SQLStore

# Foreign keys point only to tables earlier in this list.
TABLES = (
    "articles",
    "summaries",
    "vectors",
    "article_categories",
    "article_tags",
    "candidate_tags",
    "tag_merges",
    "stars",
    "reading_state",
    "article_reads",
    "article_visits",
    "llm_fallbacks",
    "api_tokens",
    "web_secrets",
    "feeds",
    "feed_entries",
    "jobs",
)
BATCH = 500


class CopyMismatch(DistillError):
    """The target does not hold what the source holds after the copy."""


@dataclass
class CopyReport:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (source, target)
    checksum: tuple[str, str] = ("", "")
    copied: dict[str, int] = field(default_factory=dict)  # rows new on the target this run

    @property
    def equal(self) -> bool:
        return self.checksum[0] == self.checksum[1] and all(s == t for s, t in self.counts.values())


def copy_library(
    source: SQLStore,
    target: SQLStore,
    progress: Callable[[str, int, int], None] = lambda table, done, total: None,
) -> CopyReport:
    """Copy every row of `source` into `target`; raise CopyMismatch unless they then agree."""
    report = CopyReport()
    for table in TABLES:
        columns = [c for c in source.columns_of(table) if c in set(target.columns_of(table))]
        names = ", ".join(columns)
        total = _count(source, table)
        insert = (
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            " ON CONFLICT DO NOTHING"
        )
        cursor = source.conn.execute(f"SELECT {names} FROM {table}")
        done = new = 0
        progress(table, 0, total)
        while True:
            rows = cursor.fetchmany(BATCH)
            if not rows:
                break
            with target.transaction():
                for row in rows:
                    new += target.conn.execute(insert, tuple(row)).rowcount
            done += len(rows)
            progress(table, done, total)
        report.copied[table] = new
    target.after_copy()
    for table in TABLES:
        report.counts[table] = (_count(source, table), _count(target, table))
    report.checksum = (library_checksum(source), library_checksum(target))
    if not report.equal:
        differing = [t for t, (s, d) in report.counts.items() if s != d]
        raise CopyMismatch(
            "the copy does not match the source: "
            + (f"row counts differ in {', '.join(differing)}" if differing else "checksums differ")
        )
    return report


def _count(store: SQLStore, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def library_checksum(store: SQLStore) -> str:
    """SHA-256 over every article's id, title, text and stored summary, in id order."""
    digest = hashlib.sha256()
    cursor: Any = store.conn.execute(
        "SELECT a.id, a.title, a.body, coalesce(s.backend, ''), coalesce(s.sections, '')"
        " FROM articles a LEFT JOIN summaries s ON s.article_id = a.id ORDER BY a.id"
    )
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            break
        for row in rows:
            for value in row:
                digest.update(str(value).encode("utf-8"))
                digest.update(b"\0")
    return digest.hexdigest()
