"""Bytes in, Document out: HTML (trafilatura), Markdown (markdown-it-py) and plain text.

All three formats become the same ordered blocks, so every later stage (summaries with
provenance, search, the article page) works on one shape whatever the source was.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from ..controls import strip_controls
from ..errors import ExtractLimit, FrontMatterError, NoMainText, UnsupportedSource
from ..limits import load_front_matter
from ..models import Block, BlockKind, Document
from .metadata import read_metadata

# Fewer words than this is not an article (trafilatura's own default minimum is 25
# characters of extracted text; a title plus one short line is still not worth keeping).
MIN_WORDS = 8
# Elements an HTML page may have. The largest page in our corpus has under 5,000 and long
# reference pages under 100,000; a million tiny paragraphs (9 MB, under max_bytes) kept
# trafilatura busy for over 300 s. Counting stops at the limit, so the check is cheap.
MAX_ELEMENTS = 200_000
# Bytes inspected for NUL characters when deciding a file is binary rather than text.
BINARY_SNIFF_BYTES = 8192

FORMAT_BY_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


# ---------------------------------------------------------------- decoding


def decode(data: bytes, declared: str = "", origin: str = "") -> str:
    """Text from bytes: BOM, then the declared charset if it decodes, then detection."""
    if b"\x00" in data[:BINARY_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedSource(f"{origin}: looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for charset in (declared, "utf-8"):
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UnsupportedSource(f"{origin}: cannot tell the text encoding of this content")
    return str(best)


def _meta_charset(data: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096], re.I)
    return match.group(1).decode("ascii").lower() if match else ""


# ---------------------------------------------------------------- HTML

_HEADING_ANCHOR = re.compile(r"\s*[#¶🔗]\s*$")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _code_languages(tree: Any) -> dict[str, str]:
    """Map normalised code text to the language its <code>/<pre> class declares."""
    found: dict[str, str] = {}
    for node in tree.iter("code", "pre"):
        classes = " ".join(filter(None, [node.get("class", ""), node.get("data-lang", "")])).split()
        lang = ""
        for cls in classes:
            if cls.startswith(("language-", "lang-")):
                lang = cls.split("-", 1)[1]
                break
        lang = lang or node.get("data-lang", "")
        if lang:
            found.setdefault(_clean(node.text_content())[:200], lang.lower())
    return found


def _element_text(el: Any) -> str:
    return "".join(el.itertext())


# Where an inline element (a link, a heading run into a paragraph) meets text without a
# space after a sentence end ("... Developer Edition.Learn more about Valence"), the
# reader saw two things; a space keeps them two sentences.
_SENTENCE_END = re.compile(r"[.!?:)\]]$")
_INLINE = {"a", "span", "strong", "b", "em", "i", "small", "h1", "h2", "h3", "h4", "h5", "h6"}


def _text_of(el: Any) -> str:
    return str(el.text_content()) if hasattr(el, "text_content") else (el.text or "")


def _first_char(el: Any) -> str:
    """The first character of the element's text, without building the whole text (an
    inline element of a long page is often a link around a paragraph's worth of words)."""
    for piece in el.itertext():
        if piece:
            return str(piece[0])
    return ""


def _unglue(tree: Any) -> None:
    # Code is left as written (a highlighted snippet is half of a page's inline elements).
    in_code = {el for code in tree.iter("pre", "code") for el in code.iter(*_INLINE)}
    for el in tree.iter(*_INLINE):
        if el in in_code:
            continue
        if _first_char(el).isupper():
            prev, parent = el.getprevious(), el.getparent()
            if prev is not None and prev.tail:
                if _SENTENCE_END.search(prev.tail):
                    prev.tail += " "
            elif prev is not None:
                if _SENTENCE_END.search(_text_of(prev)):
                    prev.tail = " "
            elif parent is not None and parent.text and _SENTENCE_END.search(parent.text):
                parent.text += " "
        tail = el.tail
        if tail and tail[:1].isupper() and _SENTENCE_END.search(_text_of(el)):
            el.tail = " " + tail


def _code_in_bare_pre(tree: Any) -> None:
    """Give every `<pre>` without a `<code>` one, so it is extracted as code with its line
    breaks rather than as a quote whose lines are run together (a leading `//` comment
    would then swallow the whole snippet)."""
    for pre in list(tree.iter("pre")):
        if any(True for _ in pre.iter("code")):
            continue
        code = lxml_html.Element("code")
        code.text, pre.text = pre.text, None
        for child in list(pre):
            code.append(child)
        pre.append(code)


def _html_blocks(body: Any, languages: dict[str, str]) -> list[Block]:
    blocks: list[Block] = []
    # Paragraphs inside one list entry or quote are read as one text: a space between them
    # keeps "... is not supported anymore.</p><p>Users who ..." two sentences.
    for para in body.iter("p"):
        if not (para.tail or "")[:1].isspace():
            para.tail = " " + (para.tail or "")

    def add(kind: str, text: str, **extra: Any) -> None:
        text = text if kind == "code" else _clean(text)
        if text.strip():
            blocks.append(Block(kind=kind, text=text, **extra))  # type: ignore[arg-type]

    for el in body:
        tag = el.tag
        if tag == "head":
            rend = el.get("rend", "h2")
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            add("heading", _HEADING_ANCHOR.sub("", _clean(_element_text(el))), level=level)
        elif tag == "list":
            for item in el.iter("item"):
                add("list_item", _element_text(item))
        elif tag == "code":
            code = _element_text(el).strip("\n")
            add("code", code, language=languages.get(_clean(code)[:200], ""))
        elif tag == "quote":
            add("quote", _element_text(el))
        elif tag == "table":
            rows = [
                " | ".join(_clean(_element_text(c)) for c in row.iter("cell"))
                for row in el.iter("row")
            ]
            add("table", "\n".join(r for r in rows if r.strip(" |")))
        elif tag == "p" and len(el) == 1 and el[0].tag == "code" and not (el.text or "").strip():
            code = _element_text(el[0]).strip("\n")
            add("code", code, language=languages.get(_clean(code)[:200], ""))
        else:
            add("paragraph", _element_text(el))
        if el.tail and el.tail.strip():
            add("paragraph", el.tail)
    return blocks


def _check_elements(tree: Any, origin: str) -> None:
    # Elements, comments and processing instructions, counted by libxml2 (XPath) rather
    # than by a Python loop over every node.
    if tree.xpath("count(//node()) - count(//text())") > MAX_ELEMENTS:
        raise ExtractLimit(
            f"{origin}: page has more than {MAX_ELEMENTS:,} HTML elements (the element "
            "limit); refused"
        )


def from_html(html: str, url: str = "", source: str = "") -> Document:
    origin = source or url or "page"
    html = strip_controls(html)  # libxml2 drops the text around a control character
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise NoMainText(f"{origin}: not parseable as HTML ({exc})") from exc
    _check_elements(tree, origin)
    _code_in_bare_pre(tree)
    _unglue(tree)
    meta = read_metadata(tree, url)
    languages = _code_languages(tree)
    # Imported here: trafilatura and what it pulls in cost a command-line add of a Markdown
    # file a fifth of a second; extraction children and the forkserver preload it once.
    import trafilatura

    result: Any = trafilatura.bare_extraction(
        tree,
        url=url or None,
        include_comments=False,
        include_tables=True,
        include_formatting=True,
        with_metadata=False,
        output_format="python",
    )
    if result is None or result.body is None:
        raise NoMainText(f"{origin}: no article text found on this page")
    blocks = _html_blocks(result.body, languages)
    title = _clean(meta.title or result.title or "")
    if blocks and blocks[0].kind == "heading" and _clean(blocks[0].text) == title:
        blocks = blocks[1:]
    _require_text(blocks, origin)
    canonical = meta.canonical_url or url
    return Document(
        title=title or _first_words(blocks),
        blocks=blocks,
        url=url,
        canonical_url=canonical,
        authors=meta.authors,
        date=meta.date,
        site=meta.site or (urlsplit(canonical).hostname or ""),
        language=meta.language,
        tags=meta.tags,
        description=meta.description,
        source=source or url,
    )


# ---------------------------------------------------------------- Markdown

# Footnotes ("... on beta[^2]"): the marker leaves the sentence, the note goes to the end
# under a "Footnotes" heading, as a Markdown renderer shows them.
_MD = MarkdownIt("commonmark").enable("table").use(footnote_plugin)
FOOTNOTES_HEADING = "Footnotes"
# A directive alone on a line; its arguments may hold braces (`{{code "x.go" /^}/}}`).
_SHORTCODE_LINE = re.compile(r"^\s*\{\{.*\}\}\s*$")
_SHORTCODE_INLINE = re.compile(r"\{\{<[^}]*>\}\}|\{\{%[^}]*%\}\}")
# Go blog inline `{{raw "<-"}}`: the quoted text is what the reader sees.
_RAW_INLINE = re.compile(r'\{\{raw\s+"([^"]*)"\}\}')
_HIGHLIGHT_OPEN = re.compile(r"^\s*\{\{<\s*highlight\s+([\w+#-]+)[^>]*>\}\}\s*$")
# Go blog `{{raw `...`}}` spans several lines of preformatted code: the markers go, the
# indented lines between them stay and read as an indented code block.
_RAW_OPEN = re.compile(r"^\s*\{\{raw\s*`\s*$")
_RAW_CLOSE = re.compile(r"^\s*`\s*\}\}\s*$")
_HIGHLIGHT_CLOSE = re.compile(r"^\s*\{\{<\s*/\s*highlight\s*>\}\}\s*$")


def _strip_template_directives(text: str) -> str:
    """Drop Hugo/Go-template directives outside code fences; keep highlighted code as code."""
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        opened = _HIGHLIGHT_OPEN.match(line)
        if opened:
            out.append("```" + opened.group(1))
            in_fence = True
            continue
        if _RAW_OPEN.match(line) or _RAW_CLOSE.match(line):
            out.append("")
            continue
        if _HIGHLIGHT_CLOSE.match(line):
            out.append("```")
            continue
        if _SHORTCODE_LINE.match(line):
            continue
        out.append(_RAW_INLINE.sub(r"\1", _SHORTCODE_INLINE.sub("", line)))
    return "\n".join(out)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return _clean("".join(parts))


def _markdown_blocks(body: str) -> list[Block]:
    tokens = _MD.parse(body)
    blocks: list[Block] = []
    context: list[str] = []  # enclosing containers: list_item / blockquote / table
    row: list[str] = []
    table_rows: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type in ("list_item_open", "blockquote_open"):
            context.append(tok.type.removesuffix("_open"))
        elif tok.type in ("list_item_close", "blockquote_close"):
            context.pop()
        elif tok.type == "footnote_block_open":
            blocks.append(Block("heading", FOOTNOTES_HEADING, level=2))
        elif tok.type == "table_open":
            table_rows = []
            context.append("table")
        elif tok.type == "table_close":
            context.pop()
            blocks.append(Block("table", "\n".join(table_rows)))
        elif tok.type == "tr_close":
            table_rows.append(" | ".join(row))
            row = []
        elif tok.type == "inline":
            text = _inline_text(tok)
            if not text:
                continue
            prev = tokens[i - 1].type if i else ""
            if "table" in context:
                row.append(text)
            elif prev == "heading_open":
                blocks.append(Block("heading", text, level=int(tokens[i - 1].tag[1])))
            elif "list_item" in context:
                blocks.append(Block("list_item", text))
            elif "blockquote" in context:
                blocks.append(Block("quote", text))
            else:
                blocks.append(Block("paragraph", text))
        elif tok.type in ("fence", "code_block"):
            code = tok.content.rstrip("\n")
            if code.strip():
                lang = tok.info.strip().split()[0].lower() if tok.info.strip() else ""
                blocks.append(Block("code", code, language=lang))
        elif tok.type == "html_block":
            text = _clean(lxml_text(tok.content))
            if len(text.split()) >= MIN_WORDS:
                kind: BlockKind = "caption" if "<figcaption" in tok.content.lower() else "paragraph"
                blocks.append(Block(kind, text))
    return blocks


def lxml_text(fragment: str) -> str:
    try:
        return str(lxml_html.fromstring(fragment).text_content())
    except (etree.ParserError, ValueError):
        return ""


def split_front_matter(text: str, origin: str) -> tuple[dict[str, Any], str]:
    """YAML between `---` lines or TOML between `+++` lines at the top of a file."""
    stripped = text.lstrip("\ufeff")
    for fence, loader in (("---", "yaml"), ("+++", "toml")):
        if not stripped.startswith(fence + "\n") and not stripped.startswith(fence + "\r\n"):
            continue
        lines = stripped.splitlines()
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == fence)
        except StopIteration:
            raise FrontMatterError(
                f"{origin}: front matter opened with {fence!r} on line 1 is never closed"
            ) from None
        raw = "\n".join(lines[1:end])
        meta = load_front_matter(raw, loader, origin)
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            raise FrontMatterError(f"{origin}: front matter must be a mapping of fields")
        return meta, "\n".join(lines[end + 1 :])
    return {}, text


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _iso_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    return match.group(1) if match else ""


def apply_metadata(doc: Document, meta: dict[str, Any]) -> Document:
    """Fill a Document from front matter / JSON Lines fields where they are present."""
    extra = meta.get("extra") if isinstance(meta.get("extra"), dict) else {}
    if meta.get("title"):
        doc.title = _clean(str(meta["title"]))
    if meta.get("date"):
        doc.date = _iso_date(meta["date"]) or doc.date
    authors = _as_list(meta.get("authors") or meta.get("by") or meta.get("author"))
    if authors:
        doc.authors = authors
    tags = _as_list(meta.get("tags") or (extra or {}).get("tags"))
    if tags:
        doc.tags = tags
    description = meta.get("summary") or meta.get("description") or meta.get("excerpt")
    if description:
        doc.description = _clean(str(description))
    if meta.get("url"):
        doc.url = doc.url or str(meta["url"])
        doc.canonical_url = doc.canonical_url or str(meta["url"])
    return doc


def from_markdown(text: str, source: str = "") -> Document:
    meta, body = split_front_matter(text, source or "markdown")
    blocks = _markdown_blocks(_strip_template_directives(body))
    title = ""
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title = blocks[0].text
        blocks = blocks[1:]
    doc = Document(title=title, blocks=blocks, source=source)
    apply_metadata(doc, meta)
    if meta.get("redirect") and not doc.blocks:
        raise NoMainText(f"{source}: a redirect stub to {meta['redirect']}, not an article")
    _require_text(doc.blocks, source)
    doc.title = doc.title or _first_words(doc.blocks)
    return doc


# ---------------------------------------------------------------- plain text


def from_text(text: str, source: str = "") -> Document:
    paragraphs = [_clean(p) for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    blocks = [Block("paragraph", p) for p in paragraphs if p]
    title = ""
    if len(blocks) > 1 and len(blocks[0].text.split()) <= 15 and not blocks[0].text.endswith("."):
        title = blocks[0].text
        blocks = blocks[1:]
    _require_text(blocks, source)
    return Document(title=title or _first_words(blocks), blocks=blocks, source=source)


# ---------------------------------------------------------------- shared


def _first_words(blocks: list[Block], count: int = 10) -> str:
    words = next((b.text for b in blocks if b.kind != "code"), "").split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _require_text(blocks: list[Block], origin: str) -> None:
    words = sum(len(b.text.split()) for b in blocks if b.kind != "code")
    if words < MIN_WORDS:
        raise NoMainText(f"{origin}: no article text found ({words} words of prose)")


def detect_format(name: str, content_type: str = "", data: bytes = b"") -> str:
    """html, markdown or text, from a file suffix, a content type, or the bytes themselves."""
    lowered = name.lower()
    for suffix, fmt in FORMAT_BY_SUFFIX.items():
        if lowered.endswith(suffix):
            return fmt
    if "html" in content_type:
        return "html"
    if "markdown" in content_type:
        return "markdown"
    if content_type.startswith("text/plain"):
        return "text"
    if content_type and not content_type.startswith("text/"):
        raise UnsupportedSource(f"{name}: content type {content_type!r} is not an article")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in data[:4096].lower():
        return "html"
    if head.startswith((b"---", b"+++", b"#")):
        return "markdown"
    return "text"


def extract(data: bytes, fmt: str, source: str, url: str = "", charset: str = "") -> Document:
    """Decode and parse bytes of a known format into a Document."""
    if fmt == "html":
        text = decode(data, charset or _meta_charset(data), source)
        return from_html(text, url=url, source=source)
    text = decode(data, charset, source)
    if fmt == "markdown":
        doc = from_markdown(text, source=source)
    else:
        doc = from_text(text, source=source)
    if url:
        doc.url = doc.url or url
        doc.canonical_url = doc.canonical_url or url
        doc.site = doc.site or (urlsplit(url).hostname or "")
    return doc
