"""ingest(source): the path of one article, one stage per line.

fetch/read -> extract -> dedupe -> summarize -> embed -> classify -> store. Each stage takes
and returns plain data; errors anywhere become a `failed` result that names the source and
the reason, and nothing is written unless every stage before `store` succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..classify.classifier import Classifier
from ..classify.corrections import library_classifier
from ..config import Settings
from ..controls import clean_document
from ..embed import Embedder, default_embedder, embed_document
from ..errors import DatabaseUnavailable, DistillError, DuplicateArticle
from ..llm.retry import queue_retry
from ..models import Document, DocumentVectors, Summary
from ..plugins import get_summarizer
from ..store.base import Store
from ..summarize.base import Summarizer
from ..taxonomy.technologies import load_technologies
from .contain import prestart
from .sources import Source, normalize_url

Status = Literal["added", "duplicate", "failed"]


@dataclass
class IngestResult:
    """One line of `add`/`import` output; the --json shape is documented in docs/cli.md."""

    source: str
    status: Status
    id: int | None = None
    duplicate_of: int | None = None
    title: str | None = None
    error: str | None = None
    site: str | None = None
    date: str | None = None
    words: int | None = None
    fallback: str | None = None  # why the backend asked for did not write the summary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_NON_WORD = re.compile(r"\W+", re.UNICODE)


def content_hash(doc: Document) -> str:
    """Hash of the normalised prose: case, punctuation and white space do not matter."""
    normalised = _NON_WORD.sub(" ", doc.text.lower()).strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _summarize_and_embed(
    doc: Document, summarizer: Summarizer, embedder: Embedder | None
) -> tuple[Summary, DocumentVectors | None]:
    """The summary and the vectors, computed at the same time.

    Neither needs the other, and they are the two costly stages of an article: the
    extractive summarizer is Python holding the interpreter lock, the embedding model is
    numpy and BLAS, which release it. On two cores one `distill add` waits for the longer of
    the two instead of their sum (docs/benchmarks.md); on a busy machine it costs nothing.
    """
    if embedder is None:
        return summarizer.summarize(doc), None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
        vectors = pool.submit(embed_document, doc, embedder)
        try:
            summary = summarizer.summarize(doc)
        except BaseException:
            vectors.cancel()
            raise
        return summary, vectors.result()


def ingest_document(
    doc: Document,
    store: Store,
    summarizer: Summarizer,
    label: str,
    embedder: Embedder | None = None,
    classifier: Classifier | None = None,
    settings: Settings | None = None,
) -> IngestResult:
    clean_document(doc)
    doc.canonical_url = normalize_url(doc.canonical_url or doc.url)
    digest = content_hash(doc)
    existing = store.find_duplicate(doc.canonical_url, digest)
    if existing is not None:
        return IngestResult(label, "duplicate", duplicate_of=existing, title=doc.title)
    if settings is not None:
        summarizer.bind(settings)
    summary, vectors = _summarize_and_embed(doc, summarizer, embedder)
    labels = classifier.classify(doc, vectors.article if vectors else None) if classifier else None
    try:
        article_id = store.add_article(
            doc, digest, summary, vectors, embedder.name if embedder else "", labels
        )
    except DuplicateArticle as exc:  # another process stored it between check and insert
        return IngestResult(label, "duplicate", duplicate_of=exc.existing_id, title=doc.title)
    if summary.fallback:
        queue_retry(store, article_id, summary.fallback)
    return IngestResult(
        label,
        "added",
        id=article_id,
        title=doc.title,
        site=doc.site,
        date=doc.date,
        words=doc.word_count,
        fallback=(
            f"{summary.fallback['backend']} unavailable, summarised by {summary.backend}: "
            f"{summary.fallback['reason']}"
            if summary.fallback
            else None
        ),
    )


_warmed = False


def _warm_up(settings: Settings, embedder: Embedder | None) -> None:
    """Load what the first article of a process needs besides its text: the model first
    (the embedding is the longer of the two stages after extraction), then the technology
    list (the summary's concepts, the tags). Both loads are guarded by locks, so a stage
    that needs one before it is ready waits for it instead of loading it again."""
    with contextlib.suppress(Exception):  # the real call raises it again, with its context
        if embedder is not None:
            embedder.load()
        load_technologies(settings.home)
        load_technologies()


def _warm_up_once(settings: Settings, embedder: Embedder | None) -> None:
    """Start the warm-up for the first article of a process, beside its extraction.

    A `distill add` otherwise waits about a third of a second for its extraction child
    doing nothing, then loads ~0.45 CPU s of model and technology list on the path of its
    summary and embedding. The child is forked before the thread starts
    (contain.prestart), so a single-threaded command still forks rather than starting a
    forkserver.
    """
    global _warmed
    if _warmed:
        return
    _warmed = True
    with contextlib.suppress(OSError):  # no child now: the extraction starts its own
        prestart(settings)
    threading.Thread(target=_warm_up, args=(settings, embedder), name="warm-up").start()


def ingest(
    source: Source, store: Store, settings: Settings, summarizer: Summarizer | None = None
) -> IngestResult:
    try:
        embedder = default_embedder() if settings.embed else None
        _warm_up_once(settings, embedder)
        doc = source.load(settings)
        return ingest_document(
            doc,
            store,
            summarizer or get_summarizer(settings.summarizer),
            source.label,
            embedder,
            library_classifier(store, settings, embedder),
            settings,
        )
    except DatabaseUnavailable:
        raise  # the library could not be written: the source is not at fault, try again later
    except DistillError as exc:
        return IngestResult(source.label, "failed", error=str(exc))
