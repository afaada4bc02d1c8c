"""SQL for summary bookkeeping: which backend and version produced each stored summary.

`distill resummarize` reads this to skip articles whose summary is already current, which
is what makes an interrupted batch resumable without re-reading every article's blocks.
"""

from __future__ import annotations

from typing import Any


def summary_versions(conn: Any) -> dict[int, tuple[str, str]]:
    """article id -> (backend, version) for every article; ("", "") when it has none."""
    rows = conn.execute(
        "SELECT a.id, coalesce(s.backend, ''), coalesce(s.version, '')"
        " FROM articles a LEFT JOIN summaries s ON s.article_id = a.id ORDER BY a.id"
    )
    return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}
