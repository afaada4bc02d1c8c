"""The command-line reference, generated from every command's `--help`.

`python -m distill.cli.reference > docs/cli-reference.md` (or `make docs`) writes it, and a
test compares the file with this output, as docs/settings.md is checked against config.py:
an option added, renamed or re-described without regenerating fails the tests, so the
reference cannot drift from what `--help` prints.

It is a file of its own rather than a section of docs/cli.md: cli.md is written by hand
(what each command does, and the `--json` shapes scripts rely on), and keeping generated
text out of it means `make docs` overwrites a whole file and never edits prose around it.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from . import main

# Help text is wrapped to this many columns whatever the terminal, so the generated file is
# the same on every machine (click otherwise wraps to the terminal's width).
HELP_WIDTH = 88


def walk(
    command: click.Command, name: str, parent: click.Context | None = None
) -> Iterator[tuple[str, str]]:
    """(full command name, its --help text) for `command` and every command under it."""
    # As click's make_context does: the command's own context settings (`-h`), then ours.
    settings = {
        **command.context_settings,
        "terminal_width": HELP_WIDTH,
        "max_content_width": HELP_WIDTH,
    }
    ctx = command.context_class(command, info_name=name, parent=parent, **settings)
    yield ctx.command_path, command.get_help(ctx)
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, sub_name, ctx)


def cli_reference_markdown() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from each command's `--help` by `python -m distill.cli.reference`",
        "(`make docs`); do not edit by hand. What the commands do and the `--json` output",
        "shapes (a contract) are described in [cli.md](cli.md).",
        "",
    ]
    commands = list(walk(main, "distill"))
    lines += [f"- [`{path}`](#{anchor(path)})" for path, _ in commands]
    for path, text in commands:
        lines += ["", f"## `{path}`", "", "```text", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def anchor(heading: str) -> str:
    """The id GitHub gives a `## \\`distill feeds add\\`` heading: distill-feeds-add."""
    return heading.lower().replace(" ", "-")


if __name__ == "__main__":
    print(cli_reference_markdown(), end="")
