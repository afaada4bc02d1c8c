"""The executive summary: what the article is about and what it concludes, in 2-4 lines.

Chosen by maximal marginal relevance over the article's sentences (LexRank centrality,
closeness to the centroid, overlap with the title, the opening's lead), with the shape of
a reader's summary added: a definition or thesis first, a release note's or a digest's
headline changes, a list's introduction with its first entry, a sentence that leans on the
one before only with it, and the article's conclusion last. Every line is a sentence of the
article (sections.Context takes it with its span).
"""

from __future__ import annotations

import re

import numpy as np

from ..models import Document, Line
from . import cues
from .boilerplate import CALL_TO_ACTION, EARLIER_TEXT, refuted
from .sections import (
    ANNOUNCES,
    CUE_MIN_QUALITY,
    INTRODUCES,
    LEANS_BACK,
    OWN_SECTION_HEADING,
    REDUNDANT,
    SHORT,
    SHORT_WORDS,
    SKIP_HEADING,
    STRONG_CUE,
    WEAK_OPENING,
    Context,
)
from .sentences import Unit, content_words

# Maximal marginal relevance trade-off: relevance vs. novelty for the executive summary.
MMR_LAMBDA = 0.7
# Executive summary: sentences by article length (words), and a word ceiling.
EXEC_SHORT_WORDS, EXEC_LONG_WORDS = 400, 2000
EXEC_MAX_WORDS = 110
EXEC_SHARE = 0.35  # and at most this share of a short article
# Executive summary relevance: LexRank centrality, closeness to the article's centroid,
# overlap with the title, and a bonus for the opening sentences that decays over about
# LEAD_DECAY sentences (news-style leads state the topic; tuned on the Go, Rust and Flink
# human summaries with bench/eval_summaries.py).
CENTRALITY_WEIGHT, CENTROID_WEIGHT, TITLE_WEIGHT = 0.35, 0.3, 0.35
LEAD_WEIGHT, LEAD_DECAY = 0.55, 3.0
# Bonus for the sentence right after a chosen one in the same paragraph: a summary that
# reads as a passage rather than a set of jumps (and how people write leads).
FOLLOW_BONUS = 0.3
# Candidates the executive summary looks at before settling for fewer sentences.
MAX_EXEC_TRIES = 40
# The executive summary ends with what the article concludes when it says so: a sentence
# under a conclusion heading, advice to every reader (ADVICE_TO_ALL), or a closing opener
# ("In the end, ...") in its last third. It may add one sentence to the count, up to
# EXEC_MAX_LINES.
EXEC_MAX_LINES = 4
# Advice to every reader, which is what a release note or an advisory concludes with ("We
# highly recommend all users to upgrade", "we strongly recommend checking whether ..."),
# unlike advice on one step ("We recommend committing the profile to the repository").
ADVICE_TO_ALL = re.compile(
    r"\b(?:we|i) (?:strongly|highly) (?:recommend|suggest|advise|encourage|urge)\b"
    r"|\brecommend (?:that )?(?:all|every) users?\b",
    re.IGNORECASE,
)
# A release note's point is what changed: the opening sentence of each of its first change
# sections ("### Naked functions" -> "Rust now supports writing naked functions ...") gets
# this bonus in the executive summary, shared out over the first HEADLINE_PARTS sections.
HEADLINE_BONUS = 0.2
HEADLINE_PARTS = 3
HEADLINE_MIN_WORDS = 6
# A release note: a version number in its title, and the title or its opening says it is
# a release ("Go 1.22 is released!", "Announcing Rust 1.71.0", "This week we released
# version 1.7.1 of ...").
VERSION = re.compile(r"\bv?\d+\.\d+")
RELEASE_WORDS = re.compile(
    r"\b(?:releas(?:e|es|ed|ing)|announc\w*|is (?:out|here|available)|now available"
    r"|(?:beta|rc)\s*\d*\b)",
    re.IGNORECASE,
)
# The sentence that introduces a release's list of highlights ("Some of the highlights
# include:"): the list's first entry is a headline change too.
HIGHLIGHTS = re.compile(
    r"^(?!other\b|further\b|more\b)[^:]*\b(?:highlights?|(?:notable|main|major|key|biggest"
    r"|most (?:important|exciting)) (?:changes|features|improvements|additions))\b[^.!?]*:$",
    re.IGNORECASE,
)
# A sentence that names itself the release's main change ("The headline feature for this
# release is ...", "One of the largest changes is ...", "The highlight of this release is").
ANNOUNCED_HEADLINE = re.compile(
    r"\b(?:largest|biggest|big|most (?:important|exciting|significant|notable)|headline|main"
    r"|major)"
    r" (?:[\w-]+ )?(?:changes?|features?|additions?|improvements?|apis?|updates?)\b"
    r"(?! (?:are|include)\b)"
    r"|\b(?:the|a) highlights? of (?:this|the) (?:release|version)\b"
    r"|\bthe most (?:important|exciting|significant|notable) (?:part|news|thing)\b",
    re.IGNORECASE,
)
# A sentence that already sums up what a release changes ("This release introduces new
# features around state expiration ...", "Rust 1.43.1 addresses two regressions ..."): with
# one in the executive summary no headline needs adding.
RELEASE_SUMMARY = re.compile(
    r"\b(?:this|the|today[’']?s) (?:\w+ )?(?:release|version)\b[^.;]{0,30}?\b(?:introduces|includes"
    r"|adds|brings|contains|enables|focuses on|aims to|improves|stabilizes|ships|comes with|fixes"
    r"|addresses|resolves)\b"
    r"|\bv?\d+(?:\.\d+)+ (?:introduces|includes|adds|brings|contains|enables|improves|stabilizes"
    r"|fixes|addresses|resolves)\b",
    re.IGNORECASE,
)
# The conclusion may overrun the executive summary's word share of a short article by this
# much: a two-line summary of a 130-word post has no room left for a third line otherwise.
CONCLUSION_OVERRUN = 1.3
CONCLUDING = re.compile(
    r"^(?:in the end|ultimately|all in all|overall|in short|to sum up|to summari[sz]e"
    r"|in summary|in conclusion)\b",
    re.IGNORECASE,
)


# Executive summary: a definition or thesis sentence ("X is the system that ...", "In this
# post we ...") says what the article is about; a personal anecdote ("I joined Dropbox
# not long after graduating ...") does not, however central its words.
DEFINITION_BONUS = 0.2
THESIS_BONUS = 0.15
# A definition of something other than the article's subject (its title) is a detail:
# it gets this share of the bonus. (At full weight for every definition the Rust set lost
# 0.7 ROUGE-2: definitions of side terms pushed news-style openings out.)
SIDE_DEFINITION_SHARE = 0.1
ANECDOTE_PENALTY = 0.4
# An attributed quotation ("What you don't use, you don't pay for. -- Stroustrup") is
# someone else's words, quoted for the article to build on: not what the article says.
QUOTED_PENALTY = 0.4
ATTRIBUTION = re.compile(r"(?:^|[.!?\"”’'…)\]]\s*)(?:--|—|―)\s*[^\s.!?][^.!?\n]{0,100}$")


DEFINITION = re.compile(
    r"^(?:informally,\s*|simply put,\s*|in short,\s*)?(?:an?\s+|the\s+)?"
    r"(?P<subject>[\w][\w'’./+#-]*(?:\s+[\w'’./+#()-]+){0,6}?)\s+(?:\([A-Z][\w-]*\)\s+)?"
    r"(?:is|are)\s+(?:an?|the|one of the)\s+(?!(?:first|last|next|only|same)\b)",
    re.IGNORECASE,
)
THESIS = re.compile(
    r"\b(?:in this (?:blog )?(?:post|article|tutorial|guide)|this (?:blog )?(?:post|article"
    r"|tutorial|guide) (?:explains|describes|shows|introduces|presents|covers|looks|will|is about"
    r"|discusses|documents))\b"
    r"|^(?:here|today),? we (?:present|introduce|describe|explain|show|announce)\b"
    # the author's plan in the first person: "Here I'd like to discuss ... defer, panic, and
    # recover", "In this post, I will give a short introduction to ..."
    r"|^(?:here|today|in this (?:blog )?(?:post|article)),? (?:we|i)(?:['’]d| would| will)?"
    r" (?:like to )?(?:discuss|present|introduce|describe|explain|show|cover|give|look at)\b",
    re.IGNORECASE,
)
# A definition that names its term last: "Using profiles ... for compiler optimization is
# known as Profile-Guided Optimization (PGO)".
NAMED_AS = re.compile(
    r"\b(?:is|are) (?:commonly |also |often |generally )?(?:known as|called|referred to as"
    r"|termed)\s+(?P<subject>[^.,;:()]{3,60})",
    re.IGNORECASE,
)
# Executive summary: a sentence about code identifiers ("In a non-PGO build, mdurl.Parse is
# considered too large ...", "The function f defers a function ...", "... module
# requirements to github.com/googleapis/gax-go/v2") is a detail of the walk-through.
CODE_DETAIL = 0.15
IDENTIFIER = re.compile(
    r"\b[a-z]\w*\.[A-Z]\w*"  # a qualified Go-style name: mdurl.Parse
    r"|\b[\w-]+\.(?:com|org|io|dev|net)/[\w./-]+"  # an import path
    r"|\b(?:function|variable|method|field|parameter|argument|struct|value) [a-z]\b(?![\w.'’-])"
)
ANECDOTE = re.compile(
    r"^(?:(?:when|back when|before|after|as|years ago|long ago|a few years ago),?\s+)?i\s+"
    r"(?:\w+\s+){0,2}(?:joined|remember|recall|was|started|graduated|worked|had|used to"
    r"|spent|moved|met|grew|learned|first|once|looked)\b"
    r"|\bmy (?:first|old|previous|former|career|colleague|manager|wife|husband|kids?|family)\b"
    r"|^(?:once upon a time|true story|fun fact|confession|back then|in those days)\b",
    re.IGNORECASE,
)


def _anecdotes(units: list[Unit]) -> list[bool]:
    """Sentences of a personal anecdote: one that opens like one ("I joined ..."), and the
    sentences after it in the same paragraph ("Back then our queue lost jobs ...")."""
    out: list[bool] = []
    for i, unit in enumerate(units):
        told = bool(ANECDOTE.search(unit.text))
        if not told and i > 0 and out[i - 1] and units[i - 1].block == unit.block:
            told = True
        out.append(told)
    return out


def _quoted(doc: Document) -> set[int]:
    """Blocks of an attributed quotation: a run of quote blocks whose last one ends with an
    attribution ("-- Stroustrup", "— a principal engineer"), or holds only that."""
    out: set[int] = set()
    run: list[int] = []
    for b, block in enumerate(doc.blocks):
        if block.kind != "quote":
            run = []
            continue
        run.append(b)
        if ATTRIBUTION.search(block.text.strip()):
            out.update(run)
            run = []
    return out


# An introduction that says nothing itself ("Rust's development process looks like this:",
# "Highlights include:"): its list entry reads as well alone.
BARE_LEAD_IN = re.compile(
    r"\b(?:this|these|that|those|follows|following|below|here|include|includes|including|are"
    r"|is|were|was|like|so)\W*:\W*$",
    re.IGNORECASE,
)


def _introduced(units: list[Unit]) -> list[bool]:
    """Per unit: whether it opens a list that the sentence before introduces ("Cross-
    compilation is an imposing term for a common kind of desire:" -> "You want to build an
    app for Android ..."). Such an entry reads as the rest of that sentence."""
    return [
        i > 0
        and u.kind == "list_item"
        and u.first_in_block
        and units[i - 1].kind != "list_item"
        and units[i - 1].block == u.block - 1
        and units[i - 1].text.rstrip().endswith(":")
        and not BARE_LEAD_IN.search(units[i - 1].text)
        for i, u in enumerate(units)
    ]


def _introduction_lift(unit: Unit) -> float:
    """What a list's introduction regains when its first entry follows it: it no longer
    promises what is not shown, and it is not short, being read with the entry."""
    return INTRODUCES + (SHORT if unit.word_count < SHORT_WORDS else 0.0)


def _definition_value(text: str, title: str) -> float:
    """The executive-summary bonus of a thesis or definition sentence (0 for others)."""
    if THESIS.search(text) or ANNOUNCES.search(text):
        return THESIS_BONUS
    found = DEFINITION.search(text) or NAMED_AS.search(text)
    if not found:
        return 0.0
    subject = set(content_words(found.group("subject")))
    if subject and subject & set(content_words(title)):
        return DEFINITION_BONUS
    return DEFINITION_BONUS * SIDE_DEFINITION_SHARE


# A digest: a periodic update, a meeting's report, a recap ("Program management update —
# June 2025", "This Month in Our Test Infra", "Flink Community Update - May'20"). Like a
# release note, its point is what it reports, section by section.
DIGEST_TITLE = re.compile(
    r"\b(?:updates?|recap|roundup|round-up|digest|year in review|retrospective|meeting"
    r"|this (?:week|month) in)\b(?!\s+(?:of|to|on|for)\b)",
    re.IGNORECASE,
)


def digest(doc: Document) -> bool:
    """Whether the article reports news section by section (its title says so)."""
    return bool(DIGEST_TITLE.search(doc.title or ""))


def release_note(doc: Document, units: list[Unit]) -> bool:
    """Whether the article announces a release (its point is then what changed)."""
    title = doc.title or ""
    if not VERSION.search(title):
        return False
    opening = " ".join(u.text for u in units[:2])
    return bool(RELEASE_WORDS.search(title) or RELEASE_WORDS.search(opening))


def _headlines(ctx: Context, leans: list[bool]) -> np.ndarray:
    """The executive-summary bonus of a release note's headline changes: a sentence that
    names itself the main change, the first entry of a list introduced as the highlights,
    and the opening sentence of each of the first change sections (not thanks, contributors
    or the changelog) when it reads on its own, the earlier sections weighing more."""
    out = np.zeros(len(ctx.units))
    seen: set[int] = set()
    for unit in ctx.units:
        i = unit.index
        if (
            unit.kind == "list_item"
            and i > 0
            and ctx.units[i - 1].kind != "list_item"
            and HIGHLIGHTS.search(ctx.units[i - 1].text)
            and unit.word_count >= HEADLINE_MIN_WORDS
        ):
            out[i] = HEADLINE_BONUS  # the first entry of a list of highlights
        if ANNOUNCED_HEADLINE.search(unit.text) and ctx.quality[i] > -WEAK_OPENING:
            out[i] = HEADLINE_BONUS
        if unit.part == 0 or unit.part in seen or len(seen) >= HEADLINE_PARTS:
            continue
        heading = unit.heading.strip()
        if SKIP_HEADING.match(heading) or OWN_SECTION_HEADING.search(heading):
            continue
        seen.add(unit.part)  # only its first sentence may stand for a section
        if (
            leans[i]
            or unit.kind == "list_item"  # an entry of a list of APIs, not the section's point
            or ctx.quality[i] <= -WEAK_OPENING
            or unit.word_count < HEADLINE_MIN_WORDS
        ):
            continue
        out[i] = HEADLINE_BONUS * (1 - 0.25 * (len(seen) - 1))
    return out


def executive_summary(ctx: Context, words: int) -> list[Line]:
    units, scores = ctx.units, ctx.scores
    n = len(units)
    title = scores.similarity_to(ctx.doc.title) if ctx.doc.title else np.zeros(n)
    index = np.arange(n)
    lead = LEAD_WEIGHT * np.exp(-index / LEAD_DECAY)  # the opening sentences carry the lede
    intro = np.array([0.1 if u.part == 0 else 0.0 for u in units])
    leans = ctx.leans
    anecdote = _anecdotes(units)
    quoted = _quoted(ctx.doc)
    introduced = _introduced(units)
    setup = [
        refuted(u.text, units[i + 1].text if i + 1 < n and units[i + 1].block == u.block else "")
        for i, u in enumerate(units)
    ]
    shape = np.array(
        [
            _definition_value(u.text, ctx.doc.title)
            - ANECDOTE_PENALTY * anecdote[i]
            - QUOTED_PENALTY * (u.block in quoted)
            - CODE_DETAIL * bool(IDENTIFIER.search(u.text))
            # a leaning sentence competes at its own worth here: it is only taken with
            # the sentence it leans on (below), so the penalty has done its job
            + LEANS_BACK * leans[i]
            for i, u in enumerate(units)
        ]
    )
    reports = release_note(ctx.doc, units) or digest(ctx.doc)
    headline = _headlines(ctx, leans) if reports else np.zeros(n)
    shape = shape + headline
    relevance = (
        CENTRALITY_WEIGHT * scores.centrality
        + CENTROID_WEIGHT * scores.centroid
        + TITLE_WEIGHT * title
        + lead
        + intro
        + shape
        + ctx.quality
    )
    count = 2 if words < EXEC_SHORT_WORDS else 3 if words < EXEC_LONG_WORDS else 4
    limit = min(EXEC_MAX_WORDS, EXEC_SHARE * words)
    chosen: list[int] = []
    spent = 0
    open_ = np.ones(n, dtype=bool)
    overlap = np.zeros(n)
    follow = np.zeros(n)

    def add(i: int) -> None:
        nonlocal spent, overlap
        chosen.append(i)
        open_[i] = False
        spent += units[i].word_count
        overlap = np.maximum(overlap, scores.similarity[:, i])
        # The sentence after a chosen one, in the same paragraph, continues its thought;
        # a release's headline change stands alone (its details are main points).
        if i + 1 < n and units[i + 1].block == units[i].block and not headline[i]:
            follow[i + 1] = FOLLOW_BONUS

    def introducing(take: list[int]) -> bool:
        """Whether `take` is a list's introduction and its first entry: one line's worth."""
        return len(take) == 2 and introduced[take[1]]

    def lines() -> int:
        """Lines in the body so far, an introduction and its entry counting as one."""
        return len(chosen) - sum(introduced[i] and i - 1 in chosen for i in chosen)

    def fits_body(take: list[int]) -> bool:
        """Room in the body for `take`: a pair only within the line count, and words
        within the share (the second line may overrun a short post's share a little)."""
        if len(take) > 1 and lines() + len(take) > count + introducing(take):
            return False
        cost = sum(units[i].word_count for i in take)
        second_line = len(chosen) == 1 and len(take) == 1
        return not chosen or spent + cost <= (CONCLUSION_OVERRUN * limit if second_line else limit)

    for _ in range(MAX_EXEC_TRIES):
        if lines() >= count or not open_.any():
            break
        value = MMR_LAMBDA * (relevance + follow) - (1 - MMR_LAMBDA) * overlap
        mmr = np.where(open_, value, -np.inf)
        best = int(np.argmax(mmr))
        open_[best] = False
        if chosen and (overlap[best] >= REDUNDANT or relevance[best] < 0.15):
            continue
        if setup[best]:
            continue  # a claim the article sets up to refute
        if ctx.takeaway[best] >= STRONG_CUE:
            continue  # "We highly recommend all users to upgrade": the takeaways' line
        needs = []  # a leaning sentence brings the one it leans on, or is not chosen
        if leans[best] and EARLIER_TEXT.search(units[best].text):
            continue  # "... like the function we saw earlier": further back than one sentence
        if leans[best] and units[best - 1].part != units[best].part:
            continue  # what it leans on is under another heading, however near it is shown
        if leans[best] and best - 1 not in chosen:
            if units[best - 1].block != units[best].block or leans[best - 1]:
                continue
            if ctx.quality[best - 1] <= -WEAK_OPENING:
                continue  # the sentence leaned on reads badly itself ("And Go's ...")
            if _pair_outranked(value, mmr, best):
                continue  # two lines spent on one detail ("Most x86 CPUs support AVX-512.")
            needs = [best - 1]
        lift = _introduction_lift(units[best - 1]) if introduced[best] else 0.0
        if (
            introduced[best]
            and best - 1 not in chosen
            and not headline[best]
            and ctx.quality[best - 1] + lift > -WEAK_OPENING
            and not _pair_outranked(value, mmr, best, lift=MMR_LAMBDA * lift)
        ):
            # "The triage meeting, where ..." is the rest of "The team holds two weekly
            # meetings:"; shown with it, the introduction promises nothing it does not show.
            needs = [best - 1]
        if needs and introduced[best] and not fits_body([*needs, best]):
            needs = []  # no room for the introduction: the entry alone, as it reads
        if not fits_body([*needs, best]):
            continue
        for i in [*needs, best]:
            add(i)
    room = min(EXEC_MAX_WORDS, CONCLUSION_OVERRUN * limit)

    def fits(i: int) -> bool:
        """Room for one more line beyond the body: one line over the count, a little
        over the word share of a short article."""
        lines = min(EXEC_MAX_LINES, count + 1)
        return len(chosen) < lines and spent + units[i].word_count <= room

    # A release note names its headline change: the strongest one is added when it did not
    # make it on relevance alone (a first change section's opening line often shares
    # few words with the rest: "The long-standing loop-variable gotcha is now resolved").
    summed_up = any(RELEASE_SUMMARY.search(units[i].text) for i in chosen)
    top = int(np.argmax(headline))
    if headline[top] and top not in chosen and not summed_up and fits(top):
        chosen.append(top)
        spent += units[top].word_count
    ending = _conclusion(ctx, relevance - lead - intro, chosen, leans, setup)
    # Added, never in place of a body line: replacing the weakest line of a full summary
    # (tried) lowered ROUGE on the Flink posts, whose human summaries restate the opening,
    # by 0.5 to 0.6 points while appending left every set's figures as they were.
    if ending is not None and overlap[ending] < REDUNDANT and fits(ending):
        ctx.conclusion = ending
    # The conclusion closes the summary even where the article says it early ("We highly
    # recommend all users to upgrade" in a release note's opening paragraph).
    shown = ctx.take(chosen) + ctx.take([] if ctx.conclusion is None else [ctx.conclusion])
    if ctx.conclusion is not None:
        # The conclusion is the line the takeaways would have shown: the sections after
        # this one keep the words it costs.
        ctx.budget += units[ctx.conclusion].word_count
    return shown


def _pair_outranked(value: np.ndarray, mmr: np.ndarray, best: int, lift: float = 0.0) -> bool:
    """True when a leaning sentence and the one it leans on are together worth less than
    the best other candidate: the pair takes two lines, so it must earn them on average.
    A strong leaning sentence otherwise drags in a weak one, and a deep detail of the
    article takes the place of its outcome. `lift` is what the first of the two is worth
    more when the second follows it."""
    others = mmr.copy()
    others[[best - 1, best]] = -np.inf
    pair = (value[best] + value[best - 1] + lift) / 2
    return bool(np.isfinite(others).any()) and pair < others.max()


def _conclusion(
    ctx: Context, value: np.ndarray, chosen: list[int], leans: list[bool], setup: list[bool]
) -> int | None:
    """The sentence that says what the article concludes, if it has one. Sentences the
    article announces as its conclusion (under a conclusion heading, or opening with a
    closing phrase in its last third) come before advice to every reader, then the most
    relevant wins. Sentences already `chosen`, that lean on the one before (`leans`), set
    up a claim to refute (`setup`), read badly or follow a call to action in their
    paragraph are not candidates, nor is a caveat outside a conclusion."""
    n = len(ctx.units)
    best: int | None = None
    best_announced = False
    for unit in ctx.units:
        i = unit.index
        announced = bool(unit.heading and cues.CONCLUSION_HEADING.search(unit.heading)) or (
            i >= 2 * n / 3 and bool(CONCLUDING.match(unit.text))
        )
        if i in chosen or not (announced or ADVICE_TO_ALL.search(unit.text)):
            continue
        if ctx.quality[i] < CUE_MIN_QUALITY or leans[i] or setup[i]:
            continue
        if CALL_TO_ACTION.search(ctx.doc.blocks[unit.block].text[: unit.start]):
            continue  # "Please report any problem! We want every lease to ...": part of the ask
        if not announced and ctx.limitation[i] >= STRONG_CUE:
            continue  # a caveat with advice in it belongs to the limitations
        if best is None or (announced, value[i]) > (best_announced, value[best]):
            best, best_announced = i, announced
    return best
