"""feeds, jobs, worker: subscriptions and the background queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..feeds.admin import feeds_status
from ..feeds.subscribe import (
    add_feed,
    export_opml,
    feed_json,
    feeds_due_now,
    import_opml,
    remove_feed,
)
from ..feeds.tasks import enqueue_due_feeds
from ..jobs import JobQueue, job_json
from ..worker import run_worker
from .context import App, emit_json, fail, guarded, json_option, pass_app
from .root import main


@main.group()
def feeds() -> None:
    """Subscribe to RSS, Atom and JSON feeds; new entries become articles."""


@feeds.command("add")
@click.argument("url")
@click.option("--interval", type=click.FloatRange(min=60), help="Seconds between checks.")
@json_option
@pass_app
@guarded
def feeds_add(app: App, url: str, interval: float | None, as_json: bool) -> None:
    """Subscribe to a feed URL, or a web page whose <link rel="alternate"> names its feed."""
    sub = add_feed(app.store, app.settings, url, interval)
    if as_json:
        emit_json(sub.to_dict())
    else:
        verb = "subscribed" if sub.created else "already subscribed"
        click.echo(f"{verb} #{sub.id} {sub.title or sub.url} ({sub.url})")


@feeds.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
@guarded
def feeds_import(app: App, path: Path, as_json: bool) -> None:
    """Subscribe to every feed in an OPML file."""
    subs = import_opml(app.store, app.settings, path)
    created = sum(s.created for s in subs)
    if as_json:
        emit_json(
            {
                "added": created,
                "existing": len(subs) - created,
                "feeds": [s.to_dict() for s in subs],
            }
        )
    else:
        click.echo(f"{created} feeds added, {len(subs) - created} already subscribed")


@feeds.command("export")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@json_option
@pass_app
@guarded
def feeds_export(app: App, output: Path | None, as_json: bool) -> None:
    """Write the subscriptions as OPML (stdout unless --output)."""
    text = export_opml(app.store)
    if output:
        output.write_text(text, encoding="utf-8")
    if as_json:
        emit_json(
            {
                "opml": text,
                "count": len(app.store.feeds.list_feeds()),
                "output": str(output) if output else None,
            }
        )
    elif not output:
        sys.stdout.write(text)


@feeds.command("list")
@json_option
@pass_app
@guarded
def feeds_list(app: App, as_json: bool) -> None:
    """Feeds with their status, last and next check, articles, unread and last error."""
    rows = feeds_status(app.store)
    if as_json:
        emit_json({"feeds": rows})
        return
    console = Console(highlight=False, soft_wrap=True)
    for f in rows:
        console.print(
            f"[bold]#{f['id']} {escape(f['title'] or f['url'])}[/] {escape(f['site_url'])}"
        )
        console.print(
            f"  {f['status']}, last check {f['last_checked'] or 'never'},"
            f" next check {'paused' if f['paused'] else f['next_check']},"
            f" {f['new_articles']} new, {f['articles']} articles, {f['unread']} unread"
        )
        if f["last_error"]:
            console.print(f"  [red]error[/] {escape(f['last_error'])}")
    if not rows:
        console.print("no feeds; add one with `distill feeds add URL`")


@feeds.command("remove")
@click.argument("feed_id", type=int)
@click.option(
    "--delete-articles",
    is_flag=True,
    help="Also remove the articles only this feed brought (default: they stay).",
)
@json_option
@pass_app
@guarded
def feeds_remove(app: App, feed_id: int, delete_articles: bool, as_json: bool) -> None:
    """Unsubscribe (articles already in the library stay unless --delete-articles)."""
    if delete_articles:
        from ..feeds.admin import unsubscribe

        gone = unsubscribe(app.store, feed_id, True)
    else:
        remove_feed(app.store, feed_id)
        gone = []
    if as_json:
        emit_json({"removed": feed_id, "articles_removed": gone})
    else:
        extra = f" and {len(gone)} of its articles" if delete_articles else ""
        click.echo(f"removed feed #{feed_id}{extra}")


@feeds.command("check")
@click.argument("feed_ids", nargs=-1, type=int)
@click.option(
    "--queue", "queue_only", is_flag=True, help="Only queue the checks for a running worker."
)
@json_option
@pass_app
@guarded
def feeds_check(app: App, feed_ids: tuple[int, ...], queue_only: bool, as_json: bool) -> None:
    """Check feeds now (all but paused ones, or the IDs given) and ingest new entries."""
    chosen = feeds_due_now(app.store, list(feed_ids))
    if feed_ids:  # named feeds are checked even when paused; "all" skips paused ones
        from ..feeds.admin import check_now

        for feed_id in chosen:
            check_now(app.store, app.settings, feed_id)
    else:
        enqueue_due_feeds(app.store, app.settings)
    if not queue_only:
        run_worker(app.settings, until_idle=True, schedule_feeds=False)
    rows = [feed_json(app.store.feeds.get_feed(i)) for i in chosen]
    failed = any(f["last_error"] for f in rows) and not queue_only
    if as_json:
        emit_json({"feeds": rows, "queued_only": queue_only})
        sys.exit(1 if failed else 0)
    for f in rows:
        status = f"error: {f['last_error']}" if f["last_error"] else f"{f['new_articles']} new"
        if queue_only:
            status = "queued"
        click.echo(f"#{f['id']} {f['title'] or f['url']}: {status}")
    if failed:
        sys.exit(1)


@main.group()
def jobs() -> None:
    """The background job queue."""


@jobs.command("list")
@click.option("--failed", is_flag=True, help="Only failed jobs.")
@click.option("--state", type=click.Choice(["queued", "running", "done", "failed"]))
@click.option("--kind", default="", help="Only jobs of this kind (fetch-feed, ingest-url).")
@click.option("--limit", default=100, type=click.IntRange(1, 10_000), show_default=True)
@json_option
@pass_app
@guarded
def jobs_list(
    app: App, failed: bool, state: str | None, kind: str, limit: int, as_json: bool
) -> None:
    """Jobs, newest first."""
    queue = JobQueue(app.store, app.settings)
    items, total = queue.list_jobs(
        state="failed" if failed else (state or ""), kind=kind, limit=limit
    )
    if as_json:
        emit_json({"total": total, "counts": queue.counts(), "jobs": [job_json(j) for j in items]})
        return
    table = Table("id", "kind", "state", "attempts", "run at", "target", "last error")
    for job in items:
        data = job_json(job)
        target = str(job.payload.get("url") or job.payload.get("feed_id") or "")
        table.add_row(
            str(job.id),
            job.kind,
            job.state,
            f"{job.attempts}/{job.max_attempts}",
            data["run_at"] or "",
            escape(target),
            escape(job.last_error),
        )
    console = Console(highlight=False)
    console.print(table)
    console.print(
        f"{total} jobs; " + ", ".join(f"{k} {v}" for k, v in sorted(queue.counts().items()))
    )


@jobs.command("retry")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--failed", "all_failed", is_flag=True, help="Retry every failed job.")
@json_option
@pass_app
@guarded
def jobs_retry(app: App, job_ids: tuple[int, ...], all_failed: bool, as_json: bool) -> None:
    """Queue failed jobs again with fresh attempts."""
    if bool(job_ids) == all_failed:
        fail("give job IDs or --failed (not both)", as_json)
    queue = JobQueue(app.store, app.settings)
    retried = queue.retry_failed(None if all_failed else list(job_ids))
    missing = sorted(set(job_ids) - set(retried))
    if as_json:
        emit_json({"retried": retried, "not_failed": missing})
    else:
        click.echo(f"{len(retried)} jobs queued again")
        for job_id in missing:
            click.echo(f"  job {job_id}: no failed job with this id", err=True)
    if missing:
        sys.exit(1)


@main.command("worker")
@click.option("--threads", type=click.IntRange(1, 64), help="Jobs at once (default: setting).")
@click.option("--until-idle", is_flag=True, help="Exit when no job is due instead of waiting.")
@click.option(
    "--parent-pid",
    type=int,
    hidden=True,
    help="Exit when this process ends (set by `distill serve` for the worker it starts).",
)
@json_option
@pass_app
@guarded
def worker_cmd(
    app: App, threads: int | None, until_idle: bool, parent_pid: int | None, as_json: bool
) -> None:
    """Run background jobs and feed checks until SIGTERM (or idle with --until-idle)."""
    from .manage import require_migrated

    require_migrated(app.settings)

    def report(event: dict[str, Any]) -> None:
        if as_json:
            emit_json(event)
        elif event.get("event") == "job":
            err = f": {event['error']}" if event.get("error") else ""
            click.echo(f"job {event['job']} {event['kind']} {event['state']}{err}")

    stats = run_worker(
        app.settings,
        threads=threads,
        until_idle=until_idle,
        on_event=report,
        parent_pid=parent_pid,
    )
    if as_json:
        emit_json({"event": "stopped", **stats})
    else:
        click.echo(", ".join(f"{v} {k}" for k, v in stats.items()))
    _exit_past_stuck_jobs()


def _exit_past_stuck_jobs() -> None:
    """Exit now even if a job thread is still inside a call that ignores the stop request.

    Its job was already released (another worker takes it at once); without this, Python's
    exit would wait for that thread, and SIGTERM would not stop the worker.
    """
    import os
    import threading

    if any(t.name.startswith("distill-job") and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
