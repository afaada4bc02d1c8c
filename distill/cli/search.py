"""search, related, reindex: finding articles in the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..errors import InputError
from ..search.engine import MODES, SearchResults, snippet_pieces
from ..search.engine import reindex as rebuild_index
from ..search.engine import search as run_search
from ..search.related import related as related_articles
from .context import App, emit_json, guarded, json_option, pass_app
from .root import main


def _render(console: Console, result: SearchResults) -> None:
    shown = len(result.results)
    console.print(
        f"{shown} of {result.total} result(s) for [bold]{escape(result.query)}[/] ({result.mode})"
    )
    if result.message:
        console.print(f"[yellow]{escape(result.message)}[/]")
    for hit in result.results:
        facts = ", ".join(x for x in (hit.site, hit.date) if x)
        console.print(f"\n[bold]#{hit.id} {escape(hit.title)}[/] [dim]{escape(facts)}[/]")
        snippet = Text("  ")
        for piece, marked in snippet_pieces(hit.snippet):
            snippet.append(piece, style="bold yellow" if marked else None)
        console.print(snippet)
        if hit.url:
            console.print(f"  [dim]{escape(hit.url)}[/]")


def _batch(path: Path) -> list[tuple[Any, str | None, str | None]]:
    """(id, query, error) per line of a JSON Lines file of {"id", "query"}."""
    items: list[tuple[Any, str | None, str | None]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read queries: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append((None, None, f"{path}:{number}: not JSON: {exc.msg}"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("query"), str):
            items.append((None, None, f'{path}:{number}: needs a "query" string'))
            continue
        items.append((record.get("id", number), record["query"], None))
    return items


@main.command()
@click.argument("query", nargs=-1)
@click.option("--category", default="", help="Only articles in this category.")
@click.option("--tech", default="", help="Only articles tagged with this technology.")
@click.option("--site", default="", help="Only articles from this site (host name).")
@click.option("--after", default="", help="Only articles published on or after YYYY-MM-DD.")
@click.option("--before", default="", help="Only articles published before YYYY-MM-DD.")
@click.option("--limit", default=10, type=click.IntRange(1, 100), show_default=True)
@click.option("--mode", type=click.Choice(MODES), help="text, vector or hybrid (default: setting).")
@click.option(
    "--queries",
    "queries_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON Lines file of {"id", "query"}: run each, print one result per line.',
)
@json_option
@pass_app
@guarded
def search(
    app: App,
    query: tuple[str, ...],
    category: str,
    tech: str,
    site: str,
    after: str,
    before: str,
    limit: int,
    mode: str | None,
    queries_file: Path | None,
    as_json: bool,
) -> None:
    """Search the library: words, "phrases", -excluded, tech:X category:X site:X after:DATE."""
    filters = {"category": category, "tech": tech, "site": site, "after": after, "before": before}
    mode = mode or app.settings.search_mode
    console = Console(highlight=False)
    if queries_file is not None:
        if query:
            raise InputError("give either a QUERY or --queries FILE, not both")
        for item_id, text, error in _batch(queries_file):
            if error is not None:
                emit_json({"id": item_id, "error": error}) if as_json else console.print(
                    f"[red]error[/] {escape(error)}"
                )
                continue
            result = run_search(app.store, text or "", mode, limit, filters)
            if as_json:
                emit_json({"id": item_id, **result.to_dict()})
            else:
                _render(console, result)
        return
    result = run_search(app.store, " ".join(query), mode, limit, filters)
    if as_json:
        emit_json(result.to_dict())
    else:
        _render(console, result)


@main.command()
@click.argument("article_id", type=int)
@click.option("--limit", default=10, type=click.IntRange(1, 100), show_default=True)
@json_option
@pass_app
@guarded
def related(app: App, article_id: int, limit: int, as_json: bool) -> None:
    """Articles like this one ("more like this"), with the reason for each."""
    result = related_articles(app.store, article_id, limit)
    if as_json:
        emit_json(result.to_dict())
        return
    console = Console(highlight=False)
    console.print(f"Related to [bold]#{article_id} {escape(result.title)}[/]")
    if result.message:
        console.print(f"[yellow]{escape(result.message)}[/]")
    for item in result.results:
        console.print(f"\n[bold]#{item.id} {escape(item.title)}[/] [dim]{item.score:.3f}[/]")
        for reason in item.reasons:
            console.print(f"  {escape(reason.text)}")


@main.command()
@json_option
@pass_app
@guarded
def reindex(app: App, as_json: bool) -> None:
    """Rebuild the search indexes (full text and vectors) from the stored articles."""
    state = rebuild_index(app.store)
    data = {
        "articles": state.articles[0],
        "indexed": state.fts[0],
        "vectors": state.vec_index[0],
        "in_step": state.in_step,
    }
    if as_json:
        emit_json(data)
    else:
        click.echo(f"reindexed {data['indexed']} article(s), {data['vectors']} article vector(s)")
    if not state.in_step:
        sys.exit(1)
