"""export, backup, restore: taking the library out, and bringing it back exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from ..errors import InputError
from ..library import export as exporting
from ..store import backup as backups
from .context import App, emit_json, guarded, json_option, pass_app
from .render import progress_bar
from .root import main


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "markdown"]),
    default="jsonl",
    show_default=True,
    help="jsonl: everything, for `distill import`; markdown: a folder, a file per article.",
)
@click.option("--category", default="", help="Only articles in this category.")
@click.option("--since", default="", help="Only articles added on or after YYYY-MM-DD.")
@click.option("--force", is_flag=True, help="Overwrite OUT / write into a non-empty folder.")
@json_option
@pass_app
@guarded
def export(
    app: App, out: Path, fmt: str, category: str, since: str, force: bool, as_json: bool
) -> None:
    """Export articles with their summaries: JSON Lines that `distill import` reads back
    into an identical library, or a folder of Markdown files (front matter + six sections).

    Feeds and tag merges are part of a whole-library JSON Lines export (no --category or
    --since). Both stream, with a progress bar on a terminal.
    """
    chosen = exporting.selection(app.store, app.settings.home, category, since)
    exporting.check_target(out, force, folder=fmt == "markdown")
    total = app.store.export.count_articles(chosen)
    with progress_bar(Console(stderr=True), as_json) as progress:
        task = progress.add_task("exporting", total=total)

        def step(n: int) -> None:
            progress.advance(task, n)

        if fmt == "jsonl":
            tmp = out.with_name(out.name + ".partial")
            with tmp.open("wb") as handle:
                written = exporting.export_jsonl(app.store, handle, chosen, step)
            tmp.replace(out)
        else:
            written = exporting.export_markdown(app.store, out, chosen, step)
    if as_json:
        emit_json({"format": fmt, "output": str(out), "articles": written})
    else:
        click.echo(f"exported {written} articles to {out}")


def _sqlite_only(app: App, command: str) -> None:
    """backup and restore copy the library's SQLite file: on a library kept in PostgreSQL
    they would copy an unused file in the library folder and say nothing was wrong."""
    if app.settings.database_url:
        raise InputError(
            f"{command} copies a SQLite library file, and this library is in PostgreSQL"
            " (database_url): back it up with PostgreSQL's own tools (pg_dump), or copy it to"
            " a SQLite library with `distill migrate-db --to FOLDER` and back that up"
        )


@main.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing backup file.")
@json_option
@pass_app
@guarded
def backup_cmd(app: App, out: Path, force: bool, as_json: bool) -> None:
    """Copy the whole library to OUT (SQLite online backup; safe while serving), check the
    copy's integrity and write OUT.manifest.json with its hash and row counts."""
    _sqlite_only(app, "backup")
    report = backups.backup(app.settings.home, out, force)
    if as_json:
        emit_json(report)
    else:
        articles = report["tables"].get("articles", 0)
        click.echo(f"backed up {articles} articles to {out} ({report['bytes']:,} bytes)")


@main.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a library that has articles.")
@click.option("--check", "check_only", is_flag=True, help="Only verify the backup.")
@json_option
@pass_app
@guarded
def restore_cmd(app: App, backup_file: Path, force: bool, check_only: bool, as_json: bool) -> None:
    """Bring a library back from `distill backup`: verify the file (integrity, hash, row
    counts), copy it over the library, and check every table's count again. Stop
    `distill serve` and workers on this library first."""
    if check_only:
        manifest = backups.verify(backup_file)
        report = {"verified": str(backup_file), "tables": manifest["tables"]}
        if as_json:
            emit_json(report)
        else:
            click.echo(f"{backup_file}: ok, {manifest['tables'].get('articles', 0)} articles")
        return
    _sqlite_only(app, "restore")
    report = backups.restore(app.settings.home, backup_file, force)
    if as_json:
        emit_json(report)
    else:
        click.echo(f"restored {report['articles']} articles from {backup_file}")
    sys.stdout.flush()
