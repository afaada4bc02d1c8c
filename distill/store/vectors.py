"""SQL for stored embeddings (table `vectors`, migration 0002)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..embed import DocumentVectors


def write_vectors(conn: Any, article_id: int, vectors: DocumentVectors, model: str) -> None:
    """Replace an article's vectors; call inside the article's transaction."""
    conn.execute("DELETE FROM vectors WHERE article_id = ?", (article_id,))
    rows = [
        (
            article_id,
            "article",
            0,
            "",
            0,
            model,
            len(vectors.article),
            vectors.article.astype("<f4").tobytes(),
        )
    ]
    for ordinal, (heading, block, vector) in enumerate(vectors.sections, start=1):
        rows.append(
            (
                article_id,
                "section",
                ordinal,
                heading,
                block,
                model,
                len(vector),
                vector.astype("<f4").tobytes(),
            )
        )
    conn.executemany(
        "INSERT INTO vectors (article_id, kind, ordinal, heading, block, model, dimensions,"
        " vector) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )


def article_vector(conn: Any, article_id: int) -> np.ndarray | None:
    row = conn.execute(
        "SELECT vector FROM vectors WHERE article_id = ? AND kind = 'article'", (article_id,)
    ).fetchone()
    return np.frombuffer(row[0], dtype="<f4") if row else None
