"""Page metadata from the places publishers put it, with sensible precedence."""

from __future__ import annotations

from distill.ingest.extract import from_html

BODY = (
    "<article><h1>Ignored</h1>" + "<p>" + "Raft elects a leader per term. " * 20 + "</p></article>"
)


def page(head: str, body: str = BODY, lang: str = "en-GB") -> str:
    return f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def test_json_ld_beats_meta_tags_and_canonical_link_is_resolved() -> None:
    head = """
      <title>Fallback title | Blog</title>
      <meta property="og:title" content="Consensus without tears">
      <meta property="og:site_name" content="Example Engineering">
      <meta property="article:published_time" content="2021-03-04T10:00:00Z">
      <meta name="author" content="Meta Author">
      <link rel="canonical" href="/posts/raft">
      <script type="application/ld+json">
        {"@context": "https://schema.org", "@type": "BlogPosting",
         "datePublished": "2021-03-05", "author": [{"name": "Grace"}, {"name": "Alan"}]}
      </script>"""
    doc = from_html(page(head), url="https://eng.example.com/posts/raft?ref=x")
    assert doc.title == "Consensus without tears"
    assert doc.date == "2021-03-05"
    assert doc.authors == ["Grace", "Alan"]
    assert doc.site == "Example Engineering"
    assert doc.canonical_url == "https://eng.example.com/posts/raft"
    assert doc.language == "en"


def test_time_element_and_url_path_supply_a_date() -> None:
    with_time = page("<title>T</title>", BODY + "<time datetime='2019-07-08'>July</time>")
    assert from_html(with_time).date == "2019-07-08"
    bare = page("<title>T</title>")
    assert from_html(bare, url="https://b.example/2018/02/03/post/").date == "2018-02-03"


def test_broken_json_ld_is_ignored_not_fatal() -> None:
    head = "<title>Still here</title><script type='application/ld+json'>{broken</script>"
    doc = from_html(page(head))
    assert doc.title == "Still here" and doc.blocks


def test_go_template_raw_blocks_become_code_not_prose() -> None:
    from distill.ingest.extract import from_markdown

    text = (
        "# Slices\n\nA loop appends each task to a slice before processing them all.\n\n"
        "{{raw `\n\tfunc process(c chan task) {\n\t\tvar tasks []task\n\t}\n`}}\n\n"
        "The append call grows the backing store as needed.\n"
    )
    doc = from_markdown(text)
    assert [b.kind for b in doc.blocks] == ["paragraph", "code", "paragraph"]
    assert doc.blocks[1].text.startswith("func process(c chan task) {")
    assert "{{" not in doc.text
