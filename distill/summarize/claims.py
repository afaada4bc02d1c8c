"""The claim check: is every sentence of a summary supported by the article it summarises?

Generated text (an LLM's summary) can say things the article never said. Before a reader
sees such a summary, each sentence is aligned to the source sentences that support it and
scored in [0, 1]:

- lexical coverage: how much of the claim's content words (weighted by how rare they are
  in this article) the supporting passages contain;
- meaning: cosine similarity of MiniLM embeddings between the claim and its best passage,
  which rewards paraphrase that lexical overlap misses;
- facts: numbers and versions in the claim must appear in its supporting passages (or the
  title), names and code identifiers anywhere in the article (title and code blocks
  included: a sentence merging several passages names things from all of them); one that
  does not makes the sentence unsupported, whatever the overlap (an invented figure is the
  most harmful kind of error and the easiest to make). A passage never joins the support
  for sharing only the claim's facts: "64 weeks" is not backed by "64 shards";
- negation: a claim that negates what its passage asserts (or the reverse) loses score.

Only a few candidate passages per claim (chosen by the cheap lexical score) are embedded,
and embeddings are cached per source sentence, so checking one article's summary costs
tens of milliseconds rather than embedding the whole article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..embed import Embedder
from ..models import Document
from ..text import FUNCTION_WORDS, sentence_spans, stem
from . import claims_model

# Weights of the two evidence kinds; lexical is the more reliable on technical prose,
# where paraphrase rarely changes identifiers, so it carries more.
W_LEXICAL = 0.6
W_MEANING = 0.4
# Cosine similarities between unrelated English sentences under MiniLM sit around 0.1-0.3;
# near-paraphrases above 0.8. The meaning score maps that range onto [0, 1].
COSINE_FLOOR = 0.25
COSINE_CEIL = 0.85
# A score at or above this is "supported". Chosen on hand-labelled LLM sentences (labelling
# rounds 1-3 of tests/data/claims_llm.jsonl, bench/eval_claims.py --labelled): the best
# balanced accuracy that still keeps at least 85% of the faithful sentences. 0.55, the best
# accuracy on synthetic variants of offline summaries, let 57% of real wrong ones through.
DEFAULT_THRESHOLD = 0.7
# The learned check (Verifier(learned=True)) gives a probability; supported at or above this.
LEARNED_THRESHOLD = 0.5
# Its inputs, in the order of claims_model.WEIGHTS (see Verifier.features).
FEATURES = (
    "score",  # the default check's hand-weighted score
    "lexical",  # rarity-weighted share of the claim's words in its support
    "best_lexical",  # the same for the best single candidate passage
    "cosine",  # MiniLM cosine with the closest supporting passage
    "negated",  # exactly one of claim and passage negated
    "missing",  # facts (numbers, names, identifiers) the support lacks
    "unknown",  # rarity-weighted share of words the article never uses
    "bigrams",  # share of the claim's content-word pairs found in order in its support
    "overlap",  # plain share of the claim's words in its best passage
    "support_words",  # plain share of the claim's content words in its support
)
# Multiplier per fact (number, name, identifier) absent from the supporting passages.
FACT_PENALTY = 0.35
# Multiplier when exactly one of claim and best passage is negated.
NEGATION_PENALTY = 0.5
# Lexical coverage (by one source sentence) at or above which a claim's words are all the
# article's own, and at or below which it shares next to nothing: no embedding needed.
LEXICAL_SURE = 0.9
LEXICAL_NONE = 0.2
# Content words after a negation that it is taken to govern.
NEGATION_SCOPE = 3
# Passages embedded per claim (best lexical candidates) and kept as support.
CANDIDATES = 6
SUPPORT = 3
# A passage joins the support set only if it shares at least this much with the claim.
MIN_PASSAGE_SHARE = 0.15
# A passage outside the support vouches for a fact only if it shares this much of the
# claim: a version number mentioned elsewhere in a release note does not back any claim.
FACT_PASSAGE_SHARE = 0.35
# A further passage joins the support only if it covers this much more of the claim.
MIN_GAIN = 0.1

STOPWORDS = FUNCTION_WORDS
NEGATIONS = frozenset({"not", "no", "never", "nor", "cannot", "none", "neither", "without"})
_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:['’][a-z]+)?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])|(?<![\w.])v?\d+(?:\.\d+)+\w*")
_IDENT = re.compile(
    r"`[^`]+`|\b[A-Za-z_]\w*(?:\.\w+)+\(?\)?|\b\w*_\w+\b|\b[a-z]+[A-Z]\w*\b|\b[A-Z]\w*[A-Z]\w*\b"
)
_CLAUSE = re.compile(r"[,:;!?()\u2014]|\.(?:\s|$)")
_NAME = re.compile(r"\b[A-Z][\w\-]*")


def content_words(text: str) -> list[str]:
    """Lower-cased, lightly stemmed words that carry meaning (stop words removed)."""
    out = []
    for token in _TOKEN.findall(text.lower()):
        token = token.replace("’", "'")
        if token.endswith("n't"):
            continue
        if token not in STOPWORDS:
            out.append(stem(token))
    return out


def negations(text: str, other: set[str]) -> int:
    """Negations in `text` that bear on the other text: followed, within a few content
    words, by a word the other text also uses ("which was never the problem" in a passage
    says nothing about a claim that does not mention the problem)."""
    count = 0
    for clause in _CLAUSE.split(text.lower().replace("’", "'")):  # scope ends at the clause
        tokens = _TOKEN.findall(clause)
        for n, token in enumerate(tokens):
            if token in NEGATIONS or token.endswith("n't"):
                window = [stem(t) for t in tokens[n + 1 : n + 1 + NEGATION_SCOPE * 2]]
                scope = [w for w in window if w not in STOPWORDS][:NEGATION_SCOPE]
                if not scope:  # "... as they do not": the negation looks back
                    before = [stem(t) for t in tokens[max(0, n - NEGATION_SCOPE * 2) : n]]
                    scope = [w for w in before if w not in STOPWORDS][-NEGATION_SCOPE:]
                count += any(w in other for w in scope)
    return count


def facts(text: str) -> list[str]:
    """Numbers, versions, code identifiers and proper names that the claim asserts."""
    found: list[str] = []
    for match in _NUMBER.finditer(text):
        found.append(match.group().replace(",", ""))
    for match in _IDENT.finditer(text):
        found.append(match.group().strip("`").rstrip("()"))
    words = text.split()
    first = words[0] if words else ""
    for match in _NAME.finditer(text):
        word = match.group().rstrip("-")
        if match.start() == text.find(first) and word.lower() in STOPWORDS | NEGATIONS:
            continue
        if match.start() == 0 and not any(c.isupper() for c in word[1:]):
            continue  # a capital at the start of a sentence is grammar, not a name
        if len(word) > 1 and word.lower() not in STOPWORDS:
            found.append(word)
    seen: set[str] = set()
    unique = []
    for f in found:
        if f and f.lower() not in seen:
            seen.add(f.lower())
            unique.append(f)
    return unique


def _is_number(fact: str) -> bool:
    """A figure or version ("4096", "v1.2.3"), as opposed to a name or identifier."""
    return any(c.isdigit() for c in fact) and not any(c.isalpha() for c in fact.lstrip("v"))


def _fact_in(fact: str, text: str) -> bool:
    if _is_number(fact):
        numbers = {m.group().replace(",", "") for m in _NUMBER.finditer(text)}
        return fact in numbers or fact.lstrip("v") in {n.lstrip("v") for n in numbers}
    return re.search(r"(?<!\w)" + re.escape(fact) + r"(?!\w)", text, re.IGNORECASE) is not None


@dataclass
class Passage:
    """A source sentence: characters [start, end) of block `block`."""

    block: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, int]:
        return {"block": self.block, "start": self.start, "end": self.end}


@dataclass
class Check:
    """The verdict on one summary sentence."""

    text: str
    score: float
    supported: bool
    passages: list[Passage] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # facts not found in the passages
    # The claim judge's probability that the passages entail the sentence (judge.py), when
    # one was asked; `score` is then the mean of it and the built-in score.
    judge: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "supported": self.supported,
            "passages": [p.to_dict() for p in self.passages],
            "missing": self.missing,
            "judge": None if self.judge is None else round(self.judge, 4),
        }


def source_passages(doc: Document) -> list[Passage]:
    """Every sentence of every prose block (headings, list items and tables included)."""
    passages = []
    for index, block in enumerate(doc.blocks):
        if block.kind == "code":
            continue
        for start, end in sentence_spans(block.text):
            passages.append(Passage(index, start, end, block.text[start:end]))
    return passages


def split_claims(text: str) -> list[str]:
    """A summary's sentences: list markers and section headings dropped."""
    claims: list[str] = []
    for raw in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•+]|\d+[.)])\s+", "", raw).strip()
        if not line or line.startswith("#"):
            continue
        claims.extend(line[s:e] for s, e in sentence_spans(line))
    return claims


class Verifier:
    """Checks claims against one document; reuse it for every sentence of that document."""

    def __init__(
        self,
        doc: Document,
        embedder: Embedder | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        shortcut: bool = True,
        learned: bool = False,
    ) -> None:
        self.doc = doc
        # The learned check weighs every measurement, the embedding's included: no shortcut.
        self.learned = learned
        self.shortcut = shortcut and not learned
        self.embedded = 0  # claims that needed the embedding model (for benchmarks)
        self.embedder = embedder
        self.threshold = LEARNED_THRESHOLD if learned else threshold
        self.passages = source_passages(doc)
        self._words = [Counter(content_words(p.text)) for p in self.passages]
        df: Counter[str] = Counter()
        for words in self._words:
            df.update(words.keys())
        n = max(1, len(self.passages))
        # Words the article never uses get the largest weight: a claim built on them is
        # talking about something else.
        self._idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self._unknown_idf = math.log(1 + n)
        self._vectors: dict[int, np.ndarray] = {}
        # Everything the article says, title and code included (where names may come from).
        self._source_text = "\n".join([doc.title, *(b.text for b in doc.blocks)])

    def _anywhere(self, fact: str) -> bool:
        """A name or identifier the article uses anywhere (its title and code included) is
        not invented: a summary sentence that merges several passages names things from all
        of them, and commands sit in code blocks. A number must stay with its passages: a
        version or figure elsewhere in a release note backs no other claim (the title's
        own numbers excepted: "Go 1.4 is released" is the article's subject)."""
        if _is_number(fact):
            return _fact_in(fact, self.doc.title)
        # "APIs" where the article says "API"; "Go-based" where it says "Go".
        forms = {fact, fact[:-1] if fact.endswith("s") and len(fact) > 3 else fact}
        forms.add(fact.split("-", 1)[0] if "-" in fact[1:] else fact)
        return any(_fact_in(form, self._source_text) for form in forms)

    def _weight(self, word: str) -> float:
        return self._idf.get(word, self._unknown_idf)

    def _coverage(self, claim: Counter[str], words: set[str]) -> float:
        total = sum(self._weight(w) for w in claim)
        if total == 0:
            return 0.0
        return sum(self._weight(w) for w in claim if w in words) / total

    def check(self, claims: list[str]) -> list[Check]:
        """One Check per claim, in order; the embedder runs at most once for the batch."""
        if not claims:
            return []
        claim_words, candidates, vectors = self._prepare(claims)
        return [
            self._judge(claims[n], claim_words[n], candidates[n], vectors.get(n))
            for n in range(len(claims))
        ]

    def _evidence(self, claims: list[str]) -> list[Evidence | None]:
        if not claims:
            return []
        claim_words, candidates, vectors = self._prepare(claims)
        return [
            self.evidence(claims[n], claim_words[n], candidates[n], vectors.get(n))
            for n in range(len(claims))
        ]

    def _prepare(
        self, claims: list[str]
    ) -> tuple[list[Counter[str]], list[list[int]], dict[int, np.ndarray]]:
        """Each claim's words, candidate passages and (where needed) embedding."""
        claim_words = [Counter(content_words(c)) for c in claims]
        candidates: list[list[int]] = []
        best_share: list[float] = []
        for words in claim_words:
            shares = [(self._coverage(words, set(pw)), i) for i, pw in enumerate(self._words) if pw]
            shares.sort(reverse=True)
            candidates.append([i for share, i in shares[:CANDIDATES] if share > 0])
            best_share.append(shares[0][0] if shares else 0.0)
        # Meaning is only needed where words leave the verdict open: a claim whose words
        # all sit in one source sentence, or that shares almost nothing with the article,
        # is decided without the model (facts and negation are checked either way).
        ambiguous = [
            n
            for n in range(len(claims))
            if candidates[n] and (not self.shortcut or LEXICAL_NONE < best_share[n] < LEXICAL_SURE)
        ]
        vectors: dict[int, np.ndarray] = {}
        if self.embedder is not None and ambiguous:
            todo = sorted({i for n in ambiguous for i in candidates[n]} - set(self._vectors))
            texts = [claims[n] for n in ambiguous] + [self.passages[i].text for i in todo]
            matrix = self.embedder.embed(texts)
            for row, n in enumerate(ambiguous):
                vectors[n] = matrix[row]
            for row, i in enumerate(todo, start=len(ambiguous)):
                self._vectors[i] = matrix[row]
        self.embedded += len(vectors)
        return claim_words, candidates, vectors

    def _judge(
        self, claim: str, words: Counter[str], candidates: list[int], vector: np.ndarray | None
    ) -> Check:
        evidence = self.evidence(claim, words, candidates, vector)
        if evidence is None:
            return Check(claim, 0.0, False, [], facts(claim))
        score = evidence.score
        if self.learned:
            score = learned_score(self.features(claim, words, evidence))
        supported = score >= self.threshold and not evidence.missing
        passages = [self.passages[i] for i in evidence.support]  # best first
        return Check(claim, score, supported, passages, evidence.missing)

    def evidence(
        self, claim: str, words: Counter[str], candidates: list[int], vector: np.ndarray | None
    ) -> Evidence | None:
        """What the article offers for one claim; None when it shares no word with it."""
        if not words or not candidates:
            return None
        ranked = []
        for i in candidates:
            lexical = self._coverage(words, set(self._words[i]))
            cosine = float(self._vectors[i] @ vector) if vector is not None else lexical
            ranked.append((W_LEXICAL * lexical + W_MEANING * cosine, lexical, cosine, i))
        # ranked: (combined, lexical, cosine, passage index), best first
        ranked.sort(reverse=True)
        # Support: the best passage, then others only while they cover more of the claim
        # (a claim may join two sentences), so provenance points at what really backs it.
        best = ranked[0][3]
        support = [best]
        covered = set(self._words[best])
        claimed = facts(claim)
        # A passage joins for the rest of the claim, not for its facts alone: sharing "64"
        # with the claim is no reason to trust the claim's "64" (checked below).
        plain = words - Counter(w for f in claimed for w in content_words(f)) or words
        for _, lex, _, i in ranked[1:]:
            if len(support) >= SUPPORT or lex < MIN_PASSAGE_SHARE:
                continue
            gain = self._coverage(plain, covered | set(self._words[i])) - self._coverage(
                plain, covered
            )
            if gain >= MIN_GAIN:
                support.append(i)
                covered |= set(self._words[i])
        missing = []
        for fact in claimed:
            if any(_fact_in(fact, self.passages[i].text) for i in support):
                continue
            # The fact may sit in a further candidate that also shares words with the claim:
            # words besides the fact itself ("64" shared is not a reason to trust "64").
            rest = words - Counter(content_words(fact))
            extra = next(
                (
                    i
                    for _, _, _, i in ranked
                    if i not in support
                    and _fact_in(fact, self.passages[i].text)
                    and self._coverage(rest, set(self._words[i])) >= FACT_PASSAGE_SHARE
                ),
                None,
            )
            if extra is not None:
                support.append(extra)
            elif not self._anywhere(fact):
                missing.append(fact)
        union: set[str] = set()
        for i in support:
            union.update(self._words[i])
        lexical = self._coverage(words, union)
        closest: float | None = None
        if vector is not None:
            closest = max(float(self._vectors[i] @ vector) for i in support)
            meaning = min(1.0, max(0.0, (closest - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))
            score = W_LEXICAL * lexical + W_MEANING * meaning
        else:  # decided on words alone: they are all there, or hardly any are
            score = lexical
        passage = self.passages[best].text
        negated = (negations(claim, set(self._words[best])) > 0) != (
            negations(passage, set(words)) > 0
        )
        if negated:
            score *= NEGATION_PENALTY
        score *= FACT_PENALTY ** len(missing)
        return Evidence(
            score=score,
            lexical=lexical,
            best_lexical=max(r[1] for r in ranked),
            cosine=closest,
            negated=negated,
            missing=missing,
            support=support,
            unknown=1.0 - self._coverage(words, set(self._idf)),
        )

    def features(self, claim: str, words: Counter[str], evidence: Evidence) -> list[float]:
        """The learned check's inputs (FEATURES, in order) for one claim."""
        support_words: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for i in evidence.support:
            passage = content_words(self.passages[i].text)
            support_words.update(passage)
            pairs.update(zip(passage, passage[1:], strict=False))
        ordered = content_words(claim)
        claim_pairs = list(zip(ordered, ordered[1:], strict=False))
        bigrams = sum(p in pairs for p in claim_pairs) / len(claim_pairs) if claim_pairs else 1.0
        plain = set(re.findall(r"\w+", claim.lower()))
        best = set(re.findall(r"\w+", self.passages[evidence.support[0]].text.lower()))
        cosine = evidence.cosine if evidence.cosine is not None else evidence.lexical
        return [
            evidence.score,
            evidence.lexical,
            evidence.best_lexical,
            cosine,
            float(evidence.negated),
            float(len(evidence.missing)),
            evidence.unknown,
            bigrams,
            len(plain & best) / len(plain) if plain else 0.0,
            sum(w in support_words for w in words) / max(1, len(words)),
        ]

    def measure(self, claims: list[str]) -> list[list[float] | None]:
        """FEATURES of each claim (None when it shares no word with the article); for
        training and evaluating the learned check (bench/train_claims.py)."""
        saved = self.shortcut
        self.shortcut = False
        try:
            claim_words = [Counter(content_words(c)) for c in claims]
            out: list[list[float] | None] = []
            for claim, words, check in zip(
                claims, claim_words, self._evidence(claims), strict=True
            ):
                out.append(None if check is None else self.features(claim, words, check))
            return out
        finally:
            self.shortcut = saved


def learned_score(features: list[float]) -> float:
    """The learned check's probability that a claim is supported (logistic regression whose
    weights bench/train_claims.py fits and writes to claims_model.py)."""
    z = claims_model.INTERCEPT
    for value, mean, scale, weight in zip(
        features, claims_model.MEANS, claims_model.SCALES, claims_model.WEIGHTS, strict=True
    ):
        z += weight * (value - mean) / scale
    return 1.0 / (1.0 + math.exp(-z))


@dataclass
class Evidence:
    """The measurements behind one claim's verdict (what the learned check weighs)."""

    score: float  # the hand-weighted score of the default check
    lexical: float  # rarity-weighted share of the claim's words in its support
    best_lexical: float  # the same for the single best candidate passage
    cosine: float | None  # MiniLM cosine with the closest supporting passage
    negated: bool  # exactly one of claim and best passage is negated
    missing: list[str]  # facts (numbers, names, identifiers) the support lacks
    support: list[int]  # passage indexes, best first
    unknown: float  # rarity-weighted share of the claim's words the article never uses


def word_overlap(doc: Document, claim: str) -> float:
    """The plain baseline: share of the claim's words found in its best source sentence."""
    claim_words = set(re.findall(r"\w+", claim.lower()))
    if not claim_words:
        return 0.0
    best = 0.0
    for passage in source_passages(doc):
        words = set(re.findall(r"\w+", passage.text.lower()))
        best = max(best, len(claim_words & words) / len(claim_words))
    return best
