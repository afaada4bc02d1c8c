"""sumy's LexRank and TextRank, fed the same sentences Distill sees (segtok, not NLTK).

sumy's own English tokenizer needs NLTK data downloads, which cannot happen here; these
baselines get our sentence spans as the document and a plain word tokenizer, with sumy's
Snowball stemmer and English stop words, so the comparison is on selection alone.
"""

from __future__ import annotations

import re

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from distill.models import Document
from distill.summarize.sentences import PROSE_KINDS
from distill.text import sentence_spans

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


class SegtokTokenizer:
    """What sumy asks of a tokenizer, answered with segtok and a regular expression."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph[s:e] for s, e in sentence_spans(paragraph)]

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


TOKENIZER = SegtokTokenizer()


def sentences(doc: Document) -> list[str]:
    """The prose sentences of a document, in order (the lead baseline and sumy's input)."""
    return [
        block.text[s:e]
        for block in doc.blocks
        if block.kind in PROSE_KINDS
        for s, e in sentence_spans(block.text)
    ]


def sumy_document(doc: Document) -> ObjectDocumentModel:
    paragraphs = []
    for block in doc.blocks:
        if block.kind not in PROSE_KINDS:
            continue
        spans = sentence_spans(block.text)
        if spans:
            paragraphs.append(Paragraph([Sentence(block.text[s:e], TOKENIZER) for s, e in spans]))
    return ObjectDocumentModel(paragraphs)


def make(kind: str) -> LexRankSummarizer | TextRankSummarizer:
    cls = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def summarize(
    summarizer: LexRankSummarizer | TextRankSummarizer, doc: Document, count: int
) -> list[str]:
    return [str(s) for s in summarizer(sumy_document(doc), count)]
