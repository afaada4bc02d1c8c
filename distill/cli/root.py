"""The root `distill` group and its global options."""

from __future__ import annotations

import os

import click

from .context import App


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar="DISTILL_HOME",
    help="Library folder (default: the platform's user data folder). Env: DISTILL_HOME.",
)
@click.option(
    "--database",
    metavar="URL",
    help="PostgreSQL database URL instead of the library folder's SQLite file."
    " Env: DISTILL_DATABASE_URL.",
)
@click.version_option(package_name="distill")
@click.pass_context
def main(ctx: click.Context, home: str | None, database: str | None) -> None:
    """Distill: a self-hosted library of faithful summaries of engineering articles."""
    if database:
        # Through the environment, so processes a command starts (serve's worker) use it too.
        os.environ["DISTILL_DATABASE_URL"] = database
    ctx.obj = App(home)
