"""remove: take articles out of the library for good (the web's Remove button does the same);
migrate-db: copy the library to another database; migrate: apply a shared database's
pending schema steps, which serve and worker refuse to do on their own."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Settings
from .context import App, emit_json, guarded, json_option, pass_app
from .root import main


@main.command()
@click.argument("article_ids", nargs=-1, required=True, type=click.IntRange(1, 2**63 - 1))
@json_option
@pass_app
@guarded
def remove(app: App, article_ids: tuple[int, ...], as_json: bool) -> None:
    """Remove articles with their summaries, vectors, labels and search entries.

    All or nothing: if one id does not exist, nothing is removed. A feed that brought an
    article in remembers the entry, so its next check does not add it back.
    """
    removed = app.store.remove_articles(list(article_ids))
    if as_json:
        emit_json({"removed": removed})
        return
    for item in removed:
        click.echo(f"removed #{item['id']} {item['title']}")


@main.command("migrate-db")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL|PATH",
    help="postgresql://... database, or a folder for a SQLite library (the way back).",
)
@json_option
@pass_app
@guarded
def migrate_db(app: App, target: str, as_json: bool) -> None:
    """Copy this whole library into another database and verify the copy.

    Every table's rows keep their ids; the end compares row counts per table and a checksum
    of every article's text and summary on both sides. An interrupted copy can be run again:
    rows already there are skipped, the rest arrive.
    """
    from ..store import SQLStore, is_postgres_url, open_store
    from ..store.copy import copy_library

    destination: SQLStore = (
        open_store(app.settings.home, target)
        if is_postgres_url(target)
        else open_store(Path(target).expanduser())
    )
    try:

        def progress(table: str, done: int, total: int) -> None:
            if not as_json and total and (done == total or done % 5000 == 0):
                click.echo(f"{table}: {done}/{total}", err=True)

        report = copy_library(app.store, destination, progress)
    finally:
        destination.close()
    counts = {t: s for t, (s, _) in report.counts.items()}
    if as_json:
        emit_json({"counts": counts, "copied": report.copied, "checksum": report.checksum[0]})
        return
    click.echo(
        f"copied {report.copied['articles']} new article(s); {counts['articles']} in all,"
        f" counts of {len(counts)} tables and the checksum of every article match"
    )


def require_migrated(settings: Settings) -> None:
    """Refuse to start a server or worker on a PostgreSQL database with unapplied steps
    (PendingMigrations names them and `distill migrate`); SQLite migrates on open."""
    if settings.database_url:
        from ..store import open_store

        open_store(settings.home, settings.database_url, migrate=False).close()


@main.command()
@json_option
@pass_app
@guarded
def migrate(app: App, as_json: bool) -> None:
    """Apply the database's pending schema steps (needed on PostgreSQL after an upgrade,
    before `serve` and `worker` start; a SQLite library migrates whenever it is opened)."""
    applied = app.store.applied
    engine = "postgresql" if app.settings.database_url else "sqlite"
    if as_json:
        emit_json({"engine": engine, "applied": applied})
        return
    if applied:
        click.echo(f"applied {len(applied)} step(s): {', '.join(applied)}")
    else:
        click.echo("the database is up to date")
