"""Plain data passed between pipeline stages; no I/O, no behaviour beyond conversion."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

# "caption": the captions of figures in an HTML block of a Markdown post, a walkthrough of
# pictures the text does not show (shown as a paragraph, never summarised).
BlockKind = Literal["heading", "paragraph", "list_item", "code", "quote", "table", "caption"]
SECTION_NAMES = (
    "executive_summary",
    "concepts",
    "main_points",
    "specifications",
    "takeaways",
    "limitations",
)
SECTION_TITLES = {
    "executive_summary": "Executive summary",
    "concepts": "Core concepts and technologies",
    "main_points": "Main points",
    "specifications": "Technical specifications and implementation",
    "takeaways": "Key takeaways",
    "limitations": "Limitations and further exploration",
}


@dataclass
class Block:
    """One structural unit of an article, in reading order."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level 1-6; 0 otherwise
    language: str = ""  # code blocks: the language the source declared, if any


@dataclass
class Document:
    """What extraction yields: metadata plus ordered blocks."""

    title: str
    blocks: list[Block]
    url: str = ""
    canonical_url: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""  # ISO 8601 date (YYYY-MM-DD) when known
    site: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)  # tags the source itself declared
    description: str = ""  # the source's own summary (front matter, meta description)
    source: str = ""  # how it came in: URL, file path, "stdin", "file.jsonl:12"

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def word_count(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks if b.kind != "code")


@dataclass
class Span:
    """Where a summary line came from: characters [start, end) of block `block`."""

    block: int
    start: int
    end: int


@dataclass
class Line:
    text: str
    kind: Literal["sentence", "code", "term"] = "sentence"
    heading: str = ""  # the article heading a main point sits under
    source: list[Span] = field(default_factory=list)
    language: str = ""  # code lines: the block's language
    flag: str = ""  # "unsupported": kept although the claim check found no support


@dataclass
class Section:
    name: str  # one of SECTION_NAMES
    lines: list[Line]


_SPAN_FIELDS = [f.name for f in fields(Span)]
_LINE_FIELDS = [f.name for f in fields(Line)]


def _section_dict(section: Section) -> dict[str, Any]:
    """`asdict(section)` without its deep copy of every value: a third of the cost of
    storing an article's summary went there."""
    lines = []
    for line in section.lines:
        data = {name: getattr(line, name) for name in _LINE_FIELDS}
        data["source"] = [{name: getattr(s, name) for name in _SPAN_FIELDS} for s in line.source]
        lines.append(data)
    return {"name": section.name, "lines": lines}


@dataclass
class Summary:
    backend: str
    version: str
    sections: list[Section]
    # Set when the backend asked for could not summarise and another one did:
    # {"backend": "llm:local", "reason": "..."}; shown to the reader with the summary.
    fallback: dict[str, str] | None = None

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "backend": {"name": self.backend, "version": self.version},
            "sections": [_section_dict(s) for s in self.sections],
        }
        if self.fallback:
            data["fallback"] = dict(self.fallback)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        sections = [
            Section(
                name=s["name"],
                lines=[
                    Line(
                        text=ln["text"],
                        kind=ln.get("kind", "sentence"),
                        heading=ln.get("heading", ""),
                        source=[Span(**sp) for sp in ln.get("source", [])],
                        language=ln.get("language", ""),
                        flag=ln.get("flag", ""),
                    )
                    for ln in s["lines"]
                ],
            )
            for s in data["sections"]
        ]
        return cls(
            data["backend"]["name"], data["backend"]["version"], sections, data.get("fallback")
        )


@dataclass
class Article:
    """A stored article: its document, summary and library metadata."""

    id: int
    document: Document
    summary: Summary | None
    content_hash: str
    created_at: str
    category: str = ""
    tags: list[str] = field(default_factory=list)
    starred: bool = False
    state: str = "unread"  # reading state: unread, read, archived (store/reading.py)


def blocks_to_json(blocks: list[Block]) -> list[dict[str, Any]]:
    # Hand-written rather than asdict(): this runs for every stored article.
    return [
        {"kind": b.kind, "text": b.text, "level": b.level, "language": b.language} for b in blocks
    ]


def blocks_from_json(data: list[dict[str, Any]]) -> list[Block]:
    return [Block(**b) for b in data]


@dataclass
class Labels:
    """What classification says about one article."""

    category: str
    confidence: float
    tags: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class DocumentVectors:
    """The vectors stored for one article: one for the whole, one per article section."""

    article: np.ndarray  # shape (dimensions,)
    sections: list[tuple[str, int, np.ndarray]]  # (heading, first block index, vector)
