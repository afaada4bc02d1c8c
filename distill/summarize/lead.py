"""`lead`: the first sentences of the article as its executive summary, and nothing else.

A baseline, named as one: it is what the real summarizer is measured against, and what a
library gets when nothing better is configured.
"""

from __future__ import annotations

from ..models import Document, Line, Section, Span
from ..text import sentence_spans
from .base import Summarizer

LEAD_SENTENCES = 3  # a typical news lead is 2-3 sentences; the product asks for 2 to 4


class LeadSummarizer(Summarizer):
    name = "lead"
    version = "1"

    def build(self, doc: Document) -> list[Section]:
        lines: list[Line] = []
        for index, block in enumerate(doc.blocks):
            if block.kind not in ("paragraph", "list_item", "quote"):
                continue
            for start, end in sentence_spans(block.text):
                lines.append(Line(block.text[start:end], source=[Span(index, start, end)]))
                if len(lines) == LEAD_SENTENCES:
                    return [Section("executive_summary", lines)]
        return [Section("executive_summary", lines)]
