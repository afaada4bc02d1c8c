"""The root `distill` group and its global options."""

from __future__ import annotations

import click

from .context import App


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar="DISTILL_HOME",
    help="Library folder (default: the platform's user data folder). Env: DISTILL_HOME.",
)
@click.version_option(package_name="distill")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """Distill: a self-hosted library of faithful summaries of engineering articles."""
    ctx.obj = App(home)
