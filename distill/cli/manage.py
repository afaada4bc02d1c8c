"""remove: take articles out of the library for good (the web's Remove button does the same)."""

from __future__ import annotations

import click

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
