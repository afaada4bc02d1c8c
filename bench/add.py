"""One `distill add` from the command line, as a person waits for it: wall, CPU, memory.

Usage: .venv/bin/python bench/add.py [--corpus ../shared/corpus] [--rounds 3]
                                     [--repo PATH ...]

Each file is added by a fresh `python -m distill --home H add FILE` process to a copy of a
library that already holds one article (so its schema, classifier and cached category
vectors exist, as in a library in use), the copy thrown away after each run so nothing is
a duplicate. Files: four of the `examples/` posts (Markdown, 500-900 words) and two Flink
blog pages from the corpus (HTML: an ordinary one and a long, code-heavy one).

With several --repo checkouts (say the commit before a change in a git worktree, and this
one), the versions take turns file by file, round by round, so a machine that gets busier
during the run slows all of them alike. Prints the median of the rounds per file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = [
    "caching-strategies.md",
    "database-sharding.md",
    "dns-fundamentals.md",
    "kafka-event-streaming.md",
]
FLINK_PAGES = [
    "2019/03/11/flink-and-prometheus-cloud-native-monitoring-of-streaming-applications",
    "2019/11/25/how-to-query-pulsar-streams-using-apache-flink",
]


def _run(repo: Path, home: Path, *args: str) -> tuple[float, float, int]:
    """Wall s, CPU s (user+sys, its extraction child included) and max RSS in MB of one
    command, from the kernel's accounting of that process alone (wait4)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "distill", "--home", str(home), *args],
            cwd=repo,
            env={**os.environ, "PYTHONPATH": str(repo)},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            text = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{repo}: distill {' '.join(args)} failed:\n{text}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repo", type=Path, action="append", default=[])
    args = parser.parse_args()
    repos = [r.resolve() for r in args.repo] or [REPO]
    files = [REPO / "examples" / name for name in EXAMPLES]
    files += [args.corpus / "flink-blog" / "content" / p / "index.html" for p in FLINK_PAGES]
    with tempfile.TemporaryDirectory(prefix="distill-bench-add-") as tmp:
        seeds = {}
        for n, repo in enumerate(repos):
            seeds[repo] = Path(tmp) / f"seed{n}"
            _run(repo, seeds[repo], "add", str(REPO / "examples" / "rate-limiting.md"))
        runs: dict[tuple[Path, Path], list[tuple[float, float, int]]] = {}
        for _ in range(args.rounds):
            for path in files:
                for repo in repos:
                    home = Path(tmp) / "run"
                    shutil.copytree(seeds[repo], home)
                    runs.setdefault((repo, path), []).append(_run(repo, home, "add", str(path)))
                    shutil.rmtree(home)
        for repo in repos:
            for command in (["--help"], ["list"]):
                runs[(repo, Path(command[0]))] = [
                    _run(repo, seeds[repo], *command) for _ in range(args.rounds)
                ]
    print(f"load average at the end: {os.getloadavg()[0]:.2f}; median of {args.rounds} rounds")
    print("| what | " + " | ".join(f"{r.name}: wall s / CPU s / RSS MB" for r in repos) + " |")
    print("| --- |" + " ---: |" * len(repos))
    for path in [*files, Path("--help"), Path("list")]:
        cells = []
        for repo in repos:
            rows = runs[(repo, path)]
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            cells.append(f"{wall:.2f} / {cpu:.2f} / {max(r[2] for r in rows)}")
        name = path.name if path.suffix == ".md" else path.parent.name or path.name
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
