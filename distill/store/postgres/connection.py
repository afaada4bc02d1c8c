"""One psycopg connection that reads the parts' SQL: the only place the driver is touched.

The parts (labels, feeds, jobs, web state, reading, fallbacks) are written once, in SQL both
engines read, with `?` placeholders and rows read by name or position. This wrapper lets
them run unchanged on PostgreSQL: it rewrites the few spellings that differ, once per
statement text (cached), and hands back rows that behave like SQLite's. What cannot be
rewritten mechanically is overridden in the PostgreSQL parts instead (`parts.py`).

The rewrites, all of statements written in this repository (never of user input, which only
ever arrives as a parameter):

- `?` placeholders become `%s`, and a literal `%` becomes `%%` (psycopg's escape);
- SQLite's "now as text" expression becomes `distill_now()` (migration 0001 defines it);
- `INSERT OR IGNORE INTO ...` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`;
- `BEGIN IMMEDIATE` becomes `BEGIN` (PostgreSQL locks rows, not the file, so a writer never
  needs the lock up front).

A server that cannot be reached, or a session that is lost, is reported as the library's own
`DatabaseUnavailable` (a retryable error), so callers (the worker loop, a job) need not know
the driver to wait and try again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg.rows import RowMaker

from ...errors import DatabaseUnavailable

_NOW_SQLITE = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """The statement in PostgreSQL's spelling (see the module docstring)."""
    if sql.strip().upper() == "BEGIN IMMEDIATE":
        return "BEGIN"
    sql = sql.replace(_NOW_SQLITE, "distill_now()")
    if _IGNORE.match(sql):
        sql = _IGNORE.sub("INSERT INTO", sql) + " ON CONFLICT DO NOTHING"
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, like sqlite3.Row."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no column {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _connect(url: str) -> psycopg.Connection[Row]:
    try:
        return psycopg.connect(url, autocommit=True, row_factory=_row_factory)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot reach PostgreSQL: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _row_factory(cursor: Any) -> RowMaker[Row]:
    names = tuple(d.name for d in cursor.description or ())
    cls = type("Row", (Row,), {"_names": names, "__slots__": ()})

    def make(values: Sequence[Any]) -> Row:
        return cls(values)

    return make


class _NoRows:
    """The result of a statement that had nothing to do (a ROLLBACK of a lost session)."""

    description = None
    rowcount = 0


class Cursor:
    """The cursor the parts see: fetchone/fetchall/iteration, rowcount and lastrowid."""

    def __init__(self, conn: Connection, cursor: Any) -> None:
        self._conn = conn
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def lastrowid(self) -> int:
        """The id the last INSERT into a table with an identity column took (this session)."""
        row = self._conn.checked(lambda raw: raw.execute("SELECT lastval()").fetchone())
        return int(row[0]) if row else 0

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def fetchmany(self, size: int) -> list[Any]:
        return list(self._cursor.fetchmany(size)) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """A psycopg connection in autocommit mode, speaking the parts' SQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.raw: psycopg.Connection[Row] = _connect(url)
        self._open = False  # inside BEGIN ... COMMIT/ROLLBACK
        self._closers: list[Callable[[], Any]] = []
        # What store/memo.py keys remembered values on: one per database.
        info = self.raw.info
        self.library_key = f"postgresql://{info.host}:{info.port}/{info.dbname}"

    def _live(self) -> psycopg.Connection[Row]:
        """The session, opened again if it was lost (the server restarted, the network
        dropped), but only between transactions: a transaction that lost its session failed
        with it, and its caller sees that error and rolls back (a no-op then)."""
        if self.raw.broken and not self._open:
            self.raw = _connect(self.url)
        return self.raw

    def checked(self, call: Callable[[psycopg.Connection[Row]], Any]) -> Any:
        """`call(session)`, with a lost session reported as DatabaseUnavailable (other
        errors, such as a constraint violation, pass unchanged)."""
        try:
            return call(self._live())
        except psycopg.OperationalError as exc:
            if not (self.raw.broken or self.raw.closed):
                raise  # the session is fine: a statement's own error (a lock timeout, ...)
            raise DatabaseUnavailable(
                f"lost the connection to PostgreSQL: {_first_line(exc)}"
            ) from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        statement = translate(sql)
        if statement in ("COMMIT", "ROLLBACK"):
            self._open = False
            if self.raw.broken:  # nothing of the transaction reached a commit
                if statement == "COMMIT":
                    raise DatabaseUnavailable(
                        "lost the connection to PostgreSQL before COMMIT: nothing was written"
                    )
                return Cursor(self, _NoRows())
        cursor = self.checked(lambda raw: raw.execute(statement, list(params)))
        if statement == "BEGIN":
            self._open = True
        return Cursor(self, cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor:
        statement, values = translate(sql), [list(r) for r in rows]

        def run(raw: psycopg.Connection[Row]) -> Any:
            cursor = raw.cursor()
            cursor.executemany(statement, values)
            return cursor

        return Cursor(self, self.checked(run))

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def on_close(self, call: Callable[[], Any]) -> None:
        """`call()` when this connection is closed (a second session that goes with it)."""
        self._closers.append(call)

    def close(self) -> None:
        for call in self._closers:
            call()
        self._closers.clear()
        self.raw.close()
