"""A child process that must not outlive its parent (the server's worker, extraction
children), and a process that stops cleanly on SIGTERM however many arrive.

On Linux the kernel can signal a child when its parent dies (prctl PR_SET_PDEATHSIG), which
covers SIGKILL and OOM kills of the parent that no handler in the parent ever sees. The
signal is tied to the thread that forked the child, and a parent may already be gone when
the child sets it up, so the child also compares its parent id against the one it was
started by (`parent_gone`), which works on any POSIX system.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send `sig` to this process when its parent exits (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def parent_gone(parent_pid: int) -> bool:
    """True once the process that started us has exited (we were re-parented)."""
    return os.getppid() != parent_pid


@contextlib.contextmanager
def stop_on_signals(
    stop: Callable[[], None], signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)
) -> Iterator[None]:
    """Call `stop` once when one of `signals` arrives, from a helper thread, never from the
    handler itself.

    Python runs a handler in the main thread between two bytecodes, which may be inside a
    lock the main thread holds: `threading.Event.set()` called from a handler deadlocks when
    the signal lands while the main thread is inside that event's `wait()` or `set()` (a
    second SIGTERM during the first handler does it: systemd signals the whole group and the
    server signals its worker too). The handler here only writes a byte to a pipe, which
    takes no lock; the relay thread reads it and calls `stop`. Outside the main thread
    (where handlers cannot be installed) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_fd, write_fd = os.pipe()

    def relay() -> None:
        if os.read(read_fd, 1):  # b"" means the block ended without a signal
            stop()

    def on_signal(_sig: int, _frame: object) -> None:
        with contextlib.suppress(OSError):  # a full pipe already carries the news
            os.write(write_fd, b"!")

    thread = threading.Thread(target=relay, name="distill-stop-relay", daemon=True)
    thread.start()
    previous = {sig: signal.signal(sig, on_signal) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.close(write_fd)  # the relay reads end-of-file (or the byte already written)
        thread.join()
        os.close(read_fd)
