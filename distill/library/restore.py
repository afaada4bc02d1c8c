"""`distill import` of a `distill export` JSON Lines file: the rows go back as they were.

Articles keep their ids when those are free (so an import into an empty library is the
same library) and get new ones otherwise; an article the library already has (same
canonical URL or content hash) is a duplicate, as with any import. The file is read line
by line and written BATCH articles per transaction, each article inside a savepoint, so a
bad record loses only itself. A line that is not JSON (a file cut off mid-write) is
reported with its number and the rest is imported; a file without its end record is
reported as cut short.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError
from ..ingest.pipeline import IngestResult
from ..store import Store
from ..store.export_rows import BATCH, RowRestore
from .export import FORMAT_VERSION, HEADER_TYPE


def export_header(path: Path) -> dict[str, Any] | None:
    """The header record when `path` is a Distill export, else None."""
    try:
        with path.open("rb") as handle:
            for raw in handle:
                if raw.strip():
                    record = json.loads(raw)
                    ok = isinstance(record, dict) and record.get("type") == HEADER_TYPE
                    return record if ok else None
    except (OSError, ValueError):
        return None
    return None


def _article(
    job: RowRestore, ids: dict[int, int], record: dict[str, Any], label: str
) -> IngestResult:
    row = record["article"]
    old_id = int(row["id"])
    duplicate = job.duplicate_of(row.get("canonical_url") or "", row["content_hash"])
    if duplicate is not None:
        ids[old_id] = duplicate
        return IngestResult(label, "duplicate", duplicate_of=duplicate, title=row["title"])
    try:
        new_id = job.article(row, record.get("tables") or {}, label)
    except Exception as exc:  # a bad column, a constraint: this record does not fit
        return IngestResult(label, "failed", title=row.get("title"), error=f"{label}: {exc}")
    ids[old_id] = new_id
    return IngestResult(
        label,
        "added",
        id=new_id,
        title=row["title"],
        site=row.get("site"),
        date=row.get("published"),
        words=row.get("word_count"),
    )


def restore_export(store: Store, path: Path) -> Iterator[IngestResult]:
    """Import an export file; one result per article record and per problem found."""
    job = store.export.restorer()
    ids: dict[int, int] = {}  # exported article id -> id in this library
    pending = 0
    ended = False
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                label = f"{path}:{number}"
                if not raw.strip():
                    continue
                try:
                    record = orjson.loads(raw)
                    kind = record.get("type") if isinstance(record, dict) else None
                except orjson.JSONDecodeError as exc:
                    yield IngestResult(
                        label, "failed", error=f"{label}: not valid JSON, skipped ({exc})"
                    )
                    continue
                if kind == HEADER_TYPE:
                    if record.get("version") != FORMAT_VERSION:
                        raise InputError(
                            f"{label}: export format version {record.get('version')!r};"
                            f" this Distill reads version {FORMAT_VERSION}"
                        )
                    continue
                job.begin()
                if kind == "article":
                    yield _article(job, ids, record, label)
                    pending += 1
                    if pending >= BATCH:
                        job.commit()
                        pending = 0
                elif kind == "feed":
                    job.feed(record["feed"], record.get("entries") or [], ids, label)
                elif kind == "tag_merges":
                    job.tag_merges(record.get("rows") or [], label)
                elif kind == "end":
                    ended = True
                else:
                    yield IngestResult(
                        label, "failed", error=f"{label}: unknown record type {kind!r}, skipped"
                    )
        job.commit()
    except BaseException:
        job.rollback()
        with contextlib.suppress(Exception):  # the error that stopped the import matters more
            job.finish()  # what the engine derives from the rows committed before it
        raise
    job.finish()
    if not ended:
        yield IngestResult(
            str(path),
            "failed",
            error=f"{path}: ends before its end record; the export was cut short"
            " (every whole article before that point was imported)",
        )
