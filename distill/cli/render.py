"""How an article looks outside the database: JSON shapes and terminal rendering.

The JSON shapes here are a contract (docs/cli.md); add fields, never rename or drop one.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as markup_escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.table import Table

from ..controls import strip_controls
from ..models import SECTION_TITLES, Article, Summary
from ..store.base import ArticlePage


def escape(text: str) -> str:
    """Text for the terminal: no control characters or escape sequences, no rich markup."""
    return markup_escape(strip_controls(text))


def article_summary_json(article: Article) -> dict[str, Any]:
    doc = article.document
    return {
        "id": article.id,
        "title": doc.title,
        "url": doc.canonical_url or doc.url,
        "site": doc.site,
        "date": doc.date,
        "authors": doc.authors,
        "words": doc.word_count,
        "created_at": article.created_at,
        "category": article.category or None,
        "library_tags": article.tags,
        "state": article.state,
    }


def summary_json(summary: Summary | None) -> dict[str, Any] | None:
    return summary.to_dict() if summary else None


def article_json(article: Article) -> dict[str, Any]:
    doc = article.document
    return {
        **article_summary_json(article),
        "source": doc.source,
        "language": doc.language,
        "tags": doc.tags,
        "description": doc.description,
        "blocks": [
            {"kind": b.kind, "text": b.text, "level": b.level, "language": b.language}
            for b in doc.blocks
        ],
        "summary": summary_json(article.summary),
    }


def render_listing(console: Console, page: ArticlePage, number: int, per_page: int) -> None:
    if not page.articles:
        console.print("The library is empty." if page.total == 0 else "No articles on this page.")
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("id", justify="right")
    table.add_column("date")
    table.add_column("site")
    table.add_column("title", overflow="fold")
    table.add_column("words", justify="right")
    table.add_column("category")
    table.add_column("state")
    for article in page.articles:
        doc = article.document
        unread = article.state == "unread"
        table.add_row(
            str(article.id),
            doc.date or "-",
            escape(doc.site),
            f"[bold]{escape(doc.title)}[/]" if unread else escape(doc.title),
            str(doc.word_count),
            escape(article.category or "-"),
            article.state,
        )
    console.print(table)
    first = (number - 1) * per_page + 1
    console.print(f"Showing {first}-{first + len(page.articles) - 1} of {page.total} articles")


def render_summary(console: Console, summary: Summary) -> None:
    for section in summary.sections:
        console.print(f"\n[bold underline]{SECTION_TITLES.get(section.name, section.name)}[/]")
        heading = None
        for number, line in enumerate(section.lines, start=1):
            if line.heading and line.heading != heading:
                heading = line.heading
                console.print(f"  [italic]{escape(heading)}[/]")
            if line.kind == "code":
                console.print(
                    Padding(
                        Syntax(
                            strip_controls(line.text),
                            strip_controls(line.language) or "text",
                            word_wrap=True,
                        ),
                        (0, 0, 0, 4),
                    )
                )
            elif section.name == "takeaways":
                console.print(f"  {number}. {escape(line.text)}")
            elif section.name == "executive_summary":
                console.print(f"  {escape(line.text)}")
            else:
                console.print(f"  • {escape(line.text)}")
            if line.flag:
                console.print(f"    [red]({escape(line.flag)}: not found in the article)[/]")
    console.print(f"\n[dim]summary by {escape(summary.backend)} {escape(summary.version)}[/]")
    if summary.fallback:
        console.print(
            f"[yellow]{escape(summary.fallback.get('backend', ''))} could not summarise this "
            f"article: {escape(summary.fallback.get('reason', ''))}[/]"
        )


def render_article(console: Console, article: Article) -> None:
    doc = article.document
    console.print(f"[bold]#{article.id} {escape(doc.title)}[/]")
    facts = [doc.site, doc.date, ", ".join(doc.authors), f"{doc.word_count} words"]
    console.print("[dim]" + escape(" · ".join(f for f in facts if f)) + "[/]")
    if doc.canonical_url or doc.url:
        console.print(escape(doc.canonical_url or doc.url))
    if article.category or article.tags:
        console.print(
            f"category: [bold]{escape(article.category or '-')}[/]"
            + (f" · tags: {escape(', '.join(article.tags))}" if article.tags else "")
        )
    if article.summary and article.summary.sections:
        render_summary(console, article.summary)
    else:
        console.print("\n[dim]No summary yet.[/]")
    console.print("\n[bold underline]Article text[/]")
    for block in doc.blocks:
        if block.kind == "heading":
            console.print(f"\n[bold]{escape(block.text)}[/]")
        elif block.kind == "code":
            console.print(
                Syntax(
                    strip_controls(block.text),
                    strip_controls(block.language) or "text",
                    word_wrap=True,
                )
            )
        elif block.kind == "list_item":
            console.print(f"  • {escape(block.text)}")
        elif block.kind == "quote":
            console.print(f"  [italic]> {escape(block.text)}[/]")
        else:
            console.print(escape(block.text) + "\n")


def progress_bar(console: Console, quiet: bool) -> Progress:
    """The one progress bar of long commands, on stderr; off for --json and when stderr is
    not a terminal, so scripts read clean output."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
    )
