"""Export and re-import speed, peak memory, and the round-trip check at library sizes.

    .venv/bin/python bench/export.py [--sizes 10000 100000] [--seed-articles 100] [--home DIR]
                                     [--work DIR] [--no-import]

The library is built as bench/web.py builds it (real pipeline for the seed posts, then SQL
copies with their summaries, vectors and labels), grown to each size in turn; a third of
the articles are marked read, one in twenty archived, one in fifty starred. At each size
`distill export --format jsonl` runs as a subprocess (wall time, peak RSS from wait4),
then at the largest size `distill import` of that file into an empty library, and every
exported table is compared between the two libraries by a SHA-256 over its rows in key
order. Prints figures; never part of the test run's pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from web import grow  # noqa: E402

from distill.store import open_store  # noqa: E402
from distill.store.export_rows import ARTICLE_TABLES  # noqa: E402
from tests.web_support import build_library  # noqa: E402

USER_TABLES = ("articles", *ARTICLE_TABLES, "feeds", "feed_entries", "tag_merges")


# The child reports its own peak: wait4's ru_maxrss would carry the parent's peak over
# (Linux keeps the high-water mark of the memory a vfork()ed child shared before exec).
_CHILD = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\npeak-kb ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "from distill.cli import main\n"
    "sys.argv = ['distill', *sys.argv[1:]]\n"
    "main()\n"
)


def run(args: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stderr tail) of one `distill` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "DISTILL_EMBED": "false"},
    )
    err_bytes = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = err_bytes.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"distill {' '.join(args)} failed: {err[-2000:]}")
    peaks = [line.split()[1] for line in err.splitlines() if line.startswith("peak-kb ")]
    peak_mb = int(peaks[-1]) / 1024 if peaks else float("nan")
    return seconds, usage.ru_utime + usage.ru_stime, peak_mb, err[-300:]


def mark_states(home: Path) -> None:
    store = open_store(home)
    conn = store.conn
    conn.execute("BEGIN")
    conn.execute("DELETE FROM reading_state")
    conn.execute(
        "INSERT INTO reading_state (article_id, state) SELECT id,"
        " CASE WHEN id % 20 = 0 THEN 'archived' ELSE 'read' END FROM articles"
        " WHERE id % 3 = 0 OR id % 20 = 0"
    )
    conn.execute(
        "INSERT OR IGNORE INTO stars (article_id) SELECT id FROM articles WHERE id % 50 = 0"
    )
    conn.execute("COMMIT")
    # Fold the write-ahead log into the file first: growing writes gigabytes of WAL, and the
    # export's process, the last to close the library, would otherwise checkpoint it all
    # inside the timed run (it did: 600 MB more peak memory and part of the time).
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def table_digests(home: Path) -> dict[str, tuple[int, str]]:
    store = open_store(home)
    out: dict[str, tuple[int, str]] = {}
    try:
        for table in USER_TABLES:
            digest = hashlib.sha256()
            rows = 0
            for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                digest.update(repr(tuple(row)).encode())
                rows += 1
            out[table] = (rows, digest.hexdigest()[:16])
    finally:
        store.close()
    return out


def count(home: Path) -> int:
    store = open_store(home)
    try:
        return int(store.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed-articles", type=int, default=100)
    parser.add_argument("--home", help="reuse a seed library folder (built if empty)")
    parser.add_argument("--work", help="reuse a work folder from an earlier run (its libraries)")
    parser.add_argument("--no-import", action="store_true", help="export figures only")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="distill-export-bench-"))
    seed = Path(args.home) if args.home else work / "seed"
    if not (seed / "library.sqlite3").exists():
        start = time.perf_counter()
        build_library(seed, args.seed_articles, embed=True)
        print(f"seed: {args.seed_articles} articles in {time.perf_counter() - start:.0f} s")
    print(
        f"{'articles':>9} {'export s':>9} {'art/s':>8} {'CPU s':>7} {'art/CPU s':>10}"
        f" {'peak MB':>8} {'file MB':>8}"
    )
    out = work / "export.jsonl"
    for size in sorted(args.sizes):
        home = work / f"library-{size}"  # grown from the seed each time (copies are numbered)
        if not (home.exists() and count(home) == size):
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(seed, home)
            start = time.perf_counter()
            grow(home, size)
            print(f"  (grown to {size:,} in {time.perf_counter() - start:.0f} s)", flush=True)
        mark_states(home)
        seconds, cpu, peak, _ = run(["--home", str(home), "export", str(out), "--force"])
        n = count(home)
        size_mb = out.stat().st_size / 1e6
        print(
            f"{n:9,d} {seconds:9.1f} {n / seconds:8,.0f} {cpu:7.1f} {n / cpu:10,.0f}"
            f" {peak:8.0f} {size_mb:8,.0f}",
            flush=True,
        )
    if args.no_import:
        return
    fresh = work / "fresh"
    seconds, cpu, peak, _ = run(["--home", str(fresh), "import", str(out)])
    n = count(fresh)
    print(
        f"\nimport of the export into an empty library: {n:,} articles in {seconds:.1f} s"
        f" ({n / seconds:,.0f} articles/s; {cpu:.1f} CPU s, {n / cpu:,.0f} per CPU s),"
        f" peak {peak:.0f} MB"
    )
    before, after = table_digests(home), table_digests(fresh)
    same = [t for t in USER_TABLES if before[t] == after[t]]
    differ = [t for t in USER_TABLES if before[t] != after[t]]
    print(f"round trip: {len(same)} of {len(USER_TABLES)} tables identical (rows, SHA-256)")
    for table in USER_TABLES:
        rows, digest = before[table]
        mark = "same" if table in same else f"DIFFERS: {after[table]}"
        print(f"  {table:20} {rows:9,d} rows {digest}  {mark}")
    if differ:
        raise SystemExit(f"round trip differs in {differ}")


if __name__ == "__main__":
    main()
