"""The root `distill` group and its global options."""

from __future__ import annotations

import importlib
import os

import click

from .context import App

# The module that registers each command (a group may take subcommands from two). A command
# line imports only the modules of the command it runs: `distill add` does not load the
# feed reader, the web server or the HTTP client (tests/test_cli.py checks this table
# against what the modules register).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "add": ("library",),
    "backup": ("export",),
    "categorize": ("classify",),
    "classify": ("classify",),
    "export": ("export",),
    "feeds": ("feeds", "feed_admin"),
    "import": ("library",),
    "jobs": ("feeds",),
    "list": ("library",),
    "mark": ("reading",),
    "migrate": ("manage",),
    "migrate-db": ("manage",),
    "models": ("llm",),
    "recategorize": ("classify",),
    "reindex": ("search",),
    "related": ("search",),
    "remove": ("manage",),
    "restore": ("export",),
    "resummarize": ("summaries",),
    "search": ("search",),
    "serve": ("web",),
    "show": ("library",),
    "summarize": ("summaries",),
    "tags": ("classify",),
    "tokens": ("web",),
    "verify": ("llm",),
    "worker": ("feeds",),
}


def load_commands(names: list[str] | None = None) -> None:
    """Import the modules that register `names` (every command when None)."""
    wanted = COMMAND_MODULES if names is None else names
    for name in wanted:
        for module in COMMAND_MODULES.get(name, ()):
            importlib.import_module(f"{__package__}.{module}")


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load_commands([cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
