"""add, import, list, show: getting articles in and looking at them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from ..errors import InputError
from ..plugins import get_summarizer
from ..store.filters import IS_VALUES, ArticleFilter, split_is
from .context import App, emit_json, guarded, json_option, pass_app
from .render import (
    article_json,
    article_summary_json,
    progress_bar,
    render_article,
    render_listing,
)
from .root import main

if TYPE_CHECKING:  # the pipeline is imported by the commands that ingest (not list, show)
    from ..ingest.pipeline import IngestResult
    from ..ingest.sources import Source


def _report(result: IngestResult, as_json: bool, console: Console) -> None:
    if as_json:
        emit_json(result.to_dict())
    elif result.status == "added":
        facts = ", ".join(x for x in (result.site, result.date, f"{result.words} words") if x)
        console.print(
            f"[green]added[/] #{result.id} [bold]{result.title}[/] ({facts})", highlight=False
        )
        if result.fallback:
            console.print(f"  [yellow]note[/] {escape(result.fallback)}", highlight=False)
    elif result.status == "duplicate":
        console.print(
            f"[yellow]duplicate[/] {result.source}: duplicate of #{result.duplicate_of}"
            f" ({result.title})",
            highlight=False,
        )
    else:
        console.print(f"[red]failed[/] {result.error}", highlight=False)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--summarizer", help="Summarizer backend for these articles (default: setting).")
@json_option
@pass_app
@guarded
def add(app: App, sources: tuple[str, ...], summarizer: str | None, as_json: bool) -> None:
    """Add articles from URLs, .html/.htm/.md/.txt files, or - for stdin."""
    console = Console(stderr=False, highlight=False)
    from ..ingest.pipeline import IngestResult, ingest
    from ..ingest.sources import parse_source

    backend = get_summarizer(summarizer or app.settings.summarizer)
    failed = False
    for ref in sources:
        try:
            source = parse_source(ref)
        except InputError as exc:
            result = IngestResult(ref, "failed", error=str(exc))
        else:
            result = ingest(source, app.store, app.settings, backend)
        failed |= result.status == "failed"
        _report(result, as_json, console)
    if failed:
        sys.exit(1)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--summarizer", help="Summarizer backend for these articles (default: setting).")
@json_option
@pass_app
@guarded
def import_(app: App, path: Path, summarizer: str | None, as_json: bool) -> None:
    """Import a folder of .html/.htm/.md/.txt files (recursive) or a JSON Lines file
    (including a `distill export` file, whose rows go back exactly as exported)."""
    from ..library.restore import export_header, restore_export

    header = export_header(path) if path.is_file() else None
    from ..ingest.sources import import_sources

    backend = get_summarizer(summarizer or app.settings.summarizer)
    sources = [] if header else list(import_sources(path, app.settings.max_bytes))
    counts = {"added": 0, "duplicate": 0, "failed": 0}
    failures: list[IngestResult] = []
    console = Console(stderr=True)
    progress = progress_bar(console, as_json)
    with progress:
        total = int(header.get("articles") or 0) if header else len(sources)
        task = progress.add_task("importing", total=total)
        results = (
            restore_export(app.store, path)
            if header
            else (_ingest_one(source, app, backend) for source in sources)
        )
        for result in results:
            counts[result.status] += 1
            if result.status == "failed":
                failures.append(result)
            if as_json:
                emit_json(result.to_dict())
            progress.advance(task)
    if not as_json:
        out = Console(highlight=False)
        out.print(
            f"{counts['added']} added, {counts['duplicate']} duplicate, {counts['failed']} failed"
        )
        for result in failures:
            out.print(f"  [red]failed[/] {result.error}")
    if counts["failed"]:
        sys.exit(1)


def _ingest_one(source: Source | InputError, app: App, backend: Any) -> IngestResult:
    from ..ingest.pipeline import IngestResult, ingest

    if isinstance(source, InputError):
        label = str(source).split(": ", 1)[0]
        return IngestResult(label, "failed", error=str(source))
    return ingest(source, app.store, app.settings, backend)


@main.command("list")
@click.option("--site", default="", help="Only articles from this site (host name).")
@click.option("--after", default="", help="Only articles published on or after YYYY-MM-DD.")
@click.option("--before", default="", help="Only articles published before YYYY-MM-DD.")
@click.option(
    "--is",
    "is_",
    default="",
    help="unread, read, archived or starred (comma-separated: all must hold). Archived"
    " articles are listed only when asked for.",
)
@click.option("--page", default=1, type=click.IntRange(min=1), show_default=True)
@click.option("--per-page", default=20, type=click.IntRange(1, 500), show_default=True)
@json_option
@pass_app
@guarded
def list_(
    app: App,
    site: str,
    after: str,
    before: str,
    is_: str,
    page: int,
    per_page: int,
    as_json: bool,
) -> None:
    """List the library, newest first (archived articles only with --is archived)."""
    known, unknown = split_is(is_)
    if unknown:
        raise InputError(f"--is {unknown[0]}: use one of {', '.join(IS_VALUES)}")
    chosen = ArticleFilter(site=site, after=after, before=before, is_=known, hide_archived=True)
    result = app.store.list_articles(limit=per_page, offset=(page - 1) * per_page, filters=chosen)
    if as_json:
        emit_json(
            {
                "total": result.total,
                "page": page,
                "per_page": per_page,
                "articles": [article_summary_json(a) for a in result.articles],
            }
        )
    else:
        render_listing(Console(highlight=False), result, page, per_page)


@main.command()
@click.argument("article_id", type=int)
@json_option
@pass_app
@guarded
def show(app: App, article_id: int, as_json: bool) -> None:
    """Show one article and its summary."""
    article = app.store.get_article(article_id)
    if as_json:
        emit_json(article_json(article))
    else:
        render_article(Console(highlight=False), article)
