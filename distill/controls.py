"""Control characters out of stored text and out of what reaches a terminal.

Article text arrives from pages, front matter, JSON Lines and /v1. A NUL or another C0/C1
control makes our Atom feeds invalid XML (XML 1.0 forbids them), and an escape sequence
printed by `show` or `list` can retitle, recolour or rewrite a user's terminal. So ingest
removes them (keeping tab and newline, which code blocks need), and terminal output removes
them again for articles stored before that rule.
"""

from __future__ import annotations

import re

from .models import Document

# ESC-introduced sequences (CSI "ESC [ ... final", OSC "ESC ] ... BEL|ST", two-byte escapes)
# and the 8-bit CSI: removed whole, so no stray "[31m" is left behind.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 controls but tab, newline and carriage return; DEL and C1; lone surrogates (JSON can
# carry them, UTF-8 cannot); the two noncharacters XML also forbids.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """`text` without escape sequences and control characters (tab and newlines stay)."""
    if not text or not _CONTROL.search(text):
        return text  # ESC and the 8-bit CSI are controls too: no control, no sequence
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_document(doc: Document) -> Document:
    """Every text field of a Document through strip_controls, in place."""
    for name in ("title", "url", "canonical_url", "date", "site", "language", "description"):
        setattr(doc, name, strip_controls(getattr(doc, name)))
    doc.authors = [strip_controls(a) for a in doc.authors]
    doc.tags = [strip_controls(t) for t in doc.tags]
    for block in doc.blocks:
        block.text = strip_controls(block.text)
        block.language = strip_controls(block.language)
    doc.blocks = [b for b in doc.blocks if b.text.strip()]
    return doc
