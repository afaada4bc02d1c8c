"""Command line: parse arguments, call one library function, print text or --json.

Each command group lives in its own module and registers on `main` when imported; logic
stays in the library so the web pages and the API can call the same functions.
"""

from __future__ import annotations

from . import library, summaries  # noqa: F401  (each registers its commands)
from .root import main

__all__ = ["main"]
