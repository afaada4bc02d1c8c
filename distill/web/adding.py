"""Adds from the web (POST /v1/articles, the Add form) run off the page handlers' threads.

An add fetches a URL and extracts it: seconds, or up to total_timeout for a slow server.
On the shared handler threads (web_threads, 4 by default) four slow adds used to stall
every page. Here they run on their own small pool: at most INGEST_HANDLERS at once, the
rest wait in line without holding a thread, and pages keep all of theirs. Each add is
bounded anyway (fetch deadline, extraction child with extract_timeout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

# Adds running at once per server process: fetching overlaps, and more than two extracting
# and embedding at once on a small machine would only slow the pages down.
INGEST_HANDLERS = 2

_limiter: anyio.CapacityLimiter | None = None


async def off_page_threads(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on the adds' own threads (at most INGEST_HANDLERS at once)."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(INGEST_HANDLERS)
    return await anyio.to_thread.run_sync(fn, *args, limiter=_limiter)
