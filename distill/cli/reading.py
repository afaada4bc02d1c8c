"""mark: set the reading state of articles (unread, read, archived) from a terminal.

The same store functions as the web's m/e keys and PATCH /v1/articles/{id} {"state"}.
"""

from __future__ import annotations

import click

from ..classify import overview
from ..errors import InputError
from ..library import reading
from ..store.filters import ArticleFilter
from .context import App, emit_json, guarded, json_option, pass_app
from .root import main


@main.command()
@click.argument("state", type=click.Choice(reading.STATES))
@click.argument("article_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option("--category", default="", help="Mark every article in this category (read only).")
@click.option("--tech", default="", help="Mark every article tagged with this (read only).")
@json_option
@pass_app
@guarded
def mark(
    app: App, state: str, article_ids: tuple[int, ...], category: str, tech: str, as_json: bool
) -> None:
    """Mark articles unread, read or archived: `distill mark read 12 13`, or
    `distill mark read --category databases` for a whole category.

    Archived articles leave the default lists (list, category pages) but stay searchable.
    Marking is not a visit: trending counts article page views only.
    """
    scoped = bool(category or tech)
    if scoped == bool(article_ids) or (category and tech):
        raise InputError("give article ids, or one of --category / --tech")
    if scoped:
        if state != "read":
            raise InputError("a whole category or technology can only be marked read")
        home = app.settings.home
        filters = ArticleFilter(
            category=overview.require_category(app.store, home, category) if category else "",
            tech=overview.require_technology(app.store, home, tech) if tech else "",
        )
        changed = reading.mark_all_read(app.store, filters)
    else:
        changed = reading.set_state(app.store, list(article_ids), state)
    if as_json:
        emit_json({"state": state, "changed": changed, "ids": list(article_ids)})
    else:
        click.echo(f"{changed} article{'s' if changed != 1 else ''} marked {state}")
