"""Command line: parse arguments, call one library function, print text or --json.

Each command group lives in its own module and registers on `main` when imported; the
root group (root.py) imports a module only when its command runs, so a command's start-up
does not pay for the others. Logic stays in the library so the web pages and the API can
call the same functions.
"""

from __future__ import annotations

from .root import load_commands, main

__all__ = ["load_commands", "main"]
