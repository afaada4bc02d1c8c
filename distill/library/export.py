"""`distill export`: the library as JSON Lines (to rebuild it) or as Markdown (to read it).

JSON Lines, one object a line:

    {"type": "distill-export", "version": 1, "articles": N, "exported_at": ...}
    {"type": "article", "article": {row}, "tables": {"summaries": [{row}], ...}}  x N
    {"type": "feed", "feed": {row}, "entries": [{row}, ...]}                      (whole library)
    {"type": "tag_merges", "rows": [{row}, ...]}                                    (whole library)
    {"type": "end", "articles": N}

Rows are stored columns as they are (see store/export_sql.py), so `distill import` of the
file into an empty library gives back the same rows. The end record lets an import tell a
whole file from a cut one. Markdown: one file per article with YAML front matter and the
six sections, names made of lower-case ASCII letters, digits and hyphens after the id.

Both stream: articles are read BATCH at a time and written as they come.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from ..classify import overview
from ..errors import InputError
from ..models import SECTION_NAMES, SECTION_TITLES
from ..store import Store
from ..store.filters import ArticleFilter

FORMAT_VERSION = 1
HEADER_TYPE = "distill-export"
# Longest slug in a Markdown file name: with the id and ".md" the name stays far below the
# 255-byte limit of common file systems and the 260-character paths of old Windows tools.
SLUG_MAX = 60

Progress = Callable[[int], None]


def selection(
    store: Store, home: Path | None, category: str = "", since: str = ""
) -> ArticleFilter:
    """The articles --category and --since (added on or after) select; NotFound for a
    category the library does not have."""
    if since:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise InputError(f"--since must be a date YYYY-MM-DD, got {since!r}") from None
    return ArticleFilter(
        category=overview.require_category(store, home, category) if category else "",
        added_since=since,
    )


def check_target(out: Path, force: bool, folder: bool) -> None:
    """Refuse to write over something unless --force: a non-empty folder or an existing file."""
    if folder:
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not force:
            raise InputError(f"{out}: folder is not empty; use --force to write into it")
    elif out.exists() and not force:
        raise InputError(f"{out}: file exists; use --force to overwrite it")


def export_jsonl(
    store: Store, handle: IO[bytes], chosen: ArticleFilter, progress: Progress | None = None
) -> int:
    """Write the JSON Lines export; returns how many articles it holds."""
    total = store.export.count_articles(chosen)
    whole = chosen == ArticleFilter()
    _line(
        handle,
        {
            "type": HEADER_TYPE,
            "version": FORMAT_VERSION,
            "articles": total,
            "whole_library": whole,
            "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    written = 0
    for batch in store.export.article_batches(chosen):
        for item in batch:
            _line(handle, {"type": "article", **item})
        written += len(batch)
        if progress:
            progress(len(batch))
    if whole:  # feeds and merges belong to the library, not to a selection of articles
        for feed in store.export.feeds_with_entries():
            _line(handle, {"type": "feed", **feed})
        _line(handle, {"type": "tag_merges", "rows": store.export.tag_merges()})
    _line(handle, {"type": "end", "articles": written})
    return written


def _line(handle: IO[bytes], record: dict[str, Any]) -> None:
    # orjson: the same JSON as json.dumps (UTF-8, compact) in a fifth of the time, which was
    # half of the export's; rows are strings, numbers, None and base64 text only.
    handle.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))


# --- Markdown ---------------------------------------------------------------------------------


def slug(title: str) -> str:
    """A file-name part safe on every OS: ASCII letters, digits and single hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:SLUG_MAX].rstrip("-") or "article"


def markdown_of(item: dict[str, Any], category: str, tags: list[str]) -> str:
    article = item["article"]
    summary = (item["tables"].get("summaries") or [None])[0]
    state = (item["tables"].get("reading_state") or [{"state": "unread"}])[0]["state"]
    front = {
        "title": article["title"],
        "url": article["canonical_url"] or article["url"],
        "date": article["published"],
        "site": article["site"],
        "authors": json.loads(article["authors"]),
        "category": category,
        "tags": tags,
        "state": state,
        "starred": bool(item["tables"].get("stars")),
        "added": article["created_at"],
        "id": article["id"],
    }
    parts = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).rstrip(), "---"]
    parts.append(f"\n# {article['title']}\n")
    if summary is None:
        parts.append("_No summary yet._\n")
        return "\n".join(parts)
    sections = {s["name"]: s for s in json.loads(summary["sections"])}
    for name in SECTION_NAMES:
        section = sections.get(name)
        if not section or not section["lines"]:
            continue
        parts.append(f"## {SECTION_TITLES.get(name, name)}\n")
        for line in section["lines"]:
            if line.get("kind") == "code":
                lang = line.get("language") or ""
                parts.append(f"```{lang}\n{line['text']}\n```\n")
            elif name == "executive_summary":
                parts.append(line["text"] + "\n")
            else:
                parts.append(f"- {line['text']}")
        parts.append("")
    parts.append(f"_Summary by {summary['backend']} {summary['version']}._\n")
    return "\n".join(parts)


def export_markdown(
    store: Store, folder: Path, chosen: ArticleFilter, progress: Progress | None = None
) -> int:
    """One .md file per article in `folder`; returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for batch in store.export.article_batches(chosen):
        ids = [int(i["article"]["id"]) for i in batch]
        labels = store.labels.labels_for(ids)
        for item in batch:
            aid = int(item["article"]["id"])
            label = labels.get(aid)
            text = markdown_of(
                item, (label.category if label else "") or "", list(label.tags) if label else []
            )
            name = f"{aid:06d}-{slug(item['article']['title'])}.md"
            (folder / name).write_text(text, encoding="utf-8")
        written += len(batch)
        if progress:
            progress(len(batch))
    return written
