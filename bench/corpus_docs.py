"""The corpus as Documents, for the benchmarks: read at run time, never copied.

Each of the 1,264 Markdown posts listed in ../shared/corpus/_index is parsed the way
`distill import` parses a file. The human summary that came with a post is returned
beside it and blanked in the Document (front matter puts it in `description`), so no
system can read the reference it is scored against.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from distill.errors import DistillError
from distill.ingest.extract import from_markdown, lxml_text
from distill.models import Document

REPO = Path(__file__).resolve().parents[1]
# The shared folder sits beside the main checkout (../shared) or, from a worktree, one up.
_GUESSES = [p / "shared" / "corpus" for p in REPO.parents[:2]]
CORPUS = Path(
    os.environ.get("DISTILL_CORPUS") or next((p for p in _GUESSES if p.is_dir()), _GUESSES[0])
).resolve()
SETS = ("go-blog", "rust-blog", "flink-blog")


@dataclass
class Post:
    set: str
    path: str
    doc: Document
    reference: str  # the human summary, plain text; "" when the post has none


def clean_reference(raw: object) -> str:
    if not isinstance(raw, str) or raw.strip() in ("", "None"):
        return ""
    text = lxml_text(raw) if "<" in raw else raw
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def posts(sets: tuple[str, ...] = SETS, with_reference: bool = False) -> Iterator[Post]:
    for name in sets:
        for line in (CORPUS / "_index" / f"{name}.jsonl").read_text().splitlines():
            row = json.loads(line)
            reference = clean_reference(row.get("summary"))
            if with_reference and not reference:
                continue
            try:
                doc = from_markdown((CORPUS / row["path"]).read_text(), source=row["path"])
            except DistillError:
                continue
            doc.description = ""
            yield Post(name, row["path"], doc, reference)
