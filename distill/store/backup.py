"""`distill backup` and `distill restore`: the whole library file, copied exactly.

A backup is SQLite's online backup API from the live library to a new file (a consistent
snapshot even while a worker writes), then checked: `PRAGMA integrity_check` on the copy
and a row count per table, written with the file's SHA-256 to `<backup>.manifest.json`.
A restore checks the backup the same way (integrity, hash and counts against the
manifest), copies it over the library with the same API, runs any newer migrations, and
compares the counts again, so what it reports restored is what the backup held.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import sqlean

from ..errors import InputError
from .sqlite import DB_NAME, open_store

MANIFEST_SUFFIX = ".manifest.json"
# Pages copied per step of the backup API: small steps let a writer in between them on a
# large library instead of waiting for the whole copy.
PAGES_PER_STEP = 4096


def table_counts(conn: Any) -> dict[str, int]:
    """Rows in every ordinary table (virtual tables are derived and skipped)."""
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _integrity(conn: Any, what: str) -> None:
    result = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise InputError(f"{what}: integrity check failed: {'; '.join(result[:5])}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise InputError(f"{what}: {len(broken)} rows point at rows that do not exist")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(home: Path, out: Path, force: bool = False) -> dict[str, Any]:
    if out.exists() and not force:
        raise InputError(f"{out}: file exists; use --force to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.unlink(missing_ok=True)
    store = open_store(home)
    try:
        target = sqlean.connect(str(tmp), isolation_level=None)
        try:
            store.conn.backup(target, pages=PAGES_PER_STEP)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            _integrity(target, str(out))
            counts = table_counts(target)
        finally:
            target.close()
    finally:
        store.close()
    tmp.replace(out)
    manifest = {
        "file": out.name,
        "sha256": _sha256(out),
        "bytes": out.stat().st_size,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tables": counts,
    }
    manifest_path(out).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return {"backup": str(out), "manifest": str(manifest_path(out)), **manifest}


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def verify(backup_file: Path) -> dict[str, Any]:
    """Check a backup file: integrity, and hash and counts against its manifest."""
    if not backup_file.is_file():
        raise InputError(f"{backup_file}: no such backup file")
    mpath = manifest_path(backup_file)
    if not mpath.is_file():
        raise InputError(f"{backup_file}: its manifest {mpath.name} is missing")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{mpath}: not valid JSON ({exc})") from None
    if _sha256(backup_file) != manifest.get("sha256"):
        raise InputError(f"{backup_file}: contents differ from its manifest (changed or cut)")
    conn = sqlean.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        try:
            _integrity(conn, str(backup_file))
            counts = table_counts(conn)
        except sqlean.DatabaseError as exc:
            raise InputError(f"{backup_file}: not a readable SQLite file ({exc})") from None
    finally:
        conn.close()
    if counts != manifest.get("tables"):
        raise InputError(f"{backup_file}: row counts differ from its manifest")
    return manifest


def restore(home: Path, backup_file: Path, force: bool = False) -> dict[str, Any]:
    """Replace the library at `home` with the backup; refuses a non-empty library unless
    `force`. Returns the manifest and the counts found after the restore."""
    manifest = verify(backup_file)
    store = open_store(home)
    try:
        articles = int(store.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        if articles and not force:
            raise InputError(
                f"{home / DB_NAME}: the library has {articles} articles; use --force to"
                " replace it with the backup"
            )
        source = sqlean.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            source.backup(store.conn, pages=PAGES_PER_STEP)
        finally:
            source.close()
    finally:
        store.close()
    store = open_store(home)  # newer migrations, if the backup came from an older Distill
    try:
        _integrity(store.conn, str(home / DB_NAME))
        after = table_counts(store.conn)
    finally:
        store.close()
    changed = {
        name: (count, after.get(name))
        for name, count in manifest["tables"].items()
        if name != "schema_migrations" and after.get(name) != count
    }
    if changed:
        raise InputError(f"restore did not bring back every row: {changed}")
    return {"restored": str(backup_file), "tables": after, "articles": after.get("articles", 0)}
