"""The public surface in distill/__init__.py: the names are pinned and each one works.

A script that does `from distill import ...` must keep working when modules move inside the
package, so the list is compared exactly and every name is used the way a script would use
it: a real library folder, a real text file through the real pipeline, a real search.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import distill
from distill import DistillError, Document, Summarizer, Summary, ingest, open_store, search
from distill.config import load_settings
from distill.ingest.sources import file_source
from distill.models import Line, Section, Span

PUBLIC = {"ingest", "search", "open_store", "Summarizer", "Document", "Summary", "DistillError"}

NOTE = """Back pressure on a message queue

When consumers fall behind producers, a bounded buffer makes the producers wait instead of
letting the queue grow until the broker runs out of memory.

The simplest form is a blocking put on a full buffer. A producer that cannot wait can drop
the message, or sample, and count what it dropped so an operator can see it.

Backlog alarms should fire on the age of the oldest message, not on the length of the queue.
"""


def test_the_public_names_are_exactly_these() -> None:
    assert set(distill.__all__) == PUBLIC
    namespace: dict[str, object] = {}
    exec("from distill import *", namespace)  # what a script's star import gets
    assert set(namespace) >= PUBLIC


def test_search_and_ingest_are_the_functions_even_after_their_packages_load() -> None:
    engine = importlib.import_module("distill.search.engine")
    pipeline = importlib.import_module("distill.ingest.pipeline")
    importlib.import_module("distill.search.related")  # a submodule loaded later
    importlib.import_module("distill.ingest.sources")
    assert callable(search) and search is engine.search and distill.search is search
    assert callable(ingest) and ingest is pipeline.ingest and distill.ingest is ingest


class LastParagraph(Summarizer):
    """An outside backend built on the public base class: the last paragraph, whole."""

    name = "last-paragraph"
    version = "1"

    def build(self, doc: Document) -> list[Section]:
        index = max(i for i, block in enumerate(doc.blocks) if block.kind == "paragraph")
        text = doc.blocks[index].text
        return [Section("executive_summary", [Line(text, source=[Span(index, 0, len(text))])])]


def test_a_script_can_store_ingest_and_search_with_the_public_names(tmp_path: Path) -> None:
    home = tmp_path / "library"
    note = tmp_path / "back-pressure.txt"
    note.write_text(NOTE, encoding="utf-8")
    settings = load_settings(home).replace(embed=False)  # the model is not needed for words
    store = open_store(home)
    try:
        result = ingest(file_source(note), store, settings)
        assert result.status == "added" and result.id, result
        found = search(store, "backlog alarms", mode="text")
        assert [hit.id for hit in found.results] == [result.id]
        assert "<mark>" in found.results[0].snippet
        article = store.get_article(result.id)
        assert isinstance(article.document, Document)
        assert article.document.title == "Back pressure on a message queue"
        assert isinstance(article.summary, Summary) and article.summary.sections

        (tmp_path / "empty.txt").write_text("", encoding="utf-8")
        empty = ingest(file_source(tmp_path / "empty.txt"), store, settings)
        assert empty.status == "failed" and "empty.txt: file is empty" in (empty.error or "")
        with pytest.raises(DistillError, match="424242"):
            store.get_article(424242)
        assert search(store, "backlog alarms", mode="text").total == 1  # nothing lost
    finally:
        store.close()


def test_an_outside_summarizer_subclasses_the_public_base(tmp_path: Path) -> None:
    note = tmp_path / "back-pressure.txt"
    note.write_text(NOTE, encoding="utf-8")
    home = tmp_path / "library"
    store = open_store(home)
    try:
        settings = load_settings(home).replace(embed=False)
        result = ingest(file_source(note), store, settings, LastParagraph())
        summary = store.get_article(result.id or 0).summary
    finally:
        store.close()
    assert summary is not None and summary.backend == "last-paragraph"
    [line] = summary.sections[0].lines
    assert line.text.startswith("Backlog alarms should fire on the age")
    with pytest.raises(TypeError):
        Summarizer()  # type: ignore[abstract]
