"""A child process that must not outlive its parent: the server's worker, extraction children.

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
