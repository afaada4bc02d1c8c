"""Strict JSON Lines reading for batch inputs: a bad line fails naming the file and line.

Shared by every command that takes a JSON Lines batch (classification inputs, labelled
examples), each choosing the error class its caller reports. `distill import` reads its
files leniently instead (sources.jsonl_sources): there one bad line must not stop the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import DistillError


def read_records(
    path: Path, error: type[DistillError], expected: str
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, "FILE:LINE", object) for each non-blank line; `expected` names the shape."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: not valid JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise error(f"{where}: expected {expected}")
        yield number, where, record
