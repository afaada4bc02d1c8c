"""Article vectors held in memory for exact nearest-neighbour search, in step with SQLite.

Why not a vector index inside SQLite: sqlite-vec's exact scan of 100,960 float vectors took
about 140 ms a query on this 2-core machine, and its binary-quantised scan about 200 ms
for the 1,000 candidates re-scoring needs (bench/search.py, docs/benchmarks.md), while one
matrix-vector product over the same vectors in memory takes about 20 ms and is exact.

The stored vectors stay the truth: table `vectors` (migration 0002). Triggers append the
article id of every added, replaced or removed article vector to `vector_changes` in the
same transaction (migration 0210), so each process that holds an index asks one indexed
question per query ("any change after the last one I applied?") and re-reads only the
articles that changed. Loading is a sequential read of the article vectors (about a second
at 100,000 articles), once per process and database file.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

DIMENSIONS = 384
# Removed rows are kept as zero vectors (they can never be nearest) until they are this
# share of the matrix; then the matrix is compacted.
COMPACT_SHARE = 0.2


class VectorIndex:
    """Unit-length article vectors as one float32 matrix, with an id per row."""

    def __init__(self) -> None:
        # (ids, matrix, row of each id), replaced as one tuple so that a query running
        # while another thread applies changes always sees three parts that agree.
        self.rows: tuple[np.ndarray, np.ndarray, dict[int, int]] = (
            np.zeros(0, dtype=np.int64),
            np.zeros((0, DIMENSIONS), dtype=np.float32),
            {},
        )
        self.applied = -1  # the last vector_changes.seq reflected here; -1: nothing loaded
        self.removed = 0
        self.lock = threading.Lock()

    @property
    def ids(self) -> np.ndarray:
        return self.rows[0]

    @property
    def matrix(self) -> np.ndarray:
        return self.rows[1]

    @property
    def row_of(self) -> dict[int, int]:
        return self.rows[2]

    def __len__(self) -> int:
        return len(self.row_of)

    # ---- keeping in step -------------------------------------------------------------------

    def sync(self, conn: Any, latest: int) -> None:
        """Apply every change up to `latest` (a full load the first time)."""
        if latest == self.applied:
            return
        with self.lock:
            if self.applied < 0 or latest < self.applied:
                self._load(conn, latest)
            elif latest > self.applied:
                self._apply(conn, latest)

    def _load(self, conn: Any, latest: int) -> None:
        """Read every article vector straight into a preallocated matrix (no second copy)."""
        where = f"kind = 'article' AND dimensions = {DIMENSIONS}"
        count = int(conn.execute(f"SELECT count(*) FROM vectors WHERE {where}").fetchone()[0])
        ids = np.zeros(count, dtype=np.int64)
        matrix = np.zeros((count, DIMENSIONS), dtype=np.float32)
        n = 0
        for article_id, blob in conn.execute(
            f"SELECT article_id, vector FROM vectors WHERE {where} ORDER BY article_id"
        ):
            if n == count:  # a writer added one since the count; the log brings it later
                break
            ids[n] = article_id
            matrix[n] = np.frombuffer(blob, dtype="<f4")
            n += 1
        ids, matrix = ids[:n], matrix[:n]
        self.rows = (ids, matrix, {int(a): row for row, a in enumerate(ids)})
        self.removed = 0
        self.applied = latest

    def _apply(self, conn: Any, latest: int) -> None:
        changed = [
            int(r[0])
            for r in conn.execute(
                "SELECT DISTINCT article_id FROM vector_changes WHERE seq > ? AND seq <= ?",
                (self.applied, latest),
            )
        ]
        current = _article_vectors(conn, changed)
        ids, matrix, row_of = self.ids, self.matrix, dict(self.row_of)
        added_ids, added_rows = [], []
        for article_id in changed:
            row = row_of.get(article_id)
            vector = current.get(article_id)
            if row is not None and vector is not None:
                matrix[row] = vector  # in place: a reader sees the old or the new vector
            elif row is not None:
                matrix[row] = 0.0
                ids[row] = -1  # in place: readers skip negative ids
                del row_of[article_id]
                self.removed += 1
            elif vector is not None:
                added_ids.append(article_id)
                added_rows.append(vector)
        if added_ids:
            start = len(ids)
            ids = np.concatenate([ids, np.array(added_ids, dtype=np.int64)])
            matrix = np.vstack([matrix, np.vstack(added_rows)])
            for n, article_id in enumerate(added_ids):
                row_of[article_id] = start + n
        if self.removed > COMPACT_SHARE * max(1, len(ids)):
            keep = ids >= 0
            ids, matrix = ids[keep], matrix[keep]
            row_of = {int(a): n for n, a in enumerate(ids)}
            self.removed = 0
        self.rows = (ids, matrix, row_of)
        self.applied = latest

    # ---- queries ---------------------------------------------------------------------------

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(article id, cosine similarity) of the k nearest articles, best first."""
        ids, matrix, row_of = self.rows  # one consistent snapshot even if a sync swaps it
        if not row_of or k <= 0:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.lexsort((ids[top], -scores[top]))]
        return [(int(ids[n]), float(scores[n])) for n in top if ids[n] >= 0]

    def similarities(self, vector: np.ndarray, article_ids: list[int]) -> list[tuple[int, float]]:
        """Exact cosine similarity of the given articles (those that have a vector)."""
        _, matrix, row_of = self.rows
        rows = [(a, row_of[a]) for a in article_ids if a in row_of]
        if not rows:
            return []
        scores = matrix[[r for _, r in rows]] @ np.asarray(vector, dtype=np.float32)
        return [(a, float(s)) for (a, _), s in zip(rows, scores, strict=True)]


def _article_vectors(conn: Any, article_ids: list[int]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for article_id, blob in conn.execute(
            "SELECT article_id, vector FROM vectors WHERE kind = 'article'"
            f" AND dimensions = {DIMENSIONS} AND article_id IN ({marks})",
            chunk,
        ):
            out[int(article_id)] = np.frombuffer(blob, dtype="<f4")
    return out


_INDEXES: dict[str, VectorIndex] = {}
_INDEXES_LOCK = threading.Lock()


def vector_index(conn: Any, reload: bool = False) -> VectorIndex:
    """This process's index for the connection's library, brought up to date."""
    token, latest = conn.execute(
        "SELECT (SELECT token FROM vector_index_identity),"
        " (SELECT coalesce(max(seq), 0) FROM vector_changes)"
    ).fetchone()
    with _INDEXES_LOCK:
        if reload:
            _INDEXES.pop(str(token), None)
        index = _INDEXES.setdefault(str(token), VectorIndex())
    index.sync(conn, int(latest))
    return index
