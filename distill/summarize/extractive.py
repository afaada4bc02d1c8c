"""`extractive`: the default backend. Six sections, offline, every line from the source.

How a summary is made (each step in its own module):
1. sentences.py splits the prose into sentences with exact spans (the only line texts).
2. scoring.py builds TF-IDF vectors, LexRank centrality and closeness to the centroid.
3. executive.py picks the executive summary (centrality, position, title overlap, MMR);
   sections.py the main points (per heading, or per topical segment), takeaways and
   caveats (cues), and holds what they share (the Context, readability penalties).
4. specs.py picks sentences with figures and the most illustrative code blocks.
5. concepts.py names technologies (canonical names) and the article's key phrases.
Sections are filled in that order from one word budget, so the most important sections
get the room and no sentence is shown twice.
"""

from __future__ import annotations

from ..errors import TooLittleText
from ..models import Document, Section
from . import concepts, cues, executive, sections, specs
from .base import Summarizer
from .scoring import score_units
from .sentences import MAX_WEIGHED_WORDS, split_document

# Word budget for all sentence lines: about a third of the article, at most what fits on
# one screen beside the code (the product asks for 200 to 400 words on a 3,000-word
# article), and never so small that a short article gets nothing but its first line.
BUDGET_SHARE = 0.4
MIN_BUDGET, MAX_BUDGET = 80, 380
# Shares of the budget after the executive summary has taken its part.
MAIN_SHARE, SPEC_SHARE, TAKEAWAY_SHARE, LIMIT_SHARE = 0.5, 0.2, 0.15, 0.15
MAX_TAKEAWAYS, MAX_LIMITATIONS = 5, 4


# Sentence words a summary never exceeds, whatever the per-section allowances added up to.
HARD_MAX_WORDS = 420
# A short article's summary stays well under the article: at most this share of its words.
SHORT_MAX_SHARE = 0.55
# Sections that give up sentences first when a summary is over HARD_MAX_WORDS.
TRIM_ORDER = ("limitations", "takeaways", "specifications", "main_points")


def sentence_words(section: Section) -> int:
    return sum(len(x.text.split()) for x in section.lines if x.kind == "sentence")


def trim(sections: list[Section], limit: int) -> None:
    """Drop the longest sentence of the fullest trimmable section until under `limit`.

    A section may lose its last sentence (it is then not shown); the executive summary
    is never trimmed.
    """

    while sum(sentence_words(s) for s in sections) > limit:
        candidates = [
            s
            for s in sections
            if s.name in TRIM_ORDER and any(x.kind == "sentence" for x in s.lines)
        ]
        if not candidates:
            return
        fullest = max(candidates, key=sentence_words)
        longest = max(
            (x for x in fullest.lines if x.kind == "sentence"), key=lambda x: len(x.text.split())
        )
        fullest.lines.remove(longest)


class ExtractiveSummarizer(Summarizer):
    name = "extractive"
    version = "1"

    def notes(self, doc: Document) -> list[str]:
        if doc.word_count <= MAX_WEIGHED_WORDS:
            return []
        return [
            f"the article has {doc.word_count:,} words; only about the first"
            f" {MAX_WEIGHED_WORDS:,} were weighed for this summary"
        ]

    def build(self, doc: Document) -> list[Section]:
        split = split_document(doc)
        if not split.units:
            label = doc.source or doc.title or "article"
            raise TooLittleText(
                f"{label}: too little text to summarize (no sentence of prose outside code,"
                " tables, links and page boilerplate such as bylines, footers and calls to"
                " action)"
            )
        words = sum(u.word_count for u in split.units)
        budget = int(min(MAX_BUDGET, max(MIN_BUDGET, BUDGET_SHARE * words)))
        ctx = sections.Context(doc, split, score_units(split.units), budget)

        # The executive summary's length follows the article's, changelog lists and all:
        # a release note of two sentences and a long list still gets both sentences.
        length = max(words, doc.word_count)
        out = [Section("executive_summary", executive.executive_summary(ctx, length))]
        rest = max(ctx.budget, 0)
        out.append(Section("main_points", sections.main_points(ctx, int(MAIN_SHARE * rest))))
        figures = specs.figure_sentences(ctx, int(SPEC_SHARE * rest))
        out.append(Section("specifications", figures + specs.code_examples(ctx)))
        out.append(
            Section(
                "takeaways",
                sections.by_cues(
                    ctx,
                    ctx.takeaway,
                    cues.CONCLUSION_HEADING,
                    int(TAKEAWAY_SHARE * rest),
                    MAX_TAKEAWAYS,
                    lessons=True,
                ),
            )
        )
        out.append(
            Section(
                "limitations",
                sections.by_cues(
                    ctx,
                    ctx.limitation,
                    cues.LIMITATION_HEADING,
                    int(LIMIT_SHARE * rest),
                    MAX_LIMITATIONS,
                ),
            )
        )
        out.append(Section("concepts", concepts.concepts(doc, split.last_block, split)))
        cap = min(HARD_MAX_WORDS, max(MIN_BUDGET, int(SHORT_MAX_SHARE * words)))
        short = cap < HARD_MAX_WORDS
        if ctx.conclusion is not None and short and sum(map(sentence_words, out)) > cap:
            # The executive summary's conclusion is the one line it gives up to a short
            # article's cap: before it, the other sections would lose their points.
            text = ctx.units[ctx.conclusion].text
            out[0].lines = [line for line in out[0].lines if line.text != text]
        trim(out, cap)
        return out
