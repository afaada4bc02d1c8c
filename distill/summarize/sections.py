"""Builders for the sentence sections after the executive summary (executive.py): main
points, takeaways, caveats; and what every section shares: the Context and readability.

Each builder picks units (sentences with provenance) from a shared `Context`, marks what
it used so no later section repeats it, and spends from a word budget so a long article's
summary still fits on one screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..models import Document, Line, Span
from . import cues
from .boilerplate import (
    names_the_article,
    personal,
    refers_back,
    refuted,
)
from .scoring import Scores
from .sentences import STOP_WORDS, Sentences, Unit

# A sentence this similar (TF-IDF cosine) to one already shown says the same thing again.
REDUNDANT = 0.5
# Main points per article part by the part's length in words: 1, then 2, then 3.
PART_TWO_POINTS_WORDS, PART_THREE_POINTS_WORDS = 250, 700
MAX_MAIN_POINTS = 10
# A sentence under a heading such as "Conclusion" or "Limitations" belongs to that section
# even without a cue word of its own (the cue threshold is 1.0).
HEADING_CUE = 1.0
# Takeaways and caveats are read one by one, out of context: no dangling openings.
CUE_MIN_QUALITY = -0.25
# A cue this strong ("we recommend", "unfortunately") keeps a sentence for its own section.
STRONG_CUE = 1.2
# Takeaways and caveats shown whatever the budget: one lesson alone reads like an accident.
CUE_LINES_FREE = 2
FIRST_POINT_OVERRUN = 1.5
# Sections of an article that carry no points a reader wants summarised.
SKIP_HEADING = re.compile(
    r"^(acknowledge?ments?|thanks|thank you|contributors?|credits|references|links|resources"
    r"|further reading|see also|about the authors?|appendix|footnotes|release notes|changelog"
    r"|full changelog|list of contributors|get involved|community|events?|meetups?"
    # how a survey was run or how to read its charts, not what it found
    r"|(?:a note on |survey )?methodology|how to read (?:these|the) (?:results|charts))\b",
    re.IGNORECASE,
)
# Sentences that point at other text instead of saying something themselves.
POINTER = re.compile(
    r"\b(below you|you('ll| will| can) find|for (more|further|full) (details|information)"
    r"|(is|are) listed below|check out|click|the (full|complete) (list|changelog)"
    r"|in the rest of this|the following)\b"
    r"|\b(a few|several|some|two|three|four|many) (notable |major |main |key )?(drawbacks"
    r"|problems|limitations|issues|reasons|ways|things|benefits|advantages|changes)\W*$"
    r"|\b(to|worth) mention(ing)?\W*$",
    re.IGNORECASE,
)
# Parts whose sentences belong to the takeaways or limitations sections instead.
OWN_SECTION_HEADING = re.compile(
    f"{cues.CONCLUSION_HEADING.pattern}|{cues.LIMITATION_HEADING.pattern}", re.IGNORECASE
)
# Openings that lean on the previous sentence; such a sentence reads badly out of context.
DANGLING = re.compile(
    r"^(this|that|these|those|it|they|he|she|but|and|or|so|also|then|here|there|such"
    r"|however|thus|hence|therefore|instead|otherwise|similarly|likewise|finally|again"
    r"|first|second|third|firstly|secondly|thirdly|next|lastly|moreover|furthermore|meanwhile"
    r"|yes|no|now"
    r"|for example|for instance|as (a result|such|well)|in (this|that|addition)|on the other)\b",
    re.IGNORECASE,
)
# A sentence whose "this/it/they" points at the one before reads wrongly on its own: this
# penalty keeps it out of every section scored by quality (their floors are -0.4 and
# -0.25); the executive summary takes one only right after the sentence it leans on.
LEANS_BACK = 0.5
# A sentence this short is a fragment or a label more often than a point.
SHORT, SHORT_WORDS = 0.3, 8
# A sentence that introduces a list or a code block ("... for a common kind of desire:"):
# read alone it promises what is not shown.
INTRODUCES = 0.45
# The penalty of a weak opening ("And", "But", "So"): such a sentence is not brought in
# as the antecedent of another.
WEAK_OPENING = 0.2
# The same for fragments: the tail of a sentence, half a parenthesis, a refuted claim.
FRAGMENT = 0.5
# A question announced as one ("You might wonder why ...") or an aside to the reader ("You
# might remember that ..."): the answer or the point comes in another sentence.
RHETORICAL = re.compile(
    r"\byou (?:might|may|could) (?:be )?(?:ask|wonder|remember)(?:ing)?\b|\bmight ask yourself\b",
    re.IGNORECASE,
)
# A purpose clause with no main clause after it: "Just to make this idea viable." (not
# "Just to avoid any confusion, we'll call it ...", where a subject follows the comma).
PURPOSE_ONLY = re.compile(
    r"(?:just|only|simply|merely) to\b(?!.*[,:;]\s*(?:we|i|you|he|she|they|it|let[’']s|an?"
    r"|the|this|that|these|there|our|my)\b)",
    re.IGNORECASE,
)
# The author's own doings ("I set up a meeting with ...", "... which I reviewed"): read
# out of the article, a personal remark rather than what the article says about its subject.
PERSONAL = 0.45
# A line that does not end as a sentence does ("Assuming the alignment of i128/u128 rather
# than using align_of", "<InputT> – type of elements ..."): a list entry or a fragment.
UNTERMINATED = 0.3
# A short exclamation ("A lot has happened here!", "So get out there and build stuff!") says
# how the author feels, not what happened: at most this many words.
EXCLAMATION_WORDS = 8
# ... unless it tells the news: "The 2022 State of Rust Survey is here!", "The ICE-Breaker
# group has been formed!", "Rust 1.39 ships on Thursday!".
NEWS = re.compile(
    r"\b(?:is|are) (?:now )?(?:here|out|live|open|public|available|stable|released)\b"
    r"|\b(?:has|have) (?:now )?been (?:formed|completed|accepted|released|launched|merged"
    r"|stabili[sz]ed|published)\b|\b(?:ships|now has|now have|joined)\b",
    re.IGNORECASE,
)


@dataclass
class Context:
    doc: Document
    sentences: Sentences
    scores: Scores
    budget: int  # words left for the whole summary
    used: set[int] = field(default_factory=set)
    conclusion: int | None = None  # the unit the executive summary ends with, if any
    quality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    takeaway: np.ndarray = field(default_factory=lambda: np.zeros(0))  # cue scores
    limitation: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # per unit: it leans on the sentence before ("This setting ..."); read by readability
    # and the executive summary, found once (one of the summary's costlier patterns)
    leans: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.leans = leaning(self.units)
        self.quality = readability(self.units, self.leans)
        self.takeaway = np.array([cues.cue_score(u.text, cues.TAKEAWAY_CUES) for u in self.units])
        self.limitation = np.array(
            [cues.cue_score(u.text, cues.LIMITATION_CUES) for u in self.units]
        )

    @property
    def units(self) -> list[Unit]:
        return self.sentences.units

    def novel(self, i: int, chosen: list[int] | None = None) -> bool:
        """Not shown yet and not a near-repeat of anything shown (or of `chosen`)."""
        if i in self.used:
            return False
        others = list(self.used) + list(chosen or [])
        return not others or float(self.scores.similarity[i, others].max()) < REDUNDANT

    def take(self, indexes: list[int], heading: bool = False) -> list[Line]:
        lines = []
        for i in sorted(indexes):
            unit = self.units[i]
            self.used.add(i)
            self.budget -= unit.word_count
            lines.append(
                Line(
                    unit.text,
                    heading=unit.heading if heading else "",
                    source=[Span(unit.block, unit.start, unit.end)],
                )
            )
        return lines


# An announcement says what it announces, whatever its opening leans on: "It's in that
# light that we're pleased to announce that we'll be adopting the FLS ...", "Building on
# that work, the Core Team and Mozilla are happy to announce plans to create a foundation."
ANNOUNCES = re.compile(
    r"\b(?:is|are|[’']re) (?:\w+ )?(?:pleased|happy|excited|proud|thrilled|delighted|glad) to"
    r" (?:announce|share) (?:that|plans|the|a|an|our)\b",
    re.IGNORECASE,
)


def leaning(units: list[Unit]) -> list[bool]:
    """Per unit: whether it leans on the sentence before ("This setting ...")."""
    return [
        i > 0 and refers_back(u.text) and not ANNOUNCES.search(u.text) for i, u in enumerate(units)
    ]


def readability(units: list[Unit], leans: list[bool] | None = None) -> np.ndarray:
    """A penalty (<= 0) for sentences that read badly on their own in a summary. `leans`
    is `leaning(units)`, found here when not given."""
    if leans is None:
        leans = leaning(units)
    out = np.zeros(len(units))
    for i, unit in enumerate(units):
        text = unit.text
        bare = text.rstrip(" \"'”’)]*_")  # the end of the sentence itself, quotes aside
        penalty = 0.0
        if unit.word_count < SHORT_WORDS:
            penalty -= SHORT
        elif unit.word_count > 45:
            penalty -= 0.15
        if bare.endswith("?") or RHETORICAL.search(text):
            penalty -= 0.3  # a question, or one announced: "You might wonder why ..."
        if bare.endswith("!") and unit.word_count <= EXCLAMATION_WORDS and not NEWS.search(text):
            penalty -= FRAGMENT  # "A lot has happened here!": an exclamation, not a point
        if bare.endswith(":"):
            penalty -= INTRODUCES  # introduces a list or a code block that is not shown
        if PURPOSE_ONLY.match(text):
            penalty -= FRAGMENT  # "Just to make this single, simple idea viable."
        if leans[i]:
            penalty -= LEANS_BACK  # "This setting ..." read without the sentence before
        elif (
            i > 0
            and DANGLING.match(text)
            and not names_the_article(text)
            and not ANNOUNCES.search(text)  # "It's in that light that we're pleased to announce"
        ):
            penalty -= WEAK_OPENING
        if unit.kind == "list_item":
            penalty -= 0.1
        if "http" in text or "](" in text:
            penalty -= 0.3
        if POINTER.search(text):
            penalty -= 0.3  # points elsewhere ("below you will find") instead of saying
        if not text[:1].isupper() and not text[:1].isdigit():
            penalty -= 0.15  # a fragment cut from a longer run, or a lower-case list entry
            first = text.split(maxsplit=1)[0].lower() if text.split() else ""
            if first in STOP_WORDS:
                penalty -= FRAGMENT  # "then you may incorrectly assume ...": the rest of one
        unbalanced = any(text.count(a) != text.count(b) for a, b in ("()", "[]", "{}"))
        if unbalanced or re.search(r"(?:,|\b(?:and|or|but))\s*$", text):
            penalty -= FRAGMENT  # half of a bracket, or a clause cut before its end
        elif not re.search(r"[.!?:;…]$", text.rstrip(" \"'”’)]*_")):
            penalty -= UNTERMINATED  # a list entry or a label, not a sentence
        if personal(text):
            penalty -= PERSONAL
        following = units[i + 1].text if i + 1 < len(units) else ""
        if refuted(
            text, following if i + 1 < len(units) and units[i + 1].block == unit.block else ""
        ):
            penalty -= FRAGMENT  # a claim set up to be refuted, not the article's view
        out[i] = penalty
    return out


def _parts(ctx: Context) -> list[list[int]]:
    """Units grouped by the article's own headings, or by topical segments without them.

    Parts under headings such as "Acknowledgements" are left out, and so are sentences that
    belong to the takeaways or limitations sections (by their heading or a strong cue).
    """
    groups: dict[int, list[int]] = {}
    for unit in ctx.units:
        heading = unit.heading.strip()
        if SKIP_HEADING.match(heading) or OWN_SECTION_HEADING.search(heading):
            continue
        if ctx.takeaway[unit.index] >= STRONG_CUE or ctx.limitation[unit.index] >= STRONG_CUE:
            continue
        groups.setdefault(unit.part, []).append(unit.index)
    if len([p for p in groups if p > 0]) >= 2:
        return [groups[p] for p in sorted(groups)]
    return segments(ctx, [i for p in sorted(groups) for i in groups[p]])


def segments(ctx: Context, members: list[int]) -> list[list[int]]:
    """Split an article without headings at its topic shifts (TextTiling, simplified).

    Candidate boundaries are paragraph starts; the deepest dips in similarity between the
    few sentences before and after a boundary become the cuts.
    """
    units = [ctx.units[i] for i in members]
    total_words = sum(u.word_count for u in units)
    k = int(min(5, max(1, total_words // 350)))
    if k == 1 or len(units) < 6:
        return [members] if members else []
    window = 3
    sim = ctx.scores.similarity[np.ix_(members, members)]
    gaps: list[tuple[float, int]] = []
    for i in range(window, len(units) - window + 1):
        if units[i].first_in_block:
            gaps.append((float(sim[i - window : i, i : i + window].mean()), i))
    cuts: list[int] = []
    spacing = max(2, len(units) // (2 * k))
    for _, i in sorted(gaps):
        if all(abs(i - c) >= spacing for c in cuts):
            cuts.append(i)
        if len(cuts) == k - 1:
            break
    bounds = [0, *sorted(cuts), len(units)]
    return [members[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def main_points(ctx: Context, budget: int) -> list[Line]:
    scores = ctx.scores
    picks: list[tuple[float, int, int]] = []  # (score, rank within part, unit)
    for members in _parts(ctx):
        words = sum(ctx.units[i].word_count for i in members)
        want = 1 if words < PART_TWO_POINTS_WORDS else 2 if words < PART_THREE_POINTS_WORDS else 3
        local = scores.similarity[np.ix_(members, members)].sum(axis=1)
        local = local / (float(local.max()) or 1.0)
        heading = ctx.units[members[0]].heading
        to_heading = scores.similarity_to(heading)[members] if heading else np.zeros(len(members))
        value = (
            0.45 * local
            + 0.3 * scores.centrality[members]
            + 0.15 * to_heading
            + ctx.quality[members]
            + np.array([0.1 if ctx.units[i].first_in_block else 0.0 for i in members])
        )
        order = sorted(range(len(members)), key=lambda j: -value[j])
        chosen: list[int] = []
        for j in order:
            i = members[j]
            if len(chosen) == want:
                break
            if ctx.novel(i, chosen) and ctx.quality[i] > -0.4:
                chosen.append(i)
        for rank, i in enumerate(chosen):
            picks.append((float(value[members.index(i)]), rank, i))
    # First points of each part before second points; within a rank, the strongest first.
    picks.sort(key=lambda p: (p[1], -p[0]))
    kept: list[int] = []
    spent = 0
    for _, rank, i in picks:
        cost = ctx.units[i].word_count
        # One point per part may overrun the share a little: a heading without a point
        # would leave the reader with a gap in the article's outline.
        room = budget * (FIRST_POINT_OVERRUN if rank == 0 else 1.0)
        if len(kept) >= MAX_MAIN_POINTS or (kept and spent + cost > room):
            continue
        kept.append(i)
        spent += cost
    return ctx.take(kept, heading=True)


def by_cues(
    ctx: Context,
    cue_scores: np.ndarray,
    heading: re.Pattern[str],
    budget: int,
    limit: int,
    threshold: float = 1.0,
    lessons: bool = False,
) -> list[Line]:
    """Sentences whose wording (or whose section's heading) marks them as this section's.

    With `lessons` (the takeaways), a sentence about the article itself ("This article has
    presented ...") is not one, and the entries of a list under the heading need a cue of
    their own: a list under "Conclusion" is as often further reading ("Queue Theory in
    Practice shows how ...") as lessons. Under "Limitations" a list entry is a limitation."""
    scored: list[tuple[float, int]] = []
    for unit in ctx.units:
        if lessons and names_the_article(unit.text):
            continue
        score = float(cue_scores[unit.index])
        listed = lessons and unit.kind == "list_item"
        if unit.heading and heading.search(unit.heading) and not listed:
            score += HEADING_CUE
        if score < threshold or ctx.quality[unit.index] < CUE_MIN_QUALITY:
            continue
        scored.append((score + 0.3 * float(ctx.scores.centrality[unit.index]), unit.index))
    chosen: list[int] = []
    spent = 0
    for _, i in sorted(scored, reverse=True):
        if len(chosen) >= limit:
            break
        cost = ctx.units[i].word_count
        if len(chosen) >= CUE_LINES_FREE and spent + cost > budget:
            continue
        if ctx.novel(i, chosen):
            chosen.append(i)
            spent += cost
    return ctx.take(chosen)
