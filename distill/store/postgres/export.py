"""Export and import on PostgreSQL: the shared row statements (store/export_rows.py), with
what differs from SQLite named here.

- Columns come from `information_schema` (SQLite: `PRAGMA table_info`); the pgvector
  column `vectors.embedding` is derived and not exported, so an export reads the same on
  both engines.
- Rows of one article's table are read in the order they are stored, `ctid` (SQLite:
  `rowid`); a freshly imported table keeps the export's order, so an export of an import
  gives the same file.
- A row that replaces one with the same key (tag merges) is an upsert on the table's
  primary key (SQLite: `INSERT OR REPLACE`).
- Rows come in with their ids, so afterwards the identity sequences are moved past them and
  the pgvector column is filled from the imported bytes (the store's `after_copy`).
"""

from __future__ import annotations

from ..export_rows import ExportStore


class PostgresExportStore(ExportStore):
    ROW_ORDER = "ctid"
    # pgvector's copy of an article vector: made from the exported bytes after an import.
    DERIVED = {"vectors": ("embedding",)}

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [str(r[0]) for r in rows]

    def insert_sql(self, table: str, names: list[str], replace: bool) -> str:
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        if replace:
            updates = ", ".join(f"{n} = excluded.{n}" for n in names)
            sql += f" ON CONFLICT ON CONSTRAINT {table}_pkey DO UPDATE SET {updates}"
        return sql
