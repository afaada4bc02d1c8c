"""Input generators for fuzzing (hypothesis): search queries, feeds and HTML pages.

Shared by tests/test_fuzz.py (a fixed number of examples on every run) and bench/fuzz.py
(as many as asked). Each strategy mixes structure the parser expects with the characters
and shapes that break parsers: quotes, operators, controls, deep nesting, broken markup.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

_QUERY_PIECES = st.sampled_from(
    [
        '"',
        "-",
        "*",
        "^",
        ":",
        "(",
        ")",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "tech:",
        "site:",
        "after:",
        "before:2020-13-45",
        'category:"',
        "kafka",
        "exactly once",
        "\x00",
        "\u202e",
        "ü",
        "日本",
        "{",
        "}",
        "\\",
        "'",
        "--",
        "+",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_QUERY_PIECES, st.text(max_size=8)), max_size=40).map(" ".join),
    st.lists(_QUERY_PIECES, max_size=60).map("".join),
)

_TAGS = st.sampled_from(
    [
        "p",
        "div",
        "article",
        "h1",
        "h2",
        "pre",
        "code",
        "ul",
        "li",
        "table",
        "tr",
        "td",
        "script",
        "style",
        "a",
        "span",
        "blockquote",
    ]
)
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@st.composite
def html_pages(draw: st.DrawFn, depth: int = 0) -> str:
    """A page of random elements, attributes and text, sometimes unclosed or nested deep."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        tag = draw(_TAGS)
        inner = draw(html_pages(depth + 1)) if depth < 4 and draw(st.booleans()) else ""
        attr = draw(
            st.sampled_from(
                ["", ' class="language-go"', ' href="javascript:x"', ' lang="en"', ' data-x="\'"']
            )
        )
        close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
        parts.append(f"<{tag}{attr}>{draw(_TEXT)}{inner}{close}")
    head = draw(
        st.sampled_from(
            [
                "",
                "<title>t</title>",
                '<meta property="og:title" content="x">',
                '<script type="application/ld+json">{"@graph": [[[{"author": []}]]]}</script>',
                '<script type="application/ld+json">{broken</script>',
            ]
        )
    )
    return f"<html><head>{head}</head><body>{''.join(parts)}</body></html>"


_XML_PIECES = st.sampled_from(
    [
        '<rss version="2.0">',
        "<channel>",
        "<item>",
        "<title>",
        "</title>",
        "<link>",
        "http://127.0.0.1/a",
        "</link>",
        "</item>",
        "</channel>",
        "</rss>",
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<entry>",
        "</entry>",
        "</feed>",
        '<content type="html">',
        "</content>",
        "&lt;script&gt;",
        "&amp;",
        "&bogus;",
        "<![CDATA[",
        "]]>",
        "<pubDate>",
        "Mon, 99 Foo 2020",
        "</pubDate>",
        "\x00",
        "\ufeff",
        '<?xml version="1.0" encoding="utf-16"?>',
        '<!DOCTYPE x [<!ENTITY a "b">]>',
    ]
)
FEEDS = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(_XML_PIECES, _TEXT), max_size=50).map(lambda p: "".join(p).encode()),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "items",
                        "title",
                        "url",
                        "content_html",
                        "content_text",
                        "date_published",
                        "version",
                        "id",
                        "summary",
                    ]
                ),
                inner,
                max_size=5,
            ),
        ),
        max_leaves=30,
    ).map(lambda value: json.dumps({"items": [value], "title": value}).encode()),
)
