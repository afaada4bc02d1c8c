"""More like this: articles related to one article, each with the reason shown.

Candidates are the nearest article vectors (store/vector_index.py). Each is then explained
and scored: technologies both articles use (stored tags when classification has run, else
the tags the sources declared) and the closest pair of sections (the stored section
vectors compared exactly). An article without vectors falls back to its title words in
the full-text index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import NotFound
from .engine import ensure_index, search

# How many nearest articles are examined for every one shown.
CANDIDATES_PER_RESULT = 4
# Each shared technology adds this much to the cosine similarity (at most three count):
# two articles about Kafka and Flink are related beyond what their wording says.
TECH_BONUS = 0.03
MAX_TECH_BONUS_COUNT = 3
# Two sections at or above this cosine similarity are shown as "similar sections"; for
# MiniLM, 0.6 is where paraphrases of one topic start (unrelated text sits near 0.1-0.3).
SIMILAR_SECTION = 0.6


@dataclass
class Reason:
    kind: str  # "technologies", "sections" or "meaning"
    text: str


@dataclass
class RelatedArticle:
    id: int
    url: str
    title: str
    score: float
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RelatedResults:
    id: int
    title: str
    results: list[RelatedArticle]
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "results": [r.to_dict() for r in self.results],
        }
        if self.message:
            data["message"] = self.message
        return data


def related(store: Any, article_id: int, limit: int = 10) -> RelatedResults:
    """Articles like this one, best first; raises NotFound for an unknown id."""
    cards = store.search.article_cards([article_id])
    if article_id not in cards:
        raise NotFound(f"no article with id {article_id}")
    ensure_index(store)
    limit = max(1, min(limit, 100))
    vector = store.search.stored_article_vector(article_id)
    message = ""
    if vector is not None:
        nearest = store.search.nearest_articles(vector, limit * CANDIDATES_PER_RESULT + 1)
        candidates = [(a, s) for a, s in nearest if a != article_id]
    else:
        message = "this article has no vectors; related by its title words"
        # Full-text search's own ranking of the title: its any-word fallback leaves out
        # very common words, which would otherwise score most of a large library.
        found = search(store, cards[article_id].title, mode="text", limit=limit + 1).results
        candidates = [(h.id, 0.0) for h in found if h.id != article_id]
    ids = [a for a, _ in candidates]
    techs = store.search.article_technologies([article_id, *ids])
    own_techs = techs.get(article_id, set())
    sections = store.search.section_vectors([article_id, *ids])
    own_sections = sections.get(article_id, [])
    info = store.search.article_cards(ids)
    results = []
    for other, similarity in candidates:
        if other not in info:
            continue
        reasons = []
        shared = shared_technologies(own_techs, techs.get(other, set()))
        if shared:
            reasons.append(Reason("technologies", "shared technologies: " + ", ".join(shared)))
        pair = _closest_sections(own_sections, sections.get(other, []))
        if pair is not None:
            mine, theirs, value = pair
            reasons.append(
                Reason("sections", f"similar sections: “{mine}” ~ “{theirs}” ({value:.2f})")
            )
        if vector is not None:
            reasons.append(Reason("meaning", f"similar overall ({similarity:.2f})"))
        score = similarity + TECH_BONUS * min(len(shared), MAX_TECH_BONUS_COUNT)
        card = info[other]
        results.append(RelatedArticle(other, card.url, card.title, round(score, 6), reasons))
    results.sort(key=lambda r: (-r.score, r.id))
    return RelatedResults(article_id, cards[article_id].title, results[:limit], message)


def shared_technologies(mine: set[str], theirs: set[str]) -> list[str]:
    """Technologies both articles have, each once whatever its case ("Concurrency" from
    the classifier and "concurrency" from a feed's tags are one), sorted; a capitalised
    spelling is preferred for display."""

    def by_key(names: set[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in sorted(names):  # capitalised spellings sort first and are kept
            out.setdefault(" ".join(name.lower().split()), name)
        return out

    own, other = by_key(mine), by_key(theirs)
    return sorted((own[k] for k in own.keys() & other.keys()), key=str.lower)


def _closest_sections(
    mine: list[tuple[str, np.ndarray]], theirs: list[tuple[str, np.ndarray]]
) -> tuple[str, str, float] | None:
    if not mine or not theirs:
        return None
    a = np.vstack([v for _, v in mine])
    b = np.vstack([v for _, v in theirs])
    sims = a @ b.T
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    value = float(sims[i, j])
    if value < SIMILAR_SECTION:
        return None
    return mine[i][0] or "(opening)", theirs[j][0] or "(opening)", value
