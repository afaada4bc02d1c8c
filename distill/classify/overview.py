"""What a library holds per category and technology: the numbers pages and /v1 show.

Counts come from the store (remembered there until the content changes); names and
descriptions come from the library's taxonomy and technology list, which is why this sits
in classify/ rather than in store/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import NotFound
from ..store import Store
from ..store.filters import UNCATEGORIZED
from ..taxonomy.categories import Taxonomy, load_taxonomy
from ..taxonomy.technologies import load_technologies

_TAXONOMIES: dict[str, Taxonomy] = {}


def taxonomy(home: Path | None) -> Taxonomy:
    """The library's taxonomy (default plus <home>/categories.yaml), read once a process."""
    key = str(home)
    if key not in _TAXONOMIES:
        _TAXONOMIES[key] = load_taxonomy(home)
    return _TAXONOMIES[key]


def categories(store: Store, home: Path | None) -> list[dict[str, Any]]:
    """[{name, description, count}] for every category with at least one article."""
    counts = store.labels.category_counts()
    known = taxonomy(home)
    out: list[dict[str, Any]] = [
        {"name": c.name, "description": c.description, "count": counts[c.name]}
        for c in known.categories
        if counts.get(c.name)
    ]
    out += [
        {"name": name, "description": "", "count": count}
        for name, count in sorted(counts.items())
        if known.get(name) is None and count
    ]
    left = store.labels.uncategorized_count()
    if left:
        out.append(
            {
                "name": UNCATEGORIZED,
                "description": "Articles not filed under a category yet.",
                "count": left,
            }
        )
    out.sort(key=lambda c: -int(c["count"]))
    return out


def require_category(store: Store, home: Path | None, name: str) -> str:
    """`name` when it is a category of the taxonomy or of some article; NotFound otherwise."""
    known = name == UNCATEGORIZED or name in taxonomy(home).names
    if not known and not store.labels.has_category(name):
        raise NotFound(f"no category named {name!r}")
    return name


def require_technology(store: Store, home: Path | None, name: str) -> str:
    """The tag `name` stands for (aliases folded); NotFound when no article has it."""
    entry = load_technologies(home).lookup(name)
    tag = str(entry.name) if entry is not None else name
    if not store.labels.tag_count(tag):
        if tag == name or not store.labels.tag_count(name):
            raise NotFound(f"no technology named {name!r}")
        tag = name
    return tag


def technologies(store: Store, limit: int) -> list[dict[str, Any]]:
    return [{"name": n, "count": c} for n, c in store.labels.tag_counts()[:limit]]


def technology(store: Store, home: Path | None, name: str) -> dict[str, Any]:
    count = store.labels.tag_count(name)
    if not count:
        raise NotFound(f"no technology named {name!r}")
    related = [{"name": n, "count": c} for n, c in store.labels.co_tags(name)]
    entry = load_technologies(home).by_name.get(name)
    return {
        "name": name,
        "count": count,
        "related": related,
        "kind": entry.kind if entry else "",
        "category": entry.category if entry else "",
    }


def category_months(store: Store) -> dict[str, list[tuple[str, int]]]:
    """category -> [(YYYY-MM, count)] for the chart of articles per category over time."""
    out: dict[str, list[tuple[str, int]]] = {}
    for category, month, count in store.labels.category_months():
        out.setdefault(category or UNCATEGORIZED, []).append((month, count))
    return out


def rising_technologies(store: Store, limit: int = 8) -> dict[str, list[tuple[str, int]]]:
    """tag -> [(YYYY-MM, count)] for the tags whose recent share grew most.

    "Recent" is the last 12 months with articles; growth compares a tag's count there with
    its count in the 12 months before, so a tag new to the library ranks by its recent count.
    """
    rows = store.labels.tag_months()
    months = sorted({m for _, m, _ in rows})
    if not months:
        return {}
    recent, before = set(months[-12:]), set(months[-24:-12])
    series: dict[str, list[tuple[str, int]]] = {}
    score: dict[str, float] = {}
    for tag, month, count in rows:
        series.setdefault(tag, []).append((month, count))
        if month in recent:
            score[tag] = score.get(tag, 0.0) + count
        elif month in before:
            score[tag] = score.get(tag, 0.0) - count
    top = sorted((t for t in score if score[t] > 0), key=lambda t: (-score[t], t))[:limit]
    return {t: series[t] for t in top}
