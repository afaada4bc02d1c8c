"""Extraction children in a threaded process (a worker, a web server) stay alive while idle.

A threaded caller starts its children from a forkserver, so a child's parent is the
forkserver, not the caller. A child that took that for "my caller is gone" ended after a
second idle, and a job handed to it at that moment failed with "extraction process died
(exit code 0)" (seen in the four-worker kill test: one article failed five times).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


PRESTART_SCRIPT = """
import sys
from pathlib import Path
from distill.config import load_settings
from distill.ingest.contain import _idle, prestart, run_contained, stop_all

def loaded(name):
    return name in sys.modules

settings = load_settings(Path({home!r}))
prestart(settings, ("json.tool",))
(child,) = _idle
print("json.tool" in sys.modules, flush=True)  # the parent did not import it
print(run_contained(settings, loaded, "json.tool"), flush=True)
print(_idle == [child], flush=True)  # the early child did the work and waits again
stop_all()
"""


def test_a_child_started_early_imports_its_modules_and_takes_the_first_call(
    tmp_path: Path,
) -> None:
    """`distill add` starts its extraction child first, so the child imports the extraction
    code (trafilatura) while the command imports the pipeline."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", PRESTART_SCRIPT.format(home=str(tmp_path))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


class ZeroEmbedder:
    """A fake embedder (named as such): vectors of zeros, so the test needs no model. The
    summary is what is checked, and it does not depend on the vectors."""

    name = "zeros"
    dimensions = 4

    def embed(self, texts: list[str]):
        import numpy as np

        return np.zeros((len(texts), self.dimensions), dtype=np.float32)


def test_the_summary_beside_the_embedding_is_the_one_computed_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With embeddings on, the extractive summary runs in the extraction child beside them:
    every line, its section and the passage it points at come back as computed here; the
    same article with the limit off (extract_timeout 0) runs in-process."""
    from distill.config import load_settings
    from distill.ingest import contain
    from distill.ingest.contain import stop_all
    from distill.ingest.pipeline import _summarize_and_embed

    stages: list[str] = []

    def counted(*args, stage="extraction", **kwargs):
        stages.append(stage)
        return contain.run_contained(*args, stage=stage, **kwargs)

    pipeline = importlib.import_module("distill.ingest.pipeline")  # distill.ingest: a function
    monkeypatch.setattr(pipeline, "run_contained", counted)
    from distill.ingest.sources import file_source
    from distill.plugins import get_summarizer

    example = Path(__file__).resolve().parents[1] / "examples" / "rate-limiting.md"
    contained = load_settings(tmp_path)
    inline = contained.replace(extract_timeout=0)
    doc = file_source(example).load(contained)
    summarizer = get_summarizer("extractive")
    try:
        in_child, vectors = _summarize_and_embed(doc, summarizer, ZeroEmbedder(), contained)  # type: ignore[arg-type]
        here, _ = _summarize_and_embed(doc, summarizer, ZeroEmbedder(), inline)  # type: ignore[arg-type]
    finally:
        stop_all()
    assert vectors is not None
    assert stages == ["summary"]  # the first in the child, the second (limit off) here
    assert in_child.sections and in_child == here
