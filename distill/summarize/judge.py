"""A second opinion for the claim check: a model reads the passages and judges the sentence.

The built-in check (claims.py) weighs shared words and MiniLM similarity. Shared words are
what fool it: a wrong recombination of the article's own words ("A goroutine is a group of
goroutines running the same function") scores high, and a faithful paraphrase in other
words scores low. A language model reading the supporting passages and the sentence can
tell meaning apart; asked one yes/no question per sentence, its probability of "yes"
grades how well the passages support it.

It is opt-in (the `claim_judge` setting names a models.toml entry) because it costs one
short request per summary sentence; the offline default stays the built-in check, which
needs no server. What the judge may not overrule: a sentence with a number, name, version
or identifier that its passages lack stays unsupported and is not asked about.

The judge's score is averaged with the built-in check's score and the mean compared with
the usual threshold (`verify_threshold`): the words and the meaning each count for half,
so a sentence both call weak falls, and neither alone can pass an unsupported sentence that
the other scores near zero. docs/benchmarks.md ("claim check on real LLM sentences")
measures this against each signal alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from ..errors import LLMUnavailable
from ..llm.client import yes_probability
from ..llm.config import ModelEntry
from .claims import Check

SYSTEM_PROMPT = "You check summaries against their source. Answer only yes or no."
# Weight of the judge's probability in the combined score; the built-in score has the rest.
JUDGE_WEIGHT = 0.5


def question(passage: str, sentence: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": f"Source text:\n{passage}\n\nStatement: {sentence}\n\n"
            "Does the source text state or directly imply the statement, with the same "
            "meaning? Answer yes or no.",
        },
    ]


@dataclass
class Judge:
    """One model server asked, sentence by sentence, whether the passages entail it."""

    entry: ModelEntry
    settings: Settings

    def entailment(self, passage: str, sentence: str) -> float:
        """Probability in [0, 1] that `passage` supports `sentence`; LLMUnavailable if the
        server cannot answer."""
        return yes_probability(self.entry, self.settings, question(passage, sentence))


def passage_text(check: Check) -> str:
    """The sentence's supporting passages in the article's order: what the judge reads."""
    return " ".join(p.text for p in sorted(check.passages, key=lambda p: (p.block, p.start)))


def combined(score: float, judged: float) -> float:
    return (1 - JUDGE_WEIGHT) * score + JUDGE_WEIGHT * judged


def second_opinion(checks: list[Check], judge: Judge, threshold: float) -> None:
    """Re-decide `checks` in place with the judge's score.

    A server that cannot answer raises LLMUnavailable naming the judge: the reader asked for
    sentences a model has read against the article, so the summary falls back rather than
    pass sentences only the built-in check has seen.
    """
    for check in checks:
        if check.missing or not check.passages:
            continue  # a missing fact is final; no passage shares a word with it
        try:
            judged = judge.entailment(passage_text(check), check.text)
        except LLMUnavailable as exc:
            raise LLMUnavailable(f"claim judge {exc.reason}", exc.retry) from exc
        check.judge = judged
        check.score = combined(check.score, judged)
        check.supported = check.score >= threshold
