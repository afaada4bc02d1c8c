"""feeds pause / resume / interval: managing subscriptions (the feeds page does the same)."""

from __future__ import annotations

import click

from ..feeds import admin as feed_admin
from .context import App, emit_json, guarded, json_option, pass_app
from .feeds import feeds


def _report(app: App, feed_ids: list[int], as_json: bool) -> None:
    rows = [feed_admin.feeds_status(app.store, i)[0] for i in feed_ids]
    if as_json:
        emit_json({"feeds": rows})
        return
    for row in rows:
        interval = f"every {row['interval']:g} s"
        click.echo(f"#{row['id']} {row['title'] or row['url']}: {row['status']}, {interval}")


@feeds.command("pause")
@click.argument("feed_ids", nargs=-1, required=True, type=click.IntRange(1, 2**63 - 1))
@json_option
@pass_app
@guarded
def feeds_pause(app: App, feed_ids: tuple[int, ...], as_json: bool) -> None:
    """Stop checking feeds until resumed (their articles stay; `feeds check ID` still works)."""
    feed_admin.set_paused(app.store, list(feed_ids), True)
    _report(app, list(feed_ids), as_json)


@feeds.command("resume")
@click.argument("feed_ids", nargs=-1, required=True, type=click.IntRange(1, 2**63 - 1))
@json_option
@pass_app
@guarded
def feeds_resume(app: App, feed_ids: tuple[int, ...], as_json: bool) -> None:
    """Check paused feeds again; each is due at once, its error count reset."""
    feed_admin.set_paused(app.store, list(feed_ids), False)
    _report(app, list(feed_ids), as_json)


@feeds.command("interval")
@click.argument("feed_id", type=click.IntRange(1, 2**63 - 1))
@click.argument("seconds", type=float)
@json_option
@pass_app
@guarded
def feeds_interval(app: App, feed_id: int, seconds: float, as_json: bool) -> None:
    """Check a feed every SECONDS (60 to 2,592,000); the next check moves to match."""
    feed_admin.set_interval(app.store, feed_id, seconds)
    _report(app, [feed_id], as_json)
