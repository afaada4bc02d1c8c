"""serve and tokens: running the web server and managing API tokens."""

from __future__ import annotations

from typing import Any

import click

from ..errors import DistillError
from ..web import tokens as tokens_api
from ..web.security import is_loopback
from .context import App, emit_json, fail, guarded, json_option, pass_app
from .root import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, type=click.IntRange(0, 65535), show_default=True)
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(1, 64),
    show_default=True,
    help="Server processes (each with its own connections; SQLite WAL lets them share).",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not start the background worker (run `distill worker` separately instead).",
)
@json_option
@pass_app
@guarded
def serve(app: App, host: str, port: int, workers: int, no_worker: bool, as_json: bool) -> None:
    """Serve the library's pages and the /v1 API (uvicorn), with the background worker.

    The worker runs feed checks and queued jobs as a child process so that URLs and feeds
    added while the server runs get ingested without a second command.
    """
    from ..web.app import create_app, warm_up_on_start
    from ..worker import start_background
    from .manage import require_migrated

    require_migrated(app.settings)
    web = create_app(app.settings, host=host)  # also checks the library opens and migrates
    warm_up_on_start(web)
    background = None if no_worker else start_background(app.settings)
    try:
        _serve(app, web, host, port, workers, as_json, worker=background is not None)
    finally:
        if background is not None:
            background.stop()


def _serve(
    app: App, web: Any, host: str, port: int, workers: int, as_json: bool, *, worker: bool
) -> None:
    import os

    import uvicorn

    mode = app.settings.web_read_auth
    private = mode == "token" or (mode == "auto" and not is_loopback(host))
    if as_json:
        emit_json({"url": f"http://{host}:{port}", "reads_need_token": private, "worker": worker})
    else:
        click.echo(f"Serving {app.settings.home} at http://{host}:{port}")
        if worker:
            click.echo("Background worker running (feeds and queued jobs).")
        if private:
            click.echo("Reads need an API token here (web_read_auth); see `distill tokens`.")
    if workers == 1:
        uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)
        return
    os.environ["DISTILL_HOME"] = str(app.settings.home)
    os.environ["DISTILL_SERVE_HOST"] = host
    uvicorn.run(
        "distill.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )


@main.group()
def tokens() -> None:
    """API tokens for /v1 (stored hashed; shown once when created)."""


@tokens.command("create")
@click.argument("name")
@json_option
@pass_app
@guarded
def tokens_create(app: App, name: str, as_json: bool) -> None:
    """Create a token called NAME and print it (the only time it is shown)."""
    try:
        name, token = tokens_api.create(app.store, name)
    except DistillError as exc:
        fail(str(exc), as_json)
    if as_json:
        emit_json({"name": name, "token": token})
    else:
        click.echo(token)
        click.echo(
            f"Token {name!r} created. Keep it: it is not stored and cannot be shown again.",
            err=True,
        )


@tokens.command("list")
@json_option
@pass_app
@guarded
def tokens_list(app: App, as_json: bool) -> None:
    """List token names with when they were created and last used."""
    rows = tokens_api.listing(app.store)
    if as_json:
        emit_json({"tokens": rows})
        return
    if not rows:
        click.echo("No tokens. Create one with `distill tokens create NAME`.")
    for row in rows:
        used = row["last_used_at"] or "never"
        click.echo(f"{row['name']}\tcreated {row['created_at']}\tlast used {used}")


@tokens.command("revoke")
@click.argument("name")
@json_option
@pass_app
@guarded
def tokens_revoke(app: App, name: str, as_json: bool) -> None:
    """Revoke the token called NAME; requests using it fail from now on."""
    try:
        tokens_api.revoke(app.store, name)
    except DistillError as exc:
        fail(str(exc), as_json)
    if as_json:
        emit_json({"name": name, "revoked": True})
    else:
        click.echo(f"Token {name!r} revoked.")
