"""The summarizer interface: one abstract method, `build`.

The base class does what every backend needs and none should re-implement: checking that
each line's text really sits at its recorded span, dropping empty sections and duplicate
lines, and stamping the backend's name and version on the result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..config import Settings
from ..errors import SummarizeError
from ..models import SECTION_NAMES, Document, Line, Section, Summary


class Summarizer(ABC):
    name: str = ""
    version: str = "0"
    # Capabilities, read by callers: does the backend need the network, is it extractive.
    needs_network: bool = False
    extractive: bool = True

    def __init__(self, option: str = "") -> None:
        # `name:option` on the command line, e.g. `llm:local` names a configured model.
        self.option = option

    def bind(self, settings: Settings) -> Summarizer:
        """Give the backend the library's settings before use (a model server's address,
        the fallback backend); backends that need none keep this default."""
        return self

    @abstractmethod
    def build(self, doc: Document) -> list[Section]:
        """The sections for one document, in any order; lines carry their provenance."""

    def notes(self, doc: Document) -> list[str]:
        """What a reader should know about how this document was summarized (caps hit)."""
        return []

    def summarize(self, doc: Document) -> Summary:
        sections = self.build(doc)
        order = {name: i for i, name in enumerate(SECTION_NAMES)}
        seen: set[str] = set()
        kept: list[Section] = []
        for section in sorted(sections, key=lambda s: order.get(s.name, len(order))):
            if section.name not in order:
                raise SummarizeError(f"{self.name}: unknown section {section.name!r}")
            lines = []
            for line in section.lines:
                key = " ".join(line.text.split()).lower()
                if not key or key in seen:
                    continue
                if self.extractive:
                    self._check_provenance(doc, line)
                seen.add(key)
                lines.append(line)
            if lines:
                kept.append(Section(section.name, lines))
        return Summary(self.name, self.version, kept)

    def _check_provenance(self, doc: Document, line: Line) -> None:
        """Sentences and code must sit exactly at their first span. A term's text is its
        canonical name ("PostgreSQL"), so its span (the first mention, maybe an alias such
        as "Postgres") need only exist and be non-empty."""
        if not line.source:
            raise SummarizeError(f"{self.name}: line without provenance: {line.text[:60]!r}")
        span = line.source[0]
        if not 0 <= span.block < len(doc.blocks):
            raise SummarizeError(f"{self.name}: line points past the last block")
        found = doc.blocks[span.block].text[span.start : span.end]
        if line.kind == "term" and found.strip() and 0 <= span.start < span.end:
            return
        if found != line.text:
            raise SummarizeError(f"{self.name}: line text is not at its recorded span")
