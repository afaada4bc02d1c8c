"""Technical specifications: sentences with concrete figures, and the most telling code.

Code is shown byte for byte with its language, so the choice matters: a short block that
uses the names the prose talks about illustrates the article; a 200-line listing, a
shell transcript's output or a licence header does not.
"""

from __future__ import annotations

import re

from ..models import Line, Span
from . import cues
from .sections import STRONG_CUE, Context

# Figure sentences shown at most, and the figures a sentence needs to count.
MAX_FIGURE_SENTENCES = 5
# Code blocks: shown at most (more for long, code-heavy articles), and the line counts
# that make an example readable in a summary.
MAX_CODE_BLOCKS, MAX_CODE_BLOCKS_LONG = 1, 2
LONG_ARTICLE_WORDS = 1000
CODE_MIN_LINES, CODE_IDEAL_LINES, CODE_MAX_LINES = 2, 15, 30
# Code sharing more than this share of its lines with a block already shown is a variant.
SAME_CODE_SHARE = 0.5
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_SYNTAX = re.compile(r"[(){}\[\];=<>:]")
# A shell or REPL prompt, and lines that only a program prints (digests, log levels,
# ASCII table borders, "key: value" status lines of a tool).
_PROMPT = re.compile(r"^\s*(?:[$%>]|\w+(?: \w+)?>|\(\w+\))\s+\S")
_OUTPUT_LINE = re.compile(
    r"\b[0-9a-f]{24,}\b|^\s*\[(?:INFO|WARN|WARNING|ERROR|DEBUG)\]|^\s*[+|][-+=|]{8,}"
    r"|^\s*(?:info|warning|error|note):\s|^\s*(?:File|Type|Time|Showing nodes)\b.*:"
    # a log line's timestamp: "2023/08/23 03:55:51 Serving on port 8080..."
    r"|^\s*\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d"
)
_ABOUT_OUTPUT = re.compile(r"\b(?:output|logs?|logging|reports?|transcripts?)\b", re.I)
# Enough to drop a transcript below every real code block (values run about -1 to 2).
TRANSCRIPT_PENALTY = 2.5


FIGURE_MIN_QUALITY = -0.4


def figure_sentences(ctx: Context, budget: int) -> list[Line]:
    scored: list[tuple[float, int]] = []
    for unit in ctx.units:
        count = cues.figures(unit.text)
        # a label or a table cell ("HIGH for 0.5 < Ratio ≤ 1.", "Dependency insights in
        # pkg.go.dev (e.g., ...)"): short or unterminated, and a list entry
        if count == 0 or ctx.quality[unit.index] <= FIGURE_MIN_QUALITY:
            continue
        if ctx.takeaway[unit.index] >= STRONG_CUE:
            continue  # "We highly recommend all users to upgrade to 1.5.4": a takeaway
        value = min(count, 3) + 0.8 * float(ctx.scores.centrality[unit.index])
        value += float(ctx.quality[unit.index])
        scored.append((value, unit.index))
    chosen: list[int] = []
    spent = 0
    for _, i in sorted(scored, reverse=True):
        if len(chosen) >= MAX_FIGURE_SENTENCES:
            break
        cost = ctx.units[i].word_count
        if chosen and spent + cost > budget:
            continue
        if ctx.novel(i, chosen):
            chosen.append(i)
            spent += cost
    return ctx.take(chosen)


def _code_value(
    text: str, language: str, prose_words: set[str], output_is_the_subject: bool = False
) -> float:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < CODE_MIN_LINES and not language:
        return -1.0
    value = 1.0 if language and language not in ("text", "plain", "console", "output") else 0.0
    if len(lines) > CODE_MAX_LINES:
        value -= 1.0 + (len(lines) - CODE_MAX_LINES) / CODE_MAX_LINES
    value -= abs(len(lines) - CODE_IDEAL_LINES) / (3 * CODE_IDEAL_LINES)
    if not _SYNTAX.search(text):
        value -= 0.7  # program output or a list of names, not code
    idents = {m.lower() for m in _IDENT.findall(text)}
    if idents:
        value += min(1.0, 3 * len(idents & prose_words) / len(idents))
    if "license" in text.lower() or "copyright" in text.lower():
        value -= 1.5
    if is_transcript(lines) and not output_is_the_subject:
        value -= TRANSCRIPT_PENALTY
    return value


def is_transcript(lines: list[str]) -> bool:
    """A terminal session or a log: prompts followed mostly by what the command printed
    (`$ md5sum *.go` and its hashes, `> rustup --version` and its output), or output
    alone (hash digests, `[INFO]` lines, table borders). The command that shows how to
    do something stays; the noise it printed does not illustrate the idea."""
    prompts = sum(1 for ln in lines if _PROMPT.match(ln))
    noise = sum(1 for ln in lines if _OUTPUT_LINE.search(ln))
    if prompts and len(lines) - prompts >= prompts:
        return True
    if prompts and noise and prompts + noise >= len(lines):
        return True  # commands and what they logged, nothing else
    return noise * 2 >= len(lines)


def code_examples(ctx: Context) -> list[Line]:
    doc = ctx.doc
    blocks = doc.blocks[: ctx.sentences.last_block + 1]
    prose_words: set[str] = set()
    for block in blocks:
        if block.kind != "code":
            prose_words.update(w.lower() for w in _IDENT.findall(block.text))
    # An article about a tool's output (a profiler report, a log format) may show it.
    about_output = bool(_ABOUT_OUTPUT.search(doc.title))
    candidates = [
        (_code_value(b.text, b.language, prose_words, about_output), i)
        for i, b in enumerate(blocks)
        if b.kind == "code" and b.text.strip()
    ]
    limit = MAX_CODE_BLOCKS_LONG if doc.word_count >= LONG_ARTICLE_WORDS else MAX_CODE_BLOCKS
    best = sorted((c for c in candidates if c[0] > 0), reverse=True)[: 2 * limit]
    shown: list[set[str]] = []
    lines: list[Line] = []
    for _, i in sorted(best, key=lambda c: c[1]):
        block = doc.blocks[i]
        rows = {r.strip() for r in block.text.split("\n") if r.strip()}
        if any(len(rows & other) > SAME_CODE_SHARE * min(len(rows), len(other)) for other in shown):
            continue  # a variant of a block already shown (before/after pairs)
        shown.append(rows)
        if len(lines) == limit:
            break
        lines.append(
            Line(
                block.text,
                kind="code",
                source=[Span(i, 0, len(block.text))],
                language=block.language,
            )
        )
    return lines
