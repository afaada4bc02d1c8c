"""Extraction in a child process that can really be stopped: time and memory bounded.

Parsing and extracting an article is pure Python and C (lxml, trafilatura, markdown-it):
no thread can interrupt it, and one hostile page (a million tiny paragraphs) kept
trafilatura busy for minutes while holding a web handler or a worker thread. So each
extraction runs in a child process that is killed when it passes `extract_timeout`, with
its address space capped at `extract_memory_mb`; the caller gets an InputError naming the
limit, and the next extraction gets a fresh child.

Children are kept idle between calls (a pool of at most MAX_IDLE) so an import of many
files pays the start once. A single-threaded caller (the CLI) forks, which is instant and
shares what is already imported; a threaded one (server, worker) starts children from a
forkserver, because forking a threaded process can copy a lock some other thread holds.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ..config import Settings
from ..errors import DistillError, ExtractLimit, InputError
from ..lifeline import die_with_parent, parent_gone

T = TypeVar("T")

# Idle children kept for reuse: one per worker thread or web handler is plenty.
MAX_IDLE = 4
# How often an idle child checks that its parent still exists.
PARENT_CHECK_S = 1.0

_idle: list[_Child] = []
_all: set[_Child] = set()
_lock = threading.Lock()


def _serve(conn: Connection, parent_pid: int, memory_bytes: int) -> None:
    """The child's loop: run each (function, args) sent, answer ("ok"|"err", value).

    The child ends when the process that forked it is gone: `parent_pid` when the caller
    forked it, or (parent_pid 0) the forkserver a threaded caller starts children from,
    which ends with the caller. Taking the forkserver for a dead caller ended every idle
    child after PARENT_CHECK_S, and a call handed to it just then failed.
    """
    die_with_parent()
    # What the child inherited stays as it is: the collector skips it rather than walk
    # the parent's heap (and copy its pages) on every full collection.
    gc.freeze()
    started_by = parent_pid or os.getppid()
    if memory_bytes > 0:
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            if not conn.poll(PARENT_CHECK_S):
                if parent_gone(started_by):
                    return
                continue
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except DistillError as exc:
            answer = ("err", exc)
        except MemoryError:
            answer = ("memory", None)
        except RecursionError:
            answer = ("err", InputError("input is nested too deeply to extract"))
        except Exception as exc:  # noqa: BLE001 - a parser bug is this input's failure
            answer = ("err", InputError(f"extraction failed: {type(exc).__name__}: {exc}"))
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


class _Child:
    def __init__(self, memory_bytes: int) -> None:
        single = threading.active_count() == 1
        ctx: Any = multiprocessing.get_context("fork" if single else "forkserver")
        if not single:
            ctx.set_forkserver_preload(
                ["distill.ingest.extract", "distill.ingest.contain", "trafilatura"]
            )
        self.conn, child_end = ctx.Pipe()
        self.process: multiprocessing.process.BaseProcess = ctx.Process(
            target=_serve,
            args=(child_end, os.getpid() if single else 0, memory_bytes),
            name="distill-extract",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.memory_bytes = memory_bytes
        with _lock:
            _all.add(self)

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float, what: str) -> T:
        self.conn.send((fn, args))
        if not self.conn.poll(timeout):
            self.close()
            raise ExtractLimit(
                f"{what}: extraction took longer than {timeout:g}s (extract_timeout); stopped"
            )
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            self.close()
            code = self.process.exitcode
            raise ExtractLimit(
                f"{what}: extraction process died (exit code {code}), most likely over the "
                f"memory limit of {self.memory_bytes // 2**20} MB (extract_memory_mb)"
            ) from None
        if kind == "memory":
            self.close()
            raise ExtractLimit(
                f"{what}: extraction needed more than the memory limit of "
                f"{self.memory_bytes // 2**20} MB (extract_memory_mb); stopped"
            )
        if kind == "err":
            raise value
        result: T = value
        return result

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        with _lock:
            _all.discard(self)


def prestart(settings: Settings) -> None:
    """Start an idle extraction child now, if the next extraction will need one.

    A single-threaded caller about to start a thread calls this first, so the child is
    forked while the process is still single-threaded (instant, and it shares what is
    already imported) rather than started from a forkserver once threads exist.
    """
    if float(settings.extract_timeout) <= 0:
        return
    memory = _memory_bytes(settings)
    with _lock:
        if any(c.memory_bytes == memory and c.alive for c in _idle):
            return
    child = _Child(memory)
    with _lock:
        _idle.append(child)


def _memory_bytes(settings: Settings) -> int:
    return int(settings.extract_memory_mb) * 2**20


def run_contained(settings: Settings, fn: Callable[..., T], *args: Any, what: str = "") -> T:
    """fn(*args) in an extraction child within the extract_* limits; inline when
    extract_timeout is 0. `fn` must be a module-level function (it is sent by name)."""
    timeout = float(settings.extract_timeout)
    if timeout <= 0:
        return fn(*args)
    memory = _memory_bytes(settings)
    with _lock:
        child = next((c for c in _idle if c.memory_bytes == memory), None)
        if child is not None:
            _idle.remove(child)
    if child is None or not child.alive:
        child = _Child(memory)
    try:
        return child.call(fn, args, timeout, what or getattr(fn, "__name__", "extract"))
    finally:
        if child.alive:
            with _lock:
                keep = len(_idle) < MAX_IDLE
                if keep:
                    _idle.append(child)
            if not keep:
                child.close()


def stop_all() -> None:
    """Close every extraction child (tests call this before checking for leftovers)."""
    with _lock:
        children = list(_all)
        _idle.clear()
    for child in children:
        child.close()
