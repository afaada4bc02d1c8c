"""Where articles come from: URLs, files, stdin and JSON Lines records, read within limits.

Each source becomes a `Source` that knows how to load itself into a Document, so the
pipeline treats `distill add URL`, a folder import and one line of a .jsonl file alike.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config import Settings
from ..errors import InputError, TooLarge, UnsupportedSource
from ..limits import load_json
from ..models import Document
from .contain import run_contained
from .extract import (
    FORMAT_BY_SUFFIX,
    apply_metadata,
    detect_format,
    extract,
    from_html,
    from_markdown,
    from_text,
)

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
# Bytes read at a time while skipping the rest of an oversized JSON Lines record.
CHUNK = 1024 * 1024


@dataclass
class Source:
    """One thing to ingest; `label` is what reports and --json call it."""

    label: str
    load: Callable[[Settings], Document]


def normalize_url(url: str) -> str:
    """Canonical form for dedupe: lower-case scheme/host, no fragment, no tracking params."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PARAMS)
    ]
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    if parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


def _read_limited(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(
            f"{path}: file is {size:,} bytes, over the limit of {max_bytes:,} (max_bytes)"
        )
    if size == 0:
        raise InputError(f"{path}: file is empty")
    return path.read_bytes()


def url_source(url: str) -> Source:
    def load(settings: Settings) -> Document:
        # httpx is imported with its command line (rich, pygments): only a fetch pays it.
        from .fetch import fetch

        response = fetch(url, settings)
        fmt = detect_format(
            urlsplit(response.url).path if response.content_type == "" else "",
            response.content_type,
            response.content,
        )
        doc = run_contained(
            settings,
            extract,
            response.content,
            fmt,
            url,
            response.url,
            response.charset,
            what=url,
        )
        doc.url = response.url
        doc.source = url
        return doc

    return Source(url, load)


def file_source(path: Path) -> Source:
    def load(settings: Settings) -> Document:
        fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            raise UnsupportedSource(
                f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
                "expected .html, .htm, .md or .txt"
            )
        data = _read_limited(path, settings.max_bytes)
        return run_contained(settings, extract, data, fmt, str(path), what=str(path))

    return Source(str(path), load)


def stdin_source() -> Source:
    def load(settings: Settings) -> Document:
        data = sys.stdin.buffer.read(settings.max_bytes + 1)
        if len(data) > settings.max_bytes:
            raise TooLarge(f"stdin: over the limit of {settings.max_bytes:,} bytes (max_bytes)")
        if not data.strip():
            raise InputError("stdin: no input")
        fmt = detect_format("", "", data)
        return run_contained(settings, extract, data, fmt, "stdin", what="stdin")

    return Source("stdin", load)


def record_document(record: dict[str, Any], label: str) -> Document:
    """The Document of one JSON Lines record (run in an extraction child)."""
    html, text = record.get("html"), record.get("text")
    url = str(record.get("url") or "")
    if isinstance(html, str) and html.strip():
        doc = from_html(html, url=url, source=label)
    elif isinstance(text, str) and text.strip():
        looks_markdown = text.lstrip().startswith(("#", "---", "+++")) or "\n```" in text
        doc = (from_markdown if looks_markdown else from_text)(text, source=label)
    else:
        raise InputError(f"{label}: record has neither 'text' nor 'html'")
    apply_metadata(doc, record)
    if url:
        doc.url = url
        doc.canonical_url = doc.canonical_url or url
        doc.site = doc.site or (urlsplit(url).hostname or "")
    return doc


def record_source(record: dict[str, Any], label: str) -> Source:
    """One JSON Lines article: url, title, text or html, date, authors, tags, id."""

    def load(settings: Settings) -> Document:
        return run_contained(settings, record_document, record, label, what=label)

    return Source(label, load)


def parse_source(ref: str) -> Source:
    """A command-line argument: `-`, an http(s) URL, or a file path."""
    if ref == "-":
        return stdin_source()
    if ref.startswith(("http://", "https://")):
        return url_source(ref)
    path = Path(ref)
    if not path.exists():
        raise InputError(f"{ref}: no such file, and not an http(s) URL")
    if path.is_dir():
        raise InputError(f"{ref}: is a folder; use `distill import {ref}`")
    return file_source(path)


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[bytes, bool]]:
    """(line, fits) for each line; a line over max_bytes is skipped unread, fits=False."""
    while True:
        raw = handle.readline(max_bytes + 1)
        if not raw:
            return
        if len(raw) <= max_bytes or raw.endswith(b"\n"):
            yield raw, True
            continue
        while raw and not raw.endswith(b"\n"):  # drain the rest of the oversized line
            raw = handle.readline(CHUNK)
        yield b"", False


def jsonl_sources(path: Path, max_bytes: int = 10_000_000) -> Iterator[Source | InputError]:
    """Each line of a JSON Lines file; a bad line yields an error naming file and line.

    A line is read at most `max_bytes` at a time, so an oversized record costs no more
    memory than the limit, and is reported on its own while the lines after it go on.
    """
    with path.open("rb") as handle:
        for number, (raw, fits) in enumerate(_lines(handle, max_bytes), start=1):
            label = f"{path}:{number}"
            if not fits:
                yield InputError(
                    f"{label}: record is over the limit of {max_bytes:,} bytes (max_bytes)"
                )
                continue
            if not raw.strip():
                continue
            try:
                record = load_json(raw, label, "record")
            except (ValueError, UnicodeDecodeError) as exc:
                yield InputError(f"{label}: not valid JSON ({exc})")
                continue
            except InputError as exc:
                yield exc
                continue
            if not isinstance(record, dict):
                yield InputError(f"{label}: each line must be a JSON object")
                continue
            if record.get("id") is not None:
                label = f"{path}:{number} (id {str(record['id'])[:100]})"
            yield record_source(record, label)


def import_sources(path: Path, max_bytes: int = 10_000_000) -> Iterator[Source | InputError]:
    """A folder (recursive, supported files only, sorted) or a JSON Lines file."""
    if path.is_dir():
        yield from _folder_sources(path)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from jsonl_sources(path, max_bytes)
    elif path.is_file():
        yield file_source(path)
    else:
        yield InputError(f"{path}: no such file or folder")


def _folder_sources(folder: Path) -> Iterator[Source | InputError]:
    """Supported files under `folder`, sorted. Symbolic links to directories are not
    followed, and a linked file is read only when it resolves inside the folder: an
    import of a shared folder must not read ~/.ssh through a link someone left there."""
    root = folder.resolve()
    files: list[Path] = []
    for parent, _dirs, names in os.walk(folder, followlinks=False):
        files.extend(Path(parent) / name for name in names)
    for file in sorted(files):
        if file.suffix.lower() not in FORMAT_BY_SUFFIX or file.name.startswith("."):
            continue
        target = file.resolve()
        if not target.is_relative_to(root):
            yield InputError(f"{file}: a link to {target}, outside the folder; not imported")
        elif target.is_file():
            yield file_source(file)
