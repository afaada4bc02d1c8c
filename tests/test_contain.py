"""Extraction children in a threaded process (a worker, a web server) stay alive while idle.

A threaded caller starts its children from a forkserver, so a child's parent is the
forkserver, not the caller. A child that took that for "my caller is gone" ended after a
second idle, and a job handed to it at that moment failed with "extraction process died
(exit code 0)" (seen in the four-worker kill test: one article failed five times).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from distill.ingest.contain import PARENT_CHECK_S

SCRIPT = f"""
import threading, time
from pathlib import Path
from distill.config import load_settings
from distill.ingest.contain import _idle, run_contained, stop_all
from distill.ingest.extract import lxml_text

threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # a threaded caller
settings = load_settings(Path({{home!r}}))
assert run_contained(settings, lxml_text, "<p>one</p>") == "one"
(child,) = _idle
time.sleep({PARENT_CHECK_S * 3})  # idle for three of the child's checks
print(child.alive, flush=True)
assert run_contained(settings, lxml_text, "<p>two</p>") == "two"
print(_idle == [child], flush=True)
stop_all()
"""


def test_an_idle_child_of_a_threaded_caller_stays_and_is_reused(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(home=str(tmp_path))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]  # alive after idling, then reused
