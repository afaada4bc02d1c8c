"""summarize, resummarize: summaries of files and URLs, and summaries made again in bulk."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from ..errors import DistillError, InputError
from ..ingest.sources import Source, jsonl_sources, parse_source
from ..plugins import get_summarizer
from ..summarize import resummarize as batch
from .context import App, emit_json, fail, guarded, json_option, pass_app
from .render import progress_bar, render_summary
from .root import main


def _sources(refs: tuple[str, ...], max_bytes: int) -> Iterator[Source | InputError]:
    """Each argument; a JSON Lines file counts as one source per article in it."""
    for ref in refs:
        path = Path(ref)
        if path.suffix.lower() in (".jsonl", ".ndjson") and path.is_file():
            yield from jsonl_sources(path, max_bytes)
            continue
        try:
            yield parse_source(ref)
        except InputError as exc:
            yield exc


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--backend", help="Summarizer backend (default: the `summarizer` setting).")
@json_option
@pass_app
@guarded
def summarize(app: App, sources: tuple[str, ...], backend: str | None, as_json: bool) -> None:
    """Print the summary of each file, URL or JSON Lines article without storing it."""
    summarizer = get_summarizer(backend or app.settings.summarizer)
    console = Console(highlight=False)
    failed = False
    for source in _sources(sources, app.settings.max_bytes):
        if isinstance(source, InputError):
            label = str(source).split(": ", 1)[0]
            result: dict[str, Any] = {"source": label, "error": str(source)}
        else:
            label = source.label
            try:
                doc = source.load(app.settings)
                summary = summarizer.summarize(doc)
            except DistillError as exc:
                result = {"source": source.label, "error": str(exc)}
            else:
                result = {"source": source.label, "title": doc.title, **summary.to_dict()}
                notes = summarizer.notes(doc)
                if notes:
                    result["notes"] = notes
        failed |= "error" in result
        if as_json:
            emit_json(result)
        elif "error" in result:
            click.echo(f"error: {result['error']}", err=True)
        else:
            console.print(f"\n[bold]{escape(result['title'])}[/]  [dim]{escape(label)}[/]")
            for note in result.get("notes", []):
                console.print(f"[yellow]note:[/] {escape(note)}")
            render_summary(console, summary)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every article in the library.")
@click.option("--backend", help="Summarizer backend (default: the `summarizer` setting).")
@click.option("--force", is_flag=True, help="Also redo summaries already made by this version.")
@json_option
@pass_app
@guarded
def resummarize(
    app: App, ids: tuple[int, ...], all_: bool, backend: str | None, force: bool, as_json: bool
) -> None:
    """Summarize stored articles again, e.g. after a backend's version changed.

    Articles whose summary already comes from this backend and version are skipped, so an
    interrupted run picks up where it stopped when started again.
    """
    if bool(ids) == all_:
        fail("give article ids or --all (not both)", as_json)
    summarizer = get_summarizer(backend or app.settings.summarizer)
    chosen = batch.targets(app.store, None if all_ else list(ids))
    counts = {"summarized": 0, "current": 0, "failed": 0}
    errors: list[str] = []
    with progress_bar(Console(stderr=True), as_json) as progress:
        task = progress.add_task("summarizing", total=len(chosen))
        for row in batch.resummarize(app.store, app.settings, summarizer, chosen, force):
            counts[row["status"]] += 1
            if row["error"]:
                errors.append(row["error"])
            if as_json:
                emit_json(row)
            progress.advance(task)
    if not as_json:
        out = Console(highlight=False)
        out.print(
            f"{counts['summarized']} summarized, {counts['current']} already current,"
            f" {counts['failed']} failed ({summarizer.name} {summarizer.version})"
        )
        for error in errors:
            out.print(f"  [red]failed[/] {escape(error)}")
    if counts["failed"]:
        sys.exit(1)
