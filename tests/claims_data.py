"""A claim-check evaluation set built from the corpus at run time.

Supported claims are sentences of an article's offline summary; unsupported ones are made
from them by changing one number, one name, negating the claim, or taking a summary
sentence of a different article on a similar topic. Shared by tests/test_verify.py (a small
sample) and bench/eval_claims.py (100 articles).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from distill.errors import DistillError
from distill.ingest.extract import from_markdown
from distill.models import Document
from distill.plugins import get_summarizer, summarizer_names
from distill.summarize.claims import facts

SETS = ("go-blog", "rust-blog", "flink-blog")
MIN_WORDS = 300
AUX = re.compile(r"\b(is|are|was|were|can|will|should|could|would|does|do|did|has|have|had|must)\b")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)*(?![\w])")
NAME = re.compile(r"(?<=\s)[A-Z][a-zA-Z]+(?:[A-Z][a-z]+)*\b")


@dataclass
class Claim:
    article: int  # index into the articles list
    text: str
    supported: bool
    kind: str  # original | number | name | negation | other_article


def backend_name() -> str:
    """The extractive summarizer once it has landed, the lead baseline until then."""
    return "extractive" if "extractive" in summarizer_names() else "lead"


def load_articles(corpus: Path, count: int) -> list[Document]:
    """`count` Markdown posts spread evenly over the three blogs, long enough to summarise."""
    per_set: list[list[Path]] = []
    for name in SETS:
        paths = []
        for raw in (corpus / "_index" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(raw)
            if (record.get("words") or 0) >= MIN_WORDS and record["path"].endswith(".md"):
                paths.append(corpus / record["path"])
        per_set.append(sorted(paths))
    docs: list[Document] = []
    index = 0
    while len(docs) < count and index < max(len(p) for p in per_set):
        for paths in per_set:
            step = max(1, len(paths) // (count // len(SETS) + 1))
            position = index * step
            if position < len(paths) and len(docs) < count:
                with contextlib.suppress(DistillError, OSError, UnicodeDecodeError):
                    docs.append(
                        from_markdown(
                            paths[position].read_text(encoding="utf-8"), source=str(paths[position])
                        )
                    )
        index += 1
    return docs


def summary_sentences(doc: Document, limit: int = 5) -> list[str]:
    summary = get_summarizer(backend_name()).summarize(doc)
    out = [
        line.text
        for section in summary.sections
        for line in section.lines
        if line.kind == "sentence" and len(line.text.split()) >= 6
    ]
    return out[:limit]


def change_number(text: str, rng: random.Random) -> str | None:
    numbers = list(NUMBER.finditer(text))
    if not numbers:
        return None
    match = rng.choice(numbers)
    value = match.group()
    if "." in value:
        parts = value.split(".")
        parts[-1] = str(int(parts[-1]) + 1)
        new = ".".join(parts)
    else:
        new = str(int(value) * 2 + 3) if int(value) < 10_000 else str(int(value) + 1)
    return text[: match.start()] + new + text[match.end() :]


def change_name(text: str, others: list[str], source: str, rng: random.Random) -> str | None:
    names = [m for m in NAME.finditer(text) if m.group() in facts(text)]
    pool = [n for n in others if n.lower() not in source.lower()]
    if not names or not pool:
        return None
    match = rng.choice(names)
    return text[: match.start()] + rng.choice(pool) + text[match.end() :]


def negate(text: str) -> str | None:
    match = AUX.search(text)
    if match is None or re.match(r"\s+(not|never)\b", text[match.end() :]):
        return None
    return text[: match.end()] + " not" + text[match.end() :]


def build_claims(docs: list[Document], seed: int = 7) -> tuple[list[Claim], list[list[str]]]:
    """All claims, and each article's supported summary sentences (its "batch")."""
    rng = random.Random(seed)
    batches = [summary_sentences(d) for d in docs]
    names: list[str] = sorted(
        {m.group() for batch in batches for s in batch for m in NAME.finditer(s)}
    )
    words = [set(re.findall(r"\w+", d.text.lower())) for d in docs]
    claims: list[Claim] = []
    for n, (doc, batch) in enumerate(zip(docs, batches, strict=True)):
        source = doc.text
        # The most similar other article from the same blog (by shared vocabulary).
        same_set = [
            m for m in range(len(docs)) if m != n and batches[m] and _blog(docs[m]) == _blog(doc)
        ]
        similar = max(
            same_set,
            key=lambda m: len(words[n] & words[m]) / (len(words[n] | words[m]) or 1),
            default=None,
        )
        for sentence in batch:
            claims.append(Claim(n, sentence, True, "original"))
            for kind, variant in (
                ("number", change_number(sentence, rng)),
                ("name", change_name(sentence, names, source, rng)),
                ("negation", negate(sentence)),
            ):
                if variant and variant != sentence:
                    claims.append(Claim(n, variant, False, kind))
        if similar is not None:
            for sentence in batches[similar][:2]:
                if sentence not in source:
                    claims.append(Claim(n, sentence, False, "other_article"))
    return claims, batches


def _blog(doc: Document) -> str:
    return next((s for s in SETS if s in doc.source), "")


LABELLED = Path(__file__).parent / "data" / "claims_llm.jsonl"
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
KINDS = ("verbatim", "paraphrase", "wrong")
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass
class Labelled:
    """A sentence an LLM wrote in a summary of a corpus article, labelled by hand."""

    article: str  # path under the corpus folder (or tests/data/ for the team's own article)
    text: str
    kind: str  # verbatim | paraphrase (both supported) | wrong (not supported)
    section: str = ""
    model: str = ""  # which model wrote it
    # Labelling round: 1 and 2 were read while the check was being tuned, 3 and 4
    # (2026-12-07) afterwards; round 4 was read by nobody before it was measured: held out.
    round: int = 0

    @property
    def supported(self) -> bool:
        return self.kind != "wrong"


def _article_path(corpus: Path, relative: str) -> Path:
    base = Path(__file__).parent.parent if relative.startswith("tests/") else corpus
    return base / relative


def load_labelled(path: Path = LABELLED, corpus: Path | None = None) -> list[Labelled]:
    """The labelled rows. A sentence the model copied word for word from its article is
    stored as a `span` of the article's file, not as text (the repository holds no article
    text), and read back from the corpus here, its whitespace collapsed to single spaces and
    Markdown links reduced to their words."""
    corpus = corpus or Path(os.environ.get("DISTILL_CORPUS", DEFAULT_CORPUS)).resolve()
    files: dict[str, str] = {}
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        record = json.loads(raw)
        text = record.get("text")
        if text is None:
            article = record["article"]
            if article not in files:
                files[article] = _article_path(corpus, article).read_text(encoding="utf-8")
            start, end = record["span"]
            text = " ".join(files[article][start:end].split())  # line breaks of the file
            text = MARKDOWN_LINK.sub(r"\1", text)  # a link's words, as a model copies them
        rows.append(
            Labelled(
                record["article"],
                text,
                record["label"],
                record.get("section", ""),
                record.get("model", ""),
                int(record.get("round", 0)),
            )
        )
    return rows


def load_corpus_article(corpus: Path, relative: str) -> Document:
    """A corpus article by its path in the corpus; "tests/..." is one of the team's own."""
    text = _article_path(corpus, relative).read_text(encoding="utf-8")
    return from_markdown(text, source=relative)
