"""`llm`: the six sections written by any OpenAI-compatible model, then checked claim by claim.

`--summarizer llm:NAME` picks a model entry from models.toml (distill/llm/config.py). The
model writes a draft as JSON (distill/llm/schema.py); nothing of it reaches a reader
unchecked:

- every sentence is aligned to the article by the claim check (claims.py), and with the
  `claim_judge` setting also read against its passages by a model (judge.py); an
  unsupported one is dropped (or kept and flagged: the `llm_unsupported` setting), a
  supported one gets the spans of its supporting passages as provenance;
- a concept is kept only if the article names it; a code block must equal one of the
  article's code blocks byte for byte, or the closest such block replaces it;
- an article longer than the model's context is summarised section by section and the
  parts merged, never cut short.

When the model cannot give a usable answer (server down, too slow, rate-limited, garbage
twice), or none of its sentences survives the check, the library's default offline backend
summarises the article instead and the Summary records why (`Summary.fallback`).
"""

from __future__ import annotations

import difflib
import re
from itertools import zip_longest

from ..config import SETTINGS, Settings, load_settings
from ..embed import default_embedder
from ..errors import ConfigError, LLMUnavailable
from ..llm.client import chat
from ..llm.config import ModelEntry, get_model
from ..llm.schema import (
    ANSWER_TOKENS,
    LIMITS,
    SUMMARY_SCHEMA,
    SYSTEM_PROMPT,
    Draft,
    InvalidAnswer,
    parse_summary,
    repair_prompt,
    user_prompt,
)
from ..models import Document, Line, Section, Span, Summary
from ..plugins import get_summarizer
from ..text import sentence_spans
from .base import Summarizer
from .claims import Check, Verifier
from .judge import Judge, second_opinion

# Characters per token when estimating whether text fits the context; real English prose
# is about 4, code and identifiers nearer 3, so 3 errs on the side of splitting.
CHARS_PER_TOKEN = 3
# Tokens the system prompt, the instructions around the article and the chat template take.
PROMPT_TOKENS = 400
# Tokens the chat template adds around each message when estimating a prompt's length.
MESSAGE_TOKENS = 16
# A request's max_tokens keeps 1/SPARE_SHARE of the context free beyond the prompt's
# estimate, where the article part leaves more than `answer_room`.
SPARE_SHARE = 8
# A model's code block replaced by the most similar source block only when at least this
# similar (difflib ratio); below it the model's code is dropped as not from the article.
CODE_MATCH = 0.5
MAX_PARTS = 12  # an article needing more parts is summarised in MAX_PARTS larger parts


def answer_cap(entry: ModelEntry) -> int:
    """The most tokens a summary's answer is allowed: what the schema's bounds can take,
    or less when models.toml sets max_tokens."""
    return min(ANSWER_TOKENS, entry.max_tokens or ANSWER_TOKENS)


def answer_room(entry: ModelEntry) -> int:
    """Tokens every request leaves for the answer at least, however long its article part:
    the cap, but never more than a third of the context. A third is above the longest
    answers seen from small models on a full part, and splits few articles more: on the
    corpus at context 4096, 2,048 requests instead of 1,853 with a fixed 1024 (half the
    context would take 2,623)."""
    return min(answer_cap(entry), entry.context // 3)


def request_tokens(entry: ModelEntry, messages: list[dict[str, str]]) -> int:
    """One request's max_tokens: the cap, or the context its prompt leaves when that is
    less, keeping an eighth of the context spare, since the prompt's length is estimated
    (code can take more tokens than CHARS_PER_TOKEN says, and a strict server such as vLLM
    refuses a request whose prompt and max_tokens exceed the context). A long article was
    split into parts that each leave `answer_room` (a fixed 1024 cut long answers)."""
    prompt = sum(MESSAGE_TOKENS + len(m["content"]) // CHARS_PER_TOKEN for m in messages)
    left = entry.context - prompt
    with_spare = left - entry.context // SPARE_SHARE
    tokens = min(answer_cap(entry), max(with_spare, min(answer_room(entry), left)))
    return max(MESSAGE_TOKENS, tokens)


def fallback_spec(settings: Settings) -> str:
    """The backend that stands in: the library's summarizer, unless that is an LLM too."""
    spec = str(settings.summarizer)
    if spec.split(":", 1)[0] == "llm":
        spec = next(s.default for s in SETTINGS if s.name == "summarizer")
    return spec


def _block_text(doc: Document, index: int) -> str:
    block = doc.blocks[index]
    if block.kind == "code":
        return f"```{block.language}\n{block.text}\n```"
    if block.kind == "heading":
        return "#" * max(1, block.level) + " " + block.text
    return block.text


def split_parts(doc: Document, budget_chars: int) -> list[str]:
    """The article as few texts as fit the budget, split at headings, then blocks, then
    sentences; every character of the article is in exactly one part."""
    units: list[str] = []  # heading-led sections, or smaller pieces of an oversized one
    section: list[str] = []
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading" and section:
            units.append("\n\n".join(section))
            section = []
        section.append(_block_text(doc, index))
    if section:
        units.append("\n\n".join(section))
    pieces: list[str] = []
    for unit in units:
        if len(unit) <= budget_chars:
            pieces.append(unit)
            continue
        for para in unit.split("\n\n"):
            if len(para) <= budget_chars:
                pieces.append(para)
                continue
            sentences = [para[s:e] for s, e in sentence_spans(para)] or [para]
            for sentence in sentences:
                pieces.extend(
                    sentence[i : i + budget_chars] for i in range(0, len(sentence), budget_chars)
                )
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + 2 + len(piece) <= budget_chars:
            parts[-1] += "\n\n" + piece
        else:
            parts.append(piece)
    return parts


def _round_robin(lists: list[list[str]]) -> list[str]:
    return [x for group in zip_longest(*lists) for x in group if x is not None]


class LLMSummarizer(Summarizer):
    name = "llm"
    version = "1"
    needs_network = True
    extractive = False

    def __init__(self, option: str = "") -> None:
        super().__init__(option)
        self._settings: Settings | None = None

    def bind(self, settings: Settings) -> LLMSummarizer:
        """Use this library's settings (home, timeouts) rather than the environment's."""
        self._settings = settings
        return self

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def entry(self) -> ModelEntry:
        return get_model(self.settings, self.option)

    # ------------------------------------------------------------------ the public path

    def summarize(self, doc: Document) -> Summary:
        entry = self.entry()  # a configuration error is the user's to fix: raise it
        label = f"llm:{entry.name}"
        try:
            summary = super().summarize(doc)
        except LLMUnavailable as exc:
            return self._fall_back(doc, label, exc.reason, exc.retry)
        if not any(s.name != "concepts" for s in summary.sections):
            return self._fall_back(
                doc,
                label,
                "no sentence of the model's summary is supported by the article",
                retry=False,
            )
        summary.backend = label
        return summary

    def _fall_back(self, doc: Document, label: str, reason: str, retry: bool) -> Summary:
        backend = get_summarizer(fallback_spec(self.settings))
        summary = backend.summarize(doc)
        summary.fallback = {"backend": label, "reason": reason, "retry": "yes" if retry else "no"}
        return summary

    def build(self, doc: Document) -> list[Section]:
        entry = self.entry()
        room = answer_room(entry)
        budget_tokens = entry.context - room - PROMPT_TOKENS
        if budget_tokens < 200:
            raise ConfigError(
                f"model {entry.name!r}: context {entry.context} leaves no room for the article "
                f"after {room} tokens for the answer"
            )
        budget = budget_tokens * CHARS_PER_TOKEN
        parts = split_parts(doc, budget)
        if len(parts) > MAX_PARTS:
            parts = split_parts(doc, -(-sum(len(p) for p in parts) // MAX_PARTS) + 1)
        drafts = [
            self._draft(entry, doc.title, text, n + 1, len(parts)) for n, text in enumerate(parts)
        ]
        merged = Draft()
        for draft in drafts:
            merged.merge(draft)
        merged.executive_summary = _round_robin([d.executive_summary for d in drafts])
        return self._ground(doc, merged)

    # ------------------------------------------------------------------ asking the model

    def _draft(self, entry: ModelEntry, title: str, text: str, part: int, parts: int) -> Draft:
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(title, text, part, parts)},
        ]
        reply = chat(
            entry, self.settings, messages, SUMMARY_SCHEMA, request_tokens(entry, messages)
        )
        try:
            return parse_summary(reply.content, reply.finish_reason)
        except InvalidAnswer as first:
            messages += [
                {"role": "assistant", "content": reply.content[:2000]},
                {"role": "user", "content": repair_prompt(str(first))},
            ]
            again = chat(
                entry, self.settings, messages, SUMMARY_SCHEMA, request_tokens(entry, messages)
            )
            try:
                return parse_summary(again.content, again.finish_reason)
            except InvalidAnswer as second:
                raise LLMUnavailable(
                    f"{entry.name}: unusable answer twice (first: {first}; after the repair "
                    f"prompt: {second})"
                ) from second

    # ------------------------------------------------------------------ checking the draft

    def _ground(self, doc: Document, draft: Draft) -> list[Section]:
        verifier = Verifier(doc, default_embedder(), float(self.settings.verify_threshold))
        keep_flagged = str(self.settings.llm_unsupported) == "flag"
        headings = _headings_by_block(doc)
        texts: dict[str, list[tuple[str, str]]] = {
            "executive_summary": [("", t) for t in draft.executive_summary],
            "main_points": list(draft.main_points),
            "specifications": [("", t) for t in draft.specifications],
            "takeaways": [("", t) for t in draft.takeaways],
            "limitations": [("", t) for t in draft.limitations],
        }
        claims: list[tuple[str, str, str]] = []  # (section, heading, sentence)
        for name, items in texts.items():
            for heading, text in items:
                for s, e in sentence_spans(text):
                    claims.append((name, heading, text[s:e]))
        checks = verifier.check([c[2] for c in claims])
        if str(self.settings.claim_judge):
            judge = Judge(get_model(self.settings, str(self.settings.claim_judge)), self.settings)
            second_opinion(checks, judge, float(self.settings.verify_threshold))
        lines: dict[str, list[Line]] = {name: [] for name in LIMITS}
        for (name, heading, _), check in zip(claims, checks, strict=True):
            if not check.supported and not keep_flagged:
                continue
            line = _sentence_line(check, heading, headings)
            if not check.supported:
                line.flag = "unsupported"
            lines[name].append(line)
        lines["concepts"] = _term_lines(doc, draft.concepts, keep_flagged)
        code = _code_lines(doc, draft.code)
        sections = []
        for name in ("executive_summary", "concepts", "main_points", "takeaways", "limitations"):
            sections.append(Section(name, lines[name][: LIMITS[name]]))
        specs = lines["specifications"][: LIMITS["specifications"]] + code
        sections.append(Section("specifications", specs))
        return sections


def _headings_by_block(doc: Document) -> list[str]:
    """The heading each block sits under ("" before the first heading)."""
    out, current = [], ""
    for block in doc.blocks:
        if block.kind == "heading":
            current = block.text
        out.append(current)
    return out


def _sentence_line(check: Check, heading: str, headings: list[str]) -> Line:
    spans = [Span(p.block, p.start, p.end) for p in check.passages]
    if spans:
        source_heading = headings[spans[0].block]
        if not heading or heading.lower() not in {h.lower() for h in headings}:
            heading = source_heading
    return Line(check.text, "sentence", heading, spans)


def _term_lines(doc: Document, terms: list[str], keep_flagged: bool) -> list[Line]:
    lines = []
    for term in terms:
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        found = next(
            (
                (i, m)
                for i, b in enumerate(doc.blocks)
                if b.kind != "code"
                for m in [pattern.search(b.text)]
                if m
            ),
            None,
        )
        if found:
            index, match = found
            lines.append(Line(term, "term", source=[Span(index, match.start(), match.end())]))
        elif keep_flagged:
            lines.append(Line(term, "term", flag="unsupported"))
    return lines[: LIMITS["concepts"]]


def _code_lines(doc: Document, snippets: list[str]) -> list[Line]:
    """Each snippet as the article's own code block: identical, or the closest one."""
    blocks = [(i, b) for i, b in enumerate(doc.blocks) if b.kind == "code"]
    lines: list[Line] = []
    used: set[int] = set()
    for snippet in snippets:
        best, best_ratio = None, 0.0
        for index, block in blocks:
            if block.text.strip() == snippet.strip():
                best, best_ratio = index, 1.0
                break
            matcher = difflib.SequenceMatcher(None, snippet, block.text, autojunk=False)
            if matcher.real_quick_ratio() < CODE_MATCH or matcher.quick_ratio() < CODE_MATCH:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = index, ratio
        if best is None or best_ratio < CODE_MATCH or best in used:
            continue
        used.add(best)
        block = doc.blocks[best]
        lines.append(
            Line(
                block.text, "code", source=[Span(best, 0, len(block.text))], language=block.language
            )
        )
    return lines
