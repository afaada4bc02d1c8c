"""Core concepts and technologies: canonical names from the technology list, then key phrases.

A technology line's text is its canonical name ("PostgreSQL") and its provenance is the
span of the first mention in the article, which may be an alias ("Postgres"). Concepts the
list does not know come from the article's own noun phrases, shown exactly as first
written, so the span holds the line's text.

What counts (each rule from a judged mistake, tests/data/summary_judgements.jsonl):
- mentions are counted in the sentences a summary may show, headings and the title, not
  in changelog entries, calls to action or code (a "[FLINK-123] ... checkpoint" line does
  not make checkpointing a concept of a release note);
- a technology must be salient: in the title, in a heading and a sentence, or in several
  sentences for the article's length; a concept entry must be named by a spelling that
  shares a word with its name ("Mentorship" is not shown for "onboarding", nor
  "Ownership and borrowing" for "lifetimes");
- organisations are not concepts, and names most posts mention in passing (GitHub,
  Docker images, HTML) need the title, a heading or a denser run of mentions; a name only
  ever given as an example ("proxies such as rustc and cargo") weighs half;
- a key phrase is a term the article defines and uses again ("X is a ...", not "what is
  known as a race condition" once), names in its title and returns to, names in a
  heading, or keeps returning to; never a lone capitalised word (usually a person or a
  product named in passing), a generic or an organisation's acronym ("PMC"), the
  initials of a technology judged by the rule above ("GC"), an identifier the text
  calls a function or a type ("the MD5All function"), a piece of code ("func main",
  "-Znext-solver=coherence"), or a run across a verb, an adverb or a preposition
  ("values downstream", "returning HTML", "outbound channels" is a description). Verbs
  are learnt from the article itself: a word that follows "we"/"it"/"will" somewhere
  and never follows "the"/"a" is a verb there.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, replace
from typing import Any

from ..models import Document, Line, Span
from ..text import stem
from .sentences import STOP_WORDS, Sentences, split_document

MAX_TERMS = 10
# At most this many of the entries are key phrases, so named technologies come first (on
# the judged set, phrases past the fourth were wrong more often than right).
MAX_PHRASES = 4
# A phrase must recur to be a concept of the article (or sit in its title or a heading);
# a lower-case phrase without a technical shape must recur more, since without a part-of-
# speech tagger repetition is the best evidence that it names a thing.
MIN_PHRASE_COUNT = 2
MIN_PLAIN_PHRASE_COUNT = 3
# Sentences a technology must be named in to be core to the article rather than named in
# passing: at least MIN_TECH_MENTIONS, and one more for every TECH_WORDS_PER_MENTION words
# of article (two mentions in 3,000 words is an aside). On the judged set this keeps 85%
# of the right technologies and drops 60% of the wrong ones.
MIN_TECH_MENTIONS = 2
TECH_WORDS_PER_MENTION = 500
# ... and in at least this many paragraphs: names listed together in one paragraph of a
# newsletter ("Zeppelin, NiFi and CDC") are an aside, however often that paragraph names them.
MIN_TECH_BLOCKS = 2
# (A short note of fewer paragraphs than this says everything in one or two of them.)
FEW_PARAGRAPHS = 4
# Kinds and names that posts mostly mention in passing (where the code lives, how it is
# packaged, the web's formats, umbrella words): they need twice the mentions.
INCIDENTAL_KINDS = frozenset({"platform", "format"})
INCIDENTAL_NAMES = frozenset(
    {
        "GitHub", "GitLab", "Docker", "Helm", "Maven", "Compiler", "Conferences",
        "Open source", "Documentation", "Refactoring", "Technical debt", "Benchmarking",
        "Concurrency", "Release engineering", "Unicode", "Design docs", "Windows",
    }
)  # fmt: skip
INCIDENTAL_FACTOR = 2
EXAMPLE_WEIGHT = 0.5
# Organisations are not concepts (the rule): names ending in one of these words.
ORGANISATION = re.compile(r"\b(?:Foundation|Inc|Corp|Council|Committee|WG|Team)$")

_TOKEN = re.compile(r"[A-Za-z][\w+#]*(?:[.\-/][A-Za-z0-9][\w+#]*)*")
_BREAK = re.compile(r"[.,;:!?()\[\]\"“”]")
# Acronyms too common to be a concept of any one article.
GENERIC_ACRONYMS = frozenset(
    "API APIS NPE OS UI URL URLS CPU CPUS GPU RAM ID IDS IDE CLI PR PRS FAQ TODO DOS OK"
    " JSON YAML HTTP HTTPS PDF CI CD QA TL DR RFC RFCS IO EOF UTC GMT AM PM LOW HIGH"
    " MEDIUM NONE ALL TRUE FALSE NULL NOTE WARNING ERROR INFO DEBUG"
    " KB MB GB TB MS NS US UK EU USA".split()
)
# Words that end a run as a key phrase: code keywords ("func main") and the adverbs or
# verbs that a run without a part-of-speech tagger would glue onto a noun.
NOT_IN_TERM = frozenset(
    """func main return returns var let nil null true false else elif def fn pub impl
    self void int string bool downstream upstream assume assumes incorrectly correctly
    directly simply exactly only also already always never often usually manner
    multiple several various done includes include evaluates provides requires allows
    enables contains supports becomes means alone said says asked told felt found towards
    toward across among amongst beyond despite versus along behind beside besides
    throughout underneath unlike near""".split()
)
# Head nouns that make a two-word run a description rather than a term ("best practices",
# "design meeting", "top challenges", "optimization guide", "PMC members"), from the judged set.
GENERIC_HEADS = frozenset(
    """practices meeting meetings challenges guide guides criteria cadence members options
    pages window generator freeze operations values library""".split()
)
GENERIC_MODIFIERS = frozenset(
    """single whole fixed regular various different several multiple many certain specific
    general common simple new old same other top best main key major minor big small large
    good better modern upcoming recent previous latest next current first last inbound outbound
    incoming outgoing significant additional further extra""".split()
)
# Acronyms of organisations (the rule: organisations are not concepts).
ORGANISATION_ACRONYMS = frozenset("PMC PPMC TSC ASF CNCF IETF W3C IEEE ACM ISO SIG WG".split())
# The text calling a name a piece of code: "the helper function MD5All", "the MD5All function".
_CODE_NOUN = re.compile(
    r"\b(?:function|func|method|type|struct|class|field|parameter|constructor|macro|enum)\b"
)
_NAME_BEFORE = re.compile(r"([\w.]+)`?\s+$")
_NAME_AFTER = re.compile(r"\s+`?([\w.]+)")
# A token with the shape of an identifier: an inner capital after a lower-case letter or a
# digit ("MD5All", "sumFiles"), an underscore, or a dotted call ("markdown.normalizeLink").
_IDENTIFIER = re.compile(r"[a-z0-9][A-Z]|_|[a-z]\.[a-z]")
# A package-qualified name from code: "markdown.normalizeLink", "exec.LookPath" (not a file
# name such as "go.mod").
_QUALIFIED = re.compile(r"\b[a-z]\w*\.(?:[A-Z]|[a-z]+[A-Z])\w*")
# A verb opening a phrase: "returning HTML", "stabilize -Znext-solver" (no tagger, so the
# shapes that are nearly always verbs: -ize/-ify, or -ing before a capitalised object).
_VERB_START = re.compile(r"^[a-z]+(?:ize|yze|ify|alise|imise|gnise)[sd]?$")
# Two labels joined by a slash ("ML/AI", "code editor/IDE"); a package path such as
# "net/http" is one name.
_RELEASE = re.compile(r"^v?\d+(?:\.\d+)+$")
_TWO_LABELS = re.compile(r"[A-Z]{2,}/[A-Za-z]|[A-Za-z]/[A-Z]{2,}")
_COMPOUND_ADJECTIVE = re.compile(
    r"-(?:driven|based|like|style|aware|friendly|specific|powered|native|ready|safe|free)$", re.I
)
# Generic words that still head a term of their own ("breaking changes").
KEEP_HEADS = frozenset({"change", "changes", "process"})
# Words that make a phrase generic rather than a concept (written for this module).
_GENERIC_TEXT = """blog post posts article today time times people team teams example examples work
    works release releases version versions number numbers problem problems case cases
    thing things lot user users support change changes feature features way ways part
    parts year years month months week weeks day days point points end start idea ideas
    question questions issue issues help details detail information community talk talks
    project projects place order kind kinds type types result results reason reasons step
    steps section sections list lists value values set sets line lines name names word
    words note notes fact course level levels side sides hand group groups state states
    function functions call calls pointer pointers variable variables method methods
    argument arguments interface interfaces code program programs file files zero
    surrounding following previous new old current default same other api apis
    important final biggest big whole main key major minor small large good better best
    high low full first last more many several various different specific certain common
    general multiple simple easy hard real source configuration option options site web
    meeting meetings mailing cpu cores experience challenge challenges area areas focus
    improvement improvements decision decisions criteria system systems process processes
    approach approaches goal goals plan plans progress status overview summary fixed single
    regular novice"""
GENERIC = frozenset(_GENERIC_TEXT.split())
GENERIC_STEMS = frozenset(stem(w) for w in GENERIC_HEADS)


@dataclass
class _Phrase:
    surface: str
    span: Span
    count: int = 0
    in_title: bool = False
    in_heading: bool = False
    capitalised: int = 0
    examples: int = 0  # mentions given as an example ("such as constant propagation")


def _technologies() -> Any | None:
    """The technology matcher when it is installed (it lands from another branch)."""
    try:
        return importlib.import_module("distill.taxonomy.technologies")
    except ImportError:
        return None


def _shares_a_word(form: str, name: str) -> bool:
    """Whether a spelling names the entry itself ("const generic" for "Const generics",
    "CDC" for "Change data capture") rather than something related to it."""
    if form.isupper() and len(form) > 1:
        return True  # an acronym
    ours = re.findall(r"[a-z0-9]+", form.lower())
    theirs = re.findall(r"[a-z0-9]+", name.lower())
    if len(theirs) > 1 and "".join(w[0] for w in theirs) in ours:
        return True  # its initials inside the form: "generative AI" for artificial intelligence
    return any(a[:5] == b[:5] if min(len(a), len(b)) >= 5 else a == b for a in ours for b in theirs)


# The words before a name given as an example: "such as X", "like Y and X", "e.g. W, X".
_EXAMPLE = re.compile(
    r"\b(?:such as|like|e\.g\.,?|for example,?|for instance,?|including|other than)\s+"
    r"(?:[\w.+#/-]+(?:\s+[\w.+#/-]+){0,2},?\s+)*?(?:(?:and|or)\s+)?$",
    re.IGNORECASE,
)


_EXAMPLE_MARKER = re.compile(
    r"such as|like|e\.g\.|for example|for instance|including|other than", re.I
)


def _as_example(text: str, start: int) -> bool:
    """Whether the name at `start` is given as an example in its sentence."""
    head = text[max(0, start - 80) : start]
    head = re.split(r"[.;:!?()]\s", head)[-1]
    return bool(_EXAMPLE.search(head))


def _in_compound(text: str, span: Span) -> bool:
    """Whether the mention at `span` is joined by a hyphen to a word after it."""
    return text[span.end : span.end + 2][:1] == "-" and text[span.end + 1 : span.end + 2].isalpha()


def _eligible(doc: Document, split: Sentences) -> dict[int, list[tuple[int, int]]]:
    """Per block, the character ranges a concept may be counted in: the sentences a
    summary could show (no boilerplate, no changelog entries) and whole headings."""
    ranges: dict[int, list[tuple[int, int]]] = {}
    for unit in split.units:
        ranges.setdefault(unit.block, []).append((unit.start, unit.end))
    for block, _, _ in split.headings:
        ranges.setdefault(block, []).append((0, len(doc.blocks[block].text)))
    return ranges


def _inside(ranges: dict[int, list[tuple[int, int]]], span: Span) -> bool:
    return any(a <= span.start < b for a, b in ranges.get(span.block, ()))


def technology_terms(
    doc: Document, limit: int, split: Sentences | None = None, mentions: list[Any] | None = None
) -> list[Line]:
    """Salient technologies; `mentions` is what the matcher found (found here if None)."""
    module = _technologies()
    if module is None:
        return []
    split = split or split_document(doc)
    ranges = _eligible(doc, split)
    words = sum(u.word_count for u in split.units)
    paragraphs = len({u.block for u in split.units})
    catalogue = module.load_technologies()
    if mentions is None:
        mentions = module.find_in_document(doc)
    lines = []
    for mention in mentions:
        spans = [sp for sp in mention.spans if _inside(ranges, sp)]
        tech = catalogue.by_name.get(mention.name)
        kind = tech.kind if tech else ""
        if ORGANISATION.search(mention.name) or mention.name == "Apache Software Foundation":
            continue
        forms = [doc.blocks[sp.block].text[sp.start : sp.end] for sp in spans]
        forms += [doc.title[a:b] for a, b in mention.title_spans]
        if kind == "concept" and not any(_shares_a_word(f, mention.name) for f in forms):
            continue  # only a related word was found ("onboarding" for "Mentorship")
        headings = sum(1 for sp in spans if doc.blocks[sp.block].kind == "heading")
        # A name inside a hyphenated compound ("compiler-generated", "compiler-builtins")
        # describes something else: such a mention weighs half.
        sentences: float = sum(
            EXAMPLE_WEIGHT if _in_compound(doc.blocks[sp.block].text, sp) else 1.0
            for sp in spans
            if doc.blocks[sp.block].kind != "heading"
        )
        # A name only ever given as an example ("proxies such as rustc and cargo") is named
        # in passing: its mentions weigh half.
        if sentences and all(
            _as_example(doc.blocks[sp.block].text, sp.start)
            for sp in spans
            if doc.blocks[sp.block].kind != "heading"
        ):
            sentences *= EXAMPLE_WEIGHT
        need = max(MIN_TECH_MENTIONS, words / TECH_WORDS_PER_MENTION)
        incidental = kind in INCIDENTAL_KINDS or mention.name in INCIDENTAL_NAMES
        if incidental:
            need *= INCIDENTAL_FACTOR
        blocks = len({sp.block for sp in spans})
        salient = (
            mention.in_title
            or (headings > 0 and sentences >= 1 and not incidental)
            or (sentences >= need and (blocks >= MIN_TECH_BLOCKS or paragraphs < FEW_PARAGRAPHS))
        )
        if not spans or not salient:
            continue
        first = spans[0]
        lines.append(
            Line(mention.name, kind="term", source=[Span(first.block, first.start, first.end)])
        )
        if len(lines) >= limit:
            break
    return lines


def _sentence_start(text: str, at: int) -> bool:
    """Whether `at` opens a sentence: only spaces back to sentence punctuation or the start.
    Walks back instead of slicing, which copied the text before every capitalised word."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in '.!?:;"“('


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Tokens of `text` split into runs at punctuation and stop words."""
    runs: list[list[re.Match[str]]] = [[]]
    cursor = 0
    for match in _TOKEN.finditer(text):
        gap = text[cursor : match.start()]
        cursor = match.end()
        word = match.group().lower()
        if _BREAK.search(gap) or word in STOP_WORDS or len(word) < 2:
            runs.append([])
            if word in STOP_WORDS or len(word) < 2:
                continue
        runs[-1].append(match)
    return [r for r in runs if r]


# A sentence that defines a term: "A pipeline is a series of stages ...", "... is called
# fan-out", "Const generics are generic arguments that ...". The term is group "term".
_DEFINES = [
    re.compile(
        r"^(?:informally|simply put|in short|in (?:go|rust|flink)),?\s+(?:an?\s+|the\s+)?"
        r"(?P<term>[\w'’+#-]+(?:\s+[\w'’+#-]+){0,3}?)\s+(?:\([^)]{1,30}\)\s+)?"
        r"(?:is|are|refers to|means)\s+(?:an?|the|one of)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:an?\s+|the\s+)?(?P<term>[\w'’+#-]+(?:\s+[\w'’+#-]+){0,3}?)\s+"
        r"(?:\([^)]{1,30}\)\s+)?(?:is|are|refers to|means)\s+(?:an?|the|one of)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:called|known as|termed|dubbed)\s+(?:an?\s+|the\s+)?[\"“‘']?"
        r"(?P<term>[\w+#-]+(?:\s+[\w+#-]+){0,2}?)[\"”’']?(?:[.,;:)]|\s*$)",
        re.IGNORECASE,
    ),
]
_ACRONYM_LIKE = re.compile(r"^[A-Z]{2,}s?$")
_TECHNICAL = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}|\d|[+#_]")


def _defined_terms(split: Sentences) -> set[tuple[str, ...]]:
    """Stem keys of the terms the article's sentences define."""
    keys: set[tuple[str, ...]] = set()
    for unit in split.units:
        for pattern in _DEFINES:
            found = pattern.search(unit.text)
            if found:
                words = [w.lower() for w in _TOKEN.findall(found.group("term"))]
                words = [w for w in words if w not in STOP_WORDS]
                if 1 <= len(words) <= 3:
                    keys.add(tuple(stem(w) for w in words))
    return keys


def _segments(doc: Document, split: Sentences) -> list[tuple[int, int, int, bool]]:
    """(block, start, end, is_heading) for the text key phrases may come from."""
    out = [(u.block, u.start, u.end, False) for u in split.units]
    out += [(b, 0, len(doc.blocks[b].text), True) for b, _, _ in split.headings]
    return sorted(out)


def _fragment(text: str, start: int, end: int) -> bool:
    """A token cut out of a longer one ("NonZeroI" of "NonZeroI32", "Znext" of "-Znext")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before in "-_*/$:.'’=" or after.isalnum() or after in "*_(-"


def _called_code(doc: Document) -> set[str]:
    """The names the article's text calls a piece of code ("the helper function MD5All",
    "the MD5All function"): identifiers of the example, not concepts."""
    names: set[str] = set()
    for block in doc.blocks:
        if block.kind == "code":
            continue
        text = block.text
        for noun in _CODE_NOUN.finditer(text):
            before = _NAME_BEFORE.search(text, max(0, noun.start() - 80), noun.start())
            after = _NAME_AFTER.match(text, noun.end())
            names.update(m.group(1) for m in (before, after) if m)
    return names


# Verbs, learnt from the article itself (there is no part-of-speech tagger): a word that
# follows a subject pronoun or a modal ("it leaves", "we cut", "the router will evaluate")
# somewhere and never follows a determiner ("the cache", "a profile") is a verb there.
_WORDS = re.compile(r"[A-Za-z][A-Za-z']*")
_SUBJECTS = frozenset(
    """i we you they it he she which who will can must should would could may might cannot
    don't doesn't didn't won't now also still then always never often just""".split()
)
# ... or a participle after an auxiliary when no noun follows it ("respondents were asked
# to", but not "is undefined behavior").
_AUXILIARIES = frozenset("was were been being is are has have had".split())
_DETERMINERS = frozenset(
    "the a an this these those our its their your my each every any no".split()
)


def _verbs(split: Sentences) -> set[str]:
    """Lower-case words the article uses as verbs and never as nouns."""
    after_subject: set[str] = set()
    nouns: set[str] = set()
    for unit in split.units:
        words = _WORDS.findall(unit.text)
        for n, word in enumerate(words[:-1]):
            lowered = word.lower()
            following = words[n + 1]
            if lowered in _SUBJECTS and following.islower():
                after_subject.add(following)
            elif lowered in _AUXILIARIES and following.endswith("ed") and following.islower():
                then = words[n + 2].lower() if n + 2 < len(words) else ""
                if not then or then in STOP_WORDS:
                    after_subject.add(following)  # "were asked to", not "is undefined behavior"
            elif lowered in _DETERMINERS:
                nouns.add(following.lower())
                if n + 2 < len(words):
                    nouns.add(words[n + 2].lower())
    return after_subject - nouns - STOP_WORDS


# People are not concepts: a pair of capitalised words listed among other such pairs
# ("Mark Rousskov, Ryan Levick, and Jakob Degen") or thanked ("thank Eric Holk").
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)? [A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_PEOPLE = re.compile(
    rf"(?:{_NAME})(?:,\s+(?:and\s+)?{_NAME}){{2,}}|\b(?i:thank|thanks to|congratulations to)\s+"
    rf"{_NAME}(?:(?:,\s+|\s+and\s+){_NAME})*"
)


def _people(split: Sentences, mentioned: set[str]) -> set[str]:
    """Lower-cased pairs of capitalised words the article lists or thanks as people (not
    a list of products: no word of a technology the article names)."""
    product_words = {w for name in mentioned for w in name.lower().split()}
    found: set[str] = set()
    for unit in split.units:
        for match in _PEOPLE.finditer(unit.text):
            found.update(m.lower() for m in re.findall(_NAME, match.group()))
    return {name for name in found if not set(name.split()) & product_words}


def _initials(names: set[str]) -> set[str]:
    return {"".join(w[0] for w in re.split(r"[\s-]+", k) if w).lower() for k in names}


def key_phrases(
    doc: Document,
    limit: int,
    known: set[str],
    last_block: int,
    split: Sentences | None = None,
    mentioned: set[str] | None = None,
) -> list[Line]:
    """The article's own terms, `limit` at most, none overlapping `known` (technologies
    already shown). `mentioned` holds every technology the article names, salient or not:
    an acronym of one of them ("GC" for garbage collection) is that technology, already
    judged by its own rule."""
    split = split or split_document(doc)
    mentioned = mentioned if mentioned is not None else set()
    phrases: dict[tuple[str, ...], _Phrase] = {}
    title_keys = {stem(w.lower()) for w in _TOKEN.findall(doc.title)}
    defined = _defined_terms(split)
    verbs = _verbs(split)
    acronyms = _initials(mentioned)
    people = _people(split, mentioned)
    code_called = _called_code(doc)
    for b, seg_start, seg_end, heading in _segments(doc, split):
        if b > last_block:
            continue
        text = doc.blocks[b].text
        segment = text[seg_start:seg_end]
        marked = not heading and _EXAMPLE_MARKER.search(segment)
        for run in _runs(segment):
            lowered = [t.group().lower() for t in run]
            stems = [stem(w) for w in lowered]
            generic = [w in GENERIC for w in lowered]
            upper = [
                t.group()[0].isupper() and not _sentence_start(segment, t.start()) for t in run
            ]
            # Per run of 1, 2 and 3 tokens, once: none cut from a longer token or a flag
            # ("-Znext-solver=..."), only spaces between them ("removed 2 heap allocations"
            # is not one term) and none a verb of this article ("leaves proxy commands").
            ok1 = [not _fragment(text, seg_start + t.start(), seg_start + t.end()) for t in run]
            ok2 = [
                ok1[n]
                and ok1[n + 1]
                and not segment[run[n].end() : run[n + 1].start()].strip()
                and lowered[n] not in verbs
                and lowered[n + 1] not in verbs
                for n in range(len(run) - 1)
            ]
            ok = [ok1, ok2, [ok2[n] and ok2[n + 1] for n in range(len(run) - 2)]]
            lower = [t.group()[0].islower() for t in run]
            for size in (1, 2, 3):
                for k in range(len(run) - size + 1):
                    if not ok[size - 1][k]:
                        continue  # a piece of a token or a flag, words apart, or a clause
                    last = k + size - 1
                    words = lowered[k : k + size]
                    if size > 1 and len(set(words)) < size:
                        continue  # one word repeated: markup classes, not a term
                    if all(generic[k : k + size]) or any(w in NOT_IN_TERM for w in words):
                        continue
                    if any(w.endswith("ly") and len(w) > 4 for w in words):
                        continue  # an adverb: "incorrectly assume"
                    if size > 1 and words[-1].endswith("ed") and len(words[-1]) > 4:
                        continue  # ends on a verb: "records processed"
                    before_object = last + 1 < len(run) and not lower[last + 1]
                    if words[-1].endswith("ing") and lower[last] and before_object:
                        continue  # ends on a verb before its object: "services returning"
                    verb_first = _VERB_START.match(words[0]) or (
                        words[0].endswith("ing") and size > 1 and not lower[k + 1]
                    )
                    if size > 1 and lower[k] and verb_first:
                        continue  # a verb and its object: "returning HTML", "stabilize X"
                    start, end = seg_start + run[k].start(), seg_start + run[last].end()
                    key = tuple(stems[k : k + size])
                    phrase = phrases.get(key)
                    if phrase is None:
                        phrase = phrases[key] = _Phrase(text[start:end], Span(b, start, end))
                    phrase.count += 1
                    phrase.examples += bool(marked) and _as_example(text, start)
                    phrase.in_heading |= heading
                    phrase.capitalised += any(upper[k : k + size])
    for key, phrase in phrases.items():
        phrase.in_title = all(p in title_keys for p in key)
    scored: list[tuple[float, tuple[str, ...]]] = []
    for key, phrase in phrases.items():
        is_defined = key in defined
        if phrase.count < MIN_PHRASE_COUNT and not (phrase.in_title or is_defined):
            continue
        technical = bool(_TECHNICAL.search(phrase.surface))
        if phrase.in_title and phrase.count < MIN_PHRASE_COUNT and not (technical or is_defined):
            continue  # the title's framing, which the text does not return to
        if len(key) == 1:
            # One word is a concept only with a technical shape ("SipHash", "MIR", "v2"),
            # never a lone capitalised word (a person, a product named in passing) or a
            # generic acronym ("API", "NPE").
            if not technical or phrase.surface.upper().rstrip("S") in GENERIC_ACRONYMS:
                continue
            if phrase.surface.upper() in GENERIC_ACRONYMS:
                continue
            rare_acronym = (
                _ACRONYM_LIKE.match(phrase.surface) and phrase.count < MIN_PLAIN_PHRASE_COUNT
            )
            if rare_acronym and not (phrase.in_title or phrase.in_heading or is_defined):
                continue
        if any(
            _ACRONYM_LIKE.match(w) and w.lower().rstrip("s") in acronyms
            for w in phrase.surface.split()
        ):
            continue  # the initials of a technology the rule above judged ("GC", "GC costs")
        if _QUALIFIED.search(phrase.surface) and not (phrase.in_title or phrase.in_heading):
            continue  # a qualified name from the code ("markdown.normalizeLink")
        code_names = [w for w in phrase.surface.split() if _IDENTIFIER.search(w)]
        if (
            code_names
            and not (phrase.in_title or phrase.in_heading)
            and code_names[0] in code_called
        ):
            continue  # an identifier of the article's example code ("MD5All")
        if len(key) > 1 and not is_defined:
            words = phrase.surface.lower().split()
            if key[-1] in GENERIC_STEMS or words[0] in GENERIC_MODIFIERS:
                continue  # a description ("PMC members", "single object"), not a term
            if not technical and words[-1] in GENERIC and words[-1] not in KEEP_HEADS:
                continue  # "fixed number", "learning best"
            if len(words) == 3 and words[1].endswith("ing"):
                continue  # a clause: "services returning HTML"
        if phrase.surface.lower() in people:
            continue  # a person
        if _RELEASE.match(phrase.surface) and not (phrase.in_title or phrase.in_heading):
            continue  # a release number ("v1.0.0"), not a concept
        two_labels = " / " in phrase.surface or _TWO_LABELS.search(phrase.surface)
        if two_labels and not (phrase.in_title or phrase.in_heading):
            continue  # two labels of a chart or a menu ("ML/AI", "editor/IDE"), not one term
        if len(key) == 1 and _COMPOUND_ADJECTIVE.search(phrase.surface):
            continue  # "PGO-driven", "cloud-native": describes a term, is not one
        if is_defined and phrase.count < MIN_PHRASE_COUNT and not phrase.in_title:
            is_defined = False  # defined in passing and never used again ("race condition")
        notable = phrase.in_title or phrase.in_heading or is_defined
        if not notable and phrase.count < MIN_PLAIN_PHRASE_COUNT:
            continue
        if not notable and phrase.examples * 2 > phrase.count:
            continue  # mostly given as an example of something else
        if len(key) == 1 and phrase.surface.upper().rstrip("S") in ORGANISATION_ACRONYMS:
            continue

        if phrase.in_heading and not (phrase.in_title or is_defined) and phrase.count < 3:
            continue  # a heading the text hardly returns to ("Ongoing Changes", "Annual cadence")
        value = phrase.count * (1.0 + 0.6 * (len(key) - 1))
        value += 2.0 * phrase.in_title + 1.0 * phrase.in_heading + 0.5 * technical
        value += 3.0 * is_defined
        scored.append((value, key))
    chosen: list[tuple[str, ...]] = []
    lines: list[Line] = []
    known_keys = {tuple(stem(w) for w in k.lower().split()) for k in known}
    initials = _initials(known)
    for _, key in sorted(scored, reverse=True):
        if len(lines) >= limit:
            break
        overlaps = any(
            set(key) & set(other)
            if len(key) > 1 and len(other) > 1
            else set(key) <= set(other) or set(other) <= set(key)
            for other in chosen + list(known_keys)
        )
        phrase = phrases[key]
        if overlaps or (phrase.surface.isupper() and phrase.surface.lower() in initials):
            continue  # part of a name already shown, or its acronym ("CEP")
        chosen.append(key)
        lines.append(Line(phrase.surface, kind="term", source=[phrase.span]))
    return lines


def concepts(doc: Document, last_block: int, split: Sentences | None = None) -> list[Line]:
    """Technologies first, then key phrases; only blocks up to `last_block` are read."""
    part = (
        doc
        if last_block + 1 >= len(doc.blocks)
        else replace(doc, blocks=doc.blocks[: last_block + 1])
    )
    split = split or split_document(part)
    module = _technologies()
    mentions = module.find_in_document(part) if module is not None else []
    techs = technology_terms(part, MAX_TERMS, split, mentions)
    known = {line.text for line in techs}
    mentioned = {m.name for m in mentions}
    room = min(MAX_PHRASES, MAX_TERMS - len(techs))
    if room <= 0:
        return techs
    return techs + key_phrases(part, room, known, last_block, split, mentioned)
