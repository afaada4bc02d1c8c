"""The library's categories and tags: classify at ingest, take corrections, refile, tidy tags.

classify.py knows how to score one document; this module ties it to a library: its
taxonomy file, its users' corrections (few-shot examples), its stored vectors, and the
rule that a user's label is never overwritten by an automatic pass. The CLI and (later)
the web pages call these functions, so both behave the same.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..config import Settings
from ..embed import Embedder
from ..errors import InputError
from ..store import Store
from ..taxonomy.categories import load_taxonomy
from ..taxonomy.technologies import load_technologies
from .classifier import Classifier

# Two tags are suggested for merging when their folded spellings match, when the spelling
# is this similar (difflib ratio: "kubernetes operator" / "kubernetes operators" = 0.97),
# or when their embeddings are this close ("feature flags" / "feature toggles").
SPELLING_SIMILARITY = 0.88
EMBEDDING_SIMILARITY = 0.85
MAX_TAG_LENGTH = 80

_CACHE: dict[tuple[Any, ...], Classifier] = {}


def library_classifier(store: Store, settings: Settings, embedder: Embedder | None) -> Classifier:
    """The classifier for this library: its taxonomy plus its users' corrections.

    Cached per process; the key holds the taxonomy's content and the user labels' version,
    so a correction or an edited taxonomy file is picked up by the next article.
    """
    taxonomy = load_taxonomy(settings.home)
    version = store.labels.user_labels_version()
    key = (str(settings.home), taxonomy.fingerprint, version, embedder and embedder.name)
    cached = _CACHE.get(key)
    if cached is None:
        vectors, labels, _ = store.labels.user_examples() if embedder else (None, [], [])
        keep = [i for i, label in enumerate(labels) if taxonomy.get(label) is not None]
        if vectors is not None:
            vectors = vectors[keep] if keep else None
        cached = Classifier(
            taxonomy,
            embedder,
            vectors,
            [labels[i] for i in keep],
            home=settings.home,
            cache=settings.home,
        )
        _CACHE.clear()  # one library per process in practice; do not grow without bound
        _CACHE[key] = cached
    return cached


def categorize(store: Store, settings: Settings, article_id: int, category: str) -> str:
    """A user's category for an article: stored as theirs and used as a few-shot example."""
    taxonomy = load_taxonomy(settings.home)
    found = taxonomy.get(category.strip())
    if found is None:
        raise InputError(
            f"{category.strip()!r} is not a category; known: {', '.join(taxonomy.names)}"
        )
    name = found.name
    store.require_article(article_id)
    with store.transaction():
        store.labels.set_user_category(article_id, name)
    return name


def _canonical_tag(store: Store, settings: Settings, tag: str) -> str:
    tag = " ".join(tag.split())
    if not tag:
        raise InputError("an empty tag name")
    if len(tag) > MAX_TAG_LENGTH:
        raise InputError(f"tag {tag[:20]!r}... is longer than {MAX_TAG_LENGTH} characters")
    entry = load_technologies(settings.home).lookup(tag)
    if entry is not None:
        return str(entry.name)
    return store.labels.merged_name(store.labels.known_tag(tag) or tag)


def edit_tags(
    store: Store,
    settings: Settings,
    article_id: int,
    add: list[str],
    remove: list[str],
) -> list[str]:
    """Add and remove a user's tags (aliases folded to canonical names); the new tag list."""
    added = [_canonical_tag(store, settings, t) for t in add]
    removed = [_canonical_tag(store, settings, t) for t in remove]
    with store.transaction():
        store.labels.edit_tags(article_id, added, removed)
    return store.labels.labels_for([article_id])[article_id].tags


def replace_tags(store: Store, settings: Settings, article_id: int, tags: list[str]) -> list[str]:
    """Make the article's tags exactly `tags` (the web's tag editor): the additions and
    removals go through `edit_tags`, so the rules are the command line's."""
    store.require_article(article_id)
    wanted = list(dict.fromkeys(_canonical_tag(store, settings, t) for t in tags))
    current = store.labels.labels_for([article_id])[article_id].tags
    return edit_tags(
        store,
        settings,
        article_id,
        [t for t in wanted if t not in current],
        [t for t in current if t not in wanted],
    )


@dataclass
class RefileReport:
    articles: int = 0
    changed: int = 0
    kept_user: int = 0
    without_vector: int = 0
    user_not_in_taxonomy: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def recategorize(store: Store, settings: Settings, embedder: Embedder | None) -> RefileReport:
    """Classify every article again with the current taxonomy, list and corrections.

    Automatic categories and tags are replaced; a user's are kept. Each article is written
    in its own short transaction, so a reader is never blocked for the whole pass.
    """
    classifier = library_classifier(store, settings, embedder)
    taxonomy = classifier.taxonomy
    report = RefileReport()
    for article_id in store.article_ids():
        article = store.get_article(article_id)
        vector = store.article_vector(article_id)
        if vector is None:
            report.without_vector += 1
        labels = classifier.classify(article.document, vector)
        current = store.labels.labels_for([article_id])[article_id]
        if current.category_origin == "user":
            report.kept_user += 1
            if taxonomy.get(current.category) is None:
                report.user_not_in_taxonomy += 1
        with store.transaction():
            changed = store.labels.write_auto(
                article_id,
                labels.category,
                labels.confidence,
                labels.tags,
                labels.candidates,
            )
        report.articles += 1
        report.changed += int(changed and current.category_origin != "user")
    return report


# ------------------------------------------------------------------------ tag hygiene

_FOLD = re.compile(r"[^a-z0-9+#]+")


def _fold(tag: str) -> str:
    key = _FOLD.sub("", tag.lower())
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


@dataclass
class MergeSuggestion:
    tag: str  # the one to merge away (fewer articles)
    into: str
    reason: str  # "spelling" or "meaning"
    similarity: float
    tag_articles: int
    into_articles: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest_merges(
    store: Store, settings: Settings, embedder: Embedder | None
) -> list[MergeSuggestion]:
    """Pairs of tags in use that look like one thing spelled twice.

    Two entries of the technology list are never suggested: the list already folds their
    aliases, so two canonical names are two technologies (PostgreSQL is not MySQL).
    """
    counts = store.labels.tag_counts()
    if len(counts) < 2:
        return []
    techs = load_technologies(settings.home)
    listed = {t for t, _ in counts if getattr(techs.lookup(t), "name", None) == t}
    tags = [t for t, _ in counts]
    n_of = dict(counts)
    vectors = embedder.embed(tags) if embedder is not None else None
    out: list[MergeSuggestion] = []
    for i, a in enumerate(tags):
        for j in range(i + 1, len(tags)):
            b = tags[j]
            if a in listed and b in listed:
                continue
            reason, score = "", 0.0
            if _fold(a) == _fold(b):
                reason, score = "spelling", 1.0
            else:
                ratio = difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()
                if ratio >= SPELLING_SIMILARITY:
                    reason, score = "spelling", ratio
                elif vectors is not None:
                    sim = float(np.dot(vectors[i], vectors[j]))
                    if sim >= EMBEDDING_SIMILARITY:
                        reason, score = "meaning", sim
            if reason:
                # merge the less used into the more used; a listed name always survives
                keep, drop = (
                    (a, b) if (a in listed or n_of[a] >= n_of[b]) and b not in listed else (b, a)
                )
                out.append(
                    MergeSuggestion(drop, keep, reason, round(score, 3), n_of[drop], n_of[keep])
                )
    return sorted(out, key=lambda s: (-s.similarity, s.tag))


def merge(store: Store, settings: Settings, old: str, new: str) -> int:
    """Merge tag `old` into `new` everywhere; the number of articles that changed."""
    old, new = " ".join(old.split()), " ".join(new.split())
    if not old or not new:
        raise InputError("tags merge needs two tag names")
    in_use = dict(store.labels.tag_counts())
    if old not in in_use:
        known = store.labels.known_tag(old)
        if known is None:
            raise InputError(f"no article has the tag {old!r}")
        old = known
    new = _canonical_tag(store, settings, new)
    if old == new:
        raise InputError(f"{old!r} and {new!r} are the same tag")
    with store.transaction():
        return store.labels.merge_tags(old, new)
