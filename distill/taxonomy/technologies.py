"""The technology list and the matcher that finds its entries in articles.

Why data and one matcher: the summarizer (its "core concepts and technologies" section)
and the classifier (technology tags) must agree on what "PostgreSQL" is, however an
article spells it. The list is YAML (`distill/taxonomy/technologies.yaml`, extended or
overridden by `<library home>/technologies.yaml`); the matcher is one compiled regular
expression built as a character trie over every spelling, so an article of 3,000 words is
scanned in a few milliseconds.

Rules a reader can predict:
- Spelling is folded: case, runs of spaces/hyphens ("event-sourcing" = "event sourcing")
  and a plural "s"/"es" on forms of three or more characters (on an "-ie" form, such as
  "Trie", the plural "tries" counts only beside a singular mention: it is usually a verb).
- Forms of one or two characters, forms an entry marks ambiguous and entries marked
  `case_sensitive` match only exactly as written ("Go" but not "go"; "R" but not "r").
- An ambiguous form ("Go", "Spark", "Hive") counts only when the same document has a
  context word for it within `CONTEXT_WINDOW` characters, or at least two anywhere, or an
  unambiguous spelling of the same entry ("golang", "Apache Spark"), or a code block
  declared in that language.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import Document, Span
from .yaml_lines import load_yaml

USER_FILE = "technologies.yaml"
CONTEXT_WINDOW = 400  # characters either side of an ambiguous mention
DOC_CONTEXT_MIN = 2  # context words anywhere in the document that license every mention
RECENT_DOCUMENTS = 4  # find_in_document's answers kept (see there)
_KEYS = {"name", "aliases", "kind", "category", "ambiguous", "context", "case_sensitive"}
_KEYS_USER = _KEYS | {"disabled"}

_SEP = re.compile(r"[\s\-]+")
_VERSION = re.compile(r" v?\d+(?:\.\d+)*(?![\w-])")
_BEFORE = r"(?<![\w@/\\.$])"  # not inside a word, address, path or identifier
_AFTER = r"(?![\w+#])(?!\.\w)(?!/\w)"  # not more word, "C++"/"C#" tails, ".org", a path


def _key(form: str) -> str:
    """What two spellings share when they name the same thing."""
    return _SEP.sub(" ", form.strip().lower())


@dataclass(frozen=True)
class Technology:
    name: str
    aliases: tuple[str, ...]
    kind: str
    category: str
    weak: frozenset[str]  # forms (as written) that count only with context
    context: tuple[str, ...]
    case_sensitive: bool = False
    origin: str = ""  # "file:line", for error messages

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Mention:
    """One technology found in a text; spans are [start, end) character offsets."""

    name: str
    kind: str
    category: str
    count: int
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class DocMention:
    """One technology found in a Document; spans point into `doc.blocks` (provenance).

    `count` includes title occurrences (`title_spans`, offsets into `doc.title`), which
    have no block; `headings` is how many spans sit in heading blocks.
    """

    name: str
    kind: str
    category: str
    count: int
    spans: list[Span] = field(default_factory=list)
    title_spans: list[tuple[int, int]] = field(default_factory=list)
    headings: int = 0

    @property
    def in_title(self) -> bool:
        return bool(self.title_spans)


# ---------------------------------------------------------------- loading and validation


def _read_entries(text: str, origin: str) -> list[dict[str, Any]]:
    data = load_yaml(text, origin)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{origin}: expected a list of entries, got {type(data).__name__}")
    return data


def _str_list(value: Any, what: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ConfigError(f"{where}: {what} must be a list of strings")
    return [str(v).strip() for v in value if str(v).strip()]


def _parse_entry(raw: Any, index: int, origin: str, user: bool) -> tuple[Technology, bool]:
    """One entry, checked; returns it and whether it is marked `disabled`."""
    where = f"{origin}: entry {index}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with at least a name, got {raw!r}")
    line = raw.pop("__line__", 0)
    where = f"{origin}: entry {index} (line {line})"
    name = raw.get("name")
    if not isinstance(name, str | int | float) or not str(name).strip():
        raise ConfigError(f"{where}: missing name")
    name = str(name).strip()
    where = f"{origin}: entry {index} {name!r} (line {line})"
    unknown = set(raw) - (_KEYS_USER if user else _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    aliases = _str_list(raw.get("aliases"), "aliases", where)
    context = _str_list(raw.get("context"), "context", where)
    for fld in ("kind", "category"):
        if raw.get(fld) is not None and not isinstance(raw[fld], str):
            raise ConfigError(f"{where}: {fld} must be a string")
    ambiguous = raw.get("ambiguous", False)
    forms = {name, *aliases}
    if ambiguous is True:
        weak = {name}
    elif ambiguous is False or ambiguous is None:
        weak = set()
    else:
        # listed forms need context; those not among the aliases become aliases too
        listed = _str_list(ambiguous, "ambiguous (true, false or a list of forms)", where)
        weak = set(listed)
        aliases += [f for f in listed if f not in forms]
    if weak and not context:
        raise ConfigError(f"{where}: an ambiguous entry needs context words")
    tech = Technology(
        name=name,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        kind=(raw.get("kind") or "concept").strip(),
        category=(raw.get("category") or "").strip(),
        weak=frozenset(weak),
        context=tuple(context),
        case_sensitive=bool(raw.get("case_sensitive", False)),
        origin=f"{origin}:{line}",
    )
    return tech, bool(raw.get("disabled", False))


def _parse_file(text: str, origin: str, user: bool) -> list[tuple[Technology, bool]]:
    out: list[tuple[Technology, bool]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(_read_entries(text, origin), start=1):
        tech, disabled = _parse_entry(raw, index, origin, user)
        k = _key(tech.name)
        if k in seen:
            raise ConfigError(
                f"{origin}: entry {index} {tech.name!r}: duplicate name "
                f"(entry {seen[k]} has the same name)"
            )
        seen[k] = index
        out.append((tech, disabled))
    return out


def default_file_text() -> str:
    return resources.files("distill.taxonomy").joinpath(USER_FILE).read_text(encoding="utf-8")


def build_list(
    default_text: str, user_text: str | None = None, user_origin: str = USER_FILE
) -> TechList:
    """Default entries, then the user's: same name replaces, `disabled: true` removes."""
    entries: dict[str, Technology] = {}
    for tech, _ in _parse_file(default_text, "distill/taxonomy/technologies.yaml", False):
        entries[_key(tech.name)] = tech
    if user_text is not None:
        for tech, disabled in _parse_file(user_text, user_origin, True):
            if disabled:
                entries.pop(_key(tech.name), None)
            else:
                entries[_key(tech.name)] = tech
    return TechList(list(entries.values()))


_CACHE: dict[tuple[str, int, int], TechList] = {}
# One build at a time: a thread that needs the list while another builds it (the warm-up
# of a `distill add` beside its summary) waits for that build instead of repeating it.
_BUILDING = threading.Lock()


def load_technologies(home: str | Path | None = None) -> TechList:
    """The list for a library (package default plus `<home>/technologies.yaml`), cached.

    The cache key includes the user file's modification time and size, so an edited file
    is picked up without a restart; an unchanged one costs a `stat`.
    """
    user_path = Path(home) / USER_FILE if home is not None else None
    key: tuple[str, int, int] = ("", 0, 0)
    if user_path is not None and user_path.is_file():
        st = user_path.stat()
        key = (str(user_path), st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _BUILDING:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = _build_for(user_path if key[0] else None)
        return cached


def _build_for(user_path: Path | None) -> TechList:
    user_text = None
    if user_path is not None:
        try:
            user_text = user_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{user_path}: cannot read: {exc}") from exc
    return build_list(default_file_text(), user_text, str(user_path))


# ---------------------------------------------------------------- the matcher


def _trie_regex(keys: list[str]) -> str:
    """A regex alternation shaped like a trie: shared prefixes are tried once, longest first."""
    trie: dict[str, Any] = {}
    for k in keys:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted((c for c in node if c), key=lambda c: c):
            atom = r"[\s\-]+" if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@dataclass(frozen=True)
class _Form:
    tech: int  # index into TechList.entries
    text: str  # as written in the list
    exact: bool  # must match case exactly
    weak: bool  # needs context


@dataclass
class _Hit:
    tech: int
    start: int
    end: int
    weak: bool
    verb_like: bool = False  # the "-s" plural of an "-ie" form ("tries" for "Trie")


class TechList:
    """Validated entries plus the compiled matcher; build once (see `load_technologies`)."""

    def __init__(self, entries: list[Technology]) -> None:
        self.entries = entries
        self.by_name = {t.name: t for t in entries}
        self.forms: dict[str, list[_Form]] = {}
        owner: dict[str, int] = {}
        for i, tech in enumerate(entries):
            for form in tech.forms:
                k = _key(form)
                if not k:
                    continue
                exact = tech.case_sensitive or form in tech.weak or len(form) <= 2
                for prior in self.forms.get(k, ()):
                    # two entries may share a spelling only if both are matched exactly
                    # and differ in case ("YARN" the Hadoop scheduler, "Yarn" from npm)
                    if prior.tech != i and not (exact and prior.exact and prior.text != form):
                        other = entries[prior.tech]
                        raise ConfigError(
                            f"{tech.origin}: entry {tech.name!r}: alias {form!r} is already "
                            f"claimed by {other.name!r} ({other.origin})"
                        )
                owner.setdefault(k, i)
                self.forms.setdefault(k, []).append(_Form(i, form, exact, form in tech.weak))
        self._owner = owner
        # Matching runs on lower-cased text with a case-sensitive pattern (twice as fast as
        # re.IGNORECASE); texts whose length changes when lower-cased use the slower one.
        self._source = _BEFORE + "(?P<t>" + _trie_regex(list(self.forms)) + r")(?P<p>e?s)?" + _AFTER
        self._regex = re.compile(self._source)
        self._regex_i: re.Pattern[str] | None = None
        self._recent: dict[tuple[Any, ...], list[DocMention]] = {}
        self._recent_lock = threading.Lock()
        self._context_cache: dict[frozenset[int], re.Pattern[str]] = {}
        self._ctx_keys: dict[int, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, term: str) -> Technology | None:
        """The entry a spelling (a tag, a code block's language) names, ignoring case."""
        i = self._owner.get(_key(term))
        return self.entries[i] if i is not None else None

    # -- scanning

    def _hits(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        low = text.lower()
        if len(low) == len(text):
            matches = self._regex.finditer(low)
        else:
            if self._regex_i is None:
                self._regex_i = re.compile(self._source, re.IGNORECASE)
            matches = self._regex_i.finditer(text)
        for m in matches:
            found = text[m.start("t") : m.end("t")]
            plural = m.group("p")
            norm = _SEP.sub(" ", found)
            for form in self.forms.get(_key(found), ()):
                if form.exact and norm != _SEP.sub(" ", form.text):
                    continue
                if plural and (form.exact or len(form.text) < 3):
                    continue
                # "Go 1.21", "Spark 3", "Rust 1.70": a version number settles the meaning
                weak = form.weak and not _VERSION.match(text, m.end())
                # "tries": an "-ie" form's plural is more often an English verb than the
                # term ("Trie"); it counts only beside a singular mention (_resolve)
                verb_like = bool(plural and form.text.lower().endswith("ie"))
                hits.append(_Hit(form.tech, m.start(), m.end(), weak, verb_like))
                break
        return hits

    def _context_regex(self, techs: frozenset[int]) -> re.Pattern[str]:
        """One small pattern over the context words of the entries a document needs.

        Compiled per set of entries (few: the ambiguous names one article uses) rather than
        over every context word, so the second pass over the text stays cheap. Boundaries
        are looser than for mentions: "go.dev" in a URL is still evidence.
        """
        rx = self._context_cache.get(techs)
        if rx is None:
            words = {_key(w) for i in techs for w in self.entries[i].context}
            words |= {_key(f) for i in techs for f in self.entries[i].forms}
            words -= {_key(f) for i in techs for f in self.entries[i].weak}
            words.discard("")
            body = _trie_regex(sorted(words)) if words else "(?!)"
            rx = re.compile(r"(?<!\w)(?P<t>" + body + r")(?:e?s)?(?!\w)")  # on lower case
            self._context_cache[techs] = rx
        return rx

    def _context_hits(self, text: str, techs: frozenset[int]) -> list[tuple[int, set[int]]]:
        hits = []
        for m in self._context_regex(techs).finditer(text.lower()):
            k = _key(m.group("t"))
            owners = {i for i in techs if k in self._context_keys(i)}
            hits.append((m.start(), owners))
        return hits

    def _context_keys(self, i: int) -> frozenset[str]:
        keys = self._ctx_keys.get(i)
        if keys is None:
            t = self.entries[i]
            keys = frozenset(_key(w) for w in (*t.context, *t.forms) if w not in t.weak)
            self._ctx_keys[i] = keys
        return keys

    def _resolve(
        self,
        parts: list[list[_Hit]],
        texts: list[str],
        evidence: set[int],
    ) -> list[list[_Hit]]:
        """Drop weak hits without context. `parts` are per-text hits of one document."""
        singular = {h.tech for hits in parts for h in hits if not h.verb_like}
        if any(h.verb_like for hits in parts for h in hits):
            parts = [[h for h in hits if not h.verb_like or h.tech in singular] for hits in parts]
        if not any(h.weak for hits in parts for h in hits):
            return parts
        strong = {h.tech for hits in parts for h in hits if not h.weak} | evidence
        needed = frozenset(h.tech for hits in parts for h in hits if h.weak) - strong
        if not needed:
            return parts
        ctx_parts = []
        doc_ctx: Counter[int] = Counter()
        for text in texts:
            ctx = self._context_hits(text, needed)
            for _, techs in ctx:
                doc_ctx.update(techs)
            if all(doc_ctx[i] >= DOC_CONTEXT_MIN for i in needed):
                return parts  # enough context in the document for every ambiguous name
            ctx_parts.append(ctx)
        kept: list[list[_Hit]] = []
        for hits, ctx in zip(parts, ctx_parts, strict=True):
            out = []
            for h in hits:
                if (
                    not h.weak
                    or h.tech in strong
                    or doc_ctx[h.tech] >= DOC_CONTEXT_MIN
                    or any(
                        h.tech in techs and abs(pos - h.start) <= CONTEXT_WINDOW
                        for pos, techs in ctx
                    )
                ):
                    out.append(h)
            kept.append(out)
        return kept

    def find(self, text: str) -> list[Mention]:
        """Technologies in a plain text, most mentioned first."""
        (hits,) = self._resolve([self._hits(text)], [text], set())
        found: dict[int, Mention] = {}
        for h in hits:
            t = self.entries[h.tech]
            m = found.setdefault(h.tech, Mention(t.name, t.kind, t.category, 0))
            m.count += 1
            m.spans.append((h.start, h.end))
        return sorted(found.values(), key=lambda m: (-m.count, m.spans[0][0]))

    def find_in_document(self, doc: Document, include_code: bool = False) -> list[DocMention]:
        """Technologies in a Document with block spans; title first, then most mentioned.

        Code blocks are skipped unless `include_code` (identifiers in code are noise for
        tags), but a code block's declared language is evidence for that language.
        """
        # The summary's concepts and the classifier's tags both ask, about the same text
        # (4-5 ms a call at a median page); the answer is kept for the last few documents.
        key = (include_code, doc.title, tuple((b.kind, b.language, b.text) for b in doc.blocks))
        with self._recent_lock:  # web handler threads share the list
            known = self._recent.get(key)
        if known is None:
            known = self._find_in_document(doc, include_code)
            with self._recent_lock:
                self._recent[key] = known
                while len(self._recent) > RECENT_DOCUMENTS:
                    self._recent.pop(next(iter(self._recent)))
        return list(known)

    def _find_in_document(self, doc: Document, include_code: bool) -> list[DocMention]:
        indexes = [i for i, b in enumerate(doc.blocks) if include_code or b.kind != "code"]
        texts = [doc.title] + [doc.blocks[i].text for i in indexes]
        evidence: set[int] = set()
        for b in doc.blocks:
            if b.kind == "code" and b.language:
                owner = self._owner.get(_key(b.language))
                if owner is not None:
                    evidence.add(owner)
        parts = self._resolve([self._hits(t) for t in texts], texts, evidence)
        found: dict[int, DocMention] = {}
        order: dict[int, tuple[int, int]] = {}
        for part, hits in enumerate(parts):
            for h in hits:
                t = self.entries[h.tech]
                m = found.setdefault(h.tech, DocMention(t.name, t.kind, t.category, 0))
                m.count += 1
                order.setdefault(h.tech, (part, h.start))
                if part == 0:
                    m.title_spans.append((h.start, h.end))
                    continue
                block = indexes[part - 1]
                m.spans.append(Span(block, h.start, h.end))
                if doc.blocks[block].kind == "heading":
                    m.headings += 1
        return sorted(
            found.values(),
            key=lambda m: (not m.in_title, -m.count, order[self._owner[_key(m.name)]]),
        )


# ---------------------------------------------------------------- module-level helpers


def find_technologies(text: str, home: str | Path | None = None) -> list[Mention]:
    return load_technologies(home).find(text)


def find_in_document(
    doc: Document, home: str | Path | None = None, include_code: bool = False
) -> list[DocMention]:
    return load_technologies(home).find_in_document(doc, include_code)


__all__ = [
    "DocMention",
    "Mention",
    "TechList",
    "Technology",
    "build_list",
    "find_in_document",
    "find_technologies",
    "load_technologies",
]
