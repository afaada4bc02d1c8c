"""What the model is asked for: the six sections as a JSON schema with bounds, and parsing.

Every list has maxItems and every string maxLength, so a grammar-constrained server
always reaches the end of the object; a server that ignores the schema is held to the
same bounds by `parse_summary`, which drops what exceeds them rather than trusting it.
Small models' slips (a code fence, prose around the object, trailing commas, raw newlines
in strings, an answer cut at the token limit) are repaired by distill/llm/lenient.py first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidAnswer
from .lenient import loads_lenient, strip_fences

SENTENCE_CHARS = 400
TERM_CHARS = 60
HEADING_CHARS = 120
CODE_CHARS = 4000
LIMITS = {  # section -> most items; mirrors the product's one-screen summary
    "executive_summary": 4,
    "concepts": 10,
    "main_points": 12,
    "specifications": 8,
    "code": 3,
    "takeaways": 6,
    "limitations": 5,
}


def _strings(limit: int, chars: int) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "maxLength": chars}, "maxItems": limit}


# Tokens per character of answer text when sizing the answer budget: prose is about 1/4,
# code and identifiers nearer 1/3, so 1/3 errs on the side of room.
TOKENS_PER_CHAR = 1 / 3
# JSON punctuation and the key around one string ('"executive_summary": ["', '", ').
TOKENS_PER_STRING = 4


def answer_tokens(schema: dict[str, Any]) -> int:
    """The most tokens an answer within the schema's bounds can take: every list at its
    maxItems, every string at its maxLength. A request asking for fewer can be cut off
    mid-object by the server's token limit (seen with 1024 on long articles)."""
    kind = schema.get("type")
    if kind == "string":
        return TOKENS_PER_STRING + round(int(schema.get("maxLength", 0)) * TOKENS_PER_CHAR)
    if kind == "array":
        return 2 + int(schema.get("maxItems", 0)) * answer_tokens(schema.get("items", {}))
    if kind == "object":
        props = schema.get("properties", {})
        return 2 + sum(TOKENS_PER_STRING + answer_tokens(v) for v in props.values())
    return TOKENS_PER_STRING


SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "executive_summary": {
            **_strings(LIMITS["executive_summary"], SENTENCE_CHARS),
            "minItems": 1,
        },
        "concepts": _strings(LIMITS["concepts"], TERM_CHARS),
        "main_points": {
            "type": "array",
            "maxItems": LIMITS["main_points"],
            "items": {
                "type": "object",
                "properties": {
                    "heading": {"type": "string", "maxLength": HEADING_CHARS},
                    "point": {"type": "string", "maxLength": SENTENCE_CHARS},
                },
                "required": ["heading", "point"],
                "additionalProperties": False,
            },
        },
        "specifications": _strings(LIMITS["specifications"], SENTENCE_CHARS),
        "code": _strings(LIMITS["code"], CODE_CHARS),
        "takeaways": _strings(LIMITS["takeaways"], SENTENCE_CHARS),
        "limitations": _strings(LIMITS["limitations"], SENTENCE_CHARS),
    },
    "required": list(LIMITS),
    "additionalProperties": False,
}
ANSWER_TOKENS = answer_tokens(SUMMARY_SCHEMA)

SYSTEM_PROMPT = (
    "You summarise engineering articles for engineers. Use only facts stated in the "
    "article: never add numbers, names, versions or claims it does not contain. Write short "
    "declarative sentences, reusing the article's own wording for technical terms. Answer "
    "with one JSON object and nothing else, with these keys: executive_summary (2-4 "
    "sentences: what the article is about and what it concludes), concepts (up to 10 names "
    "of technologies and concepts), main_points (objects with the article heading and one "
    "point each), specifications (sentences with concrete figures, versions, settings), "
    "code (up to 3 code blocks copied exactly from the article), takeaways (conclusions and "
    "recommendations), limitations (trade-offs, caveats, open questions the article states). "
    "Use an empty list for a section with no material."
)


@dataclass
class Draft:
    """A parsed model answer: the six sections as plain strings, within the bounds."""

    executive_summary: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    main_points: list[tuple[str, str]] = field(default_factory=list)  # (heading, point)
    specifications: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    takeaways: list[str] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)

    def merge(self, other: Draft) -> None:
        """Append a later part's sections (long articles are summarised part by part)."""
        self.executive_summary += other.executive_summary
        self.concepts += [
            c for c in other.concepts if c.lower() not in {x.lower() for x in self.concepts}
        ]
        self.main_points += other.main_points
        self.specifications += other.specifications
        self.code += other.code
        self.takeaways += other.takeaways
        self.limitations += other.limitations


def user_prompt(title: str, text: str, part: int = 1, parts: int = 1) -> str:
    where = f" (part {part} of {parts}; summarise this part only)" if parts > 1 else ""
    return f"Article title: {title}{where}\n\nArticle:\n{text}\n\nThe JSON summary:"


def repair_prompt(error: str) -> str:
    return (
        f"That answer could not be used: {error}. Reply again with only the complete JSON "
        "object, with every key present, keeping each list short."
    )


def _string_list(data: dict[str, Any], key: str, chars: int) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidAnswer(f"{key!r} should be a list of strings")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidAnswer(f"{key!r} should hold only strings")
        if item.strip() and len(item) <= chars:
            out.append(item.strip() if key != "code" else item.strip("\n"))
    return out[: LIMITS[key]]


def parse_summary(text: str, finish_reason: str = "") -> Draft:
    """The Draft in a model's answer, or InvalidAnswer naming what is wrong with it."""
    body = strip_fences(text).strip()  # the fence again in loads_lenient: a no-op
    if not body:
        raise InvalidAnswer("the answer is empty")
    try:
        data, _ = loads_lenient(body)
    except json.JSONDecodeError as exc:
        cut = (
            " (cut off: the model stopped at its token limit)" if finish_reason == "length" else ""
        )
        raise InvalidAnswer(f"not valid JSON{cut}: {exc.msg} at character {exc.pos}") from exc
    if not isinstance(data, dict):
        raise InvalidAnswer("the answer is JSON but not an object")
    if not any(key in data for key in LIMITS):
        raise InvalidAnswer("the object has none of the summary's keys")
    points = data.get("main_points", [])
    if not isinstance(points, list):
        raise InvalidAnswer("'main_points' should be a list")
    main_points = []
    for item in points:
        if isinstance(item, str):
            item = {"heading": "", "point": item}
        if not isinstance(item, dict) or not isinstance(item.get("point", ""), str):
            raise InvalidAnswer("'main_points' items should be objects with heading and point")
        point = str(item.get("point", "")).strip()
        heading = str(item.get("heading", "") or "").strip()[:HEADING_CHARS]
        if point and len(point) <= SENTENCE_CHARS:
            main_points.append((heading, point))
    return Draft(
        executive_summary=_string_list(data, "executive_summary", SENTENCE_CHARS),
        concepts=_string_list(data, "concepts", TERM_CHARS),
        main_points=main_points[: LIMITS["main_points"]],
        specifications=_string_list(data, "specifications", SENTENCE_CHARS),
        code=_string_list(data, "code", CODE_CHARS),
        takeaways=_string_list(data, "takeaways", SENTENCE_CHARS),
        limitations=_string_list(data, "limitations", SENTENCE_CHARS),
    )
